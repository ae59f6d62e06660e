"""Qt enum settings (and shortcuts) by name, for the modules that build the first window.

The first use of PySide6's `Qt` namespace (even importing the name) makes PySide build Python
enums for all of its ~100 enum types, a large share of a bare QWizard's start-up (figures:
benchmarks/README.md). Qt's property system converts an enum value's name itself, so the window and the first
page set their few enum properties by name and their shortcuts as text (a `QKeySequence` made in
Python needs `Qt` too). Where a setting is not a property, as a layout item's alignment,
`top_aligned` does without it. Pages built later use `Qt` as usual.
`tests/ui/test_startup_path.py` checks that the first paint makes no `Qt`.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget


def set_by_name(target: QObject, **properties: str) -> None:
    """Set each Qt property from text Qt converts itself: an enum value (or `A|B` flags) by its
    name, a key sequence as written (`set_by_name(label, textFormat="RichText")`,
    `set_by_name(action, shortcut="Ctrl+L")`). A name Qt does not know is an error, not a
    silent default."""
    for name, value in properties.items():
        if not target.setProperty(name, value):
            raise ValueError(f"{type(target).__name__}.{name} cannot be set to {value!r}")


def top_aligned(widget: QWidget) -> QVBoxLayout:
    """`widget` at the top of its layout cell, beside text that may wrap: a stretch below it
    does what `Qt.AlignmentFlag.AlignTop` would."""
    column = QVBoxLayout()
    column.addWidget(widget)
    column.addStretch(1)
    return column
