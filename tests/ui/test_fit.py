"""A laptop window (issue 18): at 1024×640, and at 200 % scale on a 2048×1280 window, every page
of the demo flow shows its primary action, the first failing check and why Next is off without
scrolling; the step list says where you are; the Done page lists everything created; a setting
waiting for a reboot is a warning, never ✔; a finished action's progress text gives way to its
result; every field has an accessible name."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QWidget,
)

from tests.ui import flow
from tests.ui.flow import WAIT_MS, page, wait_settled
from tests.ui.in_child import run_test_in_child
from wizard.checks import CheckRow
from wizard.errors import UserError
from wizard.ui.app import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.pages import source as source_page
from wizard.ui.pages.base import BasePage
from wizard.ui.pages.step_page import StepPage
from wizard.ui.widgets.created_list import arn_of
from wizard.ui.widgets.step_list import ATTENTION, CURRENT, DONE, TODO

WIDTH, HEIGHT = 1024, 640  # logical pixels: 2048×1280 at QT_SCALE_FACTOR=2
MYSQL = "orders-mysql"  # its target group page fails checks (firewall, skip_name_resolve)
_NAMES: list[str] = []


def _in_view(widget: QWidget, window: MainWindow) -> bool:
    """Shown, inside the window, and (inside a page's scroll area) inside its viewport."""
    if not widget.isVisible():
        return False
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if parent.objectName() == "qt_scrollarea_viewport":
            viewport = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
            return viewport.contains(rect)
        parent = parent.parentWidget()
    return True


def _words(button: QAbstractButton) -> str:
    return button.text() or button.accessibleName()


def _part_of_a_field(widget: QWidget, p: BasePage) -> bool:
    parent = widget.parentWidget()
    while parent is not None and parent is not p:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QAbstractItemView)):
            return True
        parent = parent.parentWidget()
    return False


def _unnamed_fields(p: BasePage) -> list[str]:
    """Fields with neither an accessible name nor a label naming them; buttons without words."""
    missing = []
    for widget in p.findChildren(QWidget):
        if isinstance(widget, (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)):
            if isinstance(widget, QHeaderView) or _part_of_a_field(widget, p):
                continue  # a table's header, a combo's list or line edit: named by their owner
            if not widget.accessibleName():
                missing.append(f"{type(widget).__name__} {widget.objectName()}")
        elif isinstance(widget, QAbstractButton) and widget.isVisibleTo(p) and not _words(widget):
            missing.append(f"{type(widget).__name__} {widget.objectName()}")
    return missing


def _check_page(window: MainWindow, seen: dict[PageId, list[str]]) -> None:
    """What a user sees of the current page without scrolling."""
    p = page(window)
    page_id = PageId(window.wizard.currentId())
    problems: list[str] = []
    action = p.primary_action()
    if page_id == PageId.ACCEPT:  # the platform's request has its own Accept button
        action = next((b for b in p.table.findChildren(QAbstractButton) if b.isVisible()), action)
    if action is None or not _in_view(action, window):
        problems.append(f"primary action out of view: {action.text() if action else None}")
    first_failing = p.checklist.first_failing_widget()
    if first_failing is not None and not _in_view(first_failing, window):
        problems.append(f"first failing check out of view: {first_failing.text()[:60]}")
    if not p.isComplete() and not (p.blocked.isVisible() and _in_view(p.blocked, window)):
        problems.append("Next is off and the page does not say why")
    if p.scroller.horizontalScrollBar().isVisible():
        problems.append("wider than the window: the page scrolls sideways")
    problems += [f"unnamed {name}" for name in _unnamed_fields(p)]
    if window.steps.states()[page_id] not in (CURRENT, ATTENTION):
        problems.append(f"step list: {window.steps.states()[page_id]}")
    seen[page_id] = problems


@pytest.fixture
def checked_flow(
    open_window: Any, qtbot: Any, sandbox_url: str, no_dialogs: list[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[MainWindow, dict[PageId, list[str]], Any]:
    """The demo flow for the MySQL database at 1024×640, each page checked as it settles (where
    the screenshots are taken: before its Create is pressed)."""
    seen: dict[PageId, list[str]] = {}

    def check(window: MainWindow, _folder: Path | None, name: str, qtbot: Any = None) -> None:
        if qtbot is not None:
            qtbot.wait(100)  # the scroll area fits the page to the answer on a later turn
        _check_page(window, seen)

    monkeypatch.setattr(flow, "shoot", check)
    # A link of its own per test: the module's sandbox keeps the others (and their connections).
    name = f"plw-fit-{len(_NAMES)}"
    _NAMES.append(name)
    monkeypatch.setattr(source_page, "default_link_name", lambda _source_id: name)
    window = open_window(sandbox_url)
    window.resize(WIDTH, HEIGHT)
    qtbot.waitUntil(lambda: window.height() == HEIGHT)
    link = flow.run_flow(qtbot, window, MYSQL)
    return window, seen, link


def test_every_page_fits_a_laptop_window(checked_flow: Any) -> None:
    _window, seen, _link = checked_flow
    assert set(seen) == set(PageId)  # every page of the flow was looked at
    assert {page_id.name: problems for page_id, problems in seen.items() if problems} == {}


def test_every_page_fits_at_200_percent() -> None:
    """The same at QT_SCALE_FACTOR=2 (a 2048×1280 window): the factor is read once, as the
    application starts, so the check runs in a child process."""
    if os.environ.get("QT_SCALE_FACTOR"):
        pytest.skip("this is the child")
    run_test_in_child(f"{Path(__file__)}::test_every_page_fits_a_laptop_window", {"QT_SCALE_FACTOR": "2"})


def test_done_lists_every_resource_and_warns_of_the_pending_reboot(checked_flow: Any, qtbot: Any) -> None:
    window, _seen, link = checked_flow
    done = page(window)
    record = link.record
    # (The parameter group is made by the module's first MySQL link; later ones reuse it.)
    assert {"nlb", "target-group", "listener", "endpoint-service"} <= {r.kind for r in record.created}
    rows = done.created.rows()
    assert [arn for _what, _name, arn in rows] == [arn_of(r.kind, r.id, record) for r in record.created]
    assert all(arn.startswith("arn:aws:") for _what, _name, arn in rows)
    names = [name for _what, name, _arn in rows]
    assert record.name in names and not any(n.startswith("arn:") for n in names)
    tree = done.created.tree
    assert tree.topLevelItemCount() == len(record.created)
    assert tree.isColumnHidden(2)  # ARNs on demand
    done.created.show_arns.setChecked(True)
    assert not tree.isColumnHidden(2)
    tree.setCurrentItem(tree.topLevelItem(1))
    done.created.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == rows[1][2]
    # The table is as tall as its rows: nothing in it scrolls.
    assert tree.verticalScrollBar().maximum() == 0

    # skip_name_resolve was set without a reboot (the test's answer): a warning, never ✔.
    qtbot.waitUntil(lambda: bool(done.follow_ups()), timeout=WAIT_MS)
    row = done.follow_ups()[0]
    assert row.key == "skip-name-resolve" and row.warning
    assert "Still to do" in done.blocked.text() and done.blocked.isVisible()
    target_group = window.wizard.page_of(PageId.TARGET_GROUP)
    assert "✔" not in target_group.action_button.text()
    assert target_group.action_button.text() == StepPage.DONE_WITH_WARNING_TEXT
    assert window.steps.states()[PageId.TARGET_GROUP] == ATTENTION
    # A finished action's progress text ("Registering targets: …") gave way to its result.
    assert target_group.status.text().startswith("Done ✔") or "reboot" in target_group.status.text()
    for page_id in (PageId.NLB, PageId.ENDPOINT_SERVICE, PageId.ALLOWLIST):
        assert not window.wizard.page_of(page_id).status.text().endswith("…"), page_id


def test_the_step_list_reopens_a_finished_step_and_goes_on_again(checked_flow: Any, qtbot: Any) -> None:
    window, _seen, _link = checked_flow
    steps = window.steps
    states = steps.states()
    assert states[PageId.DONE] == CURRENT
    assert all(states[p] in (DONE, ATTENTION) for p in PageId if p != PageId.DONE)
    for button in steps.buttons.values():  # keyboard: every step is a button Tab reaches
        assert button.accessibleName().startswith("Step ")
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus

    # Back to the load balancer: its page shows and checks again.
    nlb = window.wizard.page_of(PageId.NLB)
    evaluated = nlb.view
    steps.buttons[PageId.NLB].click()
    assert window.wizard.currentId() == int(PageId.NLB)
    wait_settled(qtbot, window)
    assert nlb.view is not evaluated and nlb.done  # a fresh answer
    states = steps.states()
    assert states[PageId.NLB] == CURRENT
    # The later steps stay finished (the link's record says so) and can be opened again.
    assert states[PageId.ENDPOINT_SERVICE] == DONE and states[PageId.ACCEPT] == DONE
    steps.buttons[PageId.ACCEPT].click()
    qtbot.waitUntil(lambda: window.wizard.currentId() == int(PageId.ACCEPT), timeout=WAIT_MS)
    assert steps.states()[PageId.ACCEPT] == CURRENT


def test_a_step_not_reached_yet_cannot_be_clicked(open_window: Any, qtbot: Any, sandbox_url: str) -> None:
    window = open_window(sandbox_url)
    wait_settled(qtbot, window)
    states = window.steps.states()
    assert states[PageId.CREDENTIALS] == CURRENT
    assert all(states[p] == TODO for p in PageId if p != PageId.CREDENTIALS)
    assert not window.steps.buttons[PageId.NLB].isEnabled()
    # An error on the page marks its step as needing attention.
    window.wizard.currentPage().show_error(UserError(what="Could not reach AWS", fix="Check the network."))
    qtbot.waitUntil(lambda: window.steps.states()[PageId.CREDENTIALS] == ATTENTION)
    assert window.steps.buttons[PageId.CREDENTIALS].text().startswith("⚠")


def test_a_page_scrolls_to_a_new_failing_check_once(open_window: Any, qtbot: Any) -> None:
    """The first failing check is scrolled into view as it appears; the same answer again (a
    page re-checking every few seconds) leaves the user's own scrolling be."""
    window = open_window("http://127.0.0.1:9")
    window.resize(WIDTH, HEIGHT)
    p = wait_settled(qtbot, window)  # its own sign-in check has answered (it fails: no AWS)
    p.error_panel.clear()
    rows = [CheckRow(f"ok-{i}", True, f"Fine {i}", reason="All good. " * 8) for i in range(12)]
    p.checklist.set_rows([*rows, CheckRow("bad", False, "Not fine")])
    bar = p.scroller.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    p.reveal()
    qtbot.waitUntil(lambda: _in_view(p.checklist.first_failing_widget(), window))
    bar.setValue(0)  # the user scrolls up to read
    p.reveal()  # the same answer again
    assert bar.value() == 0
    p.checklist.set_rows([*rows, CheckRow("worse", False, "Not fine either")])
    qtbot.waitUntil(lambda: p.checklist.first_failing_widget() is not None)
    p.reveal()  # a new failing check is shown again
    qtbot.waitUntil(lambda: _in_view(p.checklist.first_failing_widget(), window))
