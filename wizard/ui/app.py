"""The window: the wizard's nine pages, the activity log, the demo banner, presenter mode,
the Help menu (glossary, link health, diagnostics report), resuming a saved link, and `run()`
(what `privatelink-wizard` and `--demo` start)."""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from wizard import APP_ID, APP_NAME, __version__
from wizard.collector import collector_paused
from wizard.ui.ask import ask_yes_no
from wizard.ui.by_name import set_by_name
from wizard.ui.page_ids import PageId
from wizard.ui.pages.base import BasePage
from wizard.ui.pages.credentials import CredentialsPage
from wizard.ui.redact import Redactor
from wizard.ui.state import WizardState
from wizard.ui.style import styled
from wizard.ui.widgets.log_view import ActivityBridge, ActivityView
from wizard.ui.widgets.step_list import StepList
from wizard.ui.worker import Runner, engine

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from wizard.aws.activity import ActivityLog
    from wizard.model import LinkRecord
    from wizard.settings import Settings
    from wizard.state import RecordStore
    from wizard.ui.about import AboutDialog
    from wizard.ui.glossary_dialog import GlossaryDialog
    from wizard.ui.widgets.health_view import HealthDialog

log = logging.getLogger("wizard.ui")

# The log's first height in text lines; a window shorter than SHORT_WINDOW_LINES gets fewer.
LOG_LINES, LOG_LINES_SHORT, SHORT_WINDOW_LINES = 9, 7, 50
DEMO_BANNER = "Demo — no real AWS account. Everything happens in a built-in sandbox."


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
        return super().validateCurrentPage()

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


class MainWindow(QMainWindow):
    """The demo banner on top, the wizard, and the activity log below it."""

    def __init__(
        self,
        state: WizardState,
        settings: Settings | None = None,
        store: RecordStore | None = None,
        activity: ActivityLog | None = None,
        on_close: Any = None,
        all_pages: bool = True,
    ) -> None:
        """`activity`: the log of AWS calls to show (default: the engine's). `all_pages=False`
        builds only what the first paint shows; `start_up()` adds the rest, the other pages and
        the log's feed (what `run()` does once the window is painted, to show it sooner)."""
        super().__init__()
        if settings is None:
            from wizard.settings import Settings

            settings = Settings.load()
        # The demo never changes the user's saved region, profile or preferences.
        self.settings = settings.scratch_copy() if state.demo else settings
        self._store = store
        self.state = state
        self._on_close = on_close
        self.redactor = Redactor(self.settings.presenter_mode, self)
        self.runner = Runner(self)
        self.wizard = PrivateLinkWizard(
            state, self.runner, self.redactor, self.settings, all_pages=all_pages
        )
        self.wizard.finished.connect(lambda _result: self.close())
        self.setWindowTitle(f"{APP_NAME} (demo)" if state.demo else APP_NAME)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        self.banner: QLabel | None = None  # the demo's "no real AWS account" line
        if state.demo:
            self.banner = styled(QLabel(DEMO_BANNER), "demo-banner")
            self.banner.setObjectName("demoBanner")
            self.banner.setWordWrap(True)
            set_by_name(self.banner, alignment="AlignCenter")
            column.addWidget(self.banner)
        # The log lies below the wizard, the line between them can be dragged, and View ▸
        # Activity log hides it. (Not a dock: placing one needs PySide's `Qt`, which the first
        # paint avoids: see wizard.ui.by_name.)
        self.activity_view = ActivityView(self.redactor)
        self.splitter = QSplitter()
        set_by_name(self.splitter, orientation="Vertical")
        # The step list beside the pages (issue 18): where you are, what is done, what is next.
        # `wizard_area` holds both: what a screen shown instead of the wizard would replace.
        self.steps = StepList(self.wizard)
        self.wizard_area = QWidget()
        beside = QHBoxLayout(self.wizard_area)
        beside.setContentsMargins(0, 0, 0, 0)
        beside.setSpacing(0)
        beside.addWidget(self.steps)
        beside.addWidget(self.wizard, 1)
        self.splitter.addWidget(self.wizard_area)
        self.splitter.addWidget(self.activity_view)
        self.splitter.setStretchFactor(0, 1)  # a taller window is more wizard, not more log
        self.splitter.setCollapsible(0, False)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._activity = activity
        self.bridge: ActivityBridge | None = None
        if all_pages:
            self._follow_activity()
        self.activity_view.report_requested.connect(self.report_dialog)
        self.health: HealthDialog | None = None

        # Actions made by their menus: `QAction(text, parent)` made PySide build QIcon's type (for
        # the overload taking an icon), ~10 M instructions. Shortcuts are set by name: a
        # QKeySequence made from Python needs `Qt`.
        view = self.menuBar().addMenu("&View")
        self.log_action = view.addAction("&Activity log")
        self.log_action.setCheckable(True)
        self.log_action.setChecked(True)
        set_by_name(self.log_action, shortcut="Ctrl+L")
        self.log_action.toggled.connect(self.activity_view.setVisible)
        self.activity_view.hide_requested.connect(lambda: self.log_action.setChecked(False))
        self.presenter_action = view.addAction("&Presenter mode (hide account ids)")
        self.presenter_action.setCheckable(True)
        self.presenter_action.setChecked(self.redactor.presenter)
        set_by_name(self.presenter_action, shortcut="Ctrl+Shift+P")
        self.presenter_action.toggled.connect(self._set_presenter)

        # Says on screen (and in screenshots) that ids are hidden on purpose.
        self.presenter_badge = QLabel("Presenter mode: account ids and secrets hidden")
        self.presenter_badge.setObjectName("presenterBadge")
        self.statusBar().addPermanentWidget(self.presenter_badge)
        self.presenter_badge.setVisible(self.redactor.presenter)

        help_menu = self.menuBar().addMenu("&Help")
        self.glossary_action = help_menu.addAction("&Glossary")
        set_by_name(self.glossary_action, shortcut="F1")
        self.glossary_action.triggered.connect(self.show_glossary)
        self.health_action = help_menu.addAction("&Link health…")
        set_by_name(self.health_action, shortcut="Ctrl+Shift+H")
        self.health_action.triggered.connect(self.show_health)
        self.report_action = help_menu.addAction("&Diagnostics report…")
        self.report_action.triggered.connect(self.report_dialog)
        help_menu.addSeparator()
        self.about_action = help_menu.addAction(f"&About {APP_NAME}")
        set_by_name(self.about_action, menuRole="AboutRole")  # macOS: the app menu
        self.about_action.triggered.connect(self.show_about)
        width = self.fontMetrics().averageCharWidth() * 120 + self.steps.minimumWidth()
        self.resize(width, self.fontMetrics().height() * 48)
        # The wizard is the main thing; the log starts as a strip of a few lines, fewer on a
        # short (laptop) window, until the user drags the line between them.
        self._log_height_chosen = False
        self.splitter.splitterMoved.connect(self._log_height_was_chosen)
        self._size_log(self.fontMetrics().height() * LOG_LINES)

    def _follow_activity(self) -> None:
        """Show each AWS call in the log as it happens. (The engine's activity module is
        imported for it: after the first paint, when the window starts fast.)"""
        if self._activity is None:
            from wizard.aws.activity import ACTIVITY

            self._activity = ACTIVITY
        self.bridge = ActivityBridge(self._activity, self)
        self.bridge.arrived.connect(self.activity_view.add_event)

    def set_log_height(self, pixels: int) -> None:
        self._log_height_chosen = True
        self._size_log(pixels)

    def _size_log(self, pixels: int) -> None:
        self.splitter.setSizes([max(self.splitter.height() - pixels, 1), pixels])

    def _log_height_was_chosen(self) -> None:
        self._log_height_chosen = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if not self._log_height_chosen:
            # Once the splitter has its new height (it is laid out after this event).
            QTimer.singleShot(0, self, self._fit_log)

    def _fit_log(self) -> None:
        if not self._log_height_chosen:
            line = self.fontMetrics().height()
            short = self.height() < line * SHORT_WINDOW_LINES
            self._size_log(line * (LOG_LINES_SHORT if short else LOG_LINES))

    @property
    def store(self) -> RecordStore:
        if self._store is None:
            from wizard.state import RecordStore

            self._store = RecordStore()
        return self._store

    # --- help and support ---------------------------------------------------------------------
    def show_about(self) -> AboutDialog:
        from wizard.ui.about import AboutDialog

        dialog = AboutDialog(self)
        dialog.open()
        return dialog

    def show_glossary(self) -> GlossaryDialog:
        from wizard.ui.glossary_dialog import show_glossary

        return show_glossary(self)

    def show_health(self) -> HealthDialog:
        """Open the link-health window and re-run every check."""
        if self.health is None:
            from wizard.ui.widgets.health_view import HealthDialog

            self.health = HealthDialog(self.state, self.runner, self.redactor, self)
        self.health.show()
        self.health.raise_()
        self.health.view.check()
        return self.health

    def report_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        name = self.state.link_name or "privatelink"
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Save a diagnostics report for support",
            f"{name}-diagnostics.zip",
            "Zip with Markdown and JSON (*.zip);;Markdown (*.md)",
        )
        if path:
            self.write_report(path)

    def write_report(self, path: str) -> None:
        """Write the redacted report on a worker (it reads the link's live state from AWS)."""
        link: Any = self.state.link
        name = link.record.name if link is not None else self.state.link_name
        self.statusBar().showMessage("Writing the diagnostics report…")
        self.runner.run(
            engine("write_diagnostics"),
            path,
            self.state.aws,
            self.state.identity,
            name,
            self.state.consumer,
            self.redactor.presenter,
            on_done=self._report_written,
            owner=self,
        )

    def _report_written(self, path: Any) -> None:
        self.statusBar().showMessage(
            self.redactor(f"Diagnostics report saved to {path} (secret keys removed).")
        )

    def show_error(self, error: Any) -> None:
        """Errors of the window's own workers (the diagnostics report)."""
        from PySide6.QtWidgets import QMessageBox

        self.statusBar().showMessage(self.redactor(f"Could not write the report: {error.what}"))
        QMessageBox.warning(self, "Diagnostics report", self.redactor(error.paragraph()))

    def _set_presenter(self, on: bool) -> None:
        self.presenter_badge.setVisible(on)
        self.redactor.set_presenter(on)
        self.settings.presenter_mode = on
        self.settings.save()

    def start_up(self, offer_resume: bool = True) -> None:
        """Once the window is on screen: the log's feed; the other pages, a step per turn of
        the event loop so the window keeps reacting; then the held engine calls, and the
        question whether to continue an unfinished link."""
        if self.bridge is None:
            self._follow_activity()
        steps = self.wizard.build_later_pages()

        def next_step() -> None:
            with collector_paused:  # a page (its module, its Qt classes) is kept for good
                built = next(steps, None)
            if built is not None:
                QTimer.singleShot(0, self, next_step)
                return
            self.runner.release()
            if offer_resume and self.offer_resume() is not None:
                self.wizard.restart()  # again, now for the link to continue

        next_step()

    def offer_resume(self) -> LinkRecord | None:
        """If a saved link is unfinished, ask whether to continue it."""
        try:
            unfinished = self.store.unfinished()
        except OSError:
            return None
        if not unfinished:
            return None
        record = max(unfinished, key=lambda r: r.updated_at)
        done = ", ".join(record.completed_steps) or "nothing yet"
        if not ask_yes_no(
            self,
            "Continue where you stopped?",
            self.redactor(
                f"The link '{record.name}' (account {record.account_id or 'unknown'}, region "
                f"{record.region}) was not finished. Done so far: {done}.\n\n"
                "Continue it? (Choose No to start a new link; nothing is deleted.)"
            ),
            default_yes=True,
        ):
            return None
        self.state.resume = record
        self.state.region = record.region
        return record

    def shutdown(self) -> None:
        """Stop listening, stop background calls and wait for them (no dangling threads)."""
        if self.bridge is not None:
            self.bridge.close()
        if not self.runner.shutdown(wait_ms=30000):
            log.warning("A background AWS call did not finish within 30 s of closing")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.runner.busy:
            self.statusBar().showMessage("Finishing the current AWS call before closing…")
        self.shutdown()
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
        super().closeEvent(event)


def app_icon() -> QIcon:
    from PySide6.QtGui import QIcon

    from wizard.paths import resource

    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 512):
        entry = resource("icons", f"app-{size}.png")
        if entry.is_file():
            icon.addFile(str(entry))
    return icon


def make_app(argv: list[str]) -> QApplication:
    """The QApplication (the style sheet is the window's own: see MainWindow; the icon is set
    once the window has painted: see show_main_window)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    return app


class _FirstPaint(QObject):
    """Calls `callback` once, just after `window` is painted for the first time."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._callback = callback
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)  # after the whole paint pass, not inside it
        return False


def show_main_window(
    state: WizardState,
    settings: Settings,
    on_close: Any = None,
    on_shown: Callable[[], None] | None = None,
) -> MainWindow:
    """Build and show the window as fast as it can appear: the first page only, styled once
    built; `on_shown`, the other pages, the first page's engine calls and the offer to continue
    a saved link follow its first paint (`MainWindow.start_up`)."""
    window = MainWindow(state, settings, on_close=on_close, all_pages=False)
    # Engine calls wait for the first paint: a worker importing boto3 meanwhile would compete
    # with the paint for the interpreter lock.
    window.runner.hold()

    def after_first_paint() -> None:
        # The start-up's objects stay for good: frozen, later collections skip them.
        gc.freeze()
        if on_shown is not None:
            on_shown()
        # Now rather than before: QIcon's Python type (its enums) and decoding six PNGs were
        # ~1 % of the window's start-up, for an icon the title bar may show a moment later.
        QApplication.setWindowIcon(app_icon())
        window.start_up(offer_resume=not state.demo)

    _FirstPaint(window, after_first_paint)
    window.show()  # QWizard opens its first page as it becomes visible
    return window


def run(
    argv: list[str],
    demo: bool = False,
    endpoint_url: str | None = None,
    on_shown: Callable[[], None] | None = None,
) -> int:
    """Start the GUI. With `demo`, an in-process sandbox stands in for AWS. `on_shown` runs
    once the window has painted (the CLI starts its log file then)."""
    from wizard.consumers import load_consumer
    from wizard.settings import Settings

    app = make_app(argv)
    settings, settings_note = Settings.load_with_note()
    sandbox: Any = None
    if demo:
        # Only the demo imports moto; a normal start stays light.
        from wizard.sandbox.server import Sandbox
        from wizard.sandbox.timing import DEMO_SCALE

        sandbox = Sandbox(timing=DEMO_SCALE)
        endpoint_url = sandbox.start(port=0, seeded=True, consumer=True)
        settings.region = "us-east-1"
    consumer = load_consumer(settings.consumer or "rivery")
    state = WizardState(consumer=consumer, endpoint_url=endpoint_url, demo=demo)
    window = show_main_window(
        state, settings, on_close=sandbox.stop if sandbox is not None else None, on_shown=on_shown
    )
    if settings_note:
        window.statusBar().showMessage(settings_note)
    try:
        return app.exec()
    finally:
        del window  # closed by now; kept referenced until the event loop ends
        if sandbox is not None:
            sandbox.stop()
