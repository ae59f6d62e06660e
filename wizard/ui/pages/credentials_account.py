"""The credentials page's account actions (issue 19), kept beside the page: IAM Identity Center
in the window, "Sign in again" in place for an AWS profile whose login expired, the permission
row, and deleting a saved profile. A mixin of CredentialsPage (it uses the page's fields)."""

from __future__ import annotations

from typing import Any

from wizard.checks import CheckRow
from wizard.ui.ask import ask_yes_no
from wizard.ui.widgets.sso_signin import account_task

PROFILE, SAVED = "profile", "saved"


def method_index(combo: Any, data: tuple[str, str]) -> int:
    """The item holding `data` (QComboBox.findData does not match a Python tuple in PySide6)."""
    return next((i for i in range(combo.count()) if tuple(combo.itemData(i) or ()) == data), -1)


class AccountActions:
    # What the page provides (CredentialsPage and BasePage).
    state: Any
    settings: Any
    checklist: Any
    method: Any
    sso: Any
    busy: bool
    _sso_credentials: Any
    method_kind: Any
    sign_in_args: Any
    _inputs_changed: Any
    run_engine: Any
    set_status: Any
    refresh: Any

    def _permission_row(self, row: CheckRow) -> None:
        rows = [r for r in self.checklist.rows() if r.key != row.key] if self.state.identity else []
        if rows:
            self.checklist.set_rows([*rows, row])

    def _offer_sign_in_again(self, login: Any) -> None:
        if login is None or self.method_kind() != PROFILE:
            return
        self.sso.prefill(login.start_url, login.region)
        self.sso.setVisible(True)
        self.sso.again_button.clicked.disconnect()
        self.sso.again_button.clicked.connect(
            lambda: self.sso.sign_in(force_new=True, on_done=lambda _: self._signed_in_again())
        )

    def _signed_in_again(self) -> None:
        self.sso.setVisible(False)
        self.sso.again_button.clicked.disconnect()
        self.sso.again_button.clicked.connect(lambda: self.sso.sign_in(force_new=True))
        self.sso.status.setText("")
        self.refresh()  # the profile finds the new login where the AWS CLI keeps it

    # --- IAM Identity Center in the window ---------------------------------------------------
    def _sso_signed_in(self, credentials: Any) -> None:
        self._sso_credentials = credentials
        self._inputs_changed()

    def _sso_signed_out(self) -> None:
        if self._sso_credentials is not None:
            self._sso_credentials = None
            self._inputs_changed()

    def delete_profile(self) -> None:
        kind, name, *_ = self.sign_in_args()
        if kind != SAVED or self.busy:
            return
        question = (
            f"Delete the saved profile '{name}'? Its keys are removed from your system keychain "
            "and its name from the wizard's settings. AWS itself is not changed."
        )
        if not ask_yes_no(
            self,  # type: ignore[arg-type]
            "Delete profile",
            question,
        ):
            return
        self.run_engine(
            account_task("delete_saved_profile"),
            name,
            on_done=lambda _: self._profile_deleted(name),
            busy_text="Deleting the profile…",
        )

    def _profile_deleted(self, name: str) -> None:
        self.settings.forget_profile(name)
        if self.settings.saved_profile == name:
            self.settings.saved_profile = ""
        self.settings.save()
        index = method_index(self.method, (SAVED, name))
        if index >= 0:
            self.method.removeItem(index)  # the next choice is selected: the page checks it
        self.set_status(f"Deleted the saved profile '{name}' from your keychain and settings.")
