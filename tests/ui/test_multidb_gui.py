"""Several databases on one link, in the window (issue 20): a link built through the CLI on the
sandbox gets a second database through the Add a database dialog (listener 5433, the first
database's 5432 being taken), which shows on the home screen and the Done page with its port;
removing it through the window leaves the first one working.

`PLW_SCREENSHOTS_DIR=/tmp/x pytest tests/ui/test_multidb_gui.py` saves the dialog, the home screen
and the Done page as PNGs (1024×640; add QT_SCALE_FACTOR=2 for 200 %, PLW_SCREENSHOTS_DARK=1 for
a dark palette)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.flow import WAIT_MS, signed_in_home, wait_settled
from tests.ui.palettes import dark_palette
from wizard.cli import main
from wizard.sandbox.consumer import SimulatedConsumer
from wizard.sandbox.server import Sandbox
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId

REGION = "us-east-1"
LINK = "plw-multi"
FIRST, SECOND, ELSEWHERE = "analytics-pg", "reports-aurora", "orders-mysql"


def shot(widget: Any, name: str, qtbot: Any) -> None:
    folder = os.environ.get("PLW_SCREENSHOTS_DIR")
    if folder:
        qtbot.wait(100)  # pending layout, so the picture shows the settled widget
        Path(folder).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(folder) / f"{name}.png"))


@pytest.fixture(autouse=True)
def _dark_if_asked(qapp: Any) -> None:
    """PLW_SCREENSHOTS_DARK=1: the pictures in a dark palette (set before the window is made,
    as a desktop's dark theme would be; this process only)."""
    if os.environ.get("PLW_SCREENSHOTS_DARK"):
        qapp.setStyle("Fusion")
        qapp.setPalette(dark_palette())


@pytest.fixture
def one_link(quiet_sandbox: Sandbox, capsys: Any) -> Iterator[Sandbox]:
    """A built and connected link (analytics-pg, PostgreSQL on 5432: its Done page opens), and
    another link on orders-mysql."""
    where = ["--region", REGION, "--endpoint-url", quiet_sandbox.endpoint_url]
    assert main(["setup", *where, "--yes", "--fix", "--source", FIRST, "--name", LINK]) == 0
    platform = SimulatedConsumer(REGION, endpoint_url=quiet_sandbox.endpoint_url, delay=0)
    assert platform.poll_once(), "the platform should ask to connect"
    assert main(["accept", *where, "--name", LINK]) == 0
    assert main(["setup", *where, "--yes", "--fix", "--source", ELSEWHERE, "--name", "plw-orders"]) == 0
    capsys.readouterr()
    yield quiet_sandbox


def ports(databases: list[Any]) -> dict[str, int]:
    return {d.source_id: d.listener_port for d in databases}


def add_through_dialog(qtbot: Any, dialog: Any, no_dialogs: list[str]) -> Any:
    """Choose reports-aurora, keep the proposed port (5433), press Add; the dialog's result."""
    qtbot.waitUntil(lambda: dialog.choices is not None and not dialog.busy, timeout=WAIT_MS)
    candidates = {c.source.id: c.on_link for c in dialog.choices.candidates}
    # Databases on a link are listed with their link, and cannot be picked.
    assert candidates[FIRST] == LINK and candidates[ELSEWHERE] == "plw-orders"
    with pytest.raises(ValueError):
        dialog.select(FIRST)
    assert not dialog.add_button.isEnabled()
    # An EC2 server: AWS does not know its port, so the dialog asks for it (22 first).
    server = next(c.source.id for c in dialog.choices.candidates if c.source.kind.value == "ec2-instance")
    dialog.select(server)
    qtbot.waitUntil(lambda: dialog.is_settled() and dialog.plan is not None, timeout=WAIT_MS)
    assert dialog.server_port.isVisible() and dialog.plan.refusal is None, dialog.error_panel.text()
    assert dialog.port.value() == 22 and dialog.add_button.isEnabled()
    dialog.server_port.setValue(2222)
    qtbot.waitUntil(lambda: dialog.is_settled() and dialog.port.value() == 2222, timeout=WAIT_MS)
    dialog.select(SECOND)
    qtbot.waitUntil(lambda: dialog.is_settled() and dialog.plan is not None, timeout=WAIT_MS)
    # The engine's free port: 5432 is the first database's listener, so 5433.
    assert dialog.port.value() == 5433 and not dialog.server_port.isVisible()
    assert dialog.plan.refusal is None, dialog.error_panel.text()
    assert "5433" in dialog.preview.text() and "No extra hourly charge" in dialog.preview.text()
    # A port the load balancer already uses cannot be chosen: Add stays off, and says why.
    dialog.port.setValue(5432)
    assert not dialog.add_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.is_settled() and dialog.plan is not None, timeout=WAIT_MS)
    assert not dialog.add_button.isEnabled()
    assert "already used" in dialog.error_panel.text()
    assert "Choose another listener port: 5433 is the next free one" in dialog.error_panel.text()
    shot(dialog, "multidb-dialog-refused", qtbot)
    dialog.port.setValue(5433)
    qtbot.waitUntil(lambda: dialog.is_settled() and dialog.add_button.isEnabled(), timeout=WAIT_MS)
    shot(dialog, "multidb-dialog", qtbot)
    assert dialog.add_button.isVisible() and dialog.add_button.geometry().bottom() <= dialog.height()
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None or dialog.error_panel.isVisible(), timeout=WAIT_MS)
    assert dialog.result is not None, dialog.error_panel.text()
    assert dialog.result.database.listener_port == 5433
    # The message to the platform now lists both databases with their ports.
    message = dialog.message.value()
    assert dialog.message.isVisible()
    for source, port in ((FIRST, "5432"), (SECOND, "5433")):
        assert source in message and port in message, message
    shot(dialog, "multidb-dialog-added", qtbot)
    return dialog.result


def test_add_and_remove_a_database_from_the_home_screen(
    home_window: Callable[[str], MainWindow], qtbot: Any, one_link: Sandbox, no_dialogs: list[str]
) -> None:
    window = home_window(one_link.endpoint_url)
    home = signed_in_home(qtbot, window)
    view = home.view
    qtbot.waitUntil(lambda: home.showing and len(view.links) == 2 and not view.busy, timeout=WAIT_MS)
    view.table.selectRow(view.row_of(LINK))
    assert ports(view.database_list.databases) == {FIRST: 5432}
    assert not view.database_list.remove_button.isEnabled()  # its only database goes with the link

    view.database_list.add_button.click()
    dialog = view.add_dialog
    assert dialog is not None and dialog.isVisible()
    add_through_dialog(qtbot, dialog, no_dialogs)
    dialog.close_button.click()

    # The home screen reads the links again: two databases, each with its port and health.
    qtbot.waitUntil(lambda: not view.busy and len(view.databases.get(LINK, [])) == 2, timeout=WAIT_MS)
    view.table.selectRow(view.row_of(LINK))
    assert view.table.item(view.row_of(LINK), 1).text() == f"2 databases: {FIRST}, {SECOND}"
    assert ports(view.database_list.databases) == {FIRST: 5432, SECOND: 5433}
    assert "Added reports-aurora to plw-multi on port 5433" in view.status.text()
    row = view.database_list.tree.topLevelItem(1)
    assert row is not None and row.text(2) == "5433" and row.text(4)
    shot(window, "multidb-home", qtbot)
    for button in (view.database_list.add_button, view.database_list.remove_button, view.remove_button):
        assert button.isVisible() and button.geometry().bottom() <= view.height()

    # Remove the second database: the question says what goes, and the first one stays.
    view.database_list.select(SECOND)
    view.database_list.remove_button.click()
    qtbot.waitUntil(lambda: not view.busy and len(view.databases.get(LINK, [])) == 1, timeout=WAIT_MS)
    question = next(q for q in no_dialogs if q.startswith("Remove this database from the link?"))
    assert "listener on port 5433" in question and f"{FIRST} (port 5432)" in question
    assert ports(view.databases[LINK]) == {FIRST: 5432}
    assert view.database_list.tree.topLevelItem(0).text(4) == "✔ healthy"  # the first one still works
    assert f"Removed {SECOND} from {LINK}" in view.status.text()
    assert view.table.item(view.row_of(LINK), 1).text() == FIRST


def test_add_and_remove_a_database_on_the_done_page(
    home_window: Callable[[str], MainWindow], qtbot: Any, one_link: Sandbox, no_dialogs: list[str]
) -> None:
    window = home_window(one_link.endpoint_url)
    home = signed_in_home(qtbot, window)
    view = home.view
    qtbot.waitUntil(lambda: home.showing and len(view.links) == 2 and not view.busy, timeout=WAIT_MS)
    view.table.selectRow(view.row_of(LINK))
    view.open_button.click()
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.DONE), timeout=WAIT_MS)
    page = wait_settled(qtbot, window)
    qtbot.waitUntil(lambda: ports(page.databases.databases) == {FIRST: 5432}, timeout=WAIT_MS)

    page.databases.add_button.click()
    add_through_dialog(qtbot, page.add_dialog, no_dialogs)
    page.add_dialog.close_button.click()
    qtbot.waitUntil(lambda: len(page.databases.databases) == 2, timeout=WAIT_MS)
    assert ports(page.databases.databases) == {FIRST: 5432, SECOND: 5433}
    # The resources table and the next steps name the new listener with its port.
    names = [name for _what, name, _arn in page.created.rows()]
    assert any(name.startswith("port 5433") for name in names), names
    assert "port 5433 for reports-aurora" in page.next_steps.text()
    assert "5433 for reports-aurora" in page.hostnames.text()  # the platform's endpoint, each port
    shot(window, "multidb-done", qtbot)

    page.databases.select(SECOND)
    page.databases.remove_button.click()
    qtbot.waitUntil(lambda: not page.busy and len(page.databases.databases) == 1, timeout=WAIT_MS)
    assert ports(page.databases.databases) == {FIRST: 5432}
    assert f"Removed {SECOND} from {LINK}" in page.status.text()
    assert window.state.link.record.all_databases()[0].source_id == FIRST
    assert [d.source_id for d in window.state.link.record.all_databases()] == [FIRST]


def test_removing_the_first_database_leaves_the_done_page_on_the_others_port(
    home_window: Callable[[str], MainWindow], qtbot: Any, one_link: Sandbox, no_dialogs: list[str]
) -> None:
    """The record's first database goes (its listener port differs, so none takes its place):
    the page then says the port of the one left, never the old one (or 0)."""
    window = home_window(one_link.endpoint_url)
    home = signed_in_home(qtbot, window)
    view = home.view
    qtbot.waitUntil(lambda: home.showing and len(view.links) == 2 and not view.busy, timeout=WAIT_MS)
    view.table.selectRow(view.row_of(LINK))
    view.open_button.click()
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.DONE), timeout=WAIT_MS)
    page = wait_settled(qtbot, window)
    qtbot.waitUntil(lambda: len(page.databases.databases) == 1, timeout=WAIT_MS)
    page.databases.add_button.click()
    add_through_dialog(qtbot, page.add_dialog, no_dialogs)
    page.add_dialog.close_button.click()
    qtbot.waitUntil(lambda: len(page.databases.databases) == 2, timeout=WAIT_MS)

    page.databases.select(FIRST)
    page.databases.remove_button.click()
    qtbot.waitUntil(lambda: not page.busy and len(page.databases.databases) == 1, timeout=WAIT_MS)
    assert ports(page.databases.databases) == {SECOND: 5433}
    assert "port 5433," in page.next_steps.text() and "port 5432" not in page.next_steps.text()
    assert ", port 5433<br>" in page.hostnames.text()
