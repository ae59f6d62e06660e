"""Issue 19 in the window: IAM Identity Center sign-in on the credentials page (the sandbox's
Identity Center, as in the demo), Cancel while waiting for the browser, "Sign in again" once the
login expired, the permission row, and deleting a saved profile."""

from __future__ import annotations

from typing import Any

import pytest

from tests.memory_keyring import MemoryKeyring
from tests.ui.flow import page, wait_settled
from wizard import secrets
from wizard.aws.session import Credentials
from wizard.sandbox import sso_model, timing
from wizard.settings import Settings
from wizard.ui.pages.credentials import SAVED, SSO
from wizard.ui.pages.credentials_account import method_index

WAIT = 20000


def choose_sso(qtbot: Any, window: Any) -> Any:
    p = wait_settled(qtbot, window)
    p.method.setCurrentIndex(method_index(p.method, (SSO, "")))
    assert p.sso.isVisible() and p.sso.start_url.text()  # the demo's portal, filled in
    wait_settled(qtbot, window)
    identity = p.checklist.row("identity")
    assert identity is not None and not identity.ok and "IAM Identity Center" in identity.reason
    return p


def test_sign_in_choose_account_and_role_then_the_permissions_are_checked(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    sso_model.reset()
    window = open_window(sandbox_url)
    p = choose_sso(qtbot, window)
    p.sso.sign_in_button.click()
    qtbot.waitUntil(lambda: p.sso.account.count() == 2, timeout=WAIT)
    assert p.sso.account.isVisible() and p.sso.role.isVisible()
    assert not p.sso.save_button.isVisible()  # the demo saves nothing on this computer
    p.sso.account.setCurrentIndex(p.sso.account.findData("444455556666"))
    # One role in that account: chosen at once, and the page signs in with it.
    qtbot.waitUntil(lambda: (r := p.checklist.row("identity")) is not None and r.ok, timeout=WAIT)
    identity = p.checklist.row("identity")
    assert "444455556666" in identity.label and "AWSReservedSSO_DatabaseAdmin_" in identity.reason
    qtbot.waitUntil(lambda: p.checklist.row("permissions") is not None, timeout=WAIT)
    permissions = p.checklist.row("permissions")
    assert permissions.ok and permissions.label.startswith("Permissions: all ")
    assert p.isComplete()


def test_read_only_role_shows_the_missing_permissions_with_a_copy_button(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    sso_model.reset()
    window = open_window(sandbox_url)
    p = choose_sso(qtbot, window)
    p.sso.sign_in_button.click()
    qtbot.waitUntil(lambda: p.sso.account.count() == 2, timeout=WAIT)
    p.sso.account.setCurrentIndex(p.sso.account.findData("123456789012"))
    qtbot.waitUntil(lambda: p.sso.role.count() == 2, timeout=WAIT)
    p.sso.role.setCurrentIndex(p.sso.role.findData("ReadOnly"))
    qtbot.waitUntil(lambda: p.checklist.row("permissions") is not None, timeout=WAIT)
    row = p.checklist.row("permissions")
    assert not row.ok and "missing" in row.label
    assert "creating the load balancer (elasticloadbalancing:CreateLoadBalancer)" in row.reason
    assert p.permissions.copy_button.isVisible()
    p.permissions.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert '"elasticloadbalancing:CreateLoadBalancer"' in QGuiApplication.clipboard().text()
    assert p.isComplete()  # advisory: the step that needs one still stops and names it


def test_cancel_while_waiting_for_the_browser(open_window: Any, qtbot: Any, sandbox_url: str) -> None:
    sso_model.reset()
    window = open_window(sandbox_url)
    p = choose_sso(qtbot, window)
    with timing.scaled(1):  # at AWS's pace the user takes a while to approve
        p.sso.sign_in_button.click()
        qtbot.waitUntil(lambda: "Code " in p.sso.status.text(), timeout=WAIT)
        assert p.sso.cancel_button.isVisible() and not p.sso.sign_in_button.isEnabled()
        p.sso.cancel_button.click()
    assert "cancelled" in p.sso.status.text()
    assert p.sso.sign_in_button.isEnabled() and not p.sso.cancel_button.isVisible()
    assert p.sso.account.count() == 0
    qtbot.wait(300)
    assert "cancelled" in p.sso.status.text()  # the stopped worker reports nothing afterwards


def test_a_denied_code_says_so(open_window: Any, qtbot: Any, sandbox_url: str) -> None:
    sso_model.reset()
    window = open_window(sandbox_url)
    p = choose_sso(qtbot, window)
    with timing.scaled(1):
        p.sso.sign_in_button.click()
        qtbot.waitUntil(lambda: "Code " in p.sso.status.text(), timeout=WAIT)
        sso_model.deny()
        qtbot.waitUntil(lambda: "denied" in p.sso.status.text(), timeout=WAIT)
    assert "Allow" in p.sso.status.text() and p.sso.sign_in_button.isEnabled()


def test_an_expired_login_offers_sign_in_again_in_place(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    sso_model.reset()
    window = open_window(sandbox_url)
    p = choose_sso(qtbot, window)
    p.sso.sign_in_button.click()
    qtbot.waitUntil(lambda: p.sso.account.count() == 2, timeout=WAIT)
    sso_model.expire_access_tokens()  # the session ended at AWS
    sso_model.expire_refresh_tokens()
    p.sso.account.setCurrentIndex(p.sso.account.findData("444455556666"))
    qtbot.waitUntil(lambda: p.sso.again_button.isVisible(), timeout=WAIT)
    assert "has expired" in p.sso.status.text()
    p.sso.again_button.click()
    qtbot.waitUntil(lambda: "Choose the account" in p.sso.status.text(), timeout=WAIT)
    assert not p.sso.again_button.isVisible() and p.sso.account.count() == 2


def test_a_saved_profile_is_deleted_from_the_keychain_and_settings(
    open_window: Any, qtbot: Any, sandbox_url: str, memory_keyring: MemoryKeyring, no_dialogs: list[str]
) -> None:
    secrets.save_profile("old-keys", Credentials(access_key_id="AKIAOLD", secret_access_key="s"))
    settings = Settings.load()
    settings.remember_profile("old-keys", "us-east-1")
    settings.save()
    window = open_window(sandbox_url, demo=False)
    p = wait_settled(qtbot, window)
    p.method.setCurrentIndex(method_index(p.method, (SAVED, "old-keys")))
    assert p.method_kind() == SAVED
    assert p.delete_button.isVisible()
    p.delete_button.click()
    qtbot.waitUntil(lambda: method_index(p.method, (SAVED, "old-keys")) < 0, timeout=WAIT)
    assert no_dialogs and "Delete the saved profile 'old-keys'" in no_dialogs[0]
    assert memory_keyring.passwords == {}
    assert Settings.load().saved_profiles == []
    assert not p.delete_button.isVisible() or p.method_kind() == SAVED
    assert page(window) is p


@pytest.fixture
def browser(tmp_path: Any, monkeypatch: pytest.MonkeyPatch, sandbox_url: str) -> list[str]:
    """Outside the demo: the user's own home (login cache, ~/.aws/config) under tmp_path, and a
    stand-in for the browser that notes the pages it was asked to open."""
    import botocore.credentials
    import botocore.tokens
    from PySide6.QtGui import QDesktopServices

    from wizard.aws import sso_cache

    sso_model.reset()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sso_cache, "_cache_dir", [])  # the user's own cache, not the demo's
    cache = str(tmp_path / ".aws" / "sso" / "cache")
    monkeypatch.setattr(botocore.tokens.SSOTokenProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setattr(botocore.credentials.SSOProvider, "_SSO_TOKEN_CACHE_DIR", cache)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", sandbox_url)  # botocore's own portal call, too
    opened: list[str] = []

    def open_url(url: Any) -> bool:
        opened.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return opened


def test_save_as_aws_profile_shows_the_lines_and_asks_first(
    open_window: Any, qtbot: Any, sandbox_url: str, tmp_path: Any, browser: list[str], no_dialogs: list[str]
) -> None:
    window = open_window(sandbox_url, demo=False)
    p = wait_settled(qtbot, window)
    p.method.setCurrentIndex(method_index(p.method, (SSO, "")))
    p.sso.start_url.setText("https://corp.awsapps.com/start")
    p.sso.sso_region.setText("us-east-1")
    p.sso.sign_in_button.click()
    qtbot.waitUntil(lambda: p.sso.account.count() == 2, timeout=WAIT)
    assert browser and "user_code=" in browser[0]
    p.sso.account.setCurrentIndex(p.sso.account.findData("123456789012"))
    qtbot.waitUntil(lambda: p.sso.role.count() == 2, timeout=WAIT)
    p.sso.role.setCurrentIndex(p.sso.role.findData("DatabaseAdmin"))
    qtbot.waitUntil(lambda: (r := p.checklist.row("identity")) is not None and r.ok, timeout=WAIT)
    assert p.sso.save_button.isVisible()
    p.sso.profile_name.setText("corp-dba")
    p.sso.save_button.click()
    qtbot.waitUntil(lambda: "Saved the profile 'corp-dba'" in p.sso.status.text(), timeout=WAIT)
    assert "[sso-session corp]" in no_dialogs[0] and "sso_role_name = DatabaseAdmin" in no_dialogs[0]
    text = (tmp_path / "aws-config").read_text()
    assert "[profile corp-dba]\nsso_session = corp\nsso_account_id = 123456789012\n" in text


def test_an_sso_profile_whose_login_expired_signs_in_again_in_place(
    open_window: Any, qtbot: Any, sandbox_url: str, tmp_path: Any, browser: list[str]
) -> None:
    config = tmp_path / "aws-config"
    config.write_text(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\n"
        "[profile corp-dba]\nsso_session = corp\nsso_account_id = 444455556666\n"
        "sso_role_name = DatabaseAdmin\nregion = us-east-1\n"
    )
    window = open_window(sandbox_url, demo=False)
    p = wait_settled(qtbot, window)
    p.method.setCurrentIndex(method_index(p.method, ("profile", "corp-dba")))
    # Never signed in on this computer (as with an ended session): "Sign in again", right here.
    wait_settled(qtbot, window)
    qtbot.waitUntil(lambda: p.sso.isVisible() and p.sso.again_button.isVisible(), timeout=WAIT)
    assert p.sso.start_url.text() == "https://corp.awsapps.com/start"
    p.sso.again_button.click()
    qtbot.waitUntil(lambda: (r := p.checklist.row("identity")) is not None and r.ok, timeout=WAIT)
    assert browser and "user_code=" in browser[0]  # the browser was asked to open AWS's page
    assert "444455556666" in p.checklist.row("identity").label
    assert not p.sso.isVisible()
