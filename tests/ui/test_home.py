"""The home screen: after sign-in, the links of the account and region, each in a word with its
next action (the words `privatelink-wizard list` prints), for links built through the CLI on the
same sandbox; New link, Open/Continue, Accept and Remove; no links: straight to the wizard.

`PLW_SCREENSHOTS_DIR=docs/screenshots pytest tests/ui/test_home.py` refreshes the README's
picture of it (00-home.png, 1024×640)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.four_links import EXPECTED
from tests.ui.flow import WAIT_MS, signed_in_home
from wizard import link_states
from wizard.sandbox.server import Sandbox
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId


def words(view: Any) -> dict[str, str]:
    return {link.name: link.word for link in view.links}


def test_the_home_screen_lists_cli_links_with_their_words(
    home_window: Callable[[str], MainWindow], qtbot: Any, four_links: Sandbox
) -> None:
    window = home_window(four_links.endpoint_url)
    home = signed_in_home(qtbot, window)
    assert window.wizard.currentId() == int(PageId.CREDENTIALS)  # the home screen is over it
    qtbot.waitUntil(lambda: home.showing and len(home.view.links) == 4, timeout=WAIT_MS)
    view = home.view
    assert words(view) == EXPECTED
    # Each row says the word (with its mark) and the next action; the healthy one has a ✔.
    for name, word in EXPECTED.items():
        row = view.row_of(name)
        assert view.table.item(row, 0).text() == name
        assert view.table.item(row, 2).text().endswith(word)
    assert view.table.item(view.row_of("plw-healthy"), 2).text() == "✔ Healthy"
    assert "✔" not in view.table.item(view.row_of("plw-waiting"), 2).text()
    view.table.selectRow(view.row_of("plw-waiting"))
    assert view.action_button.isVisible() and "Accept" in view.action_button.text()
    assert "accept it" in view.next_label.text()
    view.table.selectRow(view.row_of("plw-broken"))
    assert "Fix" in view.action_button.text()
    for button in (view.open_button, view.health_button, view.remove_button, view.new_button):
        assert button.isVisible() and button.isEnabled()
        assert button.geometry().bottom() <= view.height()
    shots = os.environ.get("PLW_SCREENSHOTS_DIR")
    if shots:
        view.table.selectRow(view.row_of("plw-waiting"))
        qtbot.wait(100)
        Path(shots).mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(Path(shots) / "00-home.png"))

    # Check health opens link health for that link alone.
    view.table.selectRow(view.row_of("plw-broken"))
    view.health_button.click()
    assert home.health is not None and home.health.view.link_name() == "plw-broken"
    qtbot.waitUntil(lambda: bool(home.health.view.statuses), timeout=WAIT_MS)
    assert [s.name for s in home.health.view.statuses] == ["plw-broken"]
    home.health.close()

    # Continue the unfinished link: the wizard opens it at its first unfinished step.
    view.table.selectRow(view.row_of("plw-unfinished"))
    assert view.action_button.text() == "&Continue"
    view.action_button.click()
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.ENDPOINT_SERVICE), timeout=WAIT_MS)
    assert not home.showing
    assert window.state.link.plan.name == "plw-unfinished"

    # View > Your links comes back to the list; Open on the healthy link shows its Done page.
    window.home_action.trigger()
    qtbot.waitUntil(lambda: home.showing and len(view.links) == 4 and not view.busy, timeout=WAIT_MS)
    view.table.selectRow(view.row_of("plw-healthy"))
    view.open_button.click()
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.DONE), timeout=WAIT_MS)
    assert window.state.link.plan.name == "plw-healthy" and not home.showing


def test_accept_and_remove_from_the_home_screen(
    home_window: Callable[[str], MainWindow],
    qtbot: Any,
    four_links: Sandbox,
    no_dialogs: list[str],
) -> None:
    window = home_window(four_links.endpoint_url)
    home = signed_in_home(qtbot, window)
    view = home.view
    qtbot.waitUntil(lambda: len(view.links) == 4 and not view.busy, timeout=WAIT_MS)

    view.table.selectRow(view.row_of("plw-waiting"))
    view.action_button.click()
    qtbot.waitUntil(lambda: not view.busy and words(view).get("plw-waiting") == "Healthy", timeout=WAIT_MS)
    assert "Accepted vpce-" in view.status.text()

    view.table.selectRow(view.row_of("plw-broken"))
    view.remove_button.click()
    qtbot.waitUntil(lambda: not view.busy and "plw-broken" not in words(view), timeout=WAIT_MS)
    question = next(q for q in no_dialogs if q.startswith("Remove this link?"))
    assert "These resources of the link 'plw-broken' will be deleted" in question
    assert "load balancer plw-broken" in question
    assert "Removed " in view.status.text() and "of plw-broken" in view.status.text()
    assert link_states.UNFINISHED in words(view).values()


def test_with_no_links_the_wizard_goes_straight_on(
    home_window: Callable[[str], MainWindow], qtbot: Any, quiet_sandbox: Sandbox
) -> None:
    window = home_window(quiet_sandbox.endpoint_url)
    home = signed_in_home(qtbot, window)
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.SOURCE), timeout=WAIT_MS)
    assert not home.showing
