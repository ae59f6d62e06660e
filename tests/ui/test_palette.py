"""Dark mode and high contrast (issue 18): the colours the app sets read well on a light and on
a dark palette, style sheets take theirs from the palette (or set text and background as a
pair), and the explanation box gives way on a short window."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from tests.ui.palettes import dark_palette
from wizard.checks import CheckRow
from wizard.paths import resource
from wizard.ui import colours
from wizard.ui.app import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.widgets.explanation import LESS_LINK, MORE_LINK

MARKS = ("ok", "failed", "warning", "pending")
NOWHERE = "http://127.0.0.1:9"


def _luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_check_marks_read_well_on_the_palette_they_are_drawn_on(qapp: Any, dark: bool) -> None:
    palette = dark_palette() if dark else QPalette(QColor("#efefef"))
    label = QLabel()
    label.setPalette(palette)
    assert colours.is_dark(palette) is dark
    for name in MARKS:
        mark = colours.tone(name, label)
        for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
            # WCAG AA for text (the marks are bold, in sentences' colour): 4.5:1.
            assert contrast(mark, palette.color(role)) >= 4.5, (name, role, mark.name())
    for row in ("waiting-row", "connected-row"):  # tinted rows under the palette's own text colour
        text = palette.color(QPalette.ColorRole.Text)
        assert contrast(text, colours.tone(row, label)) >= 4.5, row


def test_style_sheets_take_colours_from_the_palette_or_set_both() -> None:
    for sheet in sorted(resource("styles").glob("*.qss")):
        text = sheet.read_text(encoding="utf-8")
        if re.search(r"background:\s*#", text):
            # A fixed background needs a fixed text colour, or dark mode's light text lands on it.
            assert re.search(r"(?<!-)color:\s*#", text), sheet.name


def test_the_checklist_follows_a_switch_to_dark(open_window: Callable[..., MainWindow], qtbot: Any) -> None:
    page = open_window(NOWHERE).wizard.pages[PageId.CREDENTIALS]
    page.checklist.set_rows([CheckRow("a", False, "Failing")])
    mark = page.checklist.findChild(QLabel, "checkMark")
    assert mark is not None
    assert mark.palette().color(QPalette.ColorRole.WindowText) == QColor(colours.LIGHT["failed"])
    page.window().setPalette(dark_palette())  # as the desktop's switch to its dark theme does
    dark_red = QColor(colours.DARK["failed"])
    qtbot.waitUntil(lambda: mark.palette().color(QPalette.ColorRole.WindowText) == dark_red)


def test_the_explanation_shortens_on_a_short_window_and_more_opens_it(
    open_window: Callable[..., MainWindow], qtbot: Any
) -> None:
    window = open_window(NOWHERE)
    page = window.wizard.pages[PageId.CREDENTIALS]
    window.resize(1024, 900)
    qtbot.waitUntil(lambda: page.EXPLANATION in page.explanation.text())
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: MORE_LINK in page.explanation.text())
    assert page.EXPLANATION not in page.explanation.text()
    assert "docs.aws.amazon.com" in page.explanation.text()  # its links stay
    page.explanation.linkActivated.emit(MORE_LINK)
    assert page.EXPLANATION in page.explanation.text() and LESS_LINK in page.explanation.text()
    window.resize(1024, 600)  # the user's choice stays
    qtbot.wait(50)
    assert page.EXPLANATION in page.explanation.text()
    page.explanation.linkActivated.emit(LESS_LINK)
    assert page.EXPLANATION not in page.explanation.text()
