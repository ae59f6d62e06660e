"""Page behaviour on its own: sign-in good and bad, no sources, a malformed principal, an
unexpected connection owner, keyring-less saving, one error handler, no double creation."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import keyring
import pytest

from tests.memory_keyring import MemoryKeyring
from tests.ui.flow import next_page, page, wait_settled
from wizard.aws.connections import Connection
from wizard.errors import UserError
from wizard.model import DataSource, SourceKind
from wizard.secrets import SERVICE
from wizard.settings import Settings
from wizard.ui.page_ids import PageId
from wizard.ui.pages.credentials import KEYS


def _use_keys(p: Any, key: str, secret: str) -> None:
    p.method.setCurrentIndex(p.method.findData((KEYS, "")))
    p.access_key.setText(key)
    p.secret_key.setText(secret)


@pytest.fixture
def moto_auth(sandbox_url: str) -> Iterator[None]:
    """moto accepts any key unless its IAM auth is on; switching it on (for the shared sandbox,
    through moto's own API) is how a wrong key gets AWS's real InvalidClientTokenId answer."""

    def set_count(value: bytes) -> None:
        request = urllib.request.Request(
            f"{sandbox_url}/moto-api/reset-auth",
            data=value,
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(request, timeout=10).read()

    set_count(b"0")
    yield
    set_count(b"inf")


def test_good_credentials_show_the_account_and_open_next(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    window = open_window(sandbox_url)
    p = wait_settled(qtbot, window)
    identity = p.checklist.row("identity")
    assert identity is not None and identity.ok
    assert "123456789012" in identity.label and "arn:aws:sts::123456789012" in identity.reason
    assert p.isComplete()
    assert window.banner is not None and window.banner.isVisible()
    assert "no real AWS account" in window.banner.text()


def test_bad_credentials_are_refused_with_what_to_do(
    open_window: Any, qtbot: Any, sandbox_url: str, moto_auth: None
) -> None:
    window = open_window(sandbox_url, demo=False)
    p = page(window)
    _use_keys(p, "AKIAWRONGWRONGWRONG1", "x" * 40)
    qtbot.waitUntil(lambda: (r := p.checklist.row("identity")) is not None and "Not" in r.label)
    wait_settled(qtbot, window)
    row = p.checklist.row("identity")
    assert row is not None and not row.ok
    assert "does not recognise the access key" in row.label
    assert "IAM console" in row.reason
    assert "does not recognise the access key" in p.error_panel.text()
    assert "Traceback" not in p.error_panel.text()
    assert not p.isComplete()
    # The secret never reaches the screen.
    assert "x" * 40 not in p.error_panel.text()


def test_other_region_warns_but_does_not_block(open_window: Any, qtbot: Any, sandbox_url: str) -> None:
    window = open_window(sandbox_url)
    p = page(window)
    p.region.setEditText("ap-south-1")
    qtbot.waitUntil(lambda: (r := p.checklist.row("region")) is not None and "ap-south-1" in r.label)
    wait_settled(qtbot, window)
    row = p.checklist.row("region")
    assert row is not None and row.ok and row.warning and "to enable ap-south-1" in row.reason
    # Issue 20: the platform's nearest region is offered (cross-region) on the endpoint service page.
    assert "offers the service in eu-central-1, its nearest region" in row.reason
    assert p.isComplete()


def test_empty_account_says_no_sources_and_keeps_next_off(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    window = open_window(sandbox_url)
    p = page(window)
    # The sample account is seeded in us-east-1 only: us-west-2 is an empty account for us.
    p.region.setCurrentIndex(p.region.findData("us-west-2"))
    qtbot.waitUntil(lambda: window.state.region == "us-west-2", timeout=20000)
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    row = p.checklist.row("sources")
    assert row is not None and not row.ok
    assert row.label == "No databases or servers found"
    assert "us-west-2" in row.reason and "Go Back" in row.reason
    assert p.table.topLevelItemCount() == 0
    assert not p.isComplete()


def _source() -> DataSource:
    return DataSource(SourceKind.RDS_INSTANCE, "orders-mysql", "vpc-0123456789abcdef0", "mysql", 3306)


def test_malformed_principal_disables_next_and_says_how_to_write_it(open_window: Any, qtbot: Any) -> None:
    window = open_window(None, demo=False)
    state = window.state
    state.source = _source()
    state.link_name = "plw-orders-mysql"
    state.principal = "arn:aws:iam::0129:root"  # malformed: checked locally, no AWS call
    allowlist = window.wizard.page_of(PageId.ALLOWLIST)
    allowlist.initializePage()
    qtbot.waitUntil(lambda: allowlist.checklist.row("principal-format") is not None)
    row = allowlist.checklist.row("principal-format")
    assert row is not None and not row.ok
    assert "is not a valid IAM principal ARN" in row.reason
    assert "12-digit account id" in row.reason
    assert not allowlist.isComplete()
    assert not allowlist.action_button.isEnabled()
    with qtbot.waitSignal(allowlist.settled, timeout=5000):  # once typing pauses and it re-checked
        allowlist.principal.setText("arn:aws:iam::0129225:root")  # still wrong while typing
        row = allowlist.checklist.row("principal-format")
        assert row is not None and not row.ok
        assert not allowlist.is_settled()  # a re-check waits for typing to pause
    assert allowlist.is_settled()


def test_unexpected_owner_is_flagged_and_has_no_accept_button(open_window: Any) -> None:
    window = open_window(None, demo=False)
    window.state.principal = "arn:aws:iam::012922587834:root"
    accept = window.wizard.page_of(PageId.ACCEPT)
    accept._listed(
        [
            Connection("vpce-0aaa1111bbbb22223", "999988887777", "pendingAcceptance"),
            Connection("vpce-0ccc3333dddd44445", "012922587834", "pendingAcceptance"),
        ]
    )
    names = {b.objectName() for b in accept.table.findChildren(object) if b.objectName()}
    assert "accept-vpce-0ccc3333dddd44445" in names
    assert "accept-vpce-0aaa1111bbbb22223" not in names
    flagged = accept.checklist.row("unexpected-vpce-0aaa1111bbbb22223")
    assert flagged is not None and flagged.warning and "999988887777" in flagged.label
    assert "will not accept it" in flagged.reason
    assert not accept.isComplete()
    accept._tick.stop()


def test_saving_a_profile_without_a_keyring_is_refused_and_writes_no_secret(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    # tests/conftest.py selects keyring's null backend: no keychain on this "computer". Not the
    # demo: the demo saves nothing.
    window = open_window(sandbox_url, demo=False)
    p = page(window)
    _use_keys(p, "AKIAEXAMPLEEXAMPLE12", "s3cr3t-" * 6)
    p.profile_name.setText("prod-reader")
    qtbot.waitUntil(p.save_button.isEnabled)
    p.save_button.click()
    qtbot.waitUntil(p.error_panel.isVisible, timeout=10000)
    text = p.error_panel.text()
    assert "The profile was not saved" in text and "No system keychain" in text
    assert "never writes keys to a plain file" in text
    settings_file = Settings.path()
    if settings_file.exists():
        assert "s3cr3t" not in settings_file.read_text(encoding="utf-8")
    assert Settings.load().saved_profiles == []
    wait_settled(qtbot, window)


def test_saved_profile_keeps_keys_in_keyring_and_only_the_name_in_settings(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    try:
        window = open_window(sandbox_url, demo=False)
        p = page(window)
        _use_keys(p, "AKIAEXAMPLEEXAMPLE12", "s3cr3t-" * 6)
        p.profile_name.setText("prod-reader")
        qtbot.waitUntil(p.save_button.isEnabled)
        p.save_button.click()
        qtbot.waitUntil(lambda: "Saved 'prod-reader'" in p.status.text(), timeout=10000)
        stored = json.loads(memory.passwords[(SERVICE, "prod-reader")])
        assert stored["secret_access_key"] == "s3cr3t-" * 6
        on_disk = Settings.path().read_text(encoding="utf-8")
        assert "prod-reader" in on_disk
        assert "s3cr3t" not in on_disk and "AKIAEXAMPLE" not in on_disk
        wait_settled(qtbot, window)
    finally:
        keyring.set_keyring(previous)


def test_every_worker_error_lands_in_the_page_error_panel(open_window: Any, qtbot: Any) -> None:
    window = open_window(None, demo=False)
    p = page(window)
    wait_settled(qtbot, window)

    def refuse() -> None:
        raise UserError("AWS refused", why="a test", fix="do something else")

    def broken() -> None:
        raise KeyError("bug")

    p.run_engine(refuse)
    qtbot.waitUntil(lambda: not p.busy)
    assert p.error_panel.text() == "AWS refused. Why: a test. What to do: do something else."
    p.run_engine(broken)
    qtbot.waitUntil(lambda: not p.busy)
    assert p.error_panel.text().startswith("Unexpected error")
    assert "Traceback" not in p.error_panel.text()


def test_a_second_run_while_busy_is_refused(open_window: Any, qtbot: Any) -> None:
    import threading

    window = open_window(None, demo=False)
    p = page(window)
    wait_settled(qtbot, window)
    release = threading.Event()
    calls: list[int] = []

    def slow() -> None:
        calls.append(1)
        release.wait(5)

    assert p.run_engine(slow) is not None
    assert p.busy and not p.isComplete()
    assert p.run_engine(slow) is None  # a double-click starts nothing
    release.set()
    qtbot.waitUntil(lambda: not p.busy)
    assert calls == [1]


def test_resume_offers_the_saved_link_and_jumps_to_its_first_unfinished_step(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    from wizard.model import LinkRecord
    from wizard.state import RecordStore

    RecordStore().save(
        LinkRecord(
            name="plw-resume-test",
            region="us-east-1",
            account_id="123456789012",
            source_id="orders-mysql",
            source_kind="rds-instance",
            port=3306,
            completed_steps=["nlb"],
        )
    )
    window = open_window(sandbox_url)
    assert window.offer_resume() is not None
    assert "plw-resume-test" in no_dialogs[0]
    p = page(window)
    qtbot.waitUntil(lambda: p.checklist.row("resume") is not None and p.isComplete(), timeout=30000)
    wait_settled(qtbot, window)
    window.wizard.next()
    assert window.wizard.currentId() == int(PageId.TARGET_GROUP)
    assert window.state.link.plan.name == "plw-resume-test"
    wait_settled(qtbot, window)


def test_the_demo_never_changes_the_users_saved_settings(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    # Issue 16 (20): the demo signs in to its sandbox; the user's real choices stay as they were.
    Settings(region="eu-west-1", profile="prod", presenter_mode=False).save()
    window = open_window(sandbox_url, demo=True)
    p = wait_settled(qtbot, window)
    _use_keys(p, "AKIAEXAMPLEEXAMPLE12", "s3cr3t-" * 6)
    p.profile_name.setText("prod-reader")
    qtbot.waitUntil(p.save_button.isEnabled)
    p.save_button.click()  # the demo keeps typed keys out of the user's keychain and settings
    assert "the demo saves nothing" in p.status.text()
    p.method.setCurrentIndex(0)  # back to the demo account
    qtbot.waitUntil(lambda: window.state.identity is not None, timeout=20000)
    next_page(qtbot, window, PageId.SOURCE)  # the sign-in page stores its choices on Next
    window.presenter_action.setChecked(True)
    saved = Settings.load()
    assert (saved.region, saved.profile, saved.presenter_mode) == ("eu-west-1", "prod", False)
    assert saved.saved_profiles == []
    assert window.settings.presenter_mode  # in memory, for this window only
