"""The activity log: each AWS call in plain words, its time and result, and the AWS CLI command
that does the same (a column, the tooltip, a Copy button and a right-click menu), exportable to a
redacted text or Markdown file."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard import APP_NAME, __version__, private_files
from wizard.ui.by_name import set_by_name
from wizard.ui.redact import Redactor
from wizard.ui.style import styled

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from wizard.aws.activity import ActivityEvent, ActivityLog


def result_text(event: ActivityEvent) -> str:
    result = event.result
    if event.attempts > 1:
        result += f" after {event.attempts} tries"
    return result


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
    FITTED_COLUMNS = (0, 1, 2)  # widened to fit their text; the command column takes the rest

    TITLE = "Activity log — what the wizard did in AWS"

    report_requested = Signal()  # the "Diagnostics report…" button; the window writes it
    hide_requested = Signal()  # the "Hide" button; the window's View menu shows it again

    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._redactor = redactor
        self._events: list[ActivityEvent] = []
        self.title = QLabel(self.TITLE)
        self.title.setObjectName("logTitle")
        styled(self.title, "log-title")
        self.hide_button = QPushButton("Hide")
        self.hide_button.setObjectName("hideLog")
        self.hide_button.setToolTip("Hide the activity log (View ▸ Activity log, Ctrl+L, shows it).")
        self.hide_button.clicked.connect(self.hide_requested.emit)
        self.tree = QTreeWidget()
        self.tree.setObjectName("activityTree")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setAccessibleName("Activity log")
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in self.FITTED_COLUMNS:
            header.resizeSection(column, header.sectionSizeHint(column))
        self.copy_button = QPushButton("Copy AWS CLI &command")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.tree.currentItemChanged.connect(
            lambda item, _prev: self.copy_button.setEnabled(item is not None)
        )
        set_by_name(self.tree, contextMenuPolicy="CustomContextMenu")
        self.tree.customContextMenuRequested.connect(self._show_menu)
        self.export_button = QPushButton("&Export…")
        self.export_button.setObjectName("exportLog")
        self.export_button.setToolTip(
            "Save the log as a text or Markdown file (secret keys are always removed; account "
            "ids too in presenter mode)."
        )
        self.export_button.clicked.connect(self.export_dialog)
        self.report_button = QPushButton("&Diagnostics report…")
        self.report_button.setObjectName("diagnosticsReport")
        self.report_button.setToolTip(
            "Write a report for support: app version, the link's live state, checks and this log."
        )
        self.report_button.clicked.connect(self.report_requested.emit)
        self.notice = QLabel()
        self.notice.setObjectName("logNotice")
        buttons = QHBoxLayout()
        buttons.addWidget(self.notice, 1)
        buttons.addWidget(self.report_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.copy_button)
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        heading.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(heading)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        redactor.changed.connect(self._rerender)

    def events(self) -> list[ActivityEvent]:
        return list(self._events)

    def add_event(self, event: ActivityEvent) -> None:
        self._events.append(event)
        item = self._item(event)
        self.tree.addTopLevelItem(item)
        self._fit_columns(item)
        self.tree.scrollToBottom()

    def _fit_columns(self, item: QTreeWidgetItem) -> None:
        """Widen a column when the new line's text needs it. (Qt's fit-to-contents mode measured
        every line again at each new one, a cost that grew with the log, on the window's
        thread.)"""
        header = self.tree.header()
        metrics = self.tree.fontMetrics()
        margin = 2 * metrics.averageCharWidth()  # the cell's padding, as Qt's fitting leaves
        for column in self.FITTED_COLUMNS:
            needed = metrics.horizontalAdvance(item.text(column)) + margin
            if needed > header.sectionSize(column):
                header.resizeSection(column, needed)

    def _item(self, event: ActivityEvent) -> QTreeWidgetItem:
        cli = self._redactor(event.cli)
        item = QTreeWidgetItem(
            [f"{event.time:%H:%M:%S}", self._redactor(event.summary), result_text(event), cli]
        )
        for column in range(len(self.COLUMNS)):
            item.setToolTip(column, cli)
        return item

    def _rerender(self) -> None:
        events, self._events = self._events, []
        self.tree.clear()
        for event in events:
            self.add_event(event)

    def _selected_event(self) -> ActivityEvent | None:
        item = self.tree.currentItem()
        # One line per event, in order.
        return None if item is None else self._events[self.tree.indexOfTopLevelItem(item)]

    def selected_command(self) -> str:
        event = self._selected_event()
        # The copied command is redacted too: it is often pasted into a shared chat.
        return "" if event is None else self._redactor(event.cli)

    def copy_selected(self) -> None:
        command = self.selected_command()
        if command:
            QGuiApplication.clipboard().setText(command)
            self.notice.setText("Command copied.")

    # --- right-click menu -------------------------------------------------------------------
    def context_menu(self, item: QTreeWidgetItem | None) -> QMenu:
        """The menu for `item` (built apart from showing it, so tests can trigger its actions)."""
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        if item is not None:
            self.tree.setCurrentItem(item)
            copy = menu.addAction("&Copy command")
            copy.setObjectName("copyCommand")
            copy.triggered.connect(self.copy_selected)
            line = menu.addAction("Copy &line")
            line.setObjectName("copyLine")
            line.triggered.connect(self._copy_line)
            menu.addSeparator()
        export = menu.addAction("&Export the log…")
        export.triggered.connect(self.export_dialog)
        return menu

    def _show_menu(self, pos: QPoint) -> None:
        menu = self.context_menu(self.tree.itemAt(pos))
        menu.exec(self.tree.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _copy_line(self) -> None:
        event = self._selected_event()
        if event is not None:
            QGuiApplication.clipboard().setText(self._redactor(f"{event.line()}\n$ {event.cli}"))

    # --- export -----------------------------------------------------------------------------
    def export_text(self, markdown: bool = False) -> str:
        """The whole log, redacted as on screen (secrets always, account ids in presenter mode)."""
        stamp = f"{datetime.now():%Y-%m-%d %H:%M:%S}"
        if markdown:
            lines = [f"# {APP_NAME} activity log", "", f"{APP_NAME} {__version__}, exported {stamp}.", ""]
            for e in self._events:
                lines.append(f"- **{e.time:%H:%M:%S}** {e.summary} — {result_text(e)}  ")
                lines.append(f"  `{e.cli}`")
        else:
            lines = [f"{APP_NAME} {__version__} — activity log, exported {stamp}", ""]
            for e in self._events:
                lines.append(f"{e.time:%Y-%m-%d %H:%M:%S}  {e.summary} — {result_text(e)}")
                lines.append(f"    $ {e.cli}")
        if not self._events:
            lines.append("(no AWS calls yet)")
        return self._redactor("\n".join(lines) + "\n")

    def export(self, path: str | Path) -> Path:
        """Write the log to `path`: Markdown for .md, plain text otherwise."""
        target = Path(path)
        private_files.write_text(target, self.export_text(markdown=target.suffix.lower() == ".md"))
        self.notice.setText(self._redactor(f"Saved to {target}"))
        return target

    def export_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export the activity log",
            "privatelink-wizard-activity.txt",
            "Text (*.txt);;Markdown (*.md)",
        )
        if path:
            try:
                self.export(path)
            except OSError as exc:
                self.notice.setText(f"Could not save {path}: {exc.strerror or exc}. Choose another folder.")
