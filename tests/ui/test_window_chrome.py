"""The window around the wizard: the activity log below it (shown, hidden, sized), the menus'
shortcuts and roles, and the by-name enum settings the first window uses instead of `Qt`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QScrollArea

from wizard.ui.by_name import set_by_name
from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId


def test_the_log_hides_from_its_button_and_returns_from_the_view_menu(
    open_window: Callable[..., MainWindow], qtbot: Any
) -> None:
    window = open_window(None)
    log = window.activity_view
    assert log.isVisible() and log.title.text().startswith("Activity log")
    assert window.splitter.orientation() == Qt.Orientation.Vertical
    # The step list and the wizard side by side above the log.
    top = window.splitter.widget(0)
    assert top is window.wizard_area and window.splitter.widget(1) is log
    assert top.isAncestorOf(window.wizard) and top.isAncestorOf(window.steps)
    # It starts as a strip below the wizard.
    assert log.height() < window.wizard.height() / 2

    qtbot.mouseClick(log.hide_button, Qt.MouseButton.LeftButton)
    assert not log.isVisible() and not window.log_action.isChecked()
    window.log_action.trigger()  # View ▸ Activity log (Ctrl+L)
    assert log.isVisible() and window.log_action.isChecked()

    window.set_log_height(300)
    qtbot.waitUntil(lambda: abs(log.height() - 300) <= 2)


def test_menu_shortcuts_and_roles_are_set_by_name(open_window: Callable[..., MainWindow]) -> None:
    window = open_window(None)
    shortcuts = {
        window.log_action: "Ctrl+L",
        window.presenter_action: "Ctrl+Shift+P",
        window.glossary_action: "F1",
        window.health_action: "Ctrl+Shift+H",
    }
    for action, keys in shortcuts.items():
        assert action.shortcut() == QKeySequence(keys), action.text()
    assert window.about_action.menuRole() == QAction.MenuRole.AboutRole
    assert window.report_action.shortcut().isEmpty()


def test_first_page_enum_settings_took_effect(open_window: Callable[..., MainWindow]) -> None:
    page = open_window(None).wizard.pages[PageId.CREDENTIALS]
    assert page.explanation.textFormat() == Qt.TextFormat.RichText
    scroll = page.findChild(QScrollArea)
    assert scroll is not None and scroll.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn


def test_set_by_name_sets_enums_and_flags_and_refuses_unknown_names(qtbot: Any) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    set_by_name(label, alignment="AlignTop|AlignRight", textFormat="PlainText")
    assert label.alignment() == Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight
    assert label.textFormat() == Qt.TextFormat.PlainText
    with pytest.raises(ValueError, match="textFormat cannot be set to 'Bold'"):
        set_by_name(label, textFormat="Bold")
    with pytest.raises(ValueError, match=r"QLabel\.alignmnet"):
        set_by_name(label, alignmnet="AlignTop")
