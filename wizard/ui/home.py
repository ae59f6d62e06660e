"""The home screen: after sign-in, the links of this account and region (found by the wizard's tags
in AWS and by saved records), each in a word with its next action (wizard.link_states), and New
link, Open, Check health and Remove; below, the chosen link's databases (each with the port the
platform uses and its health), Add a database and Remove this database. With no links, the
wizard goes straight on to its pages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wizard.ui import terraform_export
from wizard.ui.ask import ask_yes_no
from wizard.ui.database_actions import ask_remove, open_add_dialog, removed_words
from wizard.ui.database_words import DatabaseRow, count_words, database_cell, row_of
from wizard.ui.redact import Redactor
from wizard.ui.removal import kept_note, removal_question
from wizard.ui.rich_text import escape
from wizard.ui.state import WizardState
from wizard.ui.widgets.database_list import DatabaseList
from wizard.ui.widgets.error_panel import ErrorPanel
from wizard.ui.worker import Runner, tasks

if TYPE_CHECKING:
    from wizard.aws.errors import UserError
    from wizard.link_states import LinkState

# The mark beside each word: never a ✔ for a link with a warning.
MARKS = {"ok": "✔", "warning": "⚠", "problem": "✖"}
# The action button's text for each next action (wizard.link_states).
ACTION_TEXT = {
    "accept": "&Accept the request",
    "fix": "&Fix…",
    "continue": "&Continue",
    "sync": "&Sync the targets",
    "open": "",  # Open is its own button
    "health": "",  # so is Check health
}
COLUMNS = ("Link", "Database", "Status", "What to do next")


class HomeView(QWidget):
    """The list and its buttons. The window decides what Open, Continue and New link do."""

    new_link_requested = Signal()
    open_requested = Signal(object)  # a LinkState
    health_requested = Signal(str)  # a link name
    loaded = Signal(list)  # the LinkStates just read

    def __init__(
        self, state: WizardState, runner: Runner, redactor: Redactor, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("homeView")
        self.state = state
        self.runner = runner
        self.redactor = redactor
        self.links: list[LinkState] = []
        self.databases: dict[str, list[DatabaseRow]] = {}  # link name -> its databases
        self.add_dialog: Any = None  # the Add a database dialog, while open
        self._busy = False
        self._note = ""  # what the last action did: said again once the list is read afresh

        self.title = QLabel()
        self.title.setObjectName("homeTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.new_button = QPushButton("&New link")
        self.new_button.setObjectName("newLink")
        self.new_button.clicked.connect(self.new_link_requested.emit)
        self.reload_button = QPushButton("Check a&gain")
        self.reload_button.setObjectName("reloadLinks")
        self.reload_button.clicked.connect(self.load)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("links")
        self.table.setAccessibleName("Links in this account and region")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.cellDoubleClicked.connect(lambda *_: self.open_selected())

        self.next_label = QLabel()
        self.next_label.setObjectName("nextAction")
        self.next_label.setWordWrap(True)
        self.next_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.setObjectName("linkAction")
        self.action_button.clicked.connect(self.do_action)
        self.open_button = QPushButton("&Open")
        self.open_button.setObjectName("openLink")
        self.open_button.clicked.connect(self.open_selected)
        self.health_button = QPushButton("Check &health")
        self.health_button.setObjectName("checkHealth")
        self.health_button.clicked.connect(self._health)
        self.remove_button = QPushButton("&Remove…")
        self.remove_button.setObjectName("removeLink")
        self.remove_button.clicked.connect(self.remove_selected)
        self.terraform_button = QPushButton(terraform_export.BUTTON_TEXT)
        self.terraform_button.setObjectName("exportTerraform")
        self.terraform_button.setToolTip(terraform_export.TOOLTIP)
        self.terraform_button.clicked.connect(self.export_selected)
        self.databases_title = QLabel()
        self.databases_title.setObjectName("databasesTitle")
        self.database_list = DatabaseList(max_rows=3)
        self.database_list.add_requested.connect(self.add_database)
        self.database_list.remove_requested.connect(self.remove_database)
        self.status = QLabel()
        self.status.setObjectName("homeStatus")
        self.status.setWordWrap(True)
        self.error_panel = ErrorPanel(redactor)

        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.reload_button)
        top.addWidget(self.new_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.action_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.health_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.terraform_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.next_label)
        layout.addLayout(buttons)
        layout.addWidget(self.databases_title)
        layout.addWidget(self.database_list)
        layout.addWidget(self.status)
        layout.addWidget(self.error_panel)
        redactor.changed.connect(self._render)
        self._selection_changed()

    @property
    def busy(self) -> bool:
        return self._busy

    # --- reading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Read every link of the signed-in account and region, on a worker."""
        if self._busy or self.state.aws is None or self.state.identity is None:
            return
        self.error_panel.clear()
        self._set_busy(True, f"Looking for links in {self.state.region}…")
        self.runner.run(
            tasks.link_overview,
            self.state.aws,
            self.state.identity,
            self.state.consumer,
            on_done=self._loaded,
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _loaded(self, links: list[LinkState]) -> None:
        self._set_busy(False, self._note)
        self._note = ""
        self.links = list(links)
        # Each link's databases as link health read them (ports, targets, findings).
        self.databases = {
            link.name: [row_of(d) for d in link.status.databases] if link.status is not None else []
            for link in self.links
        }
        self._render()
        self.loaded.emit(self.links)

    def _render(self) -> None:
        account = self.redactor(self.state.account_id)
        found = (
            "looking for them…"
            if self._busy and not self.links
            else f"{len(self.links)} found by the wizard's tags in AWS."
        )
        self.title.setText(
            f"<b>Your links in {escape(self.state.region)}</b> (account {escape(account)}): {found}"
        )
        chosen = self.selected()
        self.table.setRowCount(len(self.links))
        for row, link in enumerate(self.links):
            cells = (
                link.name,
                database_cell(self.databases.get(link.name, []), link.source_id or "not known here"),
                f"{MARKS.get(link.severity, '')} {link.word}",
                self.redactor(link.next_action),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 2:
                    item.setData(Qt.ItemDataRole.AccessibleTextRole, link.word)
                self.table.setItem(row, column, item)
        names = [link.name for link in self.links]
        if self.links:
            self.table.selectRow(names.index(chosen.name) if chosen and chosen.name in names else 0)
        self._selection_changed()

    def selected(self) -> LinkState | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.links):
            return None
        return self.links[rows[0].row()]

    def row_of(self, name: str) -> int:
        return next(i for i, link in enumerate(self.links) if link.name == name)

    def _selection_changed(self) -> None:
        link = self.selected()
        text = ACTION_TEXT.get(link.action, "") if link else ""
        self.action_button.setText(text)
        self.action_button.setVisible(bool(text))
        self.next_label.setText(
            self.redactor(f"{link.name}: {link.word}. Next: {link.next_action}") if link else ""
        )
        for button in (
            self.action_button,
            self.open_button,
            self.health_button,
            self.remove_button,
            self.terraform_button,
        ):
            button.setEnabled(link is not None and not self._busy)
        self._show_databases(link)

    def _show_databases(self, link: LinkState | None) -> None:
        """The chosen link's databases below the list, with Add and Remove."""
        found = self.databases.get(link.name) if link is not None else None
        if link is None:
            self.databases_title.setText("")
        else:
            count = f": {count_words(len(found))}" if found else ""
            self.databases_title.setText(f"<b>Databases of {escape(link.name)}</b>{count}")
        note = "" if found or link is None else "None found by the link's tags: continue the link first."
        self.database_list.set_databases(found, note)
        # A database joins a built link (its load balancer); an unfinished one is continued first.
        self.database_list.set_actions_enabled(link is not None and not self._busy and bool(found))

    def _set_busy(self, busy: bool, text: str) -> None:
        self._busy = busy
        self.reload_button.setEnabled(not busy)
        self.new_button.setEnabled(not busy)
        self._selection_changed()
        if text or not busy:
            self.status.setText(self.redactor(text))

    def show_error(self, error: UserError) -> None:
        """The window routes this view's worker errors here (see MainWindow._worker_failed)."""
        self.error_panel.show_error(error)

    # --- acting --------------------------------------------------------------------------------
    def open_selected(self) -> None:
        link = self.selected()
        if link is not None and not self._busy:
            self.open_requested.emit(link)

    def _health(self) -> None:
        link = self.selected()
        if link is not None:
            self.health_requested.emit(link.name)

    def do_action(self) -> None:
        """The selected link's next action: accept, fix or sync here; continue in the wizard."""
        link = self.selected()
        if link is None or self._busy:
            return
        if link.action in ("continue", "open"):
            self.open_requested.emit(link)
            return
        if link.action == "health" or not link.fix_key or link.status is None:
            self.health_requested.emit(link.name)
            return
        if not ask_yes_no(
            self,
            "Make this change?",
            self.redactor(
                f"{link.name}: {link.next_action}\n\nThe wizard will make this change in your AWS "
                "account. Go ahead?"
            ),
        ):
            return
        self._set_busy(True, f"{self.action_button.text().replace('&', '').rstrip('…')} for {link.name}…")
        self.runner.run(
            tasks.fix_finding,
            self.state.aws,
            link.status,
            link.fix_key,
            self.state.consumer,
            on_done=self._acted,
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _acted(self, message: str) -> None:
        self._set_busy(False, "")
        self._note = message
        self.load()

    def remove_selected(self) -> None:
        """Teardown's preview, the question, then the removal (on workers)."""
        link = self.selected()
        if link is None or self._busy:
            return
        self._set_busy(True, f"Looking up what the wizard created for {link.name}…")
        self.runner.run(
            tasks.removal_plan,
            self.state.aws,
            self.state.account_id,
            link.name,
            self.state.consumer,
            on_done=lambda plan: self._confirm_remove(link, plan),
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _confirm_remove(self, link: LinkState, plan: Any) -> None:
        self._set_busy(False, "")
        if plan.blockers:
            self.error_panel.show_error(plan.blocked_error())
            return
        record = link.status.record if link.status is not None else None
        note = kept_note([r.id for r in record.created if r.kind == "db-parameter-group"] if record else [])
        if not plan.resources:
            self.status.setText(self.redactor(f"Nothing tagged for {link.name} exists in AWS.{note}"))
            return
        if not ask_yes_no(self, "Remove this link?", self.redactor(removal_question(plan, link.name, note))):
            return
        self._set_busy(True, f"Removing {link.name}…")
        self.runner.run(
            tasks.remove_by_name,
            self.state.aws,
            self.state.account_id,
            link.name,
            on_progress=lambda text: self.status.setText(self.redactor(text)),
            on_done=lambda result: self._removed(link.name, result),
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def export_selected(self) -> None:
        """The selected link as Terraform files, in a folder of the user's choice (on a worker)."""
        link = self.selected()
        if link is None or self._busy:
            return
        folder = terraform_export.choose_folder(self, link.name)
        if folder is None:
            return
        self._set_busy(True, f"Exporting {link.name} as Terraform…")
        self.runner.run(
            tasks.export_terraform,
            self.state.aws,
            self.state.account_id,
            link.name,
            folder,
            on_progress=lambda text: self.status.setText(self.redactor(text)),
            on_done=lambda written: self._set_busy(False, terraform_export.written_words(folder, written)),
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    # --- the databases of a link ----------------------------------------------------------------
    def add_database(self) -> None:
        """The Add a database dialog for the selected link; the list is read again after."""
        link = self.selected()
        if link is None or self._busy:
            return
        self.add_dialog = open_add_dialog(
            self, self.state, self.runner, self.redactor, link.name, self._added
        )

    def _added(self, name: str, result: Any) -> None:
        database = result.database
        self._note = f"Added {database.source_id} to {name} on port {database.listener_port}."
        self.load()

    def remove_database(self, database: Any) -> None:
        link = self.selected()
        if link is None or self._busy:
            return
        others = [d for d in self.databases.get(link.name, []) if d.source_id != database.source_id]
        if not ask_remove(self, self.redactor, link.name, database, others):
            return
        self.error_panel.clear()
        self._set_busy(True, f"Removing {database.source_id} from {link.name}…")
        self.runner.run(
            tasks.remove_database,
            self.state.aws,
            self.state.account_id,
            link.name,
            database.source_id,
            on_progress=lambda text: self.status.setText(self.redactor(text)),
            on_done=lambda removed: self._database_removed(link.name, database.source_id, removed),
            on_error=lambda _err: self._set_busy(False, ""),
            owner=self,
        )

    def _database_removed(self, name: str, source_id: str, removed: list[str]) -> None:
        self._set_busy(False, "")
        self._note = removed_words(source_id, name, removed)
        self.load()

    def _removed(self, name: str, result: tuple[list[Any], list[str]]) -> None:
        deleted, kept = result
        self._set_busy(False, "")
        message = f"Removed {len(deleted)} resource{'' if len(deleted) == 1 else 's'} of {name}."
        self._note = message + kept_note(kept).replace("\n", " ")
        self.load()
