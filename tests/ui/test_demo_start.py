"""`--demo` shows its window first: the sandbox starts on a thread after the first paint, and the
sign-in page says so (Next stays off) until it is ready, then signs in to it."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from wizard.errors import UserError
from wizard.sandbox.server import Sandbox
from wizard.ui import app as app_module
from wizard.ui.page_ids import PageId
from wizard.ui.pages.credentials import DEMO_STARTING

WAIT_MS = 60000


def said(page: Any) -> str:
    """What the sign-in page's checklist shows."""
    return " ".join(label.text() for label in page.checklist.findChildren(QLabel) if not label.isHidden())


def run_demo(qtbot: Any, monkeypatch: pytest.MonkeyPatch, check: Any) -> int:
    """`run(demo=True)` as `privatelink-wizard --demo` calls it; `check(window)` runs in place of
    the event loop, then the window is closed (stopping the sandbox)."""
    qapp = QApplication.instance()
    seen: dict[str, Any] = {}

    def event_loop() -> int:
        # (Windows of earlier tests may linger, closed: the demo's is the one on screen.)
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, app_module.MainWindow)]
        [window] = [w for w in shown if w.isVisible()]
        seen["window"] = window
        try:
            check(window)
        finally:
            window.close()
        return 0

    monkeypatch.setattr(qapp, "exec", event_loop)
    return app_module.run([], demo=True)


def test_the_demo_window_paints_before_the_sandbox_is_up(qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    go_on = threading.Event()  # the sandbox's start waits until the test has seen the page
    real_start = Sandbox.start

    def start(self: Sandbox, *args: Any, **kwargs: Any) -> str:
        started.append("sandbox")
        assert go_on.wait(WAIT_MS / 1000)
        return real_start(self, *args, **kwargs)

    monkeypatch.setattr(Sandbox, "start", start)

    def check(window: Any) -> None:
        # The window is built and shown before anything of the sandbox has started.
        assert window.isVisible() and not started
        assert window.state.endpoint_url is None
        page = window.wizard.page_of(PageId.CREDENTIALS)
        # Until the sandbox is up, the page says so and Next waits ...
        qtbot.waitUntil(lambda: DEMO_STARTING in said(page), timeout=WAIT_MS)
        assert started == ["sandbox"] and not page.isComplete()
        go_on.set()
        # ... then it signs in to it.
        qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
        assert window.state.endpoint_url and window.state.endpoint_url.startswith("http://127.0.0.1:")
        assert window.state.identity is not None
        assert DEMO_STARTING not in said(page)

    assert run_demo(qtbot, monkeypatch, check) == 0


def test_a_sandbox_that_cannot_start_is_said_on_the_sign_in_page(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Sandbox, *args: Any, **kwargs: Any) -> str:
        raise UserError("The sandbox could not listen on 127.0.0.1:0", fix="Close the other program.")

    monkeypatch.setattr(Sandbox, "start", refuse)

    def check(window: Any) -> None:
        page = window.wizard.page_of(PageId.CREDENTIALS)
        qtbot.waitUntil(lambda: "did not start" in said(page), timeout=WAIT_MS)
        assert "could not listen" in said(page) and "Close the other program." in said(page)
        assert not page.isComplete()

    assert run_demo(qtbot, monkeypatch, check) == 0
