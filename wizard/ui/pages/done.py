"""Page 9: what exists now, what to do with the hostname the platform sends, and an export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from wizard.checks import CheckRow
from wizard.model import SourceKind
from wizard.ui.pages.base import BasePage
from wizard.ui.widgets.copy_field import CopyField
from wizard.ui.widgets.created_list import CreatedList
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
        self.body.addWidget(self.created_title)
        self.body.addWidget(self.created)
        self.body.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.redactor.changed.connect(self._render)
        self._follow_ups: list[CheckRow] = []
        self.setFinalPage(True)

    def initializePage(self) -> None:
        super().initializePage()
        self._follow_ups = []
        self._render()
        self.refresh()

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
        owner = principal_account(self.state.principal) or self.state.consumer.account_id
        port = self.state.link.record.port if self.state.link is not None else 0
        self.hostnames.show_connections(connections, port, owner, self.redactor)

    def summary_text(self) -> str:
        link: Any = self.state.link
        if link is None:
            return ""
        record = link.record
        lines = [
            f"PrivateLink link '{record.name}' — account {record.account_id}, region {record.region}",
            f"Data source: {record.source_kind} {record.source_id}, port {record.port}",
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
        if source.kind is SourceKind.EC2_INSTANCE:
            hint = (
                f"In {consumer}, set up the connection with an <b>SSH tunnel</b>: the SSH host is "
                f"the endpoint hostname {consumer} sends you, SSH port {record.port}; the "
                "database host and port are the ones the tunnel server itself uses to reach the "
                "database."
            )
        else:
            hint = (
                f"In {consumer}, create the connection with the <b>endpoint hostname</b> they send "
                f"you (it ends in <code>vpce.amazonaws.com</code>) as the host and port "
                f"{record.port}, with your usual database user."
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

    def page_ready(self) -> bool:
        return True
