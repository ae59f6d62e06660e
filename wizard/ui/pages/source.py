"""Page 2: choose the database (or SSH-tunnel host) the platform should reach."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
)

from wizard.checks import CheckRow
from wizard.model import DataSource
from wizard.ui.pages.base import BasePage
from wizard.ui.worker import tasks
from wizard.validators import default_link_name

COLUMNS = ("Kind", "Name", "Engine", "Port", "Network (VPC)", "Status")


class SourcePage(BasePage):
    TITLE = "Choose the database"
    EXPLANATION = (
        "These are the databases and servers the wizard found in this region. Pick the one the "
        "platform should read from. For a database behind an SSH tunnel, pick the tunnel's EC2 "
        "server. Nothing is changed on this page."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._sources: list[DataSource] = []
        self.filter = QLineEdit()
        self.filter.setObjectName("filter")
        self.filter.setPlaceholderText("Filter by name, engine or VPC")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        filter_label = QLabel("&Filter:")
        filter_label.setBuddy(self.filter)
        self.reload_button = QPushButton("&Look again")
        self.reload_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(filter_label)
        top.addWidget(self.filter, 1)
        top.addWidget(self.reload_button)
        self.table = QTreeWidget()
        self.table.setObjectName("sources")
        self.table.setAccessibleName("Databases and servers")
        self.table.setRootIsDecorated(False)
        self.table.setHeaderLabels(list(COLUMNS))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setMinimumHeight(self.fontMetrics().height() * 9)
        # Every column as wide as its text, the name takes what is left: Status stays in view.
        header = self.table.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMNS.index("Name"), QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.itemSelectionChanged.connect(self._selected)
        self.target_text = QLabel()
        self.target_text.setObjectName("targetText")
        self.target_text.setWordWrap(True)
        self.body.addLayout(top)
        self.body.addWidget(self.table)
        self.body.addWidget(self.target_text)
        self.setTabOrder(self.filter, self.reload_button)
        self.setTabOrder(self.reload_button, self.table)

    def initializePage(self) -> None:
        super().initializePage()
        self.refresh()

    def refresh(self) -> None:
        if self.state.aws is None:
            return
        self.run_check(
            tasks.discover,
            self.state.aws,
            pending=["Looking for databases and servers…"],
            on_done=self._found,
            on_error=lambda err: self.checklist.set_rows(
                [CheckRow("sources", False, "Could not list databases", reason=err.what)]
            ),
        )

    def _found(self, found: Any) -> None:
        self._sources = list(found.sources)
        previous = self.state.source.id if self.state.source else ""
        self.table.clear()
        for source in self._sources:
            item = QTreeWidgetItem(
                [
                    source.kind.label,
                    source.id + (f" ({source.name})" if source.name else ""),
                    source.engine or "—",
                    str(source.port) if source.port else "you choose",
                    source.vpc_id,
                    source.status,
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, source.id)
            self.table.addTopLevelItem(item)
            if source.id == previous:
                self.table.setCurrentItem(item)
        rows: list[CheckRow] = []
        region, account = self.state.region, self.state.account_id
        if self._sources:
            rows.append(CheckRow("sources", True, f"Found {len(self._sources)} databases and servers"))
        else:
            rows.append(
                CheckRow(
                    "sources",
                    False,
                    "No databases or servers found",
                    reason=(
                        f"Account {account} has no RDS databases, Aurora clusters, RDS Proxies or "
                        f"EC2 servers in region {region}. Go Back and choose the region your "
                        "database runs in, or sign in to the account that owns it."
                    ),
                )
            )
        if found.skipped:
            rows.append(
                CheckRow(
                    "skipped",
                    True,
                    "Some kinds could not be listed",
                    reason=f"Not available here: {', '.join(found.skipped)}.",
                    warning=True,
                    required=False,
                )
            )
        rows.append(self._choice_row())
        self.checklist.set_rows(rows)
        self._apply_filter()

    def _choice_row(self) -> CheckRow:
        chosen = self.state.source
        if chosen is None:
            return CheckRow("chosen", False, "Choose one from the list")
        return CheckRow("chosen", True, f"Chosen: {chosen.kind.label} {chosen.id}")

    def _apply_filter(self) -> None:
        words = self.filter.text().lower().split()
        for item in self._items():
            haystack = " ".join(item.text(c) for c in range(len(COLUMNS))).lower()
            item.setHidden(not all(w in haystack for w in words))

    def _selected(self) -> None:
        items = self.table.selectedItems()
        source_id = items[0].data(0, Qt.ItemDataRole.UserRole) if items else ""
        chosen = next((s for s in self._sources if s.id == source_id), None)
        if chosen is not None and chosen != self.state.source:
            # A different source is a different link: the later pages start from its defaults.
            self.state.source = chosen
            self.state.link = None
            self.state.link_name = default_link_name(chosen.id)
            self.state.port = chosen.port or 22
            self.state.subnet_ids = ()
        elif chosen is None:
            self.state.source = None
        self.target_text.setText(chosen.describe_target() if chosen else "")
        if self.checklist.rows():
            self.checklist.update_row(self._choice_row())
        self.completeChanged.emit()

    def select(self, source_id: str) -> None:
        """Select a source by id (keyboard users type in the filter; tests call this)."""
        for item in self._items():
            if item.data(0, Qt.ItemDataRole.UserRole) == source_id:
                self.table.setCurrentItem(item)
                return
        raise KeyError(source_id)

    def _items(self) -> list[QTreeWidgetItem]:
        found = (self.table.topLevelItem(i) for i in range(self.table.topLevelItemCount()))
        return [item for item in found if item is not None]

    def page_ready(self) -> bool:
        return self.state.source is not None
