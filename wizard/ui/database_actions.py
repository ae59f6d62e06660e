"""Adding a database to a link and removing one, as the home screen and the Done page start them:
the Add a database dialog, and the question (what will be deleted) before the removal
(`tasks.remove_database`, on a worker)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from wizard.ui.ask import ask_yes_no
from wizard.ui.database_words import removal_question
from wizard.ui.redact import Redactor
from wizard.ui.state import WizardState
from wizard.ui.worker import Runner

if TYPE_CHECKING:
    from wizard.ui.add_database import AddDatabaseDialog


def open_add_dialog(
    parent: QWidget,
    state: WizardState,
    runner: Runner,
    redactor: Redactor,
    link_name: str,
    on_added: Callable[[str, Any], None],
) -> AddDatabaseDialog:
    """The dialog, open over `parent` (window-modal: the window keeps painting), reading the
    databases it can offer."""
    from wizard.ui.add_database import AddDatabaseDialog

    dialog = AddDatabaseDialog(state, runner, redactor, link_name, parent)
    dialog.added.connect(on_added)
    dialog.open()
    dialog.load()
    return dialog


def ask_remove(parent: QWidget, redactor: Redactor, link_name: str, database: Any, others: list[Any]) -> bool:
    """Ask before one database is removed, saying what will be deleted and what stays."""
    question = removal_question(database, link_name, others)
    return ask_yes_no(parent, "Remove this database from the link?", redactor(question))


def removed_words(source_id: str, link_name: str, removed: list[str]) -> str:
    """What the removal did, in one line for a status bar."""
    what = "; ".join(removed) if removed else "nothing was left to delete"
    return f"Removed {source_id} from {link_name} ({what}). Its other databases are unchanged."
