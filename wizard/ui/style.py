"""The app's look: the style sheets in resources/styles/, each set on the widget it styles.

Not one sheet on the window: a sheet there routes the polish, sizing and painting of every
widget (menus, fields, buttons, the log) through Qt's style-sheet style, and each widget given a
sheet parses all of it. Small sheets on the few styled widgets style the window in about half the
work.
"""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from functools import cache
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from wizard.paths import resource

W = TypeVar("W", bound=QWidget)


@cache
def style_sheet(name: str) -> str:
    """resources/styles/`name`.qss ("" if it is missing: the platform's plain look)."""
    try:
        return resource("styles", f"{name}.qss").read_text(encoding="utf-8")
    except OSError:  # missing or unreadable
        return ""


def styled(widget: W, name: str) -> W:
    """`widget`, with the style sheet `name` for it and its children."""
    widget.setStyleSheet(style_sheet(name))
    return widget
