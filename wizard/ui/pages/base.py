"""What every page shares: the explanation, a live checklist, a preview, an inline error panel,
a busy state that blocks a second run, debounced re-checks, and `run_engine` (the worker)."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from wizard.ui.access import name_fields
from wizard.ui.ask import ask_yes_no
from wizard.ui.by_name import set_by_name
from wizard.ui.pages.recovery import Recovery
from wizard.ui.redact import Redactor
from wizard.ui.rich_text import escape
from wizard.ui.state import WizardState
from wizard.ui.widgets.checklist import Checklist
from wizard.ui.widgets.error_panel import ErrorPanel
from wizard.ui.widgets.explanation import Explanation
from wizard.ui.widgets.page_footer import PageFooter
from wizard.ui.widgets.preview import PreviewBox
from wizard.ui.worker import Runner, Worker

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent

    from wizard.aws.errors import UserError
    from wizard.checks import CheckRow

DEBOUNCE_MS = 400
# A page shorter than this many text lines shows the explanation's first sentence only.
SHORT_PAGE_LINES = 30
REVEAL_MS = 30


class BasePage(QWizardPage):
    """Subclasses set `TITLE` and `EXPLANATION`, build inputs into `self.body`, and override
    `refresh()` (re-check, usually through `run_check`) and `page_ready()`."""

    TITLE = ""
    EXPLANATION = ""
    # Emitted when the page comes to rest: no engine call running, no check pending.
    settled = Signal()

    def __init__(self, state: WizardState, runner: Runner, redactor: Redactor) -> None:
        super().__init__()
        self.state = state
        self.runner = runner
        self.redactor = redactor
        self._busy = 0
        self._check_generation = 0
        self._checking = False
        self._back_hooked = False
        self._initialized = False
        self._action_enabled = False
        self.setTitle(self.TITLE)

        # On a short window it shows its first sentence and "More" (issue 18).
        self.explanation = Explanation(self.EXPLANATION, type(self).__name__)
        self.explanation.help_requested.connect(self._open_help_link)

        self.body = QVBoxLayout()
        self.checklist = Checklist(redactor)
        self.checklist.fix_requested.connect(self._confirm_fix)
        self.preview = PreviewBox(redactor)
        # The action, its progress or result, and why Next is off: below the scrolling part.
        self.footer = PageFooter()
        self.action_button = self.footer.action_button
        self.action_button.clicked.connect(self._on_action)
        self.status = self.footer.status
        self.blocked = self.footer.blocked
        self.error_panel = ErrorPanel(redactor)
        self.recovery = Recovery(self)
        self._in_action = False
        self._batching = 0

        # A scroll area rather than a minimum size: at 200 % scale long pages scroll, never clip.
        self.scroller = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # Always there, so the page's width never changes as its content grows past the window:
        # no text re-flowing sideways when a check's answer arrives, and no double layout (a
        # scroll bar appearing re-laid the whole page out).
        set_by_name(scroll, verticalScrollBarPolicy="ScrollBarAlwaysOn")
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self._column = column = QVBoxLayout(inner)
        # Placed while still empty: placing shows it, which lays its content out at once, at a
        # width it will not have (~1 % of the window's start-up, for wrapped text).
        scroll.setWidget(inner)
        column.addWidget(self.explanation)
        column.addLayout(self.body)
        column.addWidget(self.checklist)
        column.addWidget(self.preview)
        column.addWidget(self.error_panel)
        column.addStretch(1)
        # The action, its progress or result, and why Next is off stay below the scrolling
        # part: in view at any window size (issue 18).
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.footer)
        self.completeChanged.connect(self._update_blocked)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.completeChanged.connect(self._emit_if_settled)
        # After an answer, once the scroll area has fitted the page to it (a later turn).
        self._reveal_timer = QTimer(self)
        self._reveal_timer.setSingleShot(True)
        self._reveal_timer.setInterval(REVEAL_MS)
        self._reveal_timer.timeout.connect(self.reveal)
        self._revealed = ""  # what reveal() last scrolled to

    def _open_help_link(self, url: str) -> None:
        from wizard.ui.glossary_dialog import open_help_link

        open_help_link(url, self)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.explanation.fit(short=self.height() < self.fontMetrics().height() * SHORT_PAGE_LINES)

    # --- keeping what matters in view ---------------------------------------------------------
    def primary_action(self) -> QWidget | None:
        """The button that moves this page on: its own action while there is one to press,
        else the wizard's Next (Finish on the last page)."""
        if self.action_button.isVisibleTo(self) and self._action_enabled:
            return self.action_button
        wizard = self.wizard()
        if wizard is None:
            return None
        which = QWizard.WizardButton.FinishButton if self.isFinalPage() else QWizard.WizardButton.NextButton
        return wizard.button(which)

    def blocked_reason(self) -> str:
        """Why Next is off, as the end of "Next is off …" (subclasses add their own cases)."""
        failing = self.checklist.failing()
        if failing:
            fix = " (see its Fix… button)" if failing[0].fix else ""
            return f"until this check passes: {failing[0].label}{fix}."
        return ""

    def _update_blocked(self) -> None:
        if self._checking and not self.busy:
            return  # keep the last answer's reason until the new one arrives: no jumping footer
        text = ""
        if not self.busy and not self.isComplete():
            reason = self.blocked_reason()
            if reason:
                text = f"<b>Next is off</b> {escape(self.redactor(reason))}"
        elif not self.busy and self.follow_ups():
            # Done, but not finished for the DBA (a setting waiting for a reboot): said here too.
            row = self.follow_ups()[0]
            text = f"<b>⚠ Still to do:</b> {escape(self.redactor(f'{row.label}: {row.fix}'))}"
        self.footer.set_blocked(text)

    def reveal(self) -> None:
        """Scroll to what needs the user: the error, else the first failing check, else the
        preview; the field being typed in stays in view. Once shown, the same thing is not
        scrolled to again (a page re-checking every few seconds leaves the user's scrolling be)."""
        target: QWidget | None = None
        failing = self.checklist.failing()
        if self.error_panel.isVisible():
            target, key = self.error_panel, "error"
        else:
            target, key = self.checklist.first_failing_widget(), f"row:{failing[0].key if failing else ''}"
            if target is None and self.preview.isVisible():
                target, key = self.preview, "preview"
        if target is None or key == self._revealed:
            return
        margin = self.fontMetrics().height()
        self.scroller.ensureWidgetVisible(target, 0, margin)
        focus, inner = self.focusWidget(), self.scroller.widget()
        if focus is not None and focus is not target and inner is not None and inner.isAncestorOf(focus):
            self.scroller.ensureWidgetVisible(focus, 0, margin)
        if not target.visibleRegion().isEmpty():  # (not yet laid out: try again next answer)
            self._revealed = key

    # --- what subclasses override -------------------------------------------------------------
    def refresh(self) -> None:
        """Re-run the page's live checks (called debounced after input changes)."""

    def page_ready(self) -> bool:
        """Page-specific completeness on top of the checklist's required rows."""
        return True

    def action(self) -> None:
        """What the action button ("Create …") does."""

    def apply_fix(self, row: CheckRow) -> None:
        """Apply the fix of `row` (after the user confirmed)."""

    # --- state --------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._busy > 0

    def is_settled(self) -> bool:
        """Nothing running, no check under way or waiting for typing to pause."""
        return not self.busy and not self._checking and not self._debounce.isActive()

    def _emit_if_settled(self) -> None:
        if self.is_settled():
            self.settled.emit()

    def isComplete(self) -> bool:
        return bool(
            not self.busy and not self._checking and self.checklist.required_ok() and self.page_ready()
        )

    def initializePage(self) -> None:
        self._initialized = True
        self._hook_back_button()
        self.error_panel.clear()
        self._revealed = ""
        name_fields(self)

    def follow_ups(self) -> list[CheckRow]:
        """Rows that hold but wait for the DBA (a parameter change waiting for a reboot)."""
        return [r for r in self.checklist.rows() if r.ok and r.warning and r.fix]

    def needs_attention(self) -> bool:
        """Something here waits for the user: an error, a failing check, or a warning with a
        follow-up (a setting waiting for a reboot). The step list marks the step so."""
        return self.error_panel.isVisibleTo(self) or any(
            (not r.ok and (r.required or bool(r.fix))) or (r.warning and bool(r.fix))
            for r in self.checklist.rows()
        )

    def schedule_refresh(self) -> None:
        """Inputs changed: re-check once typing pauses (not before the page was first shown)."""
        if not self._initialized:
            return
        self._debounce.start()
        self.completeChanged.emit()

    def set_action(self, text: str, enabled: bool = True, visible: bool = True) -> None:
        self.action_button.setText(text)
        self.action_button.setVisible(visible)
        self._action_enabled = enabled
        self.action_button.setEnabled(enabled and not self.busy)

    def set_status(self, text: str) -> None:
        self.footer.set_status(self.redactor(text))

    def show_error(self, error: UserError) -> None:
        self.error_panel.show_error(error)
        self._revealed = ""  # a new error is shown again
        self._reveal_timer.start()
        self.completeChanged.emit()  # the step list marks the step

    @contextmanager
    def laid_out_once(self) -> Iterator[None]:
        """The page's changes inside are laid out together, once, as the outermost batch ends.
        (Qt lays a visible window out at once whenever a widget in it is shown: a check's
        answer, showing its rows, Fix buttons and preview, laid the page out several times over,
        all on the window's thread.)"""
        self._batching += 1
        self._column.setEnabled(False)
        try:
            yield
        finally:
            self._batching -= 1
            if not self._batching:
                self._column.setEnabled(True)
                # Now, not by a posted request: while the layout was off it posted none.
                self._column.invalidate()
                self._column.activate()

    # --- running engine calls -----------------------------------------------------------------
    def run_engine(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Any], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
        busy_text: str = "",
        done_text: str = "",
        **kwargs: Any,
    ) -> Worker | None:
        """Run an action (creating, fixing, accepting) on a worker. While it runs the page is
        busy: Next, Back and the action button are off, and a second run is refused. Once it
        is done, a progress text still showing ("Registering targets…") gives way to
        `done_text`, unless `on_done` said the result itself."""
        if self.busy:
            return None
        # A failure of the page's own action (a create step) offers Retry / Continue later /
        # Remove; fixes and other calls just show their error.
        recover = self._in_action
        self.error_panel.clear()
        self._set_busy(+1)
        if busy_text:
            self.set_status(busy_text)

        def done(result: Any) -> None:
            with self.laid_out_once():
                self._set_busy(-1)
                if on_done is not None:
                    on_done(result)
                if self.status.text().endswith("…"):  # still saying what it was doing
                    self.set_status(done_text)
            self._reveal_timer.start()

        def error(err: Any) -> None:
            self._set_busy(-1)
            self.set_status("")
            if recover:
                self.recovery.offer(err)
            if on_error is not None:
                on_error(err)

        worker = self.runner.run(
            fn,
            *args,
            on_done=done,
            on_error=error,
            on_progress=on_progress,
            owner=self,
            **kwargs,
        )
        if worker is None:
            self._set_busy(-1)
        return worker

    def run_check(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        pending: list[str] | None = None,
        on_error: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Worker | None:
        """Run a read-only check. A newer check makes the older one's result stale (dropped),
        so fast typing never shows an out-of-date answer."""
        self._check_generation += 1
        generation = self._check_generation
        self._checking = True
        if pending:
            self.checklist.set_pending(pending)
        self.completeChanged.emit()

        def done(result: Any) -> None:
            if generation != self._check_generation:
                return
            self._checking = False
            with self.laid_out_once():
                on_done(result)
            self.completeChanged.emit()
            self._reveal_timer.start()

        def error(err: Any) -> None:
            if generation != self._check_generation:
                return
            self._checking = False
            self.checklist.set_pending([])
            if on_error is not None:
                on_error(err)
            self.completeChanged.emit()

        return self.runner.run(fn, *args, on_done=done, on_error=error, owner=self, **kwargs)

    def _set_busy(self, delta: int) -> None:
        self._busy = max(0, self._busy + delta)
        self.action_button.setEnabled(self._action_enabled and not self.busy)
        self.completeChanged.emit()

    def _on_action(self) -> None:
        if not self.busy:
            self._in_action = True
            try:
                self.action()
            finally:
                self._in_action = False

    def _confirm_fix(self, row: CheckRow) -> None:
        if not self.busy:
            self.confirm_fix(row)

    def confirm_fix(self, row: CheckRow) -> None:
        """Explain the change and ask before making it (pages with riskier fixes override)."""
        if ask_yes_no(
            self,
            "Make this change?",
            f"{row.label}\n\nThe wizard will make this change in your AWS account:\n\n{row.fix}\n\n"
            "Make the change now?",
        ):
            self.apply_fix(row)

    # Back belongs to QWizard, which re-enables it on every completeChanged; this slot is
    # connected after QWizard's own, so it runs last and keeps Back off while busy.
    def _hook_back_button(self) -> None:
        if not self._back_hooked:
            self._back_hooked = True
            self.completeChanged.connect(self._sync_back_button)
        self._sync_back_button()

    def _sync_back_button(self) -> None:
        wizard = self.wizard()
        if wizard is None or wizard.currentPage() is not self:
            return
        if self.busy:
            wizard.button(QWizard.WizardButton.BackButton).setEnabled(False)
