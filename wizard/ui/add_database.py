"""Add a database to a link: pick one of the databases the link's load balancer can reach (those
on a link already are shown, and cannot be picked), its listener port (the engine's free port,
editable), the checks and what will be created, then Add with progress and the new message for
the platform. Every engine call runs on a worker (wizard.ui.database_tasks): the window never
waits on AWS."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from wizard.checks import CheckRow
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.state import WizardState
from wizard.ui.widgets.checklist import Checklist
from wizard.ui.widgets.copy_field import CopyField
from wizard.ui.widgets.database_choice import DatabaseChoice
from wizard.ui.widgets.error_panel import ErrorPanel
from wizard.ui.widgets.preview import PreviewBox
from wizard.ui.worker import Runner, tasks

if TYPE_CHECKING:
    from wizard.aws.errors import UserError

# The checks whose fix Add makes itself (wizard.steps.databases: it lets the load balancer
# through the database's firewall); the others' fixes are said as what to do.
ADD_FIXES = frozenset({"security-group"})
DEBOUNCE_MS = 400
MAX_PORT = 65535


class _CostItem:
    """A preview row (as wizard.steps.PreviewItem): what the new listener costs."""

    action = "cost"
    what = "No extra hourly charge"
    detail = (
        "A listener and a target group add no hourly charge: the database shares the link's load "
        "balancer and endpoint service, which you pay for once. Its traffic counts toward the "
        "load balancer's capacity units (NLCU), as the first database's does."
    )


def as_shown(row: CheckRow) -> CheckRow:
    """A plan's check as the dialog shows it: no Fix button (the fixes of a database not yet on
    the link are Add's, or the DBA's), the fix said in the row instead."""
    if not row.fix:
        return row
    if row.key in ADD_FIXES and not row.ok:
        reason = f"{row.reason} Add makes this change: {row.fix}".strip()
        return replace(row, reason=reason, fix="", required=False)
    return replace(row, reason=f"{row.reason} What to do: {row.fix}".strip(), fix="")


class AddDatabaseDialog(QDialog):
    """Opened with `open()` (window-modal, never blocking); `added` once the database is on."""

    added = Signal(str, object)  # link name, the engine's Added (database, message, databases)

    def __init__(
        self,
        state: WizardState,
        runner: Runner,
        redactor: Redactor,
        link_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addDatabaseDialog")
        self.setWindowTitle(f"Add a database to {link_name}")
        self.state = state
        self.runner = runner
        self.redactor = redactor
        self.link_name = link_name
        self.choices: Any = None  # database_tasks.AddChoices
        self.plan: Any = None  # the plan for the chosen database and port (None while planning)
        self.result: Any = None  # database_tasks.Added, once added
        self._busy = False  # adding, or reading the choices
        self._generation = 0  # a newer plan makes an older one's answer stale
        self._planning = False
        self._port_chosen = False  # the user typed a port: a new plan keeps it

        intro = QLabel(
            f"<b>Add a database to the link '{escape(link_name)}'.</b> It gets its own target group "
            "and a listener on its own port of the link's load balancer: the platform reaches it "
            "through the endpoint it already has, on that port. Nothing changes in AWS until you "
            "press Add."
        )
        intro.setObjectName("addIntro")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)

        self.table = DatabaseChoice()
        self.table.chosen.connect(self._chosen)
        self.found = QLabel()
        self.found.setObjectName("foundNote")
        self.found.setWordWrap(True)

        self.port = QSpinBox()
        self.port.setObjectName("listenerPort")
        self.port.setRange(1, MAX_PORT)
        self.port.setAccessibleName("Listener port")
        self.port.setEnabled(False)
        self.port.valueChanged.connect(self._port_edited)
        self.port_note = QLabel()
        self.port_note.setObjectName("portNote")
        self.port_note.setWordWrap(True)
        port_row = QHBoxLayout()
        port_row.addWidget(self.port)
        port_row.addWidget(self.port_note, 1)
        # An EC2 server's port is not known to AWS: the DBA says it (22 for an SSH tunnel).
        self.server_port = QSpinBox()
        self.server_port.setObjectName("serverPort")
        self.server_port.setRange(1, MAX_PORT)
        self.server_port.setValue(22)
        self.server_port.setAccessibleName("The server's port")
        self.server_port.valueChanged.connect(self._server_port_edited)
        self.form = form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        server_label = QLabel("The &server's port (22 for an SSH tunnel):")
        server_label.setBuddy(self.server_port)
        form.addRow(server_label, self.server_port)
        form.setRowVisible(0, False)
        port_label = QLabel("Listener &port (the platform uses it):")
        port_label.setBuddy(self.port)
        form.addRow(port_label, port_row)

        self.checklist = Checklist(redactor)
        self.preview = PreviewBox(redactor)
        self.preview.setTitle("What Add will do")
        self.error_panel = ErrorPanel(redactor)
        self.message_title = QLabel(
            "<b>Message for the platform</b> (it now lists every database with its port):"
        )
        self.message_title.setWordWrap(True)
        self.message = CopyField(redactor, "Copy &message for the platform", large=False)
        self.message.setObjectName("message")
        self.message_title.setVisible(False)
        self.message.setVisible(False)

        inner = QWidget()
        column = QVBoxLayout(inner)
        column.addWidget(intro)
        column.addWidget(self.table)
        column.addWidget(self.found)
        column.addLayout(form)
        column.addWidget(self.checklist)
        column.addWidget(self.preview)
        column.addWidget(self.error_panel)
        column.addWidget(self.message_title)
        column.addWidget(self.message)
        column.addStretch(1)
        self.scroller = QScrollArea()
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.scroller.setWidget(inner)

        # Below the scrolling part, in view at any size: progress, Add and Close.
        self.status = QLabel()
        self.status.setObjectName("addStatus")
        self.status.setWordWrap(True)
        self.add_button = QPushButton("&Add the database")
        self.add_button.setObjectName("addButton")
        self.add_button.setDefault(True)
        self.add_button.clicked.connect(self.add)
        self.close_button = QPushButton("&Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.reject)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        footer.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroller, 1)
        layout.addLayout(footer)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.replan)
        self._fit_to(parent)
        self._update_buttons()

    def _fit_to(self, parent: QWidget | None) -> None:
        """About 120 × 44 characters, never more than the window it opens over."""
        metrics = self.fontMetrics()
        width, height = metrics.averageCharWidth() * 120, metrics.height() * 44
        window = parent.window() if parent is not None else None
        if window is not None:
            width = min(width, window.width() - 32)
            height = min(height, window.height() - 32)
        self.resize(width, height)

    # --- state ------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy or self._planning

    def is_settled(self) -> bool:
        return not self.busy and not self._debounce.isActive()

    def ready(self) -> bool:
        """Add can be pressed: a plan for the chosen database and port, with no refusal. (A
        failing check does not stop it, as with `privatelink-wizard add`: the firewall is Add's
        to open, and the rows say what else to do.)"""
        plan = self.plan
        return (
            self.result is None
            and not self.busy
            and not self._debounce.isActive()
            and plan is not None
            and plan.refusal is None
            and plan.listener_port == self.port.value()
        )

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self.ready())
        self.table.setEnabled(not self._busy and self.result is None)
        editable = not self._busy and self.result is None and self._source() is not None
        self.port.setEnabled(editable)
        self.server_port.setEnabled(editable)

    def _set_status(self, text: str) -> None:
        self.status.setText(self.redactor(text))

    def show_error(self, error: UserError) -> None:
        """The window routes this dialog's worker errors here (see PrivateLinkWizard)."""
        self.error_panel.show_error(error)
        QTimer.singleShot(0, self, lambda: self.scroller.ensureWidgetVisible(self.error_panel))

    # --- the databases to choose from ---------------------------------------------------------
    def load(self) -> None:
        """Read the databases the link's load balancer can reach, and which links they are on."""
        if self._busy or self.state.aws is None:
            return
        self._busy = True
        self._set_status(f"Looking for databases in the network of {self.link_name}…")
        self._update_buttons()
        self.runner.run(
            tasks.add_choices,
            self.state.aws,
            self.state.account_id,
            self.link_name,
            on_done=self._loaded,
            on_error=lambda _err: self._done_busy(""),
            owner=self,
        )

    def _done_busy(self, text: str) -> None:
        self._busy = False
        self._set_status(text)
        self._update_buttons()

    def _loaded(self, choices: Any) -> None:
        self.choices = choices
        free = self.table.set_candidates(choices.candidates)
        total, network = len(choices.candidates), f"the link's network ({choices.vpc_id})"
        notes = [
            f"All {total} databases in {network} can be added."
            if free == total
            else f"{free} of the {total} databases in {network} can be added; the others are on a link."
        ]
        if choices.elsewhere:
            notes.append(
                f"{choices.elsewhere} more in other networks (VPCs) are not listed: the link's load "
                "balancer cannot reach them."
            )
        if choices.skipped:
            notes.append(f"Not available here: {', '.join(choices.skipped)}.")
        self.found.setText(self.redactor(" ".join(notes)))
        self._done_busy("" if free else "No database here can be added: each one is on a link already.")

    def _candidate(self) -> Any:
        return self.table.source()

    def _source(self) -> Any:
        """The chosen database; an EC2 server with the port the DBA gave."""
        source = self._candidate()
        if source is not None and not source.port:
            return replace(source, port=self.server_port.value())
        return source

    def select(self, source_id: str) -> None:
        """Choose a database by id (tests; keyboard users use the list)."""
        self.table.select(source_id)

    # --- planning: the port, the checks, the preview -------------------------------------------
    def _chosen(self) -> None:
        self._port_chosen = False  # a different database: the engine proposes its free port
        candidate = self._candidate()
        self.form.setRowVisible(0, candidate is not None and not candidate.port)
        self.replan()

    def _server_port_edited(self) -> None:
        if self._candidate() is not None:
            self._debounce.start()
            self._update_buttons()

    def _port_edited(self) -> None:
        if self._source() is None or self.plan is None:
            return
        if self.port.value() == self.plan.listener_port:
            self._debounce.stop()
            self._update_buttons()
            return
        self._port_chosen = True
        self._debounce.start()
        self._update_buttons()

    def replan(self) -> None:
        source = self._source()
        self.error_panel.clear()
        if source is None or self.result is not None:
            self.plan = None
            self.checklist.set_rows([])
            self.preview.set_items([])
            self._update_buttons()
            return
        self._generation += 1
        generation = self._generation
        self._planning = True
        self.plan = None
        self.checklist.set_pending([f"Checking {source.id} and the link's load balancer…"])
        self._update_buttons()
        self.runner.run(
            tasks.plan_add_database,
            self.state.aws,
            self.state.account_id,
            self.link_name,
            source,
            self.port.value() if self._port_chosen else None,
            on_done=lambda plan: self._planned(generation, plan),
            on_error=lambda _err: self._plan_failed(generation),
            owner=self,
        )

    def _plan_failed(self, generation: int) -> None:
        if generation == self._generation:
            self._planning = False
            self.checklist.set_pending([])
            self._update_buttons()

    def _planned(self, generation: int, plan: Any) -> None:
        if generation != self._generation:
            return
        self._planning = False
        self.plan = plan
        self.port.blockSignals(True)  # the engine's port: not the user's choice
        self.port.setValue(plan.listener_port)
        self.port.blockSignals(False)
        source = plan.source
        own = (
            f"{source.id} itself listens on {source.port}"
            if source.port
            else "choose the port your server uses"
        )
        if plan.refusal is None:
            proposed = "" if self._port_chosen else " (proposed)"
            free = f"Free on the load balancer of {self.link_name}{proposed}"
            note = f"{free}; {own}. The platform connects to this port."
        else:
            note = f"Not this port (see below); {own}."
        self.port_note.setText(self.redactor(note))
        self.checklist.set_rows([as_shown(row) for row in plan.checks])
        self.preview.set_items([*plan.preview, _CostItem()] if plan.refusal is None else [])
        if plan.refusal is not None:
            self.error_panel.show_error(plan.refusal)
        self._update_buttons()

    # --- adding -------------------------------------------------------------------------------
    def add(self) -> None:
        source = self._source()
        if not self.ready() or source is None:
            return
        self._busy = True
        self.error_panel.clear()
        self._set_status(f"Adding {source.id} to {self.link_name} on port {self.port.value()}…")
        self._update_buttons()
        self.runner.run(
            tasks.add_database,
            self.state.aws,
            self.state.account_id,
            self.link_name,
            source,
            self.state.consumer,
            self.port.value(),
            on_progress=self._set_status,
            on_done=self._added,
            on_error=lambda _err: self._done_busy(""),
            owner=self,
        )

    def _added(self, result: Any) -> None:
        self.result = result
        database = result.database
        self._done_busy(
            f"Added {database.source_id} to {self.link_name}: the platform reaches it on port "
            f"{database.listener_port}. Send them the message below."
        )
        if result.message:
            self.message.set_value(result.message)
            self.message_title.setVisible(True)
            self.message.setVisible(True)
            QTimer.singleShot(0, self, lambda: self.scroller.ensureWidgetVisible(self.message))
        self.add_button.setVisible(False)
        self.checklist.setVisible(False)  # done: the message matters now, not the plan
        self.preview.setVisible(False)
        self.close_button.setDefault(True)
        self.added.emit(self.link_name, result)
