"""The main window: the demo banner, the wizard, the activity log, presenter mode, the Help menu
(glossary, link health, diagnostics report) and the offer to continue a saved link."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from wizard import APP_NAME
from wizard.ui.ask import ask_yes_no
from wizard.ui.by_name import set_by_name
from wizard.ui.collector import collector_paused
from wizard.ui.redact import Redactor
from wizard.ui.state import WizardState
from wizard.ui.style import styled
from wizard.ui.widgets.log_view import ActivityBridge, ActivityView
from wizard.ui.widgets.step_list import StepList
from wizard.ui.wizard_pages import PrivateLinkWizard
from wizard.ui.worker import Runner, tasks

if TYPE_CHECKING:
    from wizard.aws.activity import ActivityLog
    from wizard.model import LinkRecord
    from wizard.settings import Settings
    from wizard.state import RecordStore
    from wizard.ui.about import AboutDialog
    from wizard.ui.glossary_dialog import GlossaryDialog
    from wizard.ui.home_flow import HomeFlow
    from wizard.ui.widgets.health_view import HealthDialog

log = logging.getLogger("wizard.ui")

# The log's first height in text lines; a window shorter than SHORT_WINDOW_LINES gets fewer.
LOG_LINES, LOG_LINES_SHORT, SHORT_WINDOW_LINES = 9, 7, 50
DEMO_BANNER = "Demo — no real AWS account. Everything happens in a built-in sandbox."


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
        home: bool = False,
    ) -> None:
        """`activity`: the log of AWS calls to show (default: the engine's). `all_pages=False`
        builds only what the first paint shows; `start_up()` adds the rest, the other pages and
        the log's feed (what `run()` does once the window is painted, to show it sooner).
        `home`: after sign-in, the home screen lists the account's links (wizard.ui.home_flow)."""
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
        self.wizard = PrivateLinkWizard(state, self.runner, self.redactor, self.settings, all_pages=all_pages)
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
        self._want_home = home
        self.home: HomeFlow | None = None

        # Actions made by their menus: `QAction(text, parent)` made PySide build QIcon's type (for
        # the overload taking an icon) before the first paint. Shortcuts are set by name: a
        # QKeySequence made from Python needs `Qt`.
        view = self.menuBar().addMenu("&View")
        self.log_action = view.addAction("&Activity log")
        self.log_action.setCheckable(True)
        self.log_action.setChecked(True)
        set_by_name(self.log_action, shortcut="Ctrl+L")
        self.log_action.toggled.connect(self.activity_view.setVisible)
        self.home_action = view.addAction("Your &links")
        set_by_name(self.home_action, shortcut="Ctrl+Shift+L")
        self.home_action.triggered.connect(self.show_home)
        self.home_action.setVisible(home)
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

        self.failover_action: Any = None
        if state.demo:  # issue 17: watch the target sync repair a failover
            sandbox_menu = self.menuBar().addMenu("&Sandbox")
            self.failover_action = sandbox_menu.addAction("Simulate a &failover of the database")
            self.failover_action.triggered.connect(self.simulate_failover)
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
        if all_pages:
            self.attach_home()

    def attach_home(self) -> None:
        """The home screen (its module loads after the first paint, like the later pages)."""
        if self._want_home and self.home is None:
            from wizard.ui.home_flow import HomeFlow

            self.home = HomeFlow(self)

    def show_home(self) -> None:
        if self.home is not None:
            self.home.show_home()

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

    def simulate_failover(self) -> None:
        """Demo only: the sandbox fails the chosen database over (a new address, or a new
        Aurora writer); link health, open and re-checking, shows the target sync follow it."""
        source = self.state.source
        if source is None or not self.state.endpoint_url:
            self.statusBar().showMessage("Choose a database in the wizard first, then simulate its failover.")
            return
        self.runner.run(
            tasks.sandbox_failover,
            self.state.endpoint_url,
            source.id,
            self.state.region or "us-east-1",
            on_done=self._failed_over,
            owner=self,
        )

    def _failed_over(self, words: str) -> None:
        self.statusBar().showMessage(
            f"Sandbox: {words} The target sync follows it within seconds; link health shows it."
        )
        self.show_health()

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
            tasks.write_diagnostics,
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
        self.attach_home()
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
