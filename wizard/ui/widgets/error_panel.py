"""An inline panel for a UserError: what happened, why, what to do (never a traceback)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from wizard.ui.redact import Redactor
from wizard.ui.widgets.checklist import _html


class ErrorPanel(QFrame):
    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._redactor = redactor
        self._error: Any = None
        self._label = QLabel()
        self._label.setObjectName("errorText")
        self._label.setWordWrap(True)
        self._label.setTextFormat(Qt.TextFormat.RichText)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        redactor.changed.connect(self._render)
        self.setVisible(False)

    def show_error(self, error: Any) -> None:
        """`error` is a UserError (what / why / fix / permission / step)."""
        self._error = error
        self._render()

    def clear(self) -> None:
        self._error = None
        self._render()

    def error(self) -> Any:
        return self._error

    def text(self) -> str:
        """The plain paragraph shown (what tests and screen readers get)."""
        return self._redactor(self._error.paragraph()) if self._error is not None else ""

    def _render(self) -> None:
        err = self._error
        if err is None:
            self._label.clear()
            self.setVisible(False)
            return
        what = f"{err.step}: {err.what}" if err.step else err.what
        parts = [f"<b>{_html(self._redactor(what))}</b>"]
        if err.why:
            parts.append(f"<b>Why:</b> {_html(self._redactor(err.why))}")
        if err.fix:
            parts.append(f"<b>What to do:</b> {_html(self._redactor(err.fix))}")
        self._label.setText("<br>".join(parts))
        self._label.setAccessibleDescription(self.text())
        self.setVisible(True)
