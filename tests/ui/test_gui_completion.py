"""A create step failing midway (Retry / Continue later / Remove what was created), the
skip_name_resolve reboot consent, the accept table, and keyboard-only operation — against the
sandbox, with the resources checked through boto3 afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QHeaderView, QMessageBox, QWidget

from tests.ui.flow import WAIT_MS, create, next_page, page, wait_settled
from wizard.aws import connections, endpoint_service
from wizard.aws.connections import Connection
from wizard.aws.session import Credentials, make_context
from wizard.aws.teardown import find_link_resources
from wizard.errors import UserError
from wizard.model import LINK_TAG_KEY
from wizard.state import RecordStore
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.pages import target_group
from wizard.ui.pages.accept import ACTION, ENDPOINT, AcceptPage

SOURCE = "analytics-pg"  # PostgreSQL: no parameter group change on the way
PLATFORM_ACCOUNT = "012922587834"  # the default consumer's (rivery.toml)


def _sandbox(url: str) -> Any:
    return make_context(Credentials(access_key_id="demo", secret_access_key="demo"), "us-east-1", url)


def _to_page(qtbot: Any, window: MainWindow, source_id: str, link_name: str, until: PageId) -> Any:
    """Sign in (demo), pick the source, name the link, and create up to the page `until`."""
    wait_settled(qtbot, window)
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    p.select(source_id)
    p = next_page(qtbot, window, PageId.NLB)
    wait_settled(qtbot, window)
    p.name.setText(link_name)
    for step_page in (PageId.NLB, PageId.TARGET_GROUP, PageId.ENDPOINT_SERVICE):
        if step_page == until:
            return wait_settled(qtbot, window)
        create(qtbot, window)
        next_page(qtbot, window, PageId(int(step_page) + 1))
    return wait_settled(qtbot, window)


@pytest.fixture
def service_fails_once(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The endpoint service is created, then waiting for it fails (a step failing midway).
    Only the first call fails, as a transient AWS problem would."""
    real = endpoint_service.find_or_create_endpoint_service
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            raise UserError(
                what="The endpoint service did not become available in time",
                why="AWS was still setting it up after the wait ended.",
                fix="Press Retry in a minute; the wizard picks up the service it already created.",
                step="Creating the endpoint service",
            )
        return result

    monkeypatch.setattr(endpoint_service, "find_or_create_endpoint_service", flaky)
    return calls


def _fail_service_step(qtbot: Any, window: MainWindow, link_name: str) -> Any:
    p = _to_page(qtbot, window, SOURCE, link_name, PageId.ENDPOINT_SERVICE)
    qtbot.waitUntil(p.action_button.isEnabled, timeout=WAIT_MS)
    p.action_button.click()
    qtbot.waitUntil(lambda: p.error_panel.isVisible() and not p.busy, timeout=WAIT_MS)
    return p


def _service_ids(aws: Any, link_name: str) -> list[str]:
    pages = aws.ec2.get_paginator("describe_vpc_endpoint_service_configurations").paginate()
    found = []
    for reply in pages:
        for config in reply["ServiceConfigurations"]:
            tags = {t["Key"]: t["Value"] for t in config.get("Tags", [])}
            if tags.get(LINK_TAG_KEY) == link_name and config.get("ServiceState") != "Deleted":
                found.append(config["ServiceId"])
    return found


def test_failed_step_says_what_exists_and_retry_finishes_without_duplicates(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], service_fails_once: list[int]
) -> None:
    name = "plw-partial-retry"
    window = open_window(sandbox_url)
    p = _fail_service_step(qtbot, window, name)

    record = window.state.link.record
    kinds = [r.kind for r in record.created]
    assert {"nlb", "target-group", "listener", "endpoint-service"} <= set(kinds)
    text = p.error_panel.text()
    assert "did not become available in time" in text and "Press Retry" in text
    assert "What exists now in your AWS account" in text
    assert f"Load balancer: {name}" in text
    service_id = next(r.id for r in record.created if r.kind == "endpoint-service")
    assert f"Endpoint service (what the platform connects to): {service_id}" in text
    panel = p.error_panel
    assert panel.retry_button.isVisible() and panel.later_button.isVisible()
    assert panel.remove_button.isVisible()
    assert not p.isComplete()
    # The failure is in the saved progress (what the resume offer shows).
    saved = RecordStore().load(record.account_id, "us-east-1", name)
    assert saved is not None and "did not become available" in saved.last_error

    panel.retry_button.click()
    qtbot.waitUntil(lambda: p.isComplete() or p.error_panel.isVisible(), timeout=WAIT_MS)
    assert not p.error_panel.isVisible(), p.error_panel.text()
    assert len(service_fails_once) == 2
    # Retry found the service the failed run created: still exactly one, and it is the record's.
    assert _service_ids(_sandbox(sandbox_url), name) == [service_id]
    assert window.state.link.record.endpoint_service_id == service_id
    saved = RecordStore().load(record.account_id, "us-east-1", name)
    assert saved is not None and saved.last_error == "" and "endpoint_service" in saved.completed_steps


def test_continue_later_keeps_everything_and_the_next_start_offers_to_resume(
    open_window: Any,
    qtbot: Any,
    sandbox_url: str,
    no_dialogs: list[str],
    service_fails_once: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = "plw-partial-later"
    notes: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", lambda _p, title, text, *_a, **_k: notes.append(f"{title}: {text}")
    )
    window = open_window(sandbox_url)
    p = _fail_service_step(qtbot, window, name)
    created = list(window.state.link.record.created)

    p.error_panel.later_button.click()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert len(notes) == 1
    assert "offers to continue this link where it stopped" in notes[0]
    assert f"Load balancer: {name}" in notes[0]
    # Nothing was removed in AWS ...
    aws = _sandbox(sandbox_url)
    found = {r.kind for r in find_link_resources(aws, name)}
    assert {"endpoint-service", "listener", "target-group", "nlb"} <= found
    # ... and the next start offers to continue it, with what was created.
    second = open_window(sandbox_url, demo=False)
    offered = second.offer_resume()
    assert offered is not None and offered.name == name
    assert [r.id for r in offered.created] == [r.id for r in created]
    assert any("Continue where you stopped?" in q and name in q for q in no_dialogs)


def test_remove_what_was_created_deletes_only_the_links_tagged_resources(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], service_fails_once: list[int]
) -> None:
    name = "plw-partial-rm"
    aws = _sandbox(sandbox_url)
    window = open_window(sandbox_url)
    p = _fail_service_step(qtbot, window, name)
    record = window.state.link.record
    before = find_link_resources(aws, name)
    assert {r.kind for r in before} >= {"endpoint-service", "listener", "target-group", "nlb"}

    p.error_panel.remove_button.click()
    nlb = window.wizard.page_of(PageId.NLB)
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.NLB), timeout=WAIT_MS)
    wait_settled(qtbot, window)
    # The confirmation listed every resource before anything was deleted.
    question = next(q for q in no_dialogs if q.startswith("Remove what was created?"))
    for res in before:
        assert res.id in question
    assert "only what carries this link's tags" in question

    assert find_link_resources(aws, name) == []
    assert _service_ids(aws, name) == []
    names = [lb["LoadBalancerName"] for lb in aws.elbv2.describe_load_balancers()["LoadBalancers"]]
    assert name not in names
    assert "legacy-nlb" in names  # untagged, pre-existing: never ours to touch
    assert RecordStore().load(record.account_id, "us-east-1", name) is None
    assert "Removed" in nlb.status.text() and "build the link again" in nlb.status.text()
    # Back on the load balancer page, ready to build the link again from scratch.
    assert nlb.view is not None and not nlb.done
    assert nlb.action_button.isEnabled()


def _platform_connection(qtbot: Any, url: str, service_id: str) -> str:
    """The platform connects to the service (the sandbox's simulated platform does, once the
    service allows it), and the provider accepts the request: a live connection."""
    provider = _sandbox(url)
    provider.ec2.modify_vpc_endpoint_service_permissions(
        ServiceId=service_id, AddAllowedPrincipals=[f"arn:aws:iam::{PLATFORM_ACCOUNT}:root"]
    )

    def requests() -> list[Connection]:
        return [c for c in connections.list_connections(provider, service_id) if c.pending]

    qtbot.waitUntil(lambda: bool(requests()), timeout=WAIT_MS)
    [request] = requests()
    assert request.owner_account == PLATFORM_ACCOUNT
    connections.accept_connections(provider, service_id, [request.endpoint_id])
    return request.endpoint_id


def test_the_removal_confirmation_names_the_platforms_live_connection(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], service_fails_once: list[int]
) -> None:
    # Issue 16 (8): removing the link cuts the platform off; the question says so, by name.
    name = "plw-partial-live"
    window = open_window(sandbox_url)
    p = _fail_service_step(qtbot, window, name)
    service_id = next(r.id for r in window.state.link.record.created if r.kind == "endpoint-service")
    endpoint = _platform_connection(qtbot, sandbox_url, service_id)

    p.error_panel.remove_button.click()
    nlb = window.wizard.page_of(PageId.NLB)
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.NLB), timeout=WAIT_MS)
    wait_settled(qtbot, window)

    question = next(q for q in no_dialogs if q.startswith("Remove what was created?"))
    assert (
        f"The platform's live connection {endpoint} from account {PLATFORM_ACCOUNT} will be "
        "rejected: it stops carrying traffic to the database at once." in question
    )
    assert f"• load balancer {name} (arn:" in question
    assert f"• load balancer's security group {name}-nlb (sg-" in question
    assert _service_ids(_sandbox(sandbox_url), name) == []
    status = nlb.status.text()
    # The chain's six and the target sync's five (two triggers, function, role, log group).
    assert status.startswith("Removed 11 resources: ") and status.count("Removed") == 1


# --- skip_name_resolve: reboot only with explicit consent -------------------------------------


@pytest.fixture
def mysql_on_default_group(sandbox_url: str) -> Iterator[Any]:
    """orders-mysql on its AWS default parameter group (other tests may have attached another)."""
    aws = _sandbox(sandbox_url)

    def reset() -> None:
        aws.rds.modify_db_instance(
            DBInstanceIdentifier="orders-mysql",
            DBParameterGroupName="default.mysql8.0",
            ApplyImmediately=True,
        )

    reset()
    yield aws
    reset()


@pytest.fixture
def reboots(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every RebootDBInstance the sandbox (moto, in this process) receives."""
    from moto.rds.models import RDSBackend

    seen: list[str] = []
    real = RDSBackend.reboot_db_instance

    def reboot(self: Any, db_instance_identifier: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(db_instance_identifier)
        return real(self, db_instance_identifier, *args, **kwargs)

    monkeypatch.setattr(RDSBackend, "reboot_db_instance", reboot)
    return seen


def _answer_reboot_question(qtbot: Any, button: str, texts: list[str]) -> None:
    """Press `button` on the reboot question once it is open (it is modal, so from a timer)."""

    def press() -> None:
        box = QApplication.activeModalWidget()
        if box is None or box.objectName() != "rebootQuestion":
            QTimer.singleShot(20, press)
            return
        assert isinstance(box, QMessageBox)
        texts.append(box.text() + "\n" + box.informativeText())
        pressed = box.findChild(QAbstractButton, button)
        assert pressed is not None, button
        pressed.click()

    QTimer.singleShot(20, press)


def _group_and_value(aws: Any) -> tuple[str, str | None]:
    instance = aws.rds.describe_db_instances(DBInstanceIdentifier="orders-mysql")["DBInstances"][0]
    group = instance["DBParameterGroups"][0]["DBParameterGroupName"]
    pages = aws.rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=group)
    value = next(
        (
            p.get("ParameterValue")
            for reply in pages
            for p in reply["Parameters"]
            if p["ParameterName"] == "skip_name_resolve"
        ),
        None,
    )
    return group, value


def test_skip_name_resolve_fix_reboots_only_with_explicit_consent(
    open_window: Any,
    qtbot: Any,
    sandbox_url: str,
    no_dialogs: list[str],
    mysql_on_default_group: Any,
    reboots: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aws = mysql_on_default_group
    # The real question box this time (no_dialogs answers it with "later" for the other flows).
    monkeypatch.setattr(target_group, "ask_reboot_choice", _real_ask_reboot_choice)
    name = "plw-reboot-consent"
    window = open_window(sandbox_url)
    p = _to_page(qtbot, window, "orders-mysql", name, PageId.TARGET_GROUP)
    fix = lambda: p.checklist.findChild(QWidget, "fix-skip-name-resolve")  # noqa: E731
    assert fix() is not None
    texts: list[str] = []

    # Cancel changes nothing.
    _answer_reboot_question(qtbot, "rebootCancel", texts)
    fix().click()
    qtbot.waitUntil(lambda: len(texts) == 1, timeout=WAIT_MS)
    wait_settled(qtbot, window)
    assert "unavailable for a few minutes" in texts[0]
    assert "Apply now, reboot later myself" in texts[0]
    assert _group_and_value(aws) == ("default.mysql8.0", None) and reboots == []

    # "Apply now, reboot later myself": the custom group is attached, no reboot.
    _answer_reboot_question(qtbot, "rebootLater", texts)
    fix().click()
    qtbot.waitUntil(lambda: len(texts) == 2, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "not rebooted" in p.status.text(), timeout=WAIT_MS)
    wait_settled(qtbot, window)
    assert _group_and_value(aws) == (f"{name}-params", "1")
    assert reboots == []
    row = p.checklist.row("skip-name-resolve")
    assert row is not None and row.ok

    # Back on the default group: "Apply and reboot now" attaches it again and reboots once.
    aws.rds.modify_db_instance(
        DBInstanceIdentifier="orders-mysql", DBParameterGroupName="default.mysql8.0", ApplyImmediately=True
    )
    p.refresh()
    qtbot.waitUntil(lambda: fix() is not None, timeout=WAIT_MS)
    wait_settled(qtbot, window)
    _answer_reboot_question(qtbot, "rebootNow", texts)
    fix().click()
    qtbot.waitUntil(lambda: "Rebooted orders-mysql" in p.status.text(), timeout=WAIT_MS)
    wait_settled(qtbot, window)
    assert _group_and_value(aws) == (f"{name}-params", "1")
    assert reboots == ["orders-mysql"]


_real_ask_reboot_choice = target_group.ask_reboot_choice


# --- the accept table -----------------------------------------------------------------------


def test_accept_table_has_a_compact_button_and_highlights_the_platforms_row(
    open_window: Callable[..., MainWindow], qtbot: Any
) -> None:
    window = open_window(None, demo=False)
    window.resize(1100, 800)
    window.state.principal = "arn:aws:iam::012922587834:root"
    accept = cast(AcceptPage, window.wizard.page_of(PageId.ACCEPT))
    accept.show()
    accept._on_screen = lambda: True  # type: ignore[method-assign]  # as if it were the current page: the countdown runs
    accept._listed(
        [
            Connection("vpce-0aaa1111bbbb22223", "999988887777", "pendingAcceptance"),
            Connection("vpce-0ccc3333dddd44445", "012922587834", "pendingAcceptance"),
        ]
    )
    accept._tick.stop()
    header = accept.table.header()
    assert not header.stretchLastSection()
    assert header.sectionResizeMode(ACTION) == QHeaderView.ResizeMode.ResizeToContents
    assert header.sectionResizeMode(ENDPOINT) == QHeaderView.ResizeMode.Stretch
    qtbot.waitUntil(lambda: accept.table.viewport().width() > 600)
    button = accept.table.findChild(QAbstractButton, "accept-vpce-0ccc3333dddd44445")
    assert button is not None
    # Compact: about its own size, not the width of the table.
    assert button.width() <= button.sizeHint().width() + 8
    assert button.width() < accept.table.viewport().width() / 4
    ours = accept.table.topLevelItem(1)
    other = accept.table.topLevelItem(0)
    assert ours is not None and other is not None
    assert ours.font(0).bold() and not other.font(0).bold()
    assert ours.background(0).color().name() == "#fff3c4"
    assert ours.text(2) == "Waiting for you to accept" and other.text(3) == "Not accepted"
    assert accept.countdown.text().startswith("Checking again in 10 s. Last checked at ")
    assert accept.countdown_bar.isVisible() and accept.countdown_bar.value() == 0
    accept._count_down()
    assert accept.countdown.text().startswith("Checking again in 9 s.")
    assert accept.countdown_bar.value() == 1
    accept._tick.stop()


# --- keyboard only ----------------------------------------------------------------------------


def _tab_until(qtbot: Any, window: MainWindow, wanted: list[QWidget], limit: int = 60) -> list[QWidget]:
    """Press Tab from the current focus; return the wanted widgets the focus never reached."""
    missing = list(wanted)
    for _ in range(limit):
        focus = QApplication.focusWidget()
        assert focus is not None
        missing = [w for w in missing if w is not focus]
        if not missing:
            break
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    return missing


def test_tab_reaches_every_input_and_button_on_credentials_and_allowlist(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str]
) -> None:
    from wizard.ui.pages.credentials import KEYS

    window = open_window(sandbox_url)
    window.activateWindow()
    p = wait_settled(qtbot, window)
    # With "an access key I enter here" every credentials field is on screen.
    p.method.setCurrentIndex(p.method.findData((KEYS, "")))
    wait_settled(qtbot, window)
    p.method.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is p.method)
    missing = _tab_until(
        qtbot,
        window,
        [p.access_key, p.secret_key, p.session_token, p.region, p.profile_name, p.save_button],
    )
    assert not missing, [w.objectName() for w in missing]
    # Shift+Tab walks back to the first input.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Backtab)
    assert QApplication.focusWidget() is p.profile_name

    p.method.setCurrentIndex(0)  # back to the demo account (the first choice in demo mode)
    assert p.method_kind() == "demo"
    p = _to_page(qtbot, window, SOURCE, "plw-keyboard", PageId.ENDPOINT_SERVICE)
    create(qtbot, window)
    allow = next_page(qtbot, window, PageId.ALLOWLIST)
    wait_settled(qtbot, window)
    allow.principal.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is allow.principal)
    # Next stays off until the step is done (a disabled button takes no focus); Back and Close
    # are the wizard's buttons the focus must reach.
    missing = _tab_until(
        qtbot, window, [allow.action_button, _button(window, "BackButton"), _button(window, "CancelButton")]
    )
    assert not missing, [w.objectName() for w in missing]
    # Space on the focused action button creates, as a click would.
    allow.action_button.setFocus()
    qtbot.keyClick(allow.action_button, Qt.Key.Key_Space)
    qtbot.waitUntil(allow.isComplete, timeout=WAIT_MS)
    assert page(window) is allow and allow.done


def _button(window: MainWindow, which: str) -> QWidget:
    from PySide6.QtWidgets import QWizard

    return window.wizard.button(getattr(QWizard.WizardButton, which))


def test_created_resources_are_named_in_plain_words() -> None:
    from wizard.ui.widgets.error_panel import describe_created

    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012"
    assert describe_created("nlb", f"{arn}:loadbalancer/net/plw-db/154f") == (
        f"Load balancer: plw-db ({arn}:loadbalancer/net/plw-db/154f)"
    )
    assert describe_created("listener", f"{arn}:listener/net/plw-db/154f/6d28").startswith(
        "Listener (the load balancer's port): on load balancer plw-db ("
    )
    assert describe_created("target-group", f"{arn}:targetgroup/plw-db-3306/2f91").startswith(
        "Target group (where the load balancer forwards to): plw-db-3306 ("
    )
    assert describe_created("security-group-rule", "sgr-0123") == (
        "Firewall rule on the database's security group: sgr-0123"
    )
    assert describe_created("something-new", "x-1") == "Something new: x-1"


def test_start_up_paints_the_first_page_before_building_the_rest(
    qapp: Any, qtbot: Any, sandbox_url: str
) -> None:
    """What `privatelink-wizard` shows first: page 1 alone, its sign-in held until the window
    has painted; then pages 2-9, the sign-in, and a working Next."""
    from wizard.consumers import load_consumer
    from wizard.settings import Settings
    from wizard.ui.app import show_main_window
    from wizard.ui.state import WizardState

    state = WizardState(consumer=load_consumer("rivery"), endpoint_url=sandbox_url, demo=True)
    window = show_main_window(state, Settings.load())
    qtbot.addWidget(window)
    try:
        assert list(window.wizard.pages) == [PageId.CREDENTIALS]
        assert window.runner.busy and state.identity is None  # the sign-in check is queued
        qtbot.waitUntil(lambda: len(window.wizard.pages) == len(PageId), timeout=10000)
        assert [window.wizard.page(int(p)) for p in PageId] == list(window.wizard.pages.values())
        qtbot.waitUntil(lambda: state.identity is not None, timeout=20000)
        qtbot.waitUntil(window.wizard.currentPage().isComplete, timeout=20000)
        window.wizard.next()
        # The home screen lists this sandbox's links (other tests made some): New link goes on.
        home = window.home
        assert home is not None
        qtbot.waitUntil(
            lambda: window.wizard.currentId() == int(PageId.SOURCE) or (home.showing and not home.view.busy),
            timeout=20000,
        )
        if home.showing:
            home.view.new_button.click()
        assert window.wizard.currentPage() is window.wizard.page_of(PageId.SOURCE)
    finally:
        window.close()


def test_the_first_page_signs_in_once(qapp: Any, qtbot: Any, sandbox_url: str) -> None:
    """Started as the app starts: reading the AWS profiles rebuilds the sign-in choices, which
    must not start a second, debounced sign-in that the page then waits for as well."""
    from wizard.aws.activity import ACTIVITY
    from wizard.consumers import load_consumer
    from wizard.settings import Settings
    from wizard.ui.app import show_main_window
    from wizard.ui.pages.base import DEBOUNCE_MS
    from wizard.ui.state import WizardState

    # Counted as they happen: the activity log keeps only its latest events, and the module's
    # earlier flows (the target sync's deployment among them) may have filled it.
    seen: list[str] = []
    stop = ACTIVITY.subscribe(lambda e: seen.append(e.operation))
    state = WizardState(consumer=load_consumer("rivery"), endpoint_url=sandbox_url, demo=True)
    window = show_main_window(state, Settings.load())
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: state.identity is not None, timeout=20000)
        qtbot.wait(DEBOUNCE_MS + 300)  # a debounced re-check would have started by now
        wait_settled(qtbot, window)
        assert state.identity is not None
        assert seen.count("GetCallerIdentity") == 1
    finally:
        stop()
        window.close()
