"""The databases a link's load balancer can reach, to pick one to add (the Add a database
dialog): those on a link already are listed with their link's name and cannot be picked, so the
DBA sees why they are not offered."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

COLUMNS = ("Kind", "Name", "Engine", "Port", "Status", "On a link")
MAX_ROWS = 6  # then it scrolls: the checks below stay near


class DatabaseChoice(QTreeWidget):
    chosen = Signal()  # the picked database changed (or none is picked)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("candidates")
        self.setAccessibleName("Databases the link's load balancer can reach")
        self.setRootIsDecorated(False)
        self.setHeaderLabels(list(COLUMNS))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Name"), QHeaderView.ResizeMode.Stretch)
        self.candidates: list[Any] = []  # wizard.ui.database_tasks.Candidate
        self.itemSelectionChanged.connect(self.chosen.emit)

    def set_candidates(self, candidates: list[Any]) -> int:
        """Show them (keeping the pick where it still can be); returns how many can be picked."""
        picked = self.source()
        self.candidates = list(candidates)
        self.clear()
        free = 0
        for candidate in self.candidates:
            source = candidate.source
            item = QTreeWidgetItem(
                [
                    source.kind.label,
                    source.id + (f" ({source.name})" if source.name else ""),
                    source.engine or "—",
                    str(source.port) if source.port else "you choose",
                    source.status,
                    candidate.on_link or "—",
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, source.id)
            if candidate.on_link:
                item.setFlags(item.flags() & ~(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled))
                item.setToolTip(
                    1, f"Already on the link '{candidate.on_link}': a database is on one link only."
                )
            else:
                free += 1
            self.addTopLevelItem(item)
            if picked is not None and source.id == picked.id and not candidate.on_link:
                self.setCurrentItem(item)
        self._fit_height()
        return free

    def source(self) -> Any:
        """The picked database (a DataSource), or None."""
        items = self.selectedItems()
        source_id = items[0].data(0, Qt.ItemDataRole.UserRole) if items else None
        return next((c.source for c in self.candidates if c.source.id == source_id), None)

    def select(self, source_id: str) -> None:
        """Pick a database by id (tests; keyboard users use the list). ValueError if it is on a
        link already, KeyError if it is not listed."""
        for index in range(self.topLevelItemCount()):
            item = self.topLevelItem(index)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == source_id:
                if not item.flags() & Qt.ItemFlag.ItemIsSelectable:
                    raise ValueError(f"{source_id} is on a link already")
                self.setCurrentItem(item)
                return
        raise KeyError(source_id)

    def _fit_height(self) -> None:
        rows = min(max(self.topLevelItemCount(), 2), MAX_ROWS)
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else self.fontMetrics().height()
        self.setFixedHeight(self.header().sizeHint().height() + row * rows + self.frameWidth() * 2 + 2)
