"""Page 3: the internal network load balancer in the database's network."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLineEdit, QListWidget, QListWidgetItem

from wizard.checks import CheckRow
from wizard.ui.pages.step_page import StepPage
from wizard.ui.worker import tasks
from wizard.validators import is_valid, validate_link_name

SUBNET_ROWS_SHOWN = 8


class NlbPage(StepPage):
    STEP_ID = "nlb"
    TITLE = "Load balancer"
    ACTION_TEXT = "&Create the load balancer"
    PENDING = "Checking the network and looking for an earlier load balancer…"
    EXPLANATION = (
        "An internal network load balancer is the front door the platform's private connection "
        "arrives at; it forwards each connection to your database. It is internal: it has no "
        "address on the internet. It gets a security group of its own, which your database's "
        "firewall will allow; that group does not filter the platform's PrivateLink traffic. "
        "Choose one subnet per availability zone (the recommended ones are ticked); the checks "
        "below say which zones it leaves out and why. The name is also the name of this link."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._subnets_for = ""  # the VPC whose subnets the list shows
        self.name = QLineEdit()
        self.name.setObjectName("linkName")
        self.subnets = QListWidget()
        self.subnets.setObjectName("subnets")
        self.subnets.setAccessibleName("Subnets for the load balancer")
        self.subnets.setMinimumHeight(self.fontMetrics().height() * 5)
        self.cross_zone = QCheckBox("Spread connections across all zones (cross-&zone)")
        self.cross_zone.setObjectName("crossZone")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Link &name:", self.name)
        form.addRow("&Subnets:", self.subnets)
        form.addRow("", self.cross_zone)
        self.body.addLayout(form)
        self.name.textChanged.connect(self.schedule_refresh)
        self.subnets.itemChanged.connect(self.schedule_refresh)
        self.cross_zone.toggled.connect(self.schedule_refresh)

    def initializePage(self) -> None:
        state = self.state
        assert state.source is not None
        self.name.blockSignals(True)
        self.name.setText(state.link_name)
        self.name.blockSignals(False)
        self.cross_zone.blockSignals(True)
        self.cross_zone.setChecked(state.cross_zone)
        self.cross_zone.blockSignals(False)
        if self._subnets_for != state.source.vpc_id:
            self._load_subnets()
        else:
            super().initializePage()

    def _load_subnets(self) -> None:
        state = self.state
        assert state.source is not None
        self._initialized = True
        self._hook_back_button()
        self.run_check(
            tasks.network_choice,
            state.aws,
            state.source,
            state.link_name,
            pending=["Reading the subnets of the database's network…"],
            on_done=self._subnets_ready,
        )

    def _subnets_ready(self, choice: Any) -> None:
        assert self.state.source is not None
        self._subnets_for = self.state.source.vpc_id
        chosen = set(self.state.subnet_ids or choice.recommended)
        if choice.existing_nlb is not None:
            chosen = set(choice.existing_nlb.subnet_ids)
        self.subnets.blockSignals(True)
        self.subnets.clear()
        for subnet in choice.subnets:
            note = " (recommended)" if subnet.subnet_id in choice.recommended else ""
            if subnet.problem:
                note = f" — cannot be used: {subnet.problem}"
            item = QListWidgetItem(
                f"{subnet.subnet_id} — {subnet.availability_zone} ({subnet.availability_zone_id}), "
                f"{subnet.cidr_block}{note}"
            )
            item.setData(Qt.ItemDataRole.UserRole, subnet.subnet_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = subnet.subnet_id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.subnets.addItem(item)
        self.subnets.blockSignals(False)
        self._fit_subnets()
        StepPage.initializePage(self)

    def _fit_subnets(self) -> None:
        """As tall as its subnets (a few more scroll): the checks and preview below stay near."""
        rows = min(max(self.subnets.count(), 3), SUBNET_ROWS_SHOWN)
        row_height = self.subnets.sizeHintForRow(0) if self.subnets.count() else self.fontMetrics().height()
        self.subnets.setFixedHeight(row_height * rows + 2 * self.subnets.frameWidth() + 2)

    def chosen_subnets(self) -> tuple[str, ...]:
        return tuple(
            str(self.subnets.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.subnets.count())
            if self.subnets.item(i).checkState() == Qt.CheckState.Checked
        )

    def store_inputs(self) -> None:
        self.state.link_name = self.name.text().strip()
        self.state.subnet_ids = self.chosen_subnets()
        self.state.cross_zone = self.cross_zone.isChecked()

    def input_rows(self) -> list[CheckRow]:
        problem = is_valid(validate_link_name, self.name.text())
        rows = [CheckRow("name", not problem, "Link name", reason=problem)]
        if not self.chosen_subnets():
            rows.append(CheckRow("subnets", False, "Subnets", reason="Tick at least one subnet."))
        return rows

    def after_evaluate(self) -> None:
        # Once built, the load balancer's name and subnets are settled: editing them would
        # describe a different link.
        settled = self.done
        self.name.setReadOnly(settled)
        self.subnets.setEnabled(not settled)
        self.cross_zone.setEnabled(not settled)
