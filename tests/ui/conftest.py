"""GUI test set-up: a sandbox AWS endpoint, a window factory that closes what it opens, and a
guard that fails any test leaving a background thread running."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QMessageBox

from wizard.consumers import load_consumer
from wizard.settings import Settings
from wizard.ui.app import make_app
from wizard.ui.main_window import MainWindow
from wizard.ui.pages import target_group
from wizard.ui.state import WizardState

SIGN_IN_TIMEOUT_MS = 20000


@pytest.fixture(autouse=True)
def no_dangling_threads(qapp: Any) -> Iterator[None]:
    """A test must leave no worker running: the window's close has to stop them all."""
    yield
    pool = QThreadPool.globalInstance()
    running = pool.activeThreadCount()
    pool.waitForDone(10000)  # do not let one test's thread leak into the next
    assert running == 0, f"{running} background thread(s) still running after the test"


@pytest.fixture(scope="session")
def qapp_cls() -> Any:
    from PySide6.QtWidgets import QApplication

    return QApplication


@pytest.fixture(scope="module")
def sandbox_url() -> Iterator[str]:
    """One seeded sandbox per module of page tests (they only read, or create links of their
    own). Not per session: moto's state is the process's, so another module's sandbox (or a
    mock_aws block) resets it, and this sandbox's simulated platform would go on requesting
    connections to the other module's services."""
    from wizard.sandbox.server import Sandbox

    sandbox = Sandbox(consumer_delay=0.5, consumer_interval=0.2)
    url = sandbox.start(port=0, seeded=True, consumer=True)
    yield url
    sandbox.stop()


@pytest.fixture
def open_window(qapp: Any, qtbot: Any) -> Iterator[Callable[..., MainWindow]]:
    """Open a MainWindow on a given endpoint; closed (workers stopped) after the test."""
    make_app([])
    opened: list[MainWindow] = []

    def factory(
        endpoint_url: str | None = None, demo: bool = True, home: bool = False, **kw: Any
    ) -> MainWindow:
        state = WizardState(consumer=load_consumer("rivery"), endpoint_url=endpoint_url, demo=demo, **kw)
        window = MainWindow(state, Settings.load(), home=home)
        qtbot.addWidget(window)
        window.show()
        window.wizard.restart()
        opened.append(window)
        return window

    yield factory
    for window in opened:
        window.close()


@pytest.fixture
def home_window(open_window: Callable[..., MainWindow]) -> Callable[[str], MainWindow]:
    """A window that shows the home screen after sign-in, at a laptop's 1024×640."""

    def factory(url: str) -> MainWindow:
        window = open_window(url, home=True)
        window.resize(1024, 640)
        return window

    return factory


@pytest.fixture
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answer every confirmation with Yes, and remember what was asked."""
    asked: list[str] = []

    def question(_parent: Any, title: str, text: str, *_: Any, **__: Any) -> Any:
        asked.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Yes

    def reboot_choice(_parent: Any, database: str, change: str) -> Any:
        # The skip_name_resolve fix: apply the setting, never reboot (what "Yes" means elsewhere).
        asked.append(f"reboot {database}: {change}")
        return target_group.RebootChoice.LATER

    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(target_group, "ask_reboot_choice", reboot_choice)
    return asked
