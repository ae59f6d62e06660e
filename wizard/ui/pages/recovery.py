"""After a create step failed midway: say exactly what exists, and offer Retry, Continue later,
or Remove what was created (with teardown's preview)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.ui.ask import ask_yes_no
from wizard.ui.page_ids import PageId
from wizard.ui.removal import kept_note, removal_question
from wizard.ui.widgets.error_panel import describe_created
from wizard.ui.worker import tasks

if TYPE_CHECKING:
    from wizard.aws.errors import UserError
    from wizard.ui.pages.base import BasePage


class Recovery:
    """The error panel's three ways on, for one page."""

    def __init__(self, page: BasePage) -> None:
        self.page = page
        self.error: Any = None  # the failed step's error while recovery is offered
        page.error_panel.retry_requested.connect(self.retry)
        page.error_panel.continue_later_requested.connect(self.continue_later)
        page.error_panel.remove_requested.connect(self.remove_created)

    def created_resources(self) -> list[str]:
        """What the link record says exists, one plain line each."""
        link: Any = self.page.state.link
        if link is None:
            return []
        return [describe_created(r.kind, r.id) for r in link.record.created]

    def offer(self, error: UserError) -> None:
        """Say exactly what exists and offer Retry, Continue later, Remove what was created."""
        self.error = error
        self.page.error_panel.show_partial(error, self.created_resources())
        self.page._revealed = ""
        self.page._reveal_timer.start()

    def retry(self) -> None:
        """Run the step again: the engine finds what exists by tags and record, never duplicates."""
        self.page.error_panel.clear()
        self.page._on_action()

    def continue_later(self) -> None:
        """Keep the record (saved at every new id) and close; the next start offers to resume."""
        from PySide6.QtWidgets import QMessageBox  # loaded when needed, not at start-up

        link: Any = self.page.state.link
        name = link.record.name if link is not None else self.page.state.link_name
        kept = self.created_resources()
        listing = "\n".join(f"• {line}" for line in kept) or "Nothing was created yet."
        QMessageBox.information(
            self.page,
            "Continue later",
            self.page.redactor(
                f"Everything stays as it is. What exists for the link '{name}':\n{listing}\n\n"
                "The wizard has saved its progress. Next time you start PrivateLink Wizard it "
                "offers to continue this link where it stopped."
            ),
        )
        self.page.window().close()

    def remove_created(self) -> None:
        """Look up what carries the link's tags, ask, then delete it on a worker."""
        link: Any = self.page.state.link
        if link is None or self.page.busy:
            return
        self.page.run_engine(
            tasks.link_resources,
            link,
            on_done=self._confirm_remove,
            on_error=self._remove_failed,
            busy_text="Looking up what the wizard created for this link…",
        )

    def _remove_failed(self, error: UserError) -> None:
        # Keep the way on open: the buttons come back with the new error.
        self.offer(error)

    def _confirm_remove(self, plan: Any) -> None:
        link: Any = self.page.state.link
        self.page.set_status("")
        found = plan.resources
        if plan.blockers:  # nothing is deleted: say what stops it and how to clear it
            self.offer(plan.blocked_error())
            return
        left = "".join(f"\n\n{r.line()}." for r in plan.left)
        note = kept_note([r.id for r in link.record.created if r.kind == "db-parameter-group"])
        if not found:
            self.page.set_status(
                "Nothing tagged for this link exists in AWS; nothing to remove." + note + left
            )
            self.page.error_panel.show_partial(self.error, [])
            return
        if not ask_yes_no(
            self.page,
            "Remove what was created?",
            self.page.redactor(removal_question(plan, link.record.name, note)),
        ):
            self.offer(self.error)
            return
        self.page.run_engine(
            tasks.remove_link,
            link,
            on_progress=self.page.set_status,
            on_done=lambda deleted: self._removed(deleted, note),
            on_error=self._remove_failed,
            busy_text="Removing what the wizard created…",
        )

    def _removed(self, deleted: list[Any], note: str) -> None:
        """Everything is gone: start the link again from the load balancer page."""
        self.page.error_panel.clear()
        self.error = None
        self.page.state.link = None
        message = (
            f"Removed {len(deleted)} resource{'' if len(deleted) == 1 else 's'}: "
            + "; ".join(r.describe() for r in deleted)
            + f".{note.replace(chr(10), ' ')} You can build the link again from here, or close "
            "the wizard."
        )
        wizard = self.page.wizard()
        if wizard is None:
            self.page.set_status(message)
            return
        while wizard.currentId() > int(PageId.NLB):
            wizard.back()
        from wizard.ui.pages.base import BasePage

        target = wizard.currentPage()
        if isinstance(target, BasePage):
            target.set_status(message)
            target.refresh()
