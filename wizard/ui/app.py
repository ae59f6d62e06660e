"""The window: the wizard's nine pages, the activity-log dock, the demo banner, presenter mode,
the Help menu (glossary, link health, diagnostics report), resuming a saved link, and `run()`
(what `privatelink-wizard` and `--demo` start)."""

from __future__ import annotations

import logging
import sys
from importlib import resources
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from wizard import APP_ID, APP_NAME, __version__
from wizard.aws.activity import ACTIVITY, ActivityLog
from wizard.consumers import load_consumer
from wizard.model import LinkRecord
from wizard.settings import Settings
from wizard.state import RecordStore
from wizard.ui.about import AboutDialog
from wizard.ui.glossary import GlossaryDialog, show_glossary
from wizard.ui.page_ids import PageId
from wizard.ui.pages.accept import AcceptPage
from wizard.ui.pages.allowlist import AllowlistPage
from wizard.ui.pages.base import BasePage
from wizard.ui.pages.credentials import CredentialsPage
from wizard.ui.pages.done import DonePage
from wizard.ui.pages.endpoint_service import EndpointServicePage
from wizard.ui.pages.nlb import NlbPage
from wizard.ui.pages.service_name import ServiceNamePage
from wizard.ui.pages.source import SourcePage
from wizard.ui.pages.target_group import TargetGroupPage
from wizard.ui.redact import Redactor
from wizard.ui.state import WizardState
from wizard.ui.widgets.health_view import HealthDialog
from wizard.ui.widgets.log_view import ActivityBridge, ActivityView
from wizard.ui.worker import Runner, engine

log = logging.getLogger("wizard.ui")

DEMO_BANNER = "Demo — no real AWS account. Everything happens in a built-in sandbox."


class PrivateLinkWizard(QWizard):
    """The nine pages over one shared WizardState; pages drive the engine through `runner`."""

    def __init__(
        self,
        state: WizardState,
        runner: Runner,
        redactor: Redactor,
        settings: Settings,
        parent: QWidget | None = None,
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
        args = (state, runner, redactor)
        self.pages: dict[PageId, BasePage] = {
            PageId.CREDENTIALS: CredentialsPage(*args, settings=settings),
            PageId.SOURCE: SourcePage(*args),
            PageId.NLB: NlbPage(*args),
            PageId.TARGET_GROUP: TargetGroupPage(*args),
            PageId.ENDPOINT_SERVICE: EndpointServicePage(*args),
            PageId.ALLOWLIST: AllowlistPage(*args),
            PageId.SERVICE_NAME: ServiceNamePage(*args),
            PageId.ACCEPT: AcceptPage(*args),
            PageId.DONE: DonePage(*args),
        }
        for page_id, page in self.pages.items():
            self.setPage(int(page_id), page)
        self.setStartId(int(PageId.CREDENTIALS))
        # Every worker's error ends here, once: shown on the page that started the call.
        runner.failed.connect(self._worker_failed)

    def page_of(self, page_id: PageId) -> BasePage:
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
    """The wizard in the middle, the activity log docked below, the demo banner on top."""

    def __init__(
        self,
        state: WizardState,
        settings: Settings | None = None,
        store: RecordStore | None = None,
        activity: ActivityLog = ACTIVITY,
        on_close: Any = None,
    ) -> None:
        super().__init__()
        self.settings = settings if settings is not None else Settings.load()
        self.store = store or RecordStore()
        self.state = state
        self._on_close = on_close
        self.redactor = Redactor(self.settings.presenter_mode, self)
        self.runner = Runner(self)
        self.wizard = PrivateLinkWizard(state, self.runner, self.redactor, self.settings)
        self.wizard.setWindowFlags(Qt.WindowType.Widget)  # embedded, not its own dialog window
        self.wizard.finished.connect(lambda _result: self.close())
        self.setWindowTitle(f"{APP_NAME} (demo)" if state.demo else APP_NAME)

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel(DEMO_BANNER)
        self.banner.setObjectName("demoBanner")
        self.banner.setWordWrap(True)
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setVisible(state.demo)
        column.addWidget(self.banner)
        column.addWidget(self.wizard, 1)
        self.setCentralWidget(central)

        self.activity_view = ActivityView(self.redactor)
        self.dock = QDockWidget("Activity log — what the wizard did in AWS", self)
        self.dock.setObjectName("activityDock")
        self.dock.setWidget(self.activity_view)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        # The wizard is the main thing; the log starts as a strip of a few lines.
        self.resizeDocks([self.dock], [self.fontMetrics().height() * 9], Qt.Orientation.Vertical)
        self.bridge = ActivityBridge(activity, self)
        self.bridge.arrived.connect(self.activity_view.add_event)
        self.activity_view.report_requested.connect(self.report_dialog)
        self.health: HealthDialog | None = None
        # Every text field gets a presenter-mode cover (the field keeps its real value).
        for edit in self.findChildren(QLineEdit):
            self.redactor.cover(edit)

        view = self.menuBar().addMenu("&View")
        toggle_log = self.dock.toggleViewAction()
        toggle_log.setText("&Activity log")
        toggle_log.setShortcut(QKeySequence("Ctrl+L"))
        view.addAction(toggle_log)
        self.presenter_action = QAction("&Presenter mode (hide account ids)", self)
        self.presenter_action.setCheckable(True)
        self.presenter_action.setChecked(self.redactor.presenter)
        self.presenter_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.presenter_action.toggled.connect(self._set_presenter)
        view.addAction(self.presenter_action)

        # Says on screen (and in screenshots) that ids are hidden on purpose.
        self.presenter_badge = QLabel("Presenter mode: account ids and secrets hidden")
        self.presenter_badge.setObjectName("presenterBadge")
        self.statusBar().addPermanentWidget(self.presenter_badge)
        self.presenter_badge.setVisible(self.redactor.presenter)

        help_menu = self.menuBar().addMenu("&Help")
        self.glossary_action = QAction("&Glossary", self)
        self.glossary_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        self.glossary_action.triggered.connect(self.show_glossary)
        help_menu.addAction(self.glossary_action)
        self.health_action = QAction("&Link health…", self)
        self.health_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.health_action.triggered.connect(self.show_health)
        help_menu.addAction(self.health_action)
        self.report_action = QAction("&Diagnostics report…", self)
        self.report_action.triggered.connect(self.report_dialog)
        help_menu.addAction(self.report_action)
        help_menu.addSeparator()
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)  # macOS: the app menu
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)
        self.resize(self.fontMetrics().averageCharWidth() * 120, self.fontMetrics().height() * 48)

    # --- help and support ---------------------------------------------------------------------
    def show_about(self) -> AboutDialog:
        dialog = AboutDialog(self)
        dialog.open()
        return dialog

    def show_glossary(self) -> GlossaryDialog:
        return show_glossary(self)

    def show_health(self) -> HealthDialog:
        """Open the link-health window and re-run every check."""
        if self.health is None:
            self.health = HealthDialog(self.state, self.runner, self.redactor, self)
        self.health.show()
        self.health.raise_()
        self.health.view.check()
        return self.health

    def report_dialog(self) -> None:
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
        self.statusBar().showMessage(self.redactor(f"Could not write the report: {error.what}"))
        QMessageBox.warning(self, "Diagnostics report", self.redactor(error.paragraph()))

    def _set_presenter(self, on: bool) -> None:
        self.presenter_badge.setVisible(on)
        self.redactor.set_presenter(on)
        self.settings.presenter_mode = on
        self.settings.save()

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
        answer = QMessageBox.question(
            self,
            "Continue where you stopped?",
            self.redactor(
                f"The link '{record.name}' (account {record.account_id or 'unknown'}, region "
                f"{record.region}) was not finished. Done so far: {done}.\n\n"
                "Continue it? (Choose No to start a new link; nothing is deleted.)"
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        self.state.resume = record
        self.state.region = record.region
        return record

    def shutdown(self) -> None:
        """Stop listening, stop background calls and wait for them (no dangling threads)."""
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


def load_style() -> str:
    try:
        return resources.files("wizard.resources").joinpath("style.qss").read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return ""


def app_icon() -> QIcon:
    icon = QIcon()
    folder = resources.files("wizard.resources").joinpath("icons")
    for size in (16, 32, 48, 64, 128, 512):
        entry = folder.joinpath(f"app-{size}.png")
        if entry.is_file():
            with resources.as_file(entry) as path:
                icon.addFile(str(path))
    return icon


def make_app(argv: list[str], style: bool = True) -> QApplication:
    """The QApplication; `style=False` leaves the style sheet to the caller (see `run`)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(app_icon())
    if style:
        app.setStyleSheet(load_style())
    return app


def run(argv: list[str], demo: bool = False, endpoint_url: str | None = None) -> int:
    """Start the GUI. With `demo`, an in-process sandbox stands in for AWS."""
    app = make_app(argv, style=False)
    settings = Settings.load()
    sandbox: Any = None
    if demo:
        # Only the demo imports moto; a normal start stays light.
        from wizard.sandbox.server import Sandbox

        sandbox = Sandbox()
        endpoint_url = sandbox.start(port=0, seeded=True, consumer=True)
        settings.region = "us-east-1"
    consumer = load_consumer(settings.consumer or "rivery")
    state = WizardState(consumer=consumer, endpoint_url=endpoint_url, demo=demo)
    window = MainWindow(state, settings, on_close=sandbox.stop if sandbox is not None else None)
    # Styling the built window once is far cheaper than restyling each widget as it is added
    # (a style sheet set first made building the window take ~2.5x as long).
    app.setStyleSheet(load_style())
    # The first page's checks start once it is painted: a worker importing boto3 meanwhile
    # would compete with the paint for the interpreter lock.
    window.runner.release_after_first_paint()
    window.show()  # QWizard opens its first page (restart) as it becomes visible
    if not demo and window.offer_resume() is not None:
        window.wizard.restart()  # again, now for the link to continue
    try:
        return app.exec()
    finally:
        if sandbox is not None:
            sandbox.stop()
