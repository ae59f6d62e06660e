"""What the wizard created for a link, as a table: plain names first, ARNs on demand, copyable.

Sized to its rows (no scroll bar of its own), its columns to their text."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.ui.redact import Redactor
from wizard.ui.widgets.error_panel import short_name

COLUMNS = ("What", "Name", "ARN or id")
WHAT, NAME, ARN = range(len(COLUMNS))
# The record's resource kinds in a DBA's words.
KIND_PLAIN = {
    "nlb": "Load balancer",
    "security-group": "Load balancer's security group",
    "target-group": "Target group",
    "listener": "Listener (the load balancer's port)",
    "endpoint-service": "Endpoint service",
    "security-group-rule": "Firewall rule on the database",
    "db-parameter-group": "Database parameter group",
    "alert-topic": "Alert topic (SNS)",
    "alert-subscription": "Alert e-mail subscription",
    "connection-notification": "Connection notification (alerts)",
    "alarm": "Health alarm (CloudWatch)",
}
# EC2 ids by prefix -> the resource type in their ARN (arn:partition:ec2:region:account:type/id).
EC2_TYPES = (
    ("vpce-svc-", "vpc-endpoint-service"),
    ("sgr-", "security-group-rule"),
    ("sg-", "security-group"),
)


def partition(record: Any) -> str:
    """The ARN partition of the record's region (aws, aws-cn, aws-us-gov)."""
    if record.nlb_arn.startswith("arn:"):
        return str(record.nlb_arn.split(":")[1])
    if record.region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if record.region.startswith("us-gov-") else "aws"


def arn_of(kind: str, resource_id: str, record: Any) -> str:
    """The resource's ARN (ids of EC2 and RDS resources made into one), else its id."""
    if resource_id.startswith("arn:"):
        return resource_id
    where = f"{partition(record)}:{{service}}:{record.region}:{record.account_id}"
    if kind == "db-parameter-group":
        return f"arn:{where.format(service='rds')}:pg:{resource_id}"
    if kind == "sync-log-group":  # the target sync's log, recorded by its name
        return f"arn:{where.format(service='logs')}:log-group:{resource_id}"
    for prefix, ec2_type in EC2_TYPES:
        if resource_id.startswith(prefix) and record.account_id:
            return f"arn:{where.format(service='ec2')}:{ec2_type}/{resource_id}"
    return resource_id


def plain_name(kind: str, resource: Any, record: Any) -> str:
    """A name a DBA recognises: the load balancer's name, "port 5432 on plw-orders", …"""
    if kind == "listener" and record.port:
        # Each database of the link has its own listener: its port, and whose it is.
        database = next((d for d in record.all_databases() if d.listener_arn == resource.id), None)
        if database is not None and database.source_id != record.source_id:
            return f"port {database.listener_port} {short_name(resource.id)} ({database.source_id})"
        return f"port {record.port} {short_name(resource.id)}"
    if kind.startswith("sync-"):  # the target sync's function, role, rules: their names
        return str(resource.id).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if kind == "security-group-rule" and resource.port:
        return f"{resource.id}: port {resource.port} from {resource.source or 'the load balancer'}"
    return short_name(resource.id)


class CreatedList(QWidget):
    """The link's created resources; "Show ARNs and ids" adds the third column."""

    def __init__(self, redactor: Redactor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._redactor = redactor
        self._record: Any = None
        self.tree = QTreeWidget()
        self.tree.setObjectName("createdResources")
        self.tree.setAccessibleName("Resources the wizard created")
        self.tree.setRootIsDecorated(False)
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHAT, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(ARN, QHeaderView.ResizeMode.Stretch)
        self.tree.setColumnHidden(ARN, True)
        self.show_arns = QCheckBox("Show &ARNs and ids")
        self.show_arns.setObjectName("showArns")
        self.show_arns.toggled.connect(self._show_arns)
        self.copy_button = QPushButton("C&opy the selected ARN")
        self.copy_button.setObjectName("copyArn")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(self.copy_selected)
        self.tree.itemSelectionChanged.connect(self._selected)
        self.tree.itemDoubleClicked.connect(lambda *_: self.copy_selected())
        QShortcut(QKeySequence.StandardKey.Copy, self.tree, self.copy_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_arns)
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.tree)
        column.addLayout(buttons)
        redactor.changed.connect(self._render)

    def set_record(self, record: Any) -> None:
        self._record = record
        self._render()

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, plain name, ARN) of every row, unredacted."""
        record = self._record
        if record is None:
            return []
        return [
            (
                KIND_PLAIN.get(r.kind, r.kind.replace("-", " ").capitalize()),
                plain_name(r.kind, r, record),
                arn_of(r.kind, r.id, record),
            )
            for r in record.created
        ]

    def _render(self) -> None:
        self.tree.clear()
        for what, name, arn in self.rows():
            item = QTreeWidgetItem([what, self._redactor(name), self._redactor(arn)])
            item.setData(ARN, Qt.ItemDataRole.UserRole, arn)
            item.setToolTip(NAME, self._redactor(arn))
            item.setToolTip(ARN, self._redactor(arn))
            self.tree.addTopLevelItem(item)
        if not self.tree.topLevelItemCount():
            self.tree.addTopLevelItem(
                QTreeWidgetItem(["Nothing new", "everything already existed and was reused", ""])
            )
        self._fit_height()
        self._selected()

    def _fit_height(self) -> None:
        """As tall as its rows: the page scrolls, not the table."""
        rows = self.tree.topLevelItemCount()
        row_height = self.tree.sizeHintForRow(0) if rows else self.fontMetrics().height()
        frame = self.tree.frameWidth() * 2
        header = self.tree.header().sizeHint().height()
        scroll_bar = self.tree.horizontalScrollBar().sizeHint().height()
        self.tree.setFixedHeight(header + row_height * max(rows, 1) + frame + scroll_bar // 2)

    def _show_arns(self, on: bool) -> None:
        self.tree.setColumnHidden(ARN, not on)
        header = self.tree.header()
        header.setSectionResizeMode(
            NAME, QHeaderView.ResizeMode.ResizeToContents if on else QHeaderView.ResizeMode.Stretch
        )

    def _selected(self) -> None:
        item = self.tree.currentItem()
        self.copy_button.setEnabled(item is not None and bool(item.data(ARN, Qt.ItemDataRole.UserRole)))
        self.copy_button.setText("C&opy the selected ARN")

    def copy_selected(self) -> None:
        item = self.tree.currentItem()
        arn = item.data(ARN, Qt.ItemDataRole.UserRole) if item is not None else ""
        if arn:
            QGuiApplication.clipboard().setText(str(arn))  # the real value, even in presenter mode
            self.copy_button.setText("Copied ✔")
