"""Signing in through IAM Identity Center (SSO) inside the window: the access portal URL and its
region, the code to approve in the browser (with Cancel), then the account and role to use.
Optionally saved as an AWS profile (the lines are shown and the user asked first).

The credentials page embeds it and listens to `signed_in(Credentials)`; every AWS call runs on
a worker (wizard/ui/account_tasks.py), so the window never waits on the browser or AWS.
"""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from wizard.ui.ask import ask_yes_no
from wizard.ui.by_name import set_by_name
from wizard.ui.worker import Runner, Worker

SIGN_IN_AGAIN = "SSOSignInAgain"
# The demo's fictional access portal: the sandbox answers for any start URL.
DEMO_START_URL = "https://sandbox-demo.awsapps.com/start"


def account_task(name: str) -> Callable[..., Any]:
    """`wizard.ui.account_tasks.<name>`, imported on the worker (it imports boto3)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        from wizard.ui.worker import _tasks

        _tasks()  # the engine, imported as the pages' tasks import it
        return getattr(importlib.import_module("wizard.ui.account_tasks"), name)(*args, **kwargs)

    call.__name__ = name
    return call


class _Codes(QObject):
    """Carries the device code from the worker thread to the window (a queued signal)."""

    shown = Signal(object)


class SsoSignIn(QWidget):
    signed_in = Signal(object)  # the chosen role's Credentials
    signed_out = Signal()  # the choice changed: the page forgets the old sign-in

    def __init__(self, runner: Runner, endpoint_url: str | None = None, demo: bool = False) -> None:
        super().__init__()
        self.runner = runner
        self.endpoint_url = endpoint_url
        self.demo = demo
        self.session: Any = None  # account_tasks.SsoSession once signed in
        self._worker: Worker | None = None
        self._cancel = threading.Event()
        self._codes = _Codes()
        self._codes.shown.connect(self._show_code)

        self.start_url = QLineEdit(DEMO_START_URL if demo else "")
        self.start_url.setObjectName("ssoStartUrl")
        self.start_url.setPlaceholderText("https://my-company.awsapps.com/start")
        self.sso_region = QLineEdit("us-east-1" if demo else "")
        self.sso_region.setObjectName("ssoRegion")
        self.sso_region.setPlaceholderText("the region of your IAM Identity Center, e.g. us-east-1")
        self.sign_in_button = QPushButton("Sign in with the &browser")
        self.sign_in_button.setObjectName("ssoSignIn")
        self.sign_in_button.clicked.connect(lambda: self.sign_in(force_new=False))
        self.again_button = QPushButton("Sign in a&gain")
        self.again_button.setObjectName("ssoSignInAgain")
        self.again_button.clicked.connect(lambda: self.sign_in(force_new=True))
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("ssoCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.status = QLabel()
        self.status.setObjectName("ssoStatus")
        self.status.setWordWrap(True)
        # By name: the first page makes no `Qt` namespace (wizard/ui/by_name.py).
        set_by_name(self.status, textFormat="PlainText", textInteractionFlags="TextSelectableByMouse")
        self.account = QComboBox()
        self.account.setObjectName("ssoAccount")
        self.role = QComboBox()
        self.role.setObjectName("ssoRole")
        self.profile_name = QLineEdit()
        self.profile_name.setObjectName("ssoProfileName")
        self.profile_name.setPlaceholderText("a profile name, e.g. prod-dba")
        self.save_button = QPushButton("Save as AWS &profile…")
        self.save_button.setObjectName("ssoSaveProfile")
        self.save_button.clicked.connect(self.save_profile)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.sign_in_button, self.again_button, self.cancel_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.save_row = QWidget()
        save_row = QHBoxLayout(self.save_row)
        save_row.setContentsMargins(0, 0, 0, 0)
        save_row.addWidget(self.profile_name, 1)
        save_row.addWidget(self.save_button)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.addRow("Access portal &URL:", self.start_url)
        self.form.addRow("SSO re&gion:", self.sso_region)
        self.form.addRow("", buttons)
        self.form.addRow("", self.status)
        self.form.addRow("A&ccount:", self.account)
        self.form.addRow("R&ole:", self.role)
        self.form.addRow("Keep this sign-in:", self.save_row)
        self.account.currentIndexChanged.connect(self._account_chosen)
        self.role.currentIndexChanged.connect(self._role_chosen)
        self.start_url.textChanged.connect(self._forget)
        self.sso_region.textChanged.connect(self._forget)
        self._show_choices(False)
        self._set_waiting(False)
        self.again_button.setVisible(False)

    # --- state ---------------------------------------------------------------------------------
    @property
    def waiting(self) -> bool:
        return self._worker is not None

    def _set_waiting(self, waiting: bool) -> None:
        self.cancel_button.setVisible(waiting)
        self.sign_in_button.setEnabled(not waiting)
        self.again_button.setEnabled(not waiting)
        self.start_url.setEnabled(not waiting)
        self.sso_region.setEnabled(not waiting)

    def _show_choices(self, shown: bool) -> None:
        # The demo saves nothing on this computer: no profile to keep.
        for field, visible in (
            (self.account, shown),
            (self.role, shown),
            (self.save_row, shown and not self.demo),
        ):
            field.setVisible(visible)
            label = self.form.labelForField(field)
            if label is not None:
                label.setVisible(visible)

    def _forget(self) -> None:
        if self.session is not None:
            self.session = None
            self.account.clear()
            self.role.clear()
            self._show_choices(False)
            self.signed_out.emit()

    def prefill(self, start_url: str, region: str) -> None:
        """For an AWS profile whose login expired: its portal, with 'Sign in again' offered."""
        self.start_url.setText(start_url)
        self.sso_region.setText(region)
        self.again_button.setVisible(True)
        self.status.setText("Your sign-in has expired: sign in again to go on.")

    # --- signing in ----------------------------------------------------------------------------
    def sign_in(self, force_new: bool = False, on_done: Callable[[Any], None] | None = None) -> None:
        if self.waiting:
            return
        try:
            login = account_task("login_for")(self.start_url.text(), self.sso_region.text())
        except Exception as exc:  # a UserError: the fields are not right yet
            self.show_error(exc)
            return
        self._cancel = threading.Event()
        self.status.setText("Opening the sign-in…")
        self._set_waiting(True)
        self._worker = self.runner.run(
            account_task("sso_sign_in"),
            login,
            self.endpoint_url,
            self._codes.shown.emit,
            self._cancel,
            force_new,
            self.demo,
            on_done=on_done or self._signed_in,
            owner=self,
        )

    def _show_code(self, code: Any) -> None:
        if self._cancel.is_set():
            return
        if self.demo:  # the sandbox's verification page is not a real one: it approves by itself
            self.status.setText(f"Code {code.user_code}: the demo's Identity Center approves it in a moment.")
            return
        from PySide6.QtCore import QUrl  # not before the first paint
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl(code.verification_uri_complete))
        self.status.setText(
            f"Your browser shows the AWS sign-in page. Check it shows the code {code.user_code}, "
            f"then choose Allow. (Not opened? Go to {code.verification_uri_complete}.) Waiting…"
        )

    def cancel(self) -> None:
        self._cancel.set()
        if self._worker is not None:
            self._worker.quit()
        self._worker = None
        self._set_waiting(False)
        self.status.setText("Sign-in cancelled. Nothing was changed.")

    def show_error(self, error: Any) -> None:
        """Errors of this widget's calls show here, next to what the user did."""
        self._worker = None
        self._set_waiting(False)
        code = getattr(error, "code", "")
        if code == "SSOCancelled":
            return
        self.again_button.setVisible(code == SIGN_IN_AGAIN or self.again_button.isVisible())
        parts = [getattr(error, "what", str(error)), getattr(error, "fix", "")]
        self.status.setText(". ".join(p.rstrip(".") for p in parts if p) + ".")

    def _signed_in(self, session: Any) -> None:
        self._worker = None
        self._set_waiting(False)
        self.again_button.setVisible(False)
        self.session = session
        self.status.setText(f"Signed in to {session.portal.login.start_url}. Choose the account and role.")
        self.account.blockSignals(True)
        self.account.clear()
        for a in session.accounts:
            self.account.addItem(f"{a.name} ({a.account_id})" if a.name else a.account_id, a.account_id)
        self.account.setCurrentIndex(-1 if len(session.accounts) != 1 else 0)
        self.account.blockSignals(False)
        self._show_choices(True)
        if len(session.accounts) == 1:
            self._account_chosen()

    def _account_chosen(self) -> None:
        account = self.account.currentData()
        self.role.clear()
        if not account or self.session is None:
            return
        self.signed_out.emit()
        self.runner.run(
            account_task("sso_roles"),
            self.session,
            account,
            on_done=lambda roles: self._roles_ready(account, roles),
            owner=self,
        )

    def _roles_ready(self, account: str, roles: list[str]) -> None:
        if self.account.currentData() != account:
            return  # another account was chosen meanwhile
        self.role.blockSignals(True)
        self.role.clear()
        for name in roles:
            self.role.addItem(name, name)
        self.role.setCurrentIndex(0 if len(roles) == 1 else -1)
        self.role.blockSignals(False)
        if len(roles) == 1:
            self._role_chosen()
        elif not roles:
            self.status.setText("You have no role in this account: ask your AWS administrator for one.")

    def _role_chosen(self) -> None:
        account, role = self.account.currentData(), self.role.currentData()
        if not (account and role) or self.session is None:
            return
        self.status.setText(f"Getting credentials for {role} in {account}…")
        self.runner.run(
            account_task("sso_role_credentials"),
            self.session,
            account,
            role,
            on_done=self._credentials_ready,
            owner=self,
        )

    def _credentials_ready(self, credentials: Any) -> None:
        self.status.setText(f"Using {self.role.currentData()} in account {self.account.currentData()}.")
        self.signed_in.emit(credentials)

    # --- saving as an AWS profile --------------------------------------------------------------
    def save_profile(self, region: str = "") -> None:
        from wizard.aws import sso_config

        if self.session is None or not self.role.currentData():
            self.status.setText("Sign in and choose an account and role first.")
            return
        try:
            name = sso_config.validate_profile_name(self.profile_name.text())
        except Exception as exc:
            self.show_error(exc)
            return
        plan = sso_config.ProfilePlan(
            name,
            self.session.portal.login,
            str(self.account.currentData()),
            str(self.role.currentData()),
            region or self.session.portal.login.region,
        )
        lines, replaced = sso_config.preview(plan)
        verb = "replace the sections of the same name in" if replaced else "be added to"
        question = (
            f"These lines will {verb} {sso_config.config_path()}; nothing else in it changes:\n\n{lines}"
        )
        if not ask_yes_no(self, "Save as AWS profile", question):
            return
        self.runner.run(
            account_task("sso_save_profile"),
            plan,
            on_done=lambda path: self.status.setText(
                f"Saved the profile '{name}' in {path}. The AWS CLI can use it too (--profile {name})."
            ),
            owner=self,
        )
