"""Accessible names for a page's fields, from the labels beside them.

A screen reader reads a field by its accessible name. A form's label names its field only
through the label's buddy, which a field inside a container (a text box and its button) or a
row added without `&` lacks; this gives every such field its label's words, once, so pages
(and what other pages add later) need not repeat them.
"""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

FIELDS = (QLineEdit, QComboBox, QAbstractSpinBox, QAbstractItemView)


def plain_label(text: str) -> str:
    """ "Database &port:" -> "Database port"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip().rstrip(":").strip()


def name_fields(root: QWidget) -> None:
    """Name each unnamed field of `root` after the label that is its buddy, or beside it in a
    form layout."""
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if isinstance(buddy, FIELDS) and not buddy.accessibleName() and label.text():
            buddy.setAccessibleName(plain_label(label.text()))
    for form in root.findChildren(QFormLayout):
        for row in range(form.rowCount()):
            label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label_item is None or field_item is None:
                continue
            text_label = label_item.widget()
            field = field_item.widget()
            if not isinstance(text_label, QLabel) or field is None or not text_label.text():
                continue
            name = plain_label(text_label.text())
            fields = [field] if isinstance(field, FIELDS) else field.findChildren(QWidget)
            for widget in fields:
                if isinstance(widget, FIELDS) and not widget.accessibleName():
                    widget.setAccessibleName(name)
