"""Yes/no questions in a message box. QMessageBox is imported when a question is asked: its
Python types are not needed to show the first page."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def ask_yes_no(parent: QWidget, title: str, text: str, default_yes: bool = False) -> bool:
    from PySide6.QtWidgets import QMessageBox

    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, yes | no, yes if default_yes else no) == yes
