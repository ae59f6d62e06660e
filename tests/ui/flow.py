"""Drive the wizard like a user: wait for checks, press the page's Create button, press Next."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wizard.ui.main_window import MainWindow
from wizard.ui.page_ids import PageId
from wizard.ui.pages.base import BasePage

WAIT_MS = 60000


class LoopBot:
    """The two qtbot calls this module uses, without pytest (for a wizard driven in a child
    process, or by a benchmark).

    Waits with a QEventLoop, as pytest-qt does, not QTest.qWait: in PySide6 6.12.0 every
    qWait call drops one reference to None too many, and a run of a few thousand waits kills
    the interpreter ("none_dealloc")."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        self._loop = QEventLoop()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._loop.quit)

    def _wait(self, ms: int) -> None:
        self._timer.start(ms)
        self._loop.exec()

    def wait(self, ms: int) -> None:
        self._wait(ms)

    def waitUntil(self, condition: Callable[[], Any], timeout: int = 5000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while True:
            if condition() in (None, True):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout} ms for {condition}")
            self._wait(10)


def page(window: MainWindow) -> Any:
    current = window.wizard.currentPage()
    assert isinstance(current, BasePage)
    return current


def settled(p: BasePage) -> Callable[[], bool]:
    return p.is_settled


def wait_settled(qtbot: Any, window: MainWindow, timeout: int = WAIT_MS) -> Any:
    p = page(window)
    qtbot.waitUntil(settled(p), timeout=timeout)
    return p


def shoot(window: MainWindow, folder: Path | None, name: str, qtbot: Any = None) -> None:
    if folder is not None:
        # Let pending layout and deleteLater() run so the picture shows the settled page.
        if qtbot is not None:
            qtbot.wait(100)
        folder.mkdir(parents=True, exist_ok=True)
        index = int(window.wizard.currentId()) + 1
        assert window.grab().save(str(folder / f"{index:02d}-{name}.png"))


def next_page(qtbot: Any, window: MainWindow, expected: PageId) -> Any:
    p = page(window)
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    window.wizard.next()
    assert window.wizard.currentId() == int(expected), p.error_panel.text()
    return page(window)


def create(qtbot: Any, window: MainWindow, fixes: list[str] | None = None) -> Any:
    """Settle the page, apply the Fix of every failing row (confirmations answered Yes by the
    `no_dialogs` fixture), then press the page's Create button and wait until Next opens."""
    p = wait_settled(qtbot, window)
    assert not p.error_panel.isVisible(), p.error_panel.text()
    for row in p.checklist.failing():
        if row.fix and row.key != "health":
            if fixes is not None:
                fixes.append(row.key)
            p.checklist.findChild(object, f"fix-{row.key}").click()
            qtbot.waitUntil(lambda: not p.busy, timeout=WAIT_MS)
            wait_settled(qtbot, window)
            assert not p.error_panel.isVisible(), p.error_panel.text()
    qtbot.waitUntil(p.action_button.isEnabled, timeout=WAIT_MS)
    assert p.preview.items(), "the preview must be on screen before anything is created"
    p.action_button.click()
    qtbot.waitUntil(lambda: p.isComplete() or p.error_panel.isVisible(), timeout=WAIT_MS)
    assert not p.error_panel.isVisible(), p.error_panel.text()
    return p


def run_flow(
    qtbot: Any,
    window: MainWindow,
    source_id: str,
    port: int | None = None,
    shots: Path | None = None,
    fixes: list[str] | None = None,
) -> Any:
    """From the credentials page to Done; returns the link."""
    p = wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="credentials")
    p = next_page(qtbot, window, PageId.SOURCE)
    wait_settled(qtbot, window)
    p.select(source_id)
    shoot(window, shots, qtbot=qtbot, name="source")
    next_page(qtbot, window, PageId.NLB)
    p = wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="nlb")
    create(qtbot, window, fixes)
    p = next_page(qtbot, window, PageId.TARGET_GROUP)
    if port is not None:
        p.port.setValue(port)
    return finish_flow(qtbot, window, shots, fixes)


def finish_flow(
    qtbot: Any, window: MainWindow, shots: Path | None = None, fixes: list[str] | None = None
) -> Any:
    """From the target group page (a new link's, or a resumed one's) to Done; returns the link."""
    wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="target-group")
    create(qtbot, window, fixes)
    next_page(qtbot, window, PageId.ENDPOINT_SERVICE)
    wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="endpoint-service")
    create(qtbot, window, fixes)
    next_page(qtbot, window, PageId.ALLOWLIST)
    wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="allowlist")
    create(qtbot, window, fixes)
    p = next_page(qtbot, window, PageId.SERVICE_NAME)
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    shoot(window, shots, qtbot=qtbot, name="service-name")
    p = next_page(qtbot, window, PageId.ACCEPT)
    # The sandbox's simulated consumer requests a connection once it is allow-listed.
    qtbot.waitUntil(
        lambda: any(c.pending and c.owner_account == p.expected_owner for c in p.connections),
        timeout=WAIT_MS,
    )
    shoot(window, shots, qtbot=qtbot, name="accept")
    pending = next(c for c in p.connections if c.pending)
    p.table.findChild(object, f"accept-{pending.endpoint_id}").click()
    qtbot.waitUntil(p.isComplete, timeout=WAIT_MS)
    p = next_page(qtbot, window, PageId.DONE)
    wait_settled(qtbot, window)
    shoot(window, shots, qtbot=qtbot, name="done")
    return window.state.link


def signed_in_home(qtbot: Any, window: MainWindow) -> Any:
    """Sign in, press Next: the home screen reads the links."""
    page = wait_settled(qtbot, window)
    qtbot.waitUntil(page.isComplete, timeout=WAIT_MS)
    window.wizard.next()
    home = window.home
    assert home is not None
    return home
