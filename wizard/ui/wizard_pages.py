"""The wizard itself: the nine pages over one shared state, pages 2-9 built after the first
paint, and every worker's error shown on the page that started the call."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget, QWizard

from wizard import APP_NAME
from wizard.ui.page_ids import PageId
from wizard.ui.pages.base import BasePage
from wizard.ui.pages.credentials import CredentialsPage
from wizard.ui.redact import Redactor
from wizard.ui.state import WizardState
from wizard.ui.worker import Runner

if TYPE_CHECKING:
    from wizard.settings import Settings

# Pages 2-9 by module and class: imported when they are built, after the first paint.
LATER_PAGES: dict[PageId, tuple[str, str]] = {
    PageId.SOURCE: ("wizard.ui.pages.source", "SourcePage"),
    PageId.NLB: ("wizard.ui.pages.nlb", "NlbPage"),
    PageId.TARGET_GROUP: ("wizard.ui.pages.target_group", "TargetGroupPage"),
    PageId.ENDPOINT_SERVICE: ("wizard.ui.pages.endpoint_service", "EndpointServicePage"),
    PageId.ALLOWLIST: ("wizard.ui.pages.allowlist", "AllowlistPage"),
    PageId.SERVICE_NAME: ("wizard.ui.pages.service_name", "ServiceNamePage"),
    PageId.ACCEPT: ("wizard.ui.pages.accept", "AcceptPage"),
    PageId.DONE: ("wizard.ui.pages.done", "DonePage"),
}


class PrivateLinkWizard(QWizard):
    """The nine pages over one shared WizardState; pages drive the engine through `runner`."""

    def __init__(
        self,
        state: WizardState,
        runner: Runner,
        redactor: Redactor,
        settings: Settings,
        parent: QWidget | None = None,
        all_pages: bool = True,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.runner = runner
        self.setWindowTitle(APP_NAME)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Back")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Next >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Close")
        self._redactor = redactor
        self._page_args = (state, runner, redactor)
        self.pages: dict[PageId, BasePage] = {}
        self._add_page(PageId.CREDENTIALS, CredentialsPage(*self._page_args, settings=settings))
        if all_pages:
            self.add_remaining_pages()
        self.setStartId(int(PageId.CREDENTIALS))
        # The home screen's say before the sign-in page is left (wizard.ui.home_flow).
        self.leave_sign_in: Callable[[], bool] | None = None
        # Every worker's error ends here, once: shown on the page that started the call.
        runner.failed.connect(self._worker_failed)

    def _add_page(self, page_id: PageId, page: BasePage) -> None:
        self.pages[page_id] = page
        self.setPage(int(page_id), page)
        self._redactor.cover_fields(page)  # presenter mode masks every text field

    def build_later_pages(self) -> Iterator[PageId]:
        """Import and build pages 2-9 (their modules are imported only now, which keeps them
        out of the start-up), yielding after each import and each page built: the window
        spreads the steps over turns of its event loop."""
        for page_id, (module, name) in LATER_PAGES.items():
            if page_id in self.pages:
                continue
            page_class = getattr(importlib.import_module(module), name)
            yield page_id
            if page_id not in self.pages:  # page_of() may have built it meanwhile
                self._add_page(page_id, page_class(*self._page_args))
                yield page_id

    def add_remaining_pages(self) -> None:
        for _ in self.build_later_pages():
            pass

    def validateCurrentPage(self) -> bool:
        self.add_remaining_pages()  # normally done already, just after the first paint
        if not super().validateCurrentPage():
            return False
        if self.currentId() == int(PageId.CREDENTIALS) and self.leave_sign_in is not None:
            return self.leave_sign_in()
        return True

    def page_of(self, page_id: PageId) -> BasePage:
        if page_id not in self.pages:
            self.add_remaining_pages()
        return self.pages[page_id]

    def _worker_failed(self, error: Any, owner: object) -> None:
        if isinstance(owner, BasePage):
            owner.show_error(error)
            return
        show = getattr(owner, "show_error", None)
        if callable(show):  # the link-health view, the window (diagnostics report)
            show(error)
            return
        page = self.currentPage()
        if isinstance(page, BasePage):
            page.show_error(error)
