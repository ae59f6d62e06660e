"""The activity log: each AWS call in plain words, its time and result, and the AWS CLI command
that does the same (a column, the tooltip, and a Copy button)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.aws.activity import ActivityEvent, ActivityLog
from wizard.ui.redact import Redactor


class ActivityBridge(QObject):
    """Subscribes to the engine's ActivityLog. Its callback runs on worker threads, so it only
    emits a signal; Qt delivers it on the GUI thread."""

    arrived = Signal(object)

    def __init__(self, log: ActivityLog, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = log.subscribe(self.arrived.emit)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None


class ActivityView(QWidget):
    COLUMNS = ("Time", "What the wizard did", "Result", "AWS CLI equivalent")

    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._redactor = redactor
        self._events: list[ActivityEvent] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("activityTree")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setAccessibleName("Activity log")
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in (0, 1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.copy_button = QPushButton("Copy AWS CLI &command")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.tree.currentItemChanged.connect(
            lambda item, _prev: self.copy_button.setEnabled(item is not None)
        )
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        redactor.changed.connect(self._rerender)

    def events(self) -> list[ActivityEvent]:
        return list(self._events)

    def add_event(self, event: ActivityEvent) -> None:
        self._events.append(event)
        self.tree.addTopLevelItem(self._item(event))
        self.tree.scrollToBottom()

    def _item(self, event: ActivityEvent) -> QTreeWidgetItem:
        result = "done" if event.ok else f"failed ({event.error_code})"
        if event.attempts > 1:
            result += f" after {event.attempts} tries"
        cli = self._redactor(event.cli)
        item = QTreeWidgetItem([f"{event.time:%H:%M:%S}", self._redactor(event.summary), result, cli])
        for column in range(len(self.COLUMNS)):
            item.setToolTip(column, cli)
        item.setData(0, Qt.ItemDataRole.UserRole, len(self._events) - 1)
        return item

    def _rerender(self) -> None:
        events, self._events = self._events, []
        self.tree.clear()
        for event in events:
            self.add_event(event)

    def selected_command(self) -> str:
        item = self.tree.currentItem()
        if item is None:
            return ""
        # The copied command is redacted too: it is often pasted into a shared chat.
        return self._redactor(self._events[int(item.data(0, Qt.ItemDataRole.UserRole))].cli)

    def copy_selected(self) -> None:
        command = self.selected_command()
        if command:
            QGuiApplication.clipboard().setText(command)
