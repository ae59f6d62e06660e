"""The checklist widget: rows, spinners, Fix buttons and colours as its rows change, with its
line widgets reused rather than rebuilt (see checklist._Line)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from wizard.checks import CheckRow
from wizard.ui import colours
from wizard.ui.redact import Redactor
from wizard.ui.widgets.checklist import Checklist

SG_FAILING = CheckRow("security-group", False, "The firewall blocks the load balancer", fix="Add a rule")
SG_OK = CheckRow("security-group", True, "The firewall lets the load balancer in")
PORT = CheckRow("port", True, "Port 3306")


@pytest.fixture
def checklist(qtbot: Any) -> Iterator[Checklist]:
    holder = QWidget()  # referenced here until the test ends (Qt deletes it with its owner)
    qtbot.addWidget(holder)
    widget = Checklist(Redactor(False, holder), parent=holder)
    holder.show()
    yield widget


def _shown(checklist: Checklist, kind: type, name: str) -> Any:
    """The visible child named `name`, or None (hidden lines keep no names)."""
    found = checklist.findChild(kind, name)
    return found if found is not None and found.isVisible() else None


def _mark(checklist: Checklist, state: str) -> Any:
    """The visible mark of a line in `state` ("ok", "failed", "warning", "pending"), or None."""
    marks = [m for m in checklist.findChildren(QLabel, "checkMark") if m.isVisible()]
    return next((m for m in marks if m.accessibleName() == state), None)


def _mark_colour(checklist: Checklist, row_key: str) -> str:
    """The colour of the mark on the row's line."""
    grid: Any = checklist.layout()
    line = grid.getItemPosition(grid.indexOf(checklist.findChild(QLabel, f"row-{row_key}")))[0]
    mark = grid.itemAtPosition(line, 0).widget()
    return str(mark.palette().color(QPalette.ColorRole.WindowText).name())


def test_rows_fix_buttons_and_marks_follow_the_rows(checklist: Checklist) -> None:
    assert not checklist.isVisible()  # nothing to show yet

    checklist.set_rows([PORT, SG_FAILING])
    assert checklist.isVisible()
    fix = _shown(checklist, QPushButton, "fix-security-group")
    assert fix is not None and fix.toolTip() == "Add a rule"
    assert _shown(checklist, QPushButton, "fix-port") is None
    assert "blocks" in _shown(checklist, QLabel, "row-security-group").text()
    assert _mark_colour(checklist, "security-group") == colours.LIGHT["failed"]  # failed
    failed = _mark(checklist, "failed")
    assert failed is not None and failed.text() == "✖" and failed.font().bold()
    assert not checklist.required_ok()

    pressed: list[CheckRow] = []
    checklist.fix_requested.connect(pressed.append)
    fix.click()
    assert pressed == [SG_FAILING]

    checklist.set_rows([PORT, SG_OK])
    assert _shown(checklist, QPushButton, "fix-security-group") is None  # fixed: no button
    assert "lets" in _shown(checklist, QLabel, "row-security-group").text()
    assert _mark_colour(checklist, "security-group") == colours.LIGHT["ok"]  # ok
    assert checklist.required_ok()

    checklist.set_rows([PORT])
    assert _shown(checklist, QLabel, "row-security-group") is None
    assert [r.key for r in checklist.rows()] == ["port"]

    checklist.set_rows([])
    assert not checklist.isVisible()


def test_spinners_while_checking_then_the_same_widgets_show_the_answers(
    qtbot: Any, checklist: Checklist
) -> None:
    checklist.set_rows([PORT, SG_FAILING])
    port_label = _shown(checklist, QLabel, "row-port")

    checklist.set_pending(["Checking the firewall…"])
    assert _shown(checklist, QLabel, "row-port") is None  # stale answers are not shown
    assert _shown(checklist, QLabel, "row-security-group") is None
    spinner = _mark(checklist, "pending")
    assert spinner is not None
    assert not checklist.required_ok()
    first = spinner.text()
    qtbot.waitUntil(lambda: spinner.text() != first, timeout=2000)  # it spins

    checklist.set_rows([PORT, SG_OK])
    assert _mark(checklist, "pending") is None
    assert _shown(checklist, QLabel, "row-port") is port_label  # reused, not rebuilt
    assert checklist.required_ok()


def test_text_from_aws_is_shown_as_text_not_markup(checklist: Checklist) -> None:
    checklist.set_rows([CheckRow("name", False, "Bad name <b>x</b>", reason="a & b")])
    text = _shown(checklist, QLabel, "row-name").text()
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "a &amp; b" in text


def test_a_fix_button_sits_at_the_top_of_a_row_that_wraps(checklist: Checklist, qtbot: Any) -> None:
    long_reason = "The database's security group has no rule for the load balancer's subnets. " * 6
    checklist.set_rows([CheckRow("sg", False, "The firewall blocks it", reason=long_reason, fix="Add it")])
    text = _shown(checklist, QLabel, "row-sg")
    fix = _shown(checklist, QPushButton, "fix-sg")
    qtbot.waitUntil(lambda: text.height() > 2 * fix.height())  # the reason wraps

    # Top-aligned beside the text (a stretch below it), not centred on the row.
    def top(widget: Any) -> int:
        return int(widget.mapTo(checklist, widget.rect().topLeft()).y())

    assert abs(top(fix) - top(text)) <= 4
