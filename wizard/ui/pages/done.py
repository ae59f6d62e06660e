"""Page 9: what exists now (the link's databases, each with its port and health, with Add a
database and Remove; what the wizard created), what to do with the hostname the platform sends,
and an export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton

from wizard.checks import CheckRow
from wizard.model import SourceKind
from wizard.ui import terraform_export
from wizard.ui.database_actions import ask_remove, open_add_dialog, removed_words
from wizard.ui.database_words import ports_words
from wizard.ui.pages.base import BasePage
from wizard.ui.rich_text import escape
from wizard.ui.widgets.copy_field import CopyField
from wizard.ui.widgets.created_list import CreatedList
from wizard.ui.widgets.database_list import DatabaseList
from wizard.ui.widgets.hostname_rows import HostnameRows
from wizard.ui.worker import tasks
from wizard.validators import principal_account

KIND_NAMES = {
    "nlb": "Load balancer",
    "security-group": "Load balancer's security group",
    "target-group": "Target group",
    "listener": "Listener",
    "endpoint-service": "Endpoint service",
    "security-group-rule": "Security group rule",
    "db-parameter-group": "Database parameter group",
    "alert-topic": "Alert topic (SNS)",
    "alert-subscription": "Alert e-mail subscription",
    "connection-notification": "Connection notification",
    "alarm": "Health alarm (CloudWatch)",
}


class DonePage(BasePage):
    TITLE = "Done"
    EXPLANATION = (
        "Your database is reachable by the platform over a private connection. Below is "
        "everything the wizard created (all tagged ManagedBy=privatelink-wizard, so "
        "`privatelink-wizard teardown` can remove exactly these), and what to do next."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.service = CopyField(self.redactor, "Copy the service &name", large=False)
        self.service.setObjectName("serviceName")
        self.databases_title = QLabel("<b>Databases on this link:</b>")
        self.databases = DatabaseList()
        self.databases.add_requested.connect(self.add_database)
        self.databases.remove_requested.connect(self.remove_database)
        self.add_dialog: Any = None  # the Add a database dialog, while open
        self._databases_read = 0  # a newer read makes an older one's answer stale
        self._connections: list[Any] = []  # the platform's endpoints, as last read
        self.created_title = QLabel("<b>Created:</b>")
        self.created = CreatedList(self.redactor)
        self.created.setObjectName("created")
        self.next_steps = QLabel()
        self.next_steps.setObjectName("nextSteps")
        self.next_steps.setWordWrap(True)
        self.next_steps.setTextFormat(Qt.TextFormat.RichText)
        self.export_button = QPushButton("&Export summary…")
        self.export_button.clicked.connect(self.export)
        self.hostnames = HostnameRows()  # the platform's endpoint's DNS names, once connected
        self.body.addWidget(self.hostnames)
        self.body.addWidget(self.next_steps)
        self.body.addWidget(self.service)
        self.body.addWidget(self.databases_title)
        self.body.addWidget(self.databases)
        self.body.addWidget(self.created_title)
        self.body.addWidget(self.created)
        self.terraform_button = QPushButton(terraform_export.BUTTON_TEXT)
        self.terraform_button.setObjectName("exportTerraform")
        self.terraform_button.setToolTip(terraform_export.TOOLTIP)
        self.terraform_button.clicked.connect(self.export_terraform)
        exports = QHBoxLayout()
        exports.addWidget(self.export_button)
        exports.addWidget(self.terraform_button)
        exports.addStretch(1)
        self.body.addLayout(exports)
        self.redactor.changed.connect(self._render)
        self._follow_ups: list[CheckRow] = []
        self.setFinalPage(True)

    def initializePage(self) -> None:
        super().initializePage()
        self._follow_ups = []
        self._connections = []
        self.databases.set_databases(None, "Reading the link's databases…")
        self._render()
        self.refresh()
        self.read_databases()

    def refresh(self) -> None:
        """Read the link's checks again for what still waits for the DBA (a setting that takes
        effect at the database's next reboot): shown as a warning here, never as ✔."""
        state = self.state
        if state.link is None or state.aws is None or state.source is None:
            self._load_hostnames()
            return
        self.run_check(
            tasks.evaluate_step,
            "target_group",
            state.aws,
            state.plan(),
            state.account_id,
            on_done=self._checked,
            on_error=lambda _err: self._load_hostnames(),  # the summary stands; link health has the details
        )

    def _checked(self, view: Any) -> None:
        self._follow_ups = [
            CheckRow(r.key, True, r.label, reason=r.reason, fix=r.fix, warning=True, required=False)
            for r in view.rows
            if r.ok and r.warning and r.fix
        ]
        self._render()
        self._load_hostnames()

    def _load_hostnames(self) -> None:
        # After the checks: a newer check would make theirs stale.
        if self.state.link is not None:
            self.run_check(tasks.list_requests, self.state.link, on_done=self._show_hostnames)

    def _show_hostnames(self, connections: list[Any]) -> None:
        self._connections = list(connections)  # shown again when the databases change
        owner = principal_account(self.state.principal) or self.state.consumer.account_id
        record = self.state.link.record if self.state.link is not None else None
        port: int | str = record.port if record is not None else 0
        several = record.all_databases() if record is not None else []
        if len(several) > 1:  # each database on its own port
            port = ", ".join(f"{d.listener_port} for {d.source_id}" for d in several)
        elif several:  # (the one left after the first was removed keeps its own listener port)
            port = several[0].listener_port
        self.hostnames.show_connections(connections, port, owner, self.redactor)

    # --- the link's databases -----------------------------------------------------------------
    def read_databases(self) -> None:
        """The link's databases from AWS (ports, health) and its record as saved now: adding or
        removing one changes both."""
        link: Any = self.state.link
        if link is None or self.state.aws is None:
            return
        self._databases_read += 1
        generation = self._databases_read
        self.runner.run(
            tasks.databases_of_link,
            self.state.aws,
            self.state.account_id,
            link.record.name,
            on_done=lambda found: self._databases_found(generation, found),
            on_error=lambda _err: self.databases.set_databases(None, "Could not read the link's databases."),
            owner=self,
        )

    def _databases_found(self, generation: int, found: Any) -> None:
        link: Any = self.state.link
        if generation != self._databases_read or link is None:
            return
        if found.record is not None and found.record.name == link.record.name:
            link.record = found.record
        self.databases.set_databases(found.databases)
        self.databases.set_actions_enabled(not self.busy)
        self._render()
        if self._connections:
            self._show_hostnames(self._connections)

    def add_database(self) -> None:
        link: Any = self.state.link
        if link is None or self.busy:
            return
        self.add_dialog = open_add_dialog(
            self, self.state, self.runner, self.redactor, link.record.name, lambda *_: self.read_databases()
        )

    def remove_database(self, database: Any) -> None:
        link: Any = self.state.link
        if link is None or self.busy:
            return
        name = link.record.name
        others = [d for d in self.databases.databases if d.source_id != database.source_id]
        if ask_remove(self, self.redactor, name, database, others):
            self.run_engine(
                tasks.remove_database,
                self.state.aws,
                self.state.account_id,
                name,
                database.source_id,
                busy_text=f"Removing {database.source_id} from {name}…",
                on_progress=self.set_status,
                on_done=lambda removed: self._database_removed(name, database.source_id, removed),
            )

    def _database_removed(self, name: str, source_id: str, removed: list[str]) -> None:
        self.set_status(removed_words(source_id, name, removed))
        self.read_databases()

    def _set_busy(self, delta: int) -> None:
        super()._set_busy(delta)
        self.databases.set_actions_enabled(not self.busy)

    def summary_text(self) -> str:
        link: Any = self.state.link
        if link is None:
            return ""
        record = link.record
        lines = [
            f"PrivateLink link '{record.name}' — account {record.account_id}, region {record.region}",
            f"Data source: {record.source_kind} {record.source_id}, port {record.port}",
            *(
                f"Added database: {d.source_kind} {d.source_id}, port {d.port}, "
                f"platform's port {d.listener_port}"
                for d in record.all_databases()[1:]
            ),
            f"Service name: {record.service_name}",
            f"Availability zone IDs: {', '.join(record.az_ids)}",
            *[f"Also offered in {r} (cross-region)" for r in record.consumer_regions],
            f"Allowed principal: {record.principal}",
            f"Accepted endpoints: {', '.join(record.accepted_endpoint_ids) or 'none yet'}",
            f"Load balancer DNS name: {record.nlb_dns_name}",
            "",
            "Created:",
        ]
        lines += [f"  {KIND_NAMES.get(r.kind, r.kind)}: {r.id} ({r.created_at})" for r in record.created]
        return "\n".join(lines)

    def _render(self) -> None:
        link: Any = self.state.link
        if link is None:
            return
        record = link.record
        self.service.set_value(record.service_name)
        self.created.set_record(record)
        consumer = self.state.consumer.display_name
        source = link.plan.source
        several = record.all_databases()
        if source.kind is SourceKind.EC2_INSTANCE:
            hint = (
                f"In {consumer}, set up the connection with an <b>SSH tunnel</b>: the SSH host is "
                f"the endpoint hostname {consumer} sends you, SSH port {record.port}; the "
                "database host and port are the ones the tunnel server itself uses to reach the "
                "database."
            )
        else:
            port = f"port {several[0].listener_port if several else record.port}"
            if len(several) > 1:
                port = escape(ports_words(several))
            hint = (
                f"In {consumer}, create the connection with the <b>endpoint hostname</b> they send "
                f"you (it ends in <code>vpce.amazonaws.com</code>) as the host and {port}, with "
                "your usual database user."
            )
            if source.is_mysql_family:
                hint += (
                    " MySQL sees the load balancer's private addresses as the client: that "
                    "user's host grant must cover them."
                )
        if record.consumer_regions:
            regions = ", ".join(record.consumer_regions)
            hint += (
                f" {consumer} connects from <b>{regions}</b> (cross-region): the message to them "
                f"says so; traffic between {record.region} and {regions} is billed as inter-region "
                "data transfer."
            )
        self.next_steps.setText(f"<b>What to do next:</b> {hint}")
        accepted = CheckRow("accepted", bool(record.accepted_endpoint_ids), "Connection accepted")
        self.checklist.set_rows([accepted, *self._follow_ups])

    def export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export the summary",
            f"{self.state.link_name or 'privatelink'}-summary.txt",
            "Text (*.txt)",
        )
        if path:
            Path(path).write_text(self.summary_text() + "\n", encoding="utf-8")
            self.set_status(f"Saved to {path}")

    def export_terraform(self) -> None:
        """The link as Terraform files, in a folder of the user's choice (written off the GUI
        thread: reading the link from AWS takes a few seconds)."""
        name = self.state.link_name
        if not name or self.state.aws is None:
            return
        folder = terraform_export.choose_folder(self, name)
        if folder is None:
            return
        self.run_engine(
            tasks.export_terraform,
            self.state.aws,
            self.state.account_id,
            name,
            folder,
            on_progress=self.set_status,
            on_done=lambda written: self.set_status(terraform_export.written_words(folder, written)),
            busy_text=f"Exporting {name} as Terraform…",
        )

    def page_ready(self) -> bool:
        return True
