"""Page 4: the target group (where the load balancer forwards), its checks, and target health."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFormLayout, QLabel, QSpinBox

from wizard.model import CheckRow
from wizard.ui.pages.step_page import StepPage
from wizard.ui.worker import engine

HEALTH_POLL_MS = 3000

ATTRIBUTES_TEXT = (
    "<b>Settings that stay off</b> (the platform needs a plain TCP connection):<br>"
    "• Proxy protocol v2 — off: the database would see an unexpected header and drop the "
    "connection.<br>"
    "• Preserve client IP — off: with it on, replies would not find their way back through "
    "PrivateLink.<br>"
    "• Stickiness — off: there is one database behind it, nothing to stick to."
)


class TargetGroupPage(StepPage):
    STEP_ID = "target_group"
    TITLE = "Target group"
    ACTION_TEXT = "&Create the target group and listener"
    PENDING = "Checking the database's firewall and settings…"
    EXPLANATION = (
        "The target group tells the load balancer where to forward connections: your database's "
        "private address on its port. The checks below make sure the database's firewall "
        "(security group) lets the load balancer in, and, for MySQL, that the database accepts "
        "connections from addresses it cannot name. After creating, the wizard waits until the "
        "load balancer reports the database as healthy."
    )

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.port = QSpinBox()
        self.port.setObjectName("port")
        self.port.setRange(1, 65535)
        self.port.valueChanged.connect(self.schedule_refresh)
        self.attributes = QLabel(ATTRIBUTES_TEXT)
        self.attributes.setWordWrap(True)
        self.targets = QLabel()
        self.targets.setObjectName("targets")
        self.targets.setWordWrap(True)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow("Database &port:", self.port)
        self.body.addLayout(form)
        self.body.addWidget(self.attributes)
        self.body.addWidget(self.targets)
        self._health: list[Any] = []
        self._health_timer = QTimer(self)
        self._health_timer.setSingleShot(True)
        self._health_timer.setInterval(HEALTH_POLL_MS)
        self._health_timer.timeout.connect(self._poll_health)

    def initializePage(self) -> None:
        source = self.state.source
        assert source is not None
        self.port.blockSignals(True)
        self.port.setValue(self.state.port or source.port or 22)
        self.port.blockSignals(False)
        self._health = []
        kind = "the server itself" if source.target_type == "instance" else "its private IP addresses"
        self.targets.setText(f"<b>Targets:</b> {source.kind.label} {source.id}, through {kind}.")
        super().initializePage()

    def cleanupPage(self) -> None:
        self._health_timer.stop()
        super().cleanupPage()

    def store_inputs(self) -> None:
        self.state.port = self.port.value()

    def after_evaluate(self) -> None:
        self.port.setReadOnly(self.done)
        if self.done:
            self._show_health()
            if not self._health_timer.isActive() and not self._healthy():
                self._health_timer.start(0 if not self._health else HEALTH_POLL_MS)

    def _poll_health(self) -> None:
        wizard = self.wizard()
        if self.state.link is None or wizard is None or wizard.currentPage() is not self:
            return
        self.runner.run(engine("target_health"), self.state.link, on_done=self._health_ready, owner=self)

    def _health_ready(self, health: list[Any]) -> None:
        self._health = list(health)
        self._show_health()
        self.completeChanged.emit()
        if not self._healthy():
            self._health_timer.start(HEALTH_POLL_MS)

    def _healthy(self) -> bool:
        return bool(self._health) and all(t.state == "healthy" for t in self._health)

    def _show_health(self) -> None:
        if not self._health:
            row = CheckRow("health", False, "Target health", reason="Asking the load balancer…")
        elif self._healthy():
            targets = ", ".join(t.target_id for t in self._health)
            row = CheckRow("health", True, "The database is healthy", reason=f"Targets: {targets}")
        else:
            details = "; ".join(
                f"{t.target_id}: {t.state}" + (f" ({t.description or t.reason})" if t.reason else "")
                for t in self._health
            )
            row = CheckRow(
                "health",
                False,
                "Waiting for the database to be healthy",
                reason=f"{details}. New targets take a minute or two; checking every few seconds.",
            )
        self.checklist.update_row(row)

    def page_ready(self) -> bool:
        return self.done and self._healthy()
