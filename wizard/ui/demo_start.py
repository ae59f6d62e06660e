"""`--demo`'s sandbox, started on a thread once the window has painted: the window shows at
once, and the sign-in page says the sandbox is starting until it is ready (or why it failed)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from wizard.ui.main_window import MainWindow


class DemoSandbox(QObject):
    """Starts the sandbox off the window's thread; `ready` / `failed` arrive on the window's."""

    ready = Signal(str)  # the sandbox's endpoint URL
    failed = Signal(object)  # a UserError

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._sandbox: Any = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="demo-sandbox", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            # moto and the sandbox load here, off the window's thread.
            from wizard.sandbox.server import Sandbox
            from wizard.sandbox.timing import DEMO_SCALE

            sandbox = Sandbox(timing=DEMO_SCALE)
            url = sandbox.start(port=0, seeded=True, consumer=True)
        except BaseException as exc:  # said on the sign-in page, never lost on a thread
            from wizard.ui.worker import as_user_error

            self.failed.emit(as_user_error(exc))
            return
        with self._lock:
            if self._stopped:  # the window closed while the sandbox started
                sandbox.stop()
                return
            self._sandbox = sandbox
        self.ready.emit(url)

    def stop(self) -> None:
        """Stop the sandbox (waiting for a start under way to end first). Safe to call twice."""
        with self._lock:
            self._stopped = True
            sandbox, self._sandbox = self._sandbox, None
        if sandbox is not None:
            sandbox.stop()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)

    def attach(self, window: MainWindow) -> None:
        """Tell the window's state and its sign-in page when the sandbox is ready or failed."""
        from wizard.ui.page_ids import PageId

        page: Any = window.wizard.page_of(PageId.CREDENTIALS)
        state = window.state

        def recheck() -> None:
            # Not before the page is shown, nor while it reads the AWS profiles: both end in a
            # check of their own.
            if page._initialized and not page._checking:
                page.refresh()

        def ready(url: str) -> None:
            state.endpoint_url = url
            state.extra.pop("demo_sandbox", None)
            recheck()

        def failed(error: Any) -> None:
            state.extra["demo_sandbox"] = error
            recheck()

        # What the sign-in page says until then (wizard.ui.pages.credentials).
        state.extra["demo_sandbox"] = "starting"

        self.ready.connect(ready)
        self.failed.connect(failed)
