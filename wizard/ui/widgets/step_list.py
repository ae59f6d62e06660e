"""The step list beside the wizard's pages: the nine steps in plain words, each marked done,
current, to do or needing attention. A finished step opens again by a click (or Space on it);
its page re-checks live as it shows.

Part of the first window: no `Qt` namespace here (see wizard.ui.by_name), no engine, no model.
"""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from wizard.ui.by_name import set_by_name
from wizard.ui.page_ids import STEP_PAGES, PageId
from wizard.ui.style import styled

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWizard

# The steps as a DBA would name them.
STEP_WORDS: dict[PageId, str] = {
    PageId.CREDENTIALS: "Sign in to AWS",
    PageId.SOURCE: "Choose the database",
    PageId.NLB: "Load balancer",
    PageId.TARGET_GROUP: "Target group",
    PageId.ENDPOINT_SERVICE: "Endpoint service",
    PageId.ALLOWLIST: "Allow the platform",
    PageId.SERVICE_NAME: "Send the service name",
    PageId.ACCEPT: "Accept the connection",
    PageId.DONE: "Done",
}
DONE, CURRENT, TODO, ATTENTION = "done", "current", "to do", "needs attention"
MARKS = {DONE: "✔", CURRENT: "▶", TODO: "○", ATTENTION: "⚠"}
# Going forward to a finished step passes each page between; one whose checks stay unmet for
# this long stops the way there (its page says why).
STUCK_SECONDS = 4.0
ADVANCE_MS = 100


class StepList(QScrollArea):
    """Follows `wizard` (a PrivateLinkWizard: `pages`, `state`); `states()` says each step's mark.
    It scrolls rather than set a minimum height: the activity log below may take the room."""

    step_requested = Signal(int)

    def __init__(self, wizard: QWizard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inner = QWidget()
        inner.setObjectName("stepList")
        styled(inner, "step-list")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        set_by_name(self, horizontalScrollBarPolicy="ScrollBarAlwaysOff")
        self._wizard: Any = wizard
        self._states: dict[PageId, str] = {}
        self._hooked: set[int] = set()
        self._furthest = int(PageId.CREDENTIALS)
        self._target: PageId | None = None
        self._stuck_since = 0.0
        title = QLabel("Steps")
        title.setObjectName("stepListTitle")
        column = QVBoxLayout(inner)
        column.setSpacing(2)
        column.addWidget(title)
        self.buttons: dict[PageId, QPushButton] = {}
        for number, page_id in enumerate(STEP_WORDS, start=1):
            button = QPushButton()
            button.setObjectName(f"step-{page_id.name.lower()}")
            button.setFlat(True)
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, p=page_id: self._clicked(p))
            button.setProperty("number", number)
            self.buttons[page_id] = button
            column.addWidget(button)
        column.addStretch(1)
        self.setWidget(inner)
        # Wide enough for the longest step in bold (the current one), its padding, and a scroll bar.
        bold = QFont(self.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        words = max(metrics.horizontalAdvance(f"{MARKS[CURRENT]}  {w}") for w in STEP_WORDS.values())
        margins = column.contentsMargins()
        padding = self.fontMetrics().averageCharWidth() * 4  # the buttons' padding and border
        scroll_bar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(words + padding + margins.left() + margins.right() + scroll_bar)
        # Coalesces the many completeChanged signals of a check's answer into one update.
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.setInterval(0)
        self._later.timeout.connect(self.refresh)
        self._advance = QTimer(self)
        self._advance.setInterval(ADVANCE_MS)
        self._advance.timeout.connect(self._advance_step)
        wizard.currentIdChanged.connect(self._page_changed)
        self.refresh()

    # --- what each step shows -------------------------------------------------------------------
    def states(self) -> dict[PageId, str]:
        return dict(self._states)

    def _finished(self, page_id: PageId) -> bool:
        """A step after the current one is finished if the link's record says so (after Back)."""
        if page_id > self._furthest:
            return False
        link = getattr(self._wizard.state, "link", None)
        completed = list(link.record.completed_steps) if link is not None else []
        steps = {page: step for step, page in STEP_PAGES.items()}
        if page_id in steps:
            return steps[page_id] in completed
        if page_id == PageId.SERVICE_NAME:
            return "allowlist" in completed
        if page_id in (PageId.ACCEPT, PageId.DONE):
            return "accept" in completed
        return True  # sign-in and the database choice, once passed

    def _state(self, page_id: PageId, current: int) -> str:
        page = self._wizard.pages.get(page_id)
        attention = page is not None and page.needs_attention()
        if page_id == current:
            return ATTENTION if page is not None and page.error_panel.isVisibleTo(page) else CURRENT
        if page_id < current or self._finished(page_id):
            return ATTENTION if attention else DONE
        return TODO

    def _page_changed(self, current: int) -> None:
        self._furthest = max(self._furthest, current)
        self.refresh()

    def refresh(self) -> None:
        current = self._wizard.currentId()
        for page_id, page in self._wizard.pages.items():
            if int(page_id) not in self._hooked:
                self._hooked.add(int(page_id))
                page.completeChanged.connect(self._later.start)
        total = len(STEP_WORDS)
        for page_id, button in self.buttons.items():
            state = self._state(page_id, current)
            self._states[page_id] = state
            number = int(button.property("number"))
            words = STEP_WORDS[page_id]
            text = f"{MARKS[state]}  {words}"
            if button.text() != text:
                button.setText(text)
            button.setAccessibleName(f"Step {number} of {total}: {words} — {state}")
            button.setToolTip(self._tip(state))
            button.setChecked(page_id == current)
            font = button.font()
            if font.bold() != (page_id == current):
                font.setBold(page_id == current)
                button.setFont(font)
            # Only a finished step (or the current one) can be clicked; to-do steps wait.
            button.setEnabled(state != TODO)

    @staticmethod
    def _tip(state: str) -> str:
        return {
            DONE: "Finished: click to open it again (it checks everything again).",
            CURRENT: "The step you are on.",
            TODO: "Still to do: the steps before it come first.",
            ATTENTION: "Needs your attention: click to see what.",
        }[state]

    # --- going to a step ------------------------------------------------------------------------
    def _clicked(self, page_id: PageId) -> None:
        self.refresh()  # keeps the current step checked, the others not
        if page_id != self._wizard.currentId():
            self.go_to(page_id)

    def go_to(self, page_id: PageId) -> None:
        """Back to an earlier step (re-checked as it shows), or on through each page to a later
        finished one, as pressing Next would (a page whose checks fail stops the way)."""
        wizard = self._wizard
        current = wizard.currentPage()
        if current is not None and getattr(current, "busy", False):
            return  # an action is running: Back and Next are off too
        self.step_requested.emit(int(page_id))
        if page_id < wizard.currentId():
            while wizard.currentId() > page_id and page_id in wizard.visitedIds():
                wizard.back()
            page = wizard.currentPage()
            if page is not None and wizard.currentId() != int(PageId.CREDENTIALS):
                page.refresh()  # re-check live: AWS may have changed since
            return
        self._target = page_id
        self._stuck_since = 0.0
        self._advance.start()
        self._advance_step()

    def _advance_step(self) -> None:
        wizard = self._wizard
        page = wizard.currentPage()
        if self._target is None or page is None or wizard.currentId() >= self._target:
            self._stop()
            return
        if page.isComplete():
            self._stuck_since = 0.0
            wizard.next()
            return
        if not page.is_settled():
            self._stuck_since = 0.0
            return
        now = time.monotonic()
        if not self._stuck_since:
            self._stuck_since = now
        elif now - self._stuck_since > STUCK_SECONDS:
            self._stop()  # the page says why Next is off

    def _stop(self) -> None:
        self._target = None
        self._advance.stop()
        self.refresh()
