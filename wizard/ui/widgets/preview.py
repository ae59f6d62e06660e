"""What a step will create, reuse or change, shown before the user presses Create."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from wizard.ui.by_name import set_by_name
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.style import styled

_VERBS = {
    "create": "Will create",
    "reuse": "Will reuse",
    "change": "Will change",
    "remove": "Will remove",
    "cost": "Will cost",
}


class PreviewBox(QGroupBox):
    """Rows from `wizard.steps.PreviewItem` (action, what, detail)."""

    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__("What this step will do", parent)
        styled(self, "group-box")
        self.setObjectName("preview")
        self._redactor = redactor
        self._items: list[Any] = []
        self._label = QLabel()
        self._label.setWordWrap(True)
        set_by_name(self._label, textFormat="RichText", textInteractionFlags="TextSelectableByMouse")
        layout = QVBoxLayout(self)
        layout.addWidget(self._label)
        redactor.changed.connect(self._render)
        self.setVisible(False)

    def set_items(self, items: list[Any]) -> None:
        self._items = list(items)
        self._render()

    def items(self) -> list[Any]:
        return list(self._items)

    def text(self) -> str:
        return self._label.text()

    def _render(self) -> None:
        lines = []
        for item in self._items:
            verb = _VERBS.get(item.action, item.action.capitalize())
            line = f"<b>{verb}:</b> {escape(self._redactor(item.what))}"
            if item.detail:
                line += f"<br>&nbsp;&nbsp;&nbsp;{escape(self._redactor(item.detail))}"
            lines.append(line)
        self._label.setText("<br>".join(lines))
        self.setVisible(bool(lines))
