"""Large, selectable text with a Copy button (the service name, the message for the platform)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from wizard.ui.redact import Redactor
from wizard.ui.style import styled


class CopyField(QWidget):
    """Shows `text` (redacted in presenter mode) but always copies the real value."""

    def __init__(
        self,
        redactor: Redactor,
        button_text: str = "&Copy",
        large: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._redactor = redactor
        self._value = ""
        self.label = QLabel()
        self.label.setObjectName("copyFieldLarge" if large else "copyField")
        styled(self.label, "copy-field")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.button = QPushButton(button_text)
        self.button.clicked.connect(self.copy)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        redactor.changed.connect(self._render)

    def set_value(self, value: str) -> None:
        self._value = value
        self._render()

    def value(self) -> str:
        return self._value

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self._value)
        self.button.setText("Copied ✔")

    def _render(self) -> None:
        self.label.setText(self._redactor(self._value))
