"""A link's databases as a table (database, kind, the port the platform uses, the database's own
port, health) with "Add a database…" and "Remove this database…": on the home screen (the
selected link's) and on the Done page. The window decides what the buttons do."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.ui.colours import tone
from wizard.ui.database_words import DatabaseRow, health, health_text, row_of

COLUMNS = ("Database", "Kind", "Platform's port", "Database port", "Health")
KINDS = {
    "rds-instance": "RDS database",
    "aurora-cluster": "Aurora cluster",
    "multi-az-cluster": "Multi-AZ DB cluster",
    "rds-proxy": "RDS Proxy",
    "ec2-instance": "EC2 server",
}
_TONES = {"ok": "ok", "warning": "warning", "problem": "failed"}


class DatabaseList(QWidget):
    """Rows from the engine's databases (see database_words.row_of); `set_databases(None, text)`
    says why there are none to show (reading, not read)."""

    add_requested = Signal()
    remove_requested = Signal(object)  # the DatabaseOnLink to remove

    def __init__(self, max_rows: int = 0, parent: QWidget | None = None) -> None:
        """`max_rows`: 0 = as tall as its rows (the page scrolls); else at most that many rows."""
        super().__init__(parent)
        self._max_rows = max_rows
        self.databases: list[DatabaseRow] = []
        self.tree = QTreeWidget()
        self.tree.setObjectName("databases")
        self.tree.setAccessibleName("Databases on this link")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Health"), QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.note = QLabel()
        self.note.setObjectName("databasesNote")
        self.note.setWordWrap(True)
        self.add_button = QPushButton("Add a database to this &link…")
        self.add_button.setObjectName("addDatabase")
        self.add_button.clicked.connect(self.add_requested.emit)
        self.remove_button = QPushButton("Remove &this database…")
        self.remove_button.setObjectName("removeDatabase")
        self.remove_button.clicked.connect(self._remove)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.note, 1)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tree)
        column.addLayout(buttons)
        self._enabled = True
        self.set_databases([])

    def set_databases(self, databases: list[Any] | None, note: str = "") -> None:
        """The link's databases (None: not known, `note` says why)."""
        chosen = self.selected()
        self.databases = [row_of(d) for d in databases or []]
        self.tree.clear()
        for database in self.databases:
            item = QTreeWidgetItem(
                [
                    database.source_id,
                    KINDS.get(database.source_kind, database.source_kind or "—"),
                    str(database.listener_port or "none"),
                    str(database.port or "—"),
                    health_text(database),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, database.source_id)
            if database.target_group_name:
                item.setToolTip(0, f"Target group {database.target_group_name}")
            item.setForeground(4, tone(_TONES[health(database)[0]], self))
            self.tree.addTopLevelItem(item)
            if chosen is not None and chosen.source_id == database.source_id:
                self.tree.setCurrentItem(item)
        first = self.tree.topLevelItem(0)
        if first is not None and self.tree.currentItem() is None:
            self.tree.setCurrentItem(first)
        self.note.setText(note)
        self._fit_height()
        self._selection_changed()

    def selected(self) -> Any:
        item = self.tree.currentItem()
        source_id = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return next((d for d in self.databases if d.source_id == source_id), None)

    def select(self, source_id: str) -> None:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == source_id:
                self.tree.setCurrentItem(item)
                return
        raise KeyError(source_id)

    def set_actions_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.add_button.setEnabled(self._enabled)
        only = len(self.databases) <= 1
        self.remove_button.setEnabled(self._enabled and self.selected() is not None and not only)
        self.remove_button.setToolTip(
            "A link's only database goes with the link: remove the whole link instead."
            if only
            else "Delete this database's listener and target group (asks first)."
        )

    def _remove(self) -> None:
        database = self.selected()
        if database is not None:
            self.remove_requested.emit(database)

    def _fit_height(self) -> None:
        """As tall as its rows (at most `max_rows`, then it scrolls)."""
        rows = max(self.tree.topLevelItemCount(), 1)
        if self._max_rows:
            rows = min(rows, self._max_rows)
        shown = self.tree.topLevelItemCount()
        row_height = self.tree.sizeHintForRow(0) if shown else self.fontMetrics().height()
        frame = self.tree.frameWidth() * 2
        header = self.tree.header().sizeHint().height()
        self.tree.setFixedHeight(header + row_height * rows + frame + 2)
