"""A page lays out what a check's answer changes once, as the change ends (BasePage.laid_out_once),
and gets it right: nothing overlaps, nothing is left unplaced."""

from __future__ import annotations

from typing import Any

from tests.ui.flow import wait_settled
from wizard.checks import CheckRow
from wizard.steps import PreviewItem

ROWS = [
    CheckRow("port", True, "Port 3306"),
    CheckRow("security-group", False, "The firewall blocks the load balancer " * 4, fix="Add a rule"),
]
ITEMS = [PreviewItem("create", "a load balancer", "in three zones"), PreviewItem("reuse", "subnets")]


def _placed_in_order(p: Any) -> bool:
    checklist, preview = p.checklist.geometry(), p.preview.geometry()
    return (
        checklist.height() >= p.checklist.minimumSizeHint().height()
        and preview.height() >= p.preview.minimumSizeHint().height()
        and preview.top() >= checklist.bottom()
    )


def test_an_answer_is_laid_out_once_as_it_ends(open_window: Any, qtbot: Any, sandbox_url: str) -> None:
    window = open_window(sandbox_url)
    p = wait_settled(qtbot, window)
    p.preview.set_items([])
    qtbot.wait(50)
    with p.laid_out_once():
        p.checklist.set_rows(ROWS)
        p.preview.set_items(ITEMS)
        assert p.preview.isVisible()
        # Not laid out yet: without the batch, showing the preview laid the page out at once.
        assert not _placed_in_order(p)
    # Laid out as the batch ends; the scroll area then fits the page to it on the next turn.
    qtbot.waitUntil(lambda: _placed_in_order(p), timeout=2000)
    assert p.checklist.findChild(object, "fix-security-group").isVisible()


def test_nested_batches_lay_out_when_the_outer_one_ends(
    open_window: Any, qtbot: Any, sandbox_url: str
) -> None:
    window = open_window(sandbox_url)
    p = wait_settled(qtbot, window)
    with p.laid_out_once():
        with p.laid_out_once():
            p.preview.set_items(ITEMS)
        qtbot.wait(50)  # the inner batch's end lays nothing out
        assert not _placed_in_order(p)
    qtbot.waitUntil(lambda: _placed_in_order(p), timeout=2000)
