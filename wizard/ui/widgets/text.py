"""Labels that word-wrap and re-apply the redaction filter when presenter mode flips."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from wizard.ui.redact import Redactor


class RedactedLabel(QLabel):
    """A wrapping, selectable label whose text always goes through the window's Redactor."""

    def __init__(
        self, redactor: Redactor, text: str = "", parent: QWidget | None = None, rich: bool = False
    ) -> None:
        super().__init__(parent)
        self._redactor = redactor
        self._raw = ""
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        redactor.changed.connect(self._render)
        self.set_raw(text)

    def set_raw(self, text: str) -> None:
        self._raw = text
        self._render()

    def raw(self) -> str:
        return self._raw

    def _render(self) -> None:
        self.setText(self._redactor(self._raw))
        self.setVisible(bool(self._raw))
