"""A page's "What is this?" box: the whole explanation with its AWS doc and glossary links, or,
on a short window, its first sentence and "More" (the page's inputs, checks and action first).
The user's More / Less wins over the window's size.

Part of the first window: no `Qt` namespace here (see wizard.ui.by_name)."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from wizard.ui.by_name import set_by_name
from wizard.ui.glossary import help_links_html
from wizard.ui.style import styled

MORE_LINK, LESS_LINK = "#more", "#less"


class Explanation(QLabel):
    """`text`: the explanation (plain sentences); `page_class` names its help links."""

    help_requested = Signal(str)  # a doc or glossary link was clicked

    def __init__(self, text: str, page_class: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        styled(self, "explanation")
        self.setObjectName("explanation")
        self.setWordWrap(True)
        set_by_name(self, textFormat="RichText")
        self._text = text
        self._links = help_links_html(page_class)
        self._chosen: bool | None = None  # opened (True) or closed by the user; None: not yet
        self._collapsed = False
        self.linkActivated.connect(self._clicked)
        self._show(collapsed=False)

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    def fit(self, short: bool) -> None:
        """The page is short (or not): shorten (or open) the box, unless the user chose."""
        if self._chosen is None and short != self._collapsed:
            self._show(collapsed=short)

    def _clicked(self, url: str) -> None:
        if url in (MORE_LINK, LESS_LINK):
            self._chosen = url == MORE_LINK
            self._show(collapsed=not self._chosen)
        else:
            self.help_requested.emit(url)

    def _show(self, collapsed: bool) -> None:
        self._collapsed = collapsed
        if collapsed:
            first = self._text.split(". ", 1)[0].rstrip(".")
            more = "…" if first != self._text.rstrip(".") else "."
            links = self._links.removeprefix("<br>")
            html = f'<b>What is this?</b> {first}{more} <a href="{MORE_LINK}">More</a> · {links}'
        else:
            less = f' · <a href="{LESS_LINK}">Less</a>' if self._chosen else ""
            html = f"<b>What is this?</b> {self._text}{self._links}{less}"
        self.setText(html)
