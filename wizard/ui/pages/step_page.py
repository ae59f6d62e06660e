"""A page that drives one engine step (wizard.steps): live checks and preview while the inputs
change, then a Create button that applies the step. Next opens once the step is recorded done.

The pattern for every page that creates something: the preview is always on screen first, the
action is an explicit button (never Next, whose validatePage must not call AWS), and a second
press while it runs is refused by the busy state."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from wizard.checks import CheckRow
from wizard.ui.pages.base import BasePage
from wizard.ui.worker import tasks

_DONE_VERBS = {"create": "created", "reuse": "reused", "change": "changed", "remove": "removed"}


def result_text(preview: list[Any]) -> str:
    """What a finished step did, from its preview: "Done ✔ — created the target group; …"."""
    parts = [f"{_DONE_VERBS.get(item.action, item.action)} {item.what}" for item in preview]
    return "Done ✔ — " + "; ".join(parts) + "." if parts else "Done ✔"


class StepPage(BasePage):
    STEP_ID = ""
    ACTION_TEXT = ""  # "&Create the load balancer"
    DONE_TEXT = "Done ✔"
    # Done, but something waits for the DBA (a setting that applies at the next reboot): never ✔.
    DONE_WITH_WARNING_TEXT = "Done — ⚠ see the warning"
    PENDING = "Checking…"

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.view: Any = None  # tasks.StepView of the last evaluation
        self.set_action(self.ACTION_TEXT, enabled=False)

    # --- what subclasses add ------------------------------------------------------------------
    def input_rows(self) -> list[CheckRow]:
        """Checks of the page's own inputs, made without AWS (a name's format, a port)."""
        return []

    def store_inputs(self) -> None:
        """Copy the inputs into the shared state (called before every evaluation)."""

    def after_evaluate(self) -> None:
        """The step's checks came back (`self.view` is fresh)."""

    def after_apply(self) -> None:
        """The step finished and its record was saved."""

    # --- flow ---------------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.view is not None and self.view.done(self.STEP_ID)

    def initializePage(self) -> None:
        super().initializePage()
        self.view = None
        self.preview.set_items([])
        self.refresh()

    def refresh(self) -> None:
        self.store_inputs()
        local = self.input_rows()
        if any(r.required and not r.ok for r in local):
            # No AWS round-trip for input that cannot be right; a newer check makes older stale.
            self.run_check(lambda: None, on_done=lambda _: self._show(local, None))
            return
        state = self.state
        self.run_check(
            tasks.evaluate_step,
            self.STEP_ID,
            state.aws,
            state.plan(),
            state.account_id,
            pending=[self.PENDING],
            on_done=lambda view: self._show(local, view),
        )

    def _show(self, local: list[CheckRow], view: Any) -> None:
        self.view = view
        if view is None:
            self.checklist.set_rows(local)
            self.preview.set_items([])
        else:
            self.state.link = view.link
            self.checklist.set_rows(local + view.rows)
            self.preview.set_items(view.preview)
        self._update_action()
        self.after_evaluate()

    def _update_action(self) -> None:
        if self.done:
            text = self.DONE_WITH_WARNING_TEXT if self.follow_ups() else self.DONE_TEXT
            self.set_action(text, enabled=False)
        else:
            self.set_action(self.ACTION_TEXT, enabled=self.view is not None and self.checklist.required_ok())

    def page_ready(self) -> bool:
        return self.done

    def primary_action(self) -> QWidget | None:
        return super().primary_action() if self.done else self.action_button

    def blocked_reason(self) -> str:
        reason = super().blocked_reason()
        if reason or self.view is None:
            return reason
        if not self.done:
            return f"until you press “{self.ACTION_TEXT.replace('&', '')}” (the preview says what it does)."
        return "until the last check above answers."

    def action(self) -> None:
        if self.view is None or self.done:
            return
        self.run_engine(
            tasks.apply_step,
            self.STEP_ID,
            self.view.link,
            on_progress=self.set_status,
            on_done=self._applied,
            busy_text="Working…",
            done_text=result_text(self.view.preview),
        )

    def _applied(self, link: Any) -> None:
        self.state.link = link
        self.after_apply()
        self.refresh()

    def apply_fix(self, row: CheckRow) -> None:
        if self.view is None:
            return
        self.run_engine(
            tasks.fix_check,
            self.STEP_ID,
            self.view.link,
            row.key,
            on_done=self._fixed,
            busy_text=f"Fixing: {row.label}…",
        )

    def _fixed(self, message: str) -> None:
        self.set_status(message)
        self.refresh()
