"""The live checklist: one row per precondition, ✔ / ✖ / spinner with the reason, Fix buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QPushButton, QWidget

from wizard.model import CheckRow
from wizard.ui.redact import Redactor

_SPINNER = "◐◓◑◒"


class Checklist(QGroupBox):
    """Rows come from `CheckRow`s; `set_pending` shows spinners while a check runs."""

    fix_requested = Signal(object)  # the CheckRow whose Fix button was pressed

    def __init__(self, redactor: Redactor, title: str = "Checks", parent: QWidget | None = None):
        super().__init__(title, parent)
        self.setObjectName("checklist")
        self._redactor = redactor
        self._rows: list[CheckRow] = []
        self._pending: list[str] = []
        self._frame = 0
        self._spin_labels: list[QLabel] = []
        self._grid = QGridLayout(self)
        self._grid.setColumnStretch(1, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self._spin)
        redactor.changed.connect(self._render)
        self.setVisible(False)

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

    def _clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()  # at once: deleteLater() only runs on the next event-loop turn
                widget.deleteLater()
        self._spin_labels = []

    def _render(self) -> None:
        self._clear()
        line = 0
        for row in self._rows:
            if row.ok and not row.warning:
                icon, name = "✔", "ok"
            elif row.ok:
                icon, name = "⚠", "warning"
            else:
                icon, name = ("✖", "failed") if row.required else ("⚠", "warning")
            mark = QLabel(icon)
            mark.setObjectName(f"check-{name}")
            mark.setAccessibleName(name)
            mark.setAlignment(Qt.AlignmentFlag.AlignTop)
            text = f"<b>{_html(self._redactor(row.label))}</b>"
            if row.reason:
                text += f"<br>{_html(self._redactor(row.reason))}"
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setObjectName(f"row-{row.key}")
            self._grid.addWidget(mark, line, 0)
            self._grid.addWidget(label, line, 1)
            if row.fix and not row.ok:
                button = QPushButton("&Fix…")
                button.setObjectName(f"fix-{row.key}")
                button.setToolTip(row.fix)
                button.clicked.connect(lambda _=False, r=row: self.fix_requested.emit(r))
                self._grid.addWidget(button, line, 2, Qt.AlignmentFlag.AlignTop)
            line += 1
        for text in self._pending:
            mark = QLabel(_SPINNER[self._frame])
            mark.setObjectName("check-pending")
            self._spin_labels.append(mark)
            label = QLabel(text)
            label.setWordWrap(True)
            self._grid.addWidget(mark, line, 0)
            self._grid.addWidget(label, line, 1)
            line += 1
        self.setVisible(line > 0)
        if self._pending:
            self._timer.start()
        else:
            self._timer.stop()

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(_SPINNER)
        for label in self._spin_labels:
            label.setText(_SPINNER[self._frame])


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
