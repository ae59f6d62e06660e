"""Page 1: sign in (an AWS profile, a saved profile or an access key), pick the region, and see
who you are signed in as."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from wizard.checks import CheckRow
from wizard.settings import Settings
from wizard.ui.page_ids import PageId, resume_page
from wizard.ui.pages.base import BasePage
from wizard.ui.pages.credentials_account import AccountActions
from wizard.ui.regions import ordered_regions
from wizard.ui.widgets.permission_check import PermissionCheck
from wizard.ui.widgets.sso_signin import SsoSignIn, account_task
from wizard.ui.worker import tasks
from wizard.validators import is_valid, validate_region

DEMO_STARTING = "Starting the demo's sandbox (an emulated AWS account with sample databases)…"
# Kinds of the sign-in choices (the combo's item data is (kind, name)).
PROFILE, SAVED, KEYS, DEMO, SSO = "profile", "saved", "keys", "demo", "sso"


class CredentialsPage(AccountActions, BasePage):
    TITLE = "Sign in to AWS"
    EXPLANATION = (
        "The wizard works in your AWS account with your own permissions. Choose a profile from "
        "your AWS configuration, sign in with IAM Identity Center (SSO) in your browser, or enter "
        "an access key. Nothing is changed on this page: it checks who you are signed in as and "
        "whether you may do every step. Pick the region your database runs in."
    )

    def __init__(self, *args: Any, settings: Settings | None = None) -> None:
        super().__init__(*args)
        self.settings = settings if settings is not None else Settings.load()
        self._profiles_loaded = False
        self._resume_target: PageId | None = None

        self.method = QComboBox()
        self.method.setObjectName("signInMethod")
        self.access_key = QLineEdit()
        self.access_key.setObjectName("accessKey")
        self.access_key.setPlaceholderText("AKIA…")
        self.secret_key = QLineEdit()
        self.secret_key.setObjectName("secretKey")
        self.secret_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.session_token = QLineEdit()
        self.session_token.setObjectName("sessionToken")
        self.session_token.setEchoMode(QLineEdit.EchoMode.Password)
        self.session_token.setPlaceholderText("only for temporary credentials")
        self.region = QComboBox()
        self.region.setObjectName("region")
        self.region.setEditable(True)
        self.region.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        consumer = self.state.consumer
        for code in ordered_regions(consumer.regions):
            supported = consumer.supports_region(code)
            text = f"{code} — supported by {consumer.display_name}" if supported else code
            self.region.addItem(text, code)
        self.region.insertSeparator(len(consumer.regions))
        self.profile_name = QLineEdit()
        self.profile_name.setObjectName("profileName")
        self.profile_name.setPlaceholderText("a name, e.g. prod-reader")
        self.save_button = QPushButton("&Save as profile")
        self.save_button.setObjectName("saveProfile")
        self.save_button.clicked.connect(self.save_profile)
        save_row = QWidget()
        save_layout = QHBoxLayout(save_row)
        save_layout.setContentsMargins(0, 0, 0, 0)
        save_layout.addWidget(self.profile_name, 1)
        save_layout.addWidget(self.save_button)

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # IAM Identity Center in the window, and the saved profile's Delete (issue 19).
        self.sso = SsoSignIn(self.runner, self.state.endpoint_url, demo=self.state.demo)
        self.sso.signed_in.connect(self._sso_signed_in)
        self.sso.signed_out.connect(self._sso_signed_out)
        self._sso_credentials: Any = None
        self.permissions = PermissionCheck(self.runner, self._permission_row)
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.setObjectName("deleteProfile")
        self.delete_button.clicked.connect(self.delete_profile)
        method_row = QWidget()
        method_layout = QHBoxLayout(method_row)
        method_layout.setContentsMargins(0, 0, 0, 0)
        method_layout.addWidget(self.method, 1)
        method_layout.addWidget(self.delete_button)
        self.form.addRow("Sign in &with:", method_row)
        self.form.addRow(self.sso)
        self.form.addRow("&Access key id:", self.access_key)
        self.form.addRow("Se&cret access key:", self.secret_key)
        self.form.addRow("Session &token:", self.session_token)
        self.form.addRow("&Region:", self.region)
        self.form.addRow("Keep these keys:", save_row)
        self.form.addRow("", self.permissions.widget)
        self.body.addLayout(self.form)
        self._rebuild_methods([])
        self._select_region(self.settings.region or consumer.regions[0])

        self.method.currentIndexChanged.connect(self._method_changed)
        for field in (self.access_key, self.secret_key, self.session_token):
            field.textChanged.connect(self._inputs_changed)
        self.region.currentIndexChanged.connect(self._inputs_changed)
        self.region.editTextChanged.connect(self._inputs_changed)
        self.setTabOrder(self.method, self.access_key)
        self.setTabOrder(self.access_key, self.secret_key)
        self.setTabOrder(self.secret_key, self.session_token)
        self.setTabOrder(self.session_token, self.region)
        self.setTabOrder(self.region, self.profile_name)
        self.setTabOrder(self.profile_name, self.save_button)
        self._method_changed()

    # --- choices ------------------------------------------------------------------------------
    def _rebuild_methods(self, profiles: list[Any]) -> None:
        current = self.method.currentData()
        self.method.blockSignals(True)
        self.method.clear()
        if self.state.demo:
            self.method.addItem("Demo account (built-in sandbox, no real AWS)", (DEMO, "demo"))
        for p in profiles:
            suffix = " (IAM Identity Center)" if p.is_sso else ""
            self.method.addItem(f"AWS profile: {p.name}{suffix}", (PROFILE, p.name))
        for saved in self.settings.saved_profiles:
            self.method.addItem(f"Saved profile: {saved.name}", (SAVED, saved.name))
        self.method.addItem("An access key I enter here", (KEYS, ""))
        self.method.addItem("IAM Identity Center (SSO): sign in here, in the browser", (SSO, ""))
        wanted = current or self._preferred_method()
        index = self.method.findData(wanted) if wanted else -1
        self.method.setCurrentIndex(max(index, 0))
        self.method.blockSignals(False)

    def _preferred_method(self) -> tuple[str, str] | None:
        if self.state.demo:
            return (DEMO, "demo")
        if self.settings.profile:
            return (PROFILE, self.settings.profile)
        if self.settings.saved_profile:
            return (SAVED, self.settings.saved_profile)
        return None

    def _select_region(self, code: str) -> None:
        index = self.region.findData(code)
        if index >= 0:
            self.region.setCurrentIndex(index)
        else:
            self.region.setEditText(code)

    def region_code(self) -> str:
        text = self.region.currentText().strip()
        data = self.region.currentData()
        # The item text carries a note ("— supported by …"); typed text is the code itself.
        if data and self.region.itemText(self.region.currentIndex()) == text:
            return str(data)
        return text.split(" ")[0].lower()

    def method_kind(self) -> str:
        data = self.method.currentData()
        return str(data[0]) if data else KEYS

    def _method_changed(self) -> None:
        keys = self.method_kind() == KEYS
        self.sso.setVisible(self.method_kind() == SSO)
        self.delete_button.setVisible(self.method_kind() == SAVED)
        keep_keys = self.save_button.parentWidget()  # IAM Identity Center keeps no keys
        if keep_keys is not None:
            for widget in (keep_keys, self.form.labelForField(keep_keys)):
                if widget is not None:
                    widget.setVisible(self.method_kind() != SSO)
        for field in (self.access_key, self.secret_key, self.session_token):
            field.setVisible(keys)
            label = self.form.labelForField(field)
            if label is not None:
                label.setVisible(keys)
        self._inputs_changed()

    def _inputs_changed(self) -> None:
        self.save_button.setEnabled(self.method_kind() == KEYS and not self.busy)
        self.state.forget_aws()
        self.permissions.forget()
        self._resume_target = None
        self.schedule_refresh()

    # --- the live check -----------------------------------------------------------------------
    def initializePage(self) -> None:
        super().initializePage()
        if self.state.resume is not None:
            self._select_region(self.state.resume.region)
        if not self._profiles_loaded:
            self._profiles_loaded = True
            # Reading ~/.aws/config imports botocore: done on a worker, after the window is up.
            self.run_check(
                tasks.list_profiles,
                pending=["Reading your AWS profiles…"],
                on_done=self._profiles_ready,
                on_error=lambda _err: self.schedule_refresh(),
            )
        elif not self._checking:  # a read still running (the profiles) re-checks when it ends
            self.refresh()

    def _profiles_ready(self, profiles: list[Any]) -> None:
        self._rebuild_methods(profiles)
        self._method_changed()
        # Checked now: the re-check _method_changed scheduled would sign in a second time
        # once the debounce ran out, and the page would wait for that one too.
        self._debounce.stop()
        self.refresh()

    def _region_row(self, region: str) -> CheckRow:
        consumer = self.state.consumer
        problem = is_valid(validate_region, region)
        if problem:
            return CheckRow("region", False, "Region", reason=problem)
        if consumer.supports_region(region):
            return CheckRow(
                "region", True, f"Region {region}", reason=f"{consumer.display_name} supports it."
            )
        return CheckRow(
            "region",
            True,
            f"Region {region}",
            reason=_offer_words(consumer, region),
            warning=True,
            required=False,
        )

    def sign_in_args(self) -> tuple[str, str, str, str, str]:
        """(kind, profile or saved name, access key, secret, session token)."""
        kind = self.method_kind()
        name = str(self.method.currentData()[1]) if self.method.currentData() else ""
        if kind == DEMO:
            return kind, "", "demo", "demo", ""
        if kind == SSO:
            c = self._sso_credentials
            return (
                (kind, "", c.access_key_id, c.secret_access_key, c.session_token)
                if c
                else (kind, "", "", "", "")
            )
        if kind == KEYS:
            return (
                kind,
                "",
                self.access_key.text().strip(),
                self.secret_key.text().strip(),
                self.session_token.text().strip(),
            )
        return kind, name, "", "", ""

    def refresh(self) -> None:
        sandbox = self.state.extra.get("demo_sandbox")  # --demo: "starting", or why it failed
        if sandbox is not None:
            if sandbox == "starting":
                self.checklist.set_pending([DEMO_STARTING])
            else:
                what = f"The demo's sandbox did not start: {sandbox.what}"
                self.checklist.set_rows([CheckRow("identity", False, what, reason=sandbox.fix)])
            return
        region = self.region_code()
        region_row = self._region_row(region)
        kind, name, key, secret, token = self.sign_in_args()
        if not region_row.ok or (kind in (KEYS, SSO) and not (key and secret)):
            rows = [region_row]
            if kind in (KEYS, SSO) and not (key and secret):
                wanted = "Enter the access key id and the secret access key."
                if kind == SSO:
                    wanted = "Sign in with IAM Identity Center above, then choose the account and role."
                rows.insert(0, CheckRow("identity", False, "Signed in", reason=wanted))
            self.run_check(lambda: None, on_done=lambda _: self.checklist.set_rows(rows))
            return
        self.run_check(
            tasks.sign_in,
            kind,
            name,
            key,
            secret,
            token,
            region,
            self.state.endpoint_url,
            pending=["Checking who you are signed in as…"],
            on_done=lambda result: self._signed_in(result, region_row),
            on_error=lambda err: self._sign_in_failed(err, region_row),
        )

    def _signed_in(self, result: Any, region_row: CheckRow) -> None:
        credentials, aws, identity = result
        # No error-panel clearing here: sign-in problems show in the checklist, and a background
        # check finishing must not wipe the error of an action the user just took (saving).
        self.state.credentials = credentials
        self.state.aws = aws
        self.state.identity = identity
        self.state.region = aws.region
        rows = [
            CheckRow(
                "identity",
                True,
                f"Signed in to account {identity.account_id}",
                reason=f"As {identity.arn}",
            ),
            region_row,
        ]
        resume = self.state.resume
        if resume is not None:
            if (resume.account_id, resume.region) == (identity.account_id, aws.region):
                self.checklist.set_rows(rows)
                self._prepare_resume(rows)
                return
            rows.append(
                CheckRow(
                    "resume",
                    True,
                    f"Continue '{resume.name}'",
                    reason=(
                        f"That link is in account {resume.account_id}, region {resume.region}: "
                        "sign in there to continue it, or go on to start a new link."
                    ),
                    warning=True,
                    required=False,
                )
            )
        self.checklist.set_rows(rows)
        self.permissions.start(aws, identity)

    def _sign_in_failed(self, err: Any, region_row: CheckRow) -> None:
        reason = err.fix or err.why
        self.checklist.set_rows(
            [CheckRow("identity", False, f"Not signed in: {err.what}", reason=reason), region_row]
        )
        kind, name, *_ = self.sign_in_args()
        if err.code == "SSOLogin" and kind == PROFILE:
            # The profile's IAM Identity Center login expired: sign in again here, in place.
            self.runner.run(
                account_task("profile_login"), name, on_done=self._offer_sign_in_again, owner=self
            )

    def _prepare_resume(self, rows: list[CheckRow]) -> None:
        resume = self.state.resume
        assert resume is not None and self.state.aws is not None
        self.run_check(
            tasks.resume,
            self.state.aws,
            resume,
            self.state.consumer,
            self.state.account_id,
            pending=[f"Opening the saved link '{resume.name}'…"],
            on_done=lambda resumed: self._resumed(resumed, rows),
            on_error=lambda _err: self.checklist.set_rows(rows),
        )

    def _resumed(self, resumed: Any, rows: list[CheckRow]) -> None:
        state = self.state
        link = resumed.link
        state.source = resumed.source
        state.link = link
        state.link_name = link.plan.name
        state.port = link.plan.port
        state.subnet_ids = link.plan.subnet_ids
        state.cross_zone = link.plan.cross_zone
        state.consumer_regions = link.plan.consumer_regions
        state.principal = link.plan.principal
        self._resume_target = resume_page(link.record.completed_steps)
        done = ", ".join(link.record.completed_steps) or "nothing yet"
        self.checklist.set_rows(
            [
                *rows,
                CheckRow(
                    "resume",
                    True,
                    f"Continuing '{link.plan.name}'",
                    reason=f"Already done: {done}. Next takes you to the first unfinished step.",
                ),
            ]
        )

    # --- navigation ---------------------------------------------------------------------------
    def page_ready(self) -> bool:
        return self.state.identity is not None

    def validatePage(self) -> bool:
        kind, name, *_ = self.sign_in_args()
        self.settings.region = self.state.region
        self.settings.profile = name if kind == PROFILE else ""
        self.settings.saved_profile = name if kind == SAVED else ""
        self.settings.save()
        return True

    def nextId(self) -> int:
        # QWizard calls nextId() often (to draw its buttons): it must not change anything.
        if self._resume_target is not None and self.state.link is not None:
            return int(self._resume_target)
        return int(PageId.SOURCE)

    # --- saving a profile ---------------------------------------------------------------------
    def save_profile(self) -> None:
        kind, _name, key, secret, token = self.sign_in_args()
        name = self.profile_name.text().strip()
        if kind != KEYS:
            return
        if self.state.demo:  # the demo writes nothing of the user's: no keys into their keychain
            self.set_status("Not saved: the demo saves nothing on this computer.")
            return
        self.run_engine(
            tasks.save_profile,
            name,
            key,
            secret,
            token,
            on_done=lambda _: self._profile_saved(name),
            busy_text="Saving the keys in your system keychain…",
        )

    def _profile_saved(self, name: str) -> None:
        self.settings.remember_profile(name, self.region_code())
        self.settings.saved_profile = name
        self.settings.save()
        self.method.blockSignals(True)
        self.method.insertItem(self.method.count() - 2, f"Saved profile: {name}", (SAVED, name))
        self.method.blockSignals(False)
        self.set_status(f"Saved '{name}' in your system keychain. Only its name is kept in settings.")


def _offer_words(consumer: Any, region: str) -> str:
    """Where the platform connects from, and the cross-region offer of its nearest region."""
    from wizard import consumer_regions

    nearest = consumer_regions.suggestion(region, consumer.regions)
    if not nearest:
        who = consumer.support_contact or "the platform"
        return f"{consumer.display_name} does not connect from {region}: ask {who} to enable it ."
    return (
        f"{consumer.display_name} does not connect from {region}. You can continue: the endpoint "
        f"service page offers the service in {nearest}, its nearest region (cross-region), or ask "
        f"{consumer.support_contact or 'the platform'} to enable {region}."
    )
