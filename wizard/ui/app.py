"""Starting the app: the QApplication, the window shown as fast as it can appear (the rest is
built after its first paint), and `run()` (what `privatelink-wizard` and `--demo` start)."""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from wizard import APP_ID, APP_NAME, __version__
from wizard.ui.main_window import MainWindow
from wizard.ui.state import WizardState

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from wizard.settings import Settings


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


def _report_first_paint() -> None:
    """benchmarks/startup.py times a built bundle, which it cannot hook into, by this: print
    when the first paint pass is over (monotonic clock, system-wide), then leave at once."""
    import time

    print(f"PAINTED {time.monotonic():.6f}", flush=True)
    os._exit(0)


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
    window = MainWindow(state, settings, on_close=on_close, all_pages=False, home=True)
    # Engine calls wait for the first paint: a worker importing boto3 meanwhile would compete
    # with the paint for the interpreter lock.
    window.runner.hold()

    def after_first_paint() -> None:
        if "PLW_STARTUP_PROBE" in os.environ:
            _report_first_paint()
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
        # The sandbox (moto) starts on a thread once the window has painted; the sign-in page
        # says so meanwhile. Only the demo imports moto; a normal start stays light.
        from wizard.ui.demo_start import DemoSandbox

        sandbox = DemoSandbox()
        endpoint_url = None
        settings.region = "us-east-1"
    consumer = load_consumer(settings.consumer or "rivery")
    state = WizardState(consumer=consumer, endpoint_url=endpoint_url, demo=demo)
    if sandbox is not None:
        state.extra["demo_sandbox"] = "starting"  # what the sign-in page says until it is up

    def shown() -> None:
        if sandbox is not None:
            sandbox.start()
        if on_shown is not None:
            on_shown()

    window = show_main_window(
        state, settings, on_close=sandbox.stop if sandbox is not None else None, on_shown=shown
    )
    if sandbox is not None:
        sandbox.attach(window)
    if settings_note:
        window.statusBar().showMessage(settings_note)
    try:
        return app.exec()
    finally:
        del window  # closed by now; kept referenced until the event loop ends
        if sandbox is not None:
            sandbox.stop()
