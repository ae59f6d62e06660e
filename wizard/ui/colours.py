"""The few colours the app sets itself (check marks, tinted table rows), in two tones: one for
a light palette and one for a dark one, so each reads well on the background it is drawn on.
Everything else takes its colours from the palette."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

LIGHT = {
    "ok": "#17703a",
    "failed": "#b00020",
    "warning": "#855900",
    "pending": "#355c8c",
    "waiting-row": "#fff3c4",  # the platform's request, waiting for Accept
    "connected-row": "#e3f4e6",  # the platform's endpoint, connected
}
DARK = {
    "ok": "#6fcf8a",
    "failed": "#ff8a8a",
    "warning": "#f0c04a",
    "pending": "#9cc0ee",
    "waiting-row": "#5a4800",
    "connected-row": "#1f4d2c",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone(name: str, widget: QWidget) -> QColor:
    """The colour `name` for the palette of `widget`'s window (a style-sheeted widget's own
    palette may lag behind the desktop's switch to dark)."""
    return QColor((DARK if is_dark(widget.window().palette()) else LIGHT)[name])
