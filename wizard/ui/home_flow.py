"""Where the home screen sits in the window: after the sign-in page it shows the links of the
account and region (or, with none, lets the wizard go straight on); New link, Open and Continue
lead into the wizard, Check health opens link health for the chosen link."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from wizard.ui.home import HomeView
from wizard.ui.page_ids import PageId

if TYPE_CHECKING:
    from wizard.link_states import LinkState
    from wizard.ui.main_window import MainWindow
    from wizard.ui.widgets.health_view import HealthDialog


class HomeFlow(QObject):
    """Puts a stack (the wizard, the home screen) where the wizard was, and moves between them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        wizard = window.wizard
        self.view = HomeView(window.state, window.runner, window.redactor)
        self.stack = QStackedWidget()
        self.stack.setObjectName("homeStack")
        _put_in_place_of(wizard, self.stack)
        self.stack.addWidget(wizard)
        self.stack.addWidget(self.view)
        self.stack.setCurrentWidget(wizard)
        self._passing = False  # the next Next on the sign-in page goes on to the wizard
        self._deciding = False  # the list being read decides: home, or straight on
        self._when_signed_in = ""  # "new" or "resume": where to go once the sign-in page is ready
        self.health: HealthDialog | None = None
        wizard.leave_sign_in = self.leave_sign_in
        self.sign_in_page = wizard.page_of(PageId.CREDENTIALS)
        self.sign_in_page.completeChanged.connect(self._maybe_continue)
        self.view.loaded.connect(self._loaded)
        self.view.new_link_requested.connect(self.new_link)
        self.view.open_requested.connect(self.open_link)
        self.view.health_requested.connect(self.check_health)

    @property
    def showing(self) -> bool:
        return self.stack.currentWidget() is self.view

    # --- after the sign-in page ---------------------------------------------------------------
    def leave_sign_in(self) -> bool:
        """The wizard asks before it leaves the sign-in page: False while the home screen shows
        (or decides whether to)."""
        if self._passing:
            self._passing = False
            return True
        if self.sign_in_page.nextId() != int(PageId.SOURCE):  # continuing a saved link
            return True
        self.show_home(decide=True)
        return False

    def show_home(self, decide: bool = False) -> None:
        """The home screen, read afresh. With `decide`, no links means straight to the wizard."""
        if self.window.state.identity is None:
            return
        self._deciding = decide
        self._when_signed_in = ""
        self.view.links = []
        self.stack.setCurrentWidget(self.view)
        self.window.steps.setVisible(False)  # the wizard's step list, beside the wizard only
        self.view.load()
        self.view._render()

    def _loaded(self, links: list[LinkState]) -> None:
        deciding, self._deciding = self._deciding, False
        if deciding and not links:
            self.new_link()

    def show_wizard(self) -> None:
        self.stack.setCurrentWidget(self.window.wizard)
        self.window.steps.setVisible(True)

    # --- into the wizard ----------------------------------------------------------------------
    def new_link(self, link_name: str = "") -> None:
        """A new link: on from the sign-in page to the data source."""
        state = self.window.state
        state.link, state.resume, state.link_name = None, None, link_name
        self.show_wizard()
        wizard = self.window.wizard
        self._when_signed_in = "new"
        if wizard.currentId() != int(PageId.CREDENTIALS):
            wizard.restart()  # (it signs in again)
        self._maybe_continue()

    def open_link(self, link: LinkState) -> None:
        """Continue or open a link in the wizard, at its first unfinished step (the sign-in
        page prepares it as it does for a saved link, then the wizard moves on by itself)."""
        record = link.record()
        if not record.source_id:
            # Built elsewhere with an IP target: the database is not known here. The steps find
            # what exists by the link's tags once the database is chosen.
            self.new_link(link.name)
            source = self.window.wizard.currentPage()
            set_status = getattr(source, "set_status", None)
            if callable(set_status):
                set_status(
                    f"Choose the database of '{link.name}' and keep its name: the wizard finds "
                    "what exists for it by its tags and goes on from there."
                )
            return
        state = self.window.state
        state.resume, state.link = record, None  # the link is opened afresh by the sign-in page
        self.show_wizard()
        self._when_signed_in = "resume"
        self.window.wizard.restart()

    def _maybe_continue(self) -> None:
        """Once the sign-in page is ready (and has opened the link to continue), move on."""
        page = self.sign_in_page
        if not self._when_signed_in or self.window.wizard.currentId() != int(PageId.CREDENTIALS):
            return
        if not page.isComplete() or page.busy:
            return
        resuming = page.nextId() != int(PageId.SOURCE)
        if self._when_signed_in == "new" or resuming:
            self._when_signed_in = ""
            self._passing = not resuming
            self.window.wizard.next()

    # --- link health --------------------------------------------------------------------------
    def check_health(self, name: str) -> HealthDialog:
        """Link health for one link, on a copy of the state (the wizard's own link is untouched)."""
        from wizard.ui.widgets.health_view import HealthDialog

        state = dataclasses.replace(self.window.state, link=None, link_name=name)
        if self.health is not None:
            self.health.close()
            self.health.deleteLater()
        self.health = HealthDialog(state, self.window.runner, self.window.redactor, self.window)
        self.health.setWindowTitle(f"Link health: {name}")
        self.health.show()
        self.health.view.check()
        return self.health


def _put_in_place_of(old: QWidget, new: QWidget) -> None:
    """`new` where `old` is, in a splitter or a layout, keeping its stretch."""
    parent: Any = old.parentWidget()
    if isinstance(parent, QSplitter):
        index = parent.indexOf(old)
        parent.replaceWidget(index, new)
        parent.setStretchFactor(index, 1)
        parent.setCollapsible(index, False)
        return
    layout = parent.layout() if parent is not None else None
    if layout is not None:
        layout.replaceWidget(old, new)
