"""Page 6: allow the platform's AWS principal to connect to the endpoint service."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLineEdit

from wizard.checks import CheckRow
from wizard.ui.pages.step_page import StepPage
from wizard.ui.widgets.alerts_box import AlertsBox
from wizard.ui.worker import tasks
from wizard.validators import is_valid, validate_principal


class AllowlistPage(StepPage):
    STEP_ID = "allowlist"
    TITLE = "Allow the platform"
    ACTION_TEXT = "&Allow the platform to connect"
    PENDING = "Checking the principal…"
    EXPLANATION = (
        "Only the AWS accounts on the endpoint service's allow-list can even see it. The "
        "platform's principal (its AWS account, written as an ARN) is filled in from its profile; "
        "change it only if the platform gave you a different one."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.principal = QLineEdit()
        self.principal.setObjectName("principal")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Platform &principal (ARN):", self.principal)
        self.body.addLayout(form)
        self._alerts_asked = ""
        self.alerts = AlertsBox()
        self.alerts.requested.connect(self.turn_on_alerts)
        self.body.addWidget(self.alerts)
        self.principal.textChanged.connect(self._typed)

    def initializePage(self) -> None:
        self.principal.blockSignals(True)
        self.principal.setText(self.state.principal or self.state.consumer.principal)
        self.principal.blockSignals(False)
        super().initializePage()

    def _typed(self) -> None:
        # The format check is instant (no AWS), so the message shows as you type.
        self.store_inputs()
        self.checklist.set_rows(self.input_rows())
        self._update_action()
        self.schedule_refresh()

    def store_inputs(self) -> None:
        self.state.principal = self.principal.text().strip()

    def input_rows(self) -> list[CheckRow]:
        problem = is_valid(validate_principal, self.principal.text())
        if problem:
            return [CheckRow("principal-format", False, "Platform principal", reason=problem)]
        consumer = self.state.consumer
        if self.principal.text().strip() != consumer.principal:
            return [
                CheckRow(
                    "principal-format",
                    True,
                    "Platform principal",
                    reason=f"Not {consumer.display_name}'s usual principal ({consumer.principal}).",
                    warning=True,
                )
            ]
        return [CheckRow("principal-format", True, f"{consumer.display_name}'s principal")]

    def after_apply(self) -> None:
        self.runner.run(
            tasks.allowed_principals,
            self.state.link,
            on_done=lambda found: self.set_status(
                "Read back from AWS — allowed: " + (", ".join(found) or "nobody")
            ),
            owner=self,
        )
        # Asked before pressing Allow: made once the page has the link as saved (after_evaluate),
        # so the record the window holds is the one the alerts are noted in.
        self._alerts_asked = self.alerts.email() if self.alerts.wanted() else ""

    def turn_on_alerts(self, email: str) -> None:
        """The same engine operation as `setup --notify` (steps.set_up_alerts, under the lock)."""
        self.run_engine(
            tasks.set_up_alerts,
            self.state.link,
            email,
            on_progress=self.set_status,
            on_done=lambda info: self.alerts.show_result(info.lines()),
            busy_text="Turning on the alerts…",
        )

    def after_evaluate(self) -> None:
        self.principal.setReadOnly(self.done)
        self.alerts.set_ready(self.done)
        email, self._alerts_asked = self._alerts_asked, ""
        if email and self.done:
            self.turn_on_alerts(email)
