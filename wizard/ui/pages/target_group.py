"""Page 4: the target group (where the load balancer forwards), its checks, and target health."""

from __future__ import annotations

from enum import Enum
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QMessageBox, QSpinBox, QWidget

from wizard.checks import CheckRow
from wizard.ui.pages.step_page import StepPage
from wizard.ui.worker import tasks

HEALTH_POLL_MS = 3000
SKIP_NAME_RESOLVE = "skip-name-resolve"


class RebootChoice(Enum):
    CANCEL = "cancel"
    LATER = "later"  # apply the setting; the DBA reboots the database when it suits them
    NOW = "now"  # apply and reboot now: the only path that lets the wizard reboot


def reboot_question(database: str, change: str) -> str:
    return (
        f"{change}\n\n"
        "MySQL reads this setting only when it starts, so it takes effect after the database "
        f"restarts. Restarting (rebooting) {database} makes it unavailable for a few minutes: "
        "applications connected to it lose their connections and have to reconnect.\n\n"
        "• Apply now, reboot later myself: the setting is saved now; you reboot the database "
        "in a quiet moment (RDS console → Databases → Actions → Reboot). Until then MySQL keeps "
        "looking up host names, which is slower but works.\n"
        f"• Apply and reboot now: the wizard saves the setting and reboots {database} right away."
    )


def ask_reboot_choice(parent: QWidget, database: str, change: str) -> RebootChoice:
    """Ask how to apply a setting that needs a reboot. Only an explicit press of "Apply and
    reboot now" returns NOW; Escape, closing the box or Cancel change nothing."""
    box = QMessageBox(parent)
    box.setObjectName("rebootQuestion")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Change a database setting that needs a reboot")
    box.setText(f"Turn on skip_name_resolve for {database}?")
    box.setInformativeText(reboot_question(database, change))
    later = box.addButton("Apply now, reboot &later myself", QMessageBox.ButtonRole.AcceptRole)
    later.setObjectName("rebootLater")
    now = box.addButton("Apply and &reboot now", QMessageBox.ButtonRole.DestructiveRole)
    now.setObjectName("rebootNow")
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    cancel.setObjectName("rebootCancel")
    box.setDefaultButton(later)  # Enter takes the choice without downtime
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is now:
        return RebootChoice.NOW
    if clicked is later:
        return RebootChoice.LATER
    return RebootChoice.CANCEL


# One line (a checkbox does not wrap) that fits a laptop window; the tooltip says the rest.
SYNC_TEXT = "&Keep the link up after a failover: deploy the target sync (an AWS Lambda; effectively free)"
SYNC_TIP = (
    "RDS gives the database a new address after a failover or maintenance, and Aurora moves its "
    "writer: the target sync points the load balancer at the current one, every 5 minutes and on "
    "the database's RDS events. Its role may change only this link's target group. It runs "
    "about 8,760 times a month, within AWS Lambda's free tier. Teardown removes it."
)

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
        "(security group) lets the load balancer in (by the load balancer's own security "
        "group), and, for MySQL, that the database accepts connections from addresses it cannot "
        "name and does not block the load balancer after its health checks. After creating, the "
        "load balancer checks the database's health (a few minutes for a new link); you can go on "
        "meanwhile."
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
        # Issue 17: the target sync, offered by default for a database reached by IP.
        self.sync = QCheckBox(SYNC_TEXT)
        self.sync.setObjectName("targetSync")
        self.sync.setToolTip(SYNC_TIP)
        self.sync.setChecked(True)
        self.sync.toggled.connect(self.schedule_refresh)
        self.body.addWidget(self.sync)
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
        self.sync.blockSignals(True)
        self.sync.setChecked(self.state.target_sync)
        self.sync.blockSignals(False)
        self.sync.setVisible(source.target_type == "ip")  # a server keeps its instance id
        super().initializePage()

    def cleanupPage(self) -> None:
        self._health_timer.stop()
        super().cleanupPage()

    def store_inputs(self) -> None:
        self.state.port = self.port.value()
        self.state.target_sync = self.sync.isChecked()

    def after_evaluate(self) -> None:
        # Made with the step; to remove it later: setup --no-sync (its preview says so).
        self.sync.setEnabled(not self.done)
        # The port stays editable once done: another port re-opens the step, whose preview says
        # what the re-run removes (the old port's listener, target group and firewall rule).
        if self.done:
            self._show_health()
            if not self._health_timer.isActive() and not self._healthy():
                self._health_timer.start(0 if not self._health else HEALTH_POLL_MS)

    def _poll_health(self) -> None:
        wizard = self.wizard()
        if self.state.link is None or wizard is None or wizard.currentPage() is not self:
            return
        self.runner.run(tasks.target_health, self.state.link, on_done=self._health_ready, owner=self)

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
        elif self._failing():
            details = "; ".join(f"{t.target_id}: {t.words}" for t in self._failing())
            row = CheckRow(
                "health",
                False,
                "The load balancer cannot reach the database",
                reason=f"{details}. Checking again every few seconds.",
            )
        else:
            # AWS checks a new target for a while (and only once the load balancer is active):
            # the next steps can go on meanwhile; link health shows the outcome.
            details = "; ".join(f"{t.target_id}: {t.words}" for t in self._health)
            row = CheckRow(
                "health",
                True,
                "Health checks are under way",
                warning=True,
                required=False,
                reason=f"{details}. You can go on; checking again every few seconds.",
            )
        self.checklist.update_row(row)

    def _failing(self) -> list[Any]:
        return [t for t in self._health if t.state == "unhealthy"]

    def page_ready(self) -> bool:
        # The first answer is in and no target fails its checks (starting ones may go on).
        return self.done and bool(self._health) and not self._failing()

    # --- skip_name_resolve: never reboot the database without an explicit choice ---------------
    def confirm_fix(self, row: CheckRow) -> None:
        if row.key != SKIP_NAME_RESOLVE:
            super().confirm_fix(row)
            return
        source = self.state.source
        database = source.id if source is not None else "the database"
        choice = ask_reboot_choice(self, database, row.fix)
        if choice is not RebootChoice.CANCEL:
            self.apply_param_fix(row, allow_reboot=choice is RebootChoice.NOW)

    def apply_param_fix(self, row: CheckRow, allow_reboot: bool) -> None:
        if self.view is None:
            return
        database = self.state.source.id if self.state.source is not None else "the database"
        self.run_engine(
            tasks.fix_check,
            self.STEP_ID,
            self.view.link,
            row.key,
            allow_reboot,
            on_done=self._fixed,
            busy_text=(
                f"Setting skip_name_resolve and rebooting {database} (a few minutes)…"
                if allow_reboot
                else "Setting skip_name_resolve (no reboot)…"
            ),
        )
