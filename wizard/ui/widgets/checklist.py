"""The live checklist: one row per precondition, ✔ / ✖ / spinner with the reason, Fix buttons."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QPaintEvent, QPalette
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QWidget

from wizard.ui.by_name import set_by_name, top_aligned
from wizard.ui.colours import is_dark, tone
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.style import styled

if TYPE_CHECKING:
    from wizard.checks import CheckRow

_SPINNER = "◐◓◑◒"
# The marks' colours are set here, not by the style sheet: a label restyled by a new name needs
# its QStyle from Python, whose type (hundreds of enum values) is slow to build at start-up.
# Their tone follows the palette (light or dark): wizard.ui.colours.


class _Line:
    """The three widgets of one checklist line: the mark, the text and a Fix button. Lines are
    kept and reused as the rows change: new labels are styled and laid out from scratch, which
    made each check's answer stall the window (figures: benchmarks/README.md)."""

    def __init__(self, grid: QGridLayout, index: int, on_fix: Callable[[CheckRow], None]) -> None:
        self.row: CheckRow | None = None
        self._shown: tuple[str, ...] = ()
        self._owner = grid.parentWidget()  # the checklist: its palette says light or dark
        self.mark = QLabel()
        self.mark.setObjectName("checkMark")  # bold, by the checklist's style sheet
        set_by_name(self.mark, alignment="AlignTop")
        self.text = QLabel()
        self.text.setWordWrap(True)
        set_by_name(self.text, textFormat="RichText", textInteractionFlags="TextSelectableByMouse")
        self.button = QPushButton("&Fix…")
        self.button.clicked.connect(lambda: self.row is not None and on_fix(self.row))
        grid.addWidget(self.mark, index, 0)
        grid.addWidget(self.text, index, 1)
        grid.addLayout(top_aligned(self.button), index, 2)

    def show(self, icon: str, state: str, html: str, row: CheckRow | None) -> None:
        """Show a row (or a pending check, with no row); widgets change only where it differs."""
        self.row = row
        key = row.key if row is not None else ""
        fix = row.fix if row is not None and not row.ok else ""
        shown = (icon, state, html, key, fix)
        if shown == self._shown:
            return
        old = self._shown or ("", "", "", "", "")
        self._shown = shown
        if icon != old[0]:
            self.mark.setText(icon)
        if state != old[1]:
            self.mark.setAccessibleName(state)
            self.recolour(state)
        if html != old[2]:
            self.text.setText(html)
        self.text.setObjectName(f"row-{key}" if key else "")
        self.button.setObjectName(f"fix-{key}" if fix else "")
        self.button.setToolTip(fix)
        self.button.setVisible(bool(fix))
        self.mark.setVisible(True)
        self.text.setVisible(True)

    def recolour(self, state: str = "") -> None:
        state = state or (self._shown[1] if self._shown else "")
        if state:
            palette = self.mark.palette()
            palette.setColor(QPalette.ColorRole.WindowText, tone(state, self._owner or self.text))
            self.mark.setPalette(palette)

    def hide(self) -> None:
        self.row = None
        self._shown = ()
        for widget in (self.mark, self.text, self.button):
            widget.setVisible(False)
        self.text.setObjectName("")  # a hidden line is found by no row's name
        self.button.setObjectName("")


class Checklist(QGroupBox):
    """Rows come from `CheckRow`s; `set_pending` shows spinners while a check runs."""

    fix_requested = Signal(object)  # the CheckRow whose Fix button was pressed

    def __init__(self, redactor: Redactor, title: str = "Checks", parent: QWidget | None = None):
        super().__init__(title, parent)
        styled(self, "group-box")
        self.setObjectName("checklist")
        self._redactor = redactor
        self._rows: list[CheckRow] = []
        self._pending: list[str] = []
        self._frame = 0
        self._lines: list[_Line] = []
        self._dark = False
        self._grid = QGridLayout(self)
        self._grid.setColumnStretch(1, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._spin)
        redactor.changed.connect(self._render)
        self.setVisible(False)

    def paintEvent(self, event: QPaintEvent) -> None:
        # The desktop went dark (or light): the marks follow. Checked as the box paints: a
        # widget with a style sheet, as this box, is not always told of its window's palette.
        dark = is_dark(self.window().palette())
        if dark != self._dark:
            self._dark = dark
            for line in self._lines:
                line.recolour()
        super().paintEvent(event)

    def rows(self) -> list[CheckRow]:
        return list(self._rows)

    def row(self, key: str) -> CheckRow | None:
        return next((r for r in self._rows if r.key == key), None)

    def set_rows(self, rows: list[CheckRow]) -> None:
        self._rows = list(rows)
        self._pending = []
        self._render()

    def set_pending(self, labels: list[str]) -> None:
        """Show spinner rows (e.g. "Checking the security group…") until `set_rows`."""
        self._pending = list(labels)
        self._render()

    def update_row(self, row: CheckRow) -> None:
        self._rows = [row if r.key == row.key else r for r in self._rows]
        if all(r.key != row.key for r in self._rows):
            self._rows.append(row)
        self._render()

    def required_ok(self) -> bool:
        return not self._pending and all(r.ok for r in self._rows if r.required)

    def failing(self) -> list[CheckRow]:
        return [r for r in self._rows if r.required and not r.ok]

    def first_failing_widget(self) -> QWidget | None:
        """The text of the first failing row on screen (what the page scrolls to)."""
        if self._pending:
            return None
        shown = [(line.text, line.row) for line in self._lines if line.row is not None]
        return next((text for text, row in shown if row.required and not row.ok), None)

    def _line(self, index: int) -> _Line:
        while len(self._lines) <= index:
            self._lines.append(_Line(self._grid, len(self._lines), self.fix_requested.emit))
        return self._lines[index]

    def _render(self) -> None:
        # Showing a widget in a visible window lays out at once every layout up to the window,
        # so the lines change while the box is hidden: the window is laid out once, as it shows.
        self.hide()
        self.setVisible(self._show_lines() > 0)
        if self._pending:
            self._timer.start()
        else:
            self._timer.stop()

    def _show_lines(self) -> int:
        index = 0
        if self._pending:
            # While a check runs its old answers are stale: only the spinners show.
            for text in self._pending:
                self._line(index).show(_SPINNER[self._frame], "pending", escape(text), None)
                index += 1
        else:
            for row in self._rows:
                if row.ok and not row.warning:
                    icon, state = "✔", "ok"
                elif row.ok:
                    icon, state = "⚠", "warning"
                else:
                    icon, state = ("✖", "failed") if row.required else ("⚠", "warning")
                html = f"<b>{escape(self._redactor(row.label))}</b>"
                if row.reason:
                    html += f"<br>{escape(self._redactor(row.reason))}"
                self._line(index).show(icon, state, html, row)
                index += 1
        for line in self._lines[index:]:
            line.hide()
        return index

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(_SPINNER)
        for line in self._lines[: len(self._pending)]:
            line.mark.setText(_SPINNER[self._frame])
