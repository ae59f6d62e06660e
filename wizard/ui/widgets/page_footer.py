"""What stays below a page's scrolling part, in view at any window size (issue 18): the page's
action button, the action's progress and then its result, and why Next is off.

Part of the first window: no `Qt` namespace here (see wizard.ui.by_name)."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard.ui.by_name import top_aligned


class PageFooter(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.action_button = QPushButton()
        self.action_button.setObjectName("actionButton")
        self.action_button.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setVisible(False)
        self.blocked = QLabel()  # why Next is off (or what is still to do)
        self.blocked.setObjectName("nextBlocked")
        self.blocked.setWordWrap(True)
        self.blocked.setVisible(False)
        actions = QHBoxLayout()
        actions.addLayout(top_aligned(self.action_button))
        actions.addWidget(self.status, 1)
        actions.addStretch(0)  # the button keeps its size while there is no status beside it
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(actions)
        column.addWidget(self.blocked)

    def set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))  # no empty line

    def set_blocked(self, html: str) -> None:
        if html != self.blocked.text():
            self.blocked.setText(html)
        self.blocked.setVisible(bool(html))
