"""Link health: what is wrong with the chain, in plain words, with a Fix button where the wizard
can repair it and "Check again" to re-run every check (all on a worker; the engine decides)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from wizard.ui.ask import ask_yes_no
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.state import WizardState
from wizard.ui.widgets.error_panel import ErrorPanel
from wizard.ui.worker import Runner, tasks

if TYPE_CHECKING:
    from wizard.aws.errors import UserError
    from wizard.diagnostics import Finding, LinkStatus

DEMO_RECHECK_MS = 5000
_MARKS = {"problem": ("✖", "fail"), "warning": ("⚠", "warning"), "ok": ("✔", "ok")}


class HealthView(QWidget):
    """The findings of the current link (or of every link here when none is open yet)."""

    def __init__(
        self, state: WizardState, runner: Runner, redactor: Redactor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("healthView")
        self.state = state
        self.runner = runner
        self.redactor = redactor
        self.statuses: list[LinkStatus] = []
        self._busy = False
        self.summary = QLabel("Press Check again to check the link.")
        self.summary.setObjectName("healthSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.check_button = QPushButton("Check &again")
        self.check_button.setObjectName("checkAgain")
        self.check_button.clicked.connect(self.check)
        self.status = QLabel()
        self.status.setObjectName("healthStatus")
        self.status.setWordWrap(True)
        self.error_panel = ErrorPanel(redactor)

        self._inner = QWidget()
        self._grid = QGridLayout(self._inner)
        self._grid.setColumnStretch(1, 1)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._inner)

        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.check_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.error_panel)
        redactor.changed.connect(self._render)

    @property
    def busy(self) -> bool:
        return self._busy

    def link_name(self) -> str:
        link: Any = self.state.link
        return str(link.record.name) if link is not None else self.state.link_name

    # --- checking -------------------------------------------------------------------------------
    def check(self) -> None:
        """Re-run every check of the link on a worker."""
        if self._busy:
            return
        self.error_panel.clear()
        if self.state.aws is None or self.state.identity is None:
            self.statuses = []
            self._clear()
            self.summary.setText("<b>Not signed in.</b> Sign in on the first page, then press Check again.")
            return
        self._set_busy(True, "Checking the load balancer, target group, endpoint service and connections…")
        self.runner.run(
            tasks.link_health,
            self.state.aws,
            self.state.identity,
            self.link_name(),
            self.state.consumer,
            on_done=self._checked,
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _checked(self, statuses: list[LinkStatus]) -> None:
        self._set_busy(False, "")
        self.statuses = list(statuses)
        self._render()

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        self.check_button.setEnabled(not busy)
        for button in self._inner.findChildren(QPushButton):
            button.setEnabled(not busy)
        if text or not busy:
            self.status.setText(self.redactor(text))

    def show_error(self, error: UserError) -> None:
        """The window routes this view's worker errors here (see MainWindow._worker_failed)."""
        self.error_panel.show_error(error)

    # --- fixing ---------------------------------------------------------------------------------
    def fix(self, status: LinkStatus, finding: Finding) -> None:
        """Apply a finding's fix after the user agreed (it changes their AWS account)."""
        if self._busy or not finding.fix_key:
            return
        if not ask_yes_no(
            self,
            "Make this change?",
            self.redactor(
                f"{finding.title}\n\nThe wizard will make this change in your AWS account:\n\n"
                f"{finding.fix}\n\nMake the change now?"
            ),
        ):
            return
        self._set_busy(True, f"Fixing: {finding.title}…")
        self.runner.run(
            tasks.fix_finding,
            self.state.aws,
            status,
            finding.fix_key,
            self.state.consumer,
            on_done=self._fixed,
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _fixed(self, message: str) -> None:
        self._set_busy(False, "")
        self.check()
        # After check(): its "Checking…" would otherwise replace what the fix did.
        self.status.setText(self.redactor(message))

    # --- rendering ------------------------------------------------------------------------------
    def findings(self) -> list[Finding]:
        return [f for s in self.statuses for f in s.findings]

    def _clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _render(self) -> None:
        self._clear()
        if not self.statuses:
            if self.state.aws is not None:
                self.summary.setText(
                    "<b>No links found</b> in this account and region. Build one with the wizard."
                    if not self._busy
                    else self.summary.text()
                )
            return
        line = 0
        heads = []
        for s in self.statuses:
            verdict = "healthy" if s.healthy else "needs attention"
            heads.append(
                f"<b>Link '{escape(s.name)}'</b> in {escape(s.region)} (account "
                f"{escape(self.redactor(s.account_id))}): <b>{verdict}</b>"
            )
            for finding in s.findings:
                line = self._add_row(line, s, finding)
        self.summary.setText("<br>".join(heads))

    def _add_row(self, line: int, status: LinkStatus, finding: Finding) -> int:
        icon_text, name = _MARKS[finding.severity]
        icon = QLabel(icon_text)
        icon.setObjectName(f"icon-{name}")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = f"<b>{escape(self.redactor(finding.title))}</b>"
        if finding.why:
            text += f"<br><b>Why:</b> {escape(self.redactor(finding.why))}"
        if finding.fix:
            text += f"<br><b>Fix:</b> {escape(self.redactor(finding.fix))}"
        label = QLabel(text)
        label.setObjectName("finding")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._grid.addWidget(icon, line, 0)
        self._grid.addWidget(label, line, 1)
        # Shown now rather than on the next event-loop turn (Qt's default for a late child), so
        # the view is complete the moment the results arrive.
        icon.show()
        label.show()
        if finding.fix_key:
            button = QPushButton("&Fix")
            button.setObjectName(f"fix-{finding.fix_key}")
            button.setToolTip(self.redactor(finding.fix))
            button.setEnabled(not self._busy)
            button.clicked.connect(lambda _=False, s=status, f=finding: self.fix(s, f))
            self._grid.addWidget(button, line, 2, Qt.AlignmentFlag.AlignTop)
            button.show()
        return line + 1


class HealthDialog(QDialog):
    """Help → Link health…: the view in its own window, checked as it opens."""

    def __init__(
        self, state: WizardState, runner: Runner, redactor: Redactor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("healthDialog")
        self.setWindowTitle("Link health")
        self.view = HealthView(state, runner, redactor)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 110, self.fontMetrics().height() * 36)
        # The demo checks again on its own while the window is open, so a simulated failover
        # can be watched being repaired by the target sync with no click.
        self.watch = QTimer(self)
        self.watch.setInterval(DEMO_RECHECK_MS)
        self.watch.timeout.connect(self.view.check)
        self._demo = state.demo

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._demo:
            self.watch.start()

    def hideEvent(self, event: Any) -> None:
        self.watch.stop()
        super().hideEvent(event)
