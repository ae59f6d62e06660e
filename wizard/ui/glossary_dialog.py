"""The glossary window, and where a help link leads (the glossary here, documentation in the
browser)."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from wizard.ui.glossary import GLOSSARY, GLOSSARY_LINK, glossary_html


class GlossaryDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("glossary")
        self.setWindowTitle("Glossary")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.browser.setHtml(glossary_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.fontMetrics().height() * 32)

    def terms(self) -> list[str]:
        return [term for term, _ in GLOSSARY]


def show_glossary(parent: QWidget | None = None) -> GlossaryDialog:
    """Open (or raise) the glossary; non-modal, so it can stay open beside the wizard."""
    window = parent.window() if parent is not None else None
    existing = window.findChild(GlossaryDialog) if window is not None else None
    dialog = existing if isinstance(existing, GlossaryDialog) else GlossaryDialog(window)
    dialog.show()
    dialog.raise_()
    return dialog


def open_help_link(url: str, parent: QWidget | None = None) -> None:
    """A link in a help box: the glossary opens in the app, documentation in the browser."""
    if url == GLOSSARY_LINK:
        show_glossary(parent)
    else:
        QDesktopServices.openUrl(QUrl(url))
