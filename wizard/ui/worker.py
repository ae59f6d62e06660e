"""Run one engine call on a background thread; results, progress and errors come back by signal.

Modelled on superqt's FunctionWorker (signals returned / errored / finished, an abort flag), but
kept to Qt core: importing superqt pulls in its whole widget collection (~0.35 s, more than
PySide6 itself), which would break the start-up budget for one small class.
"""
# On the window's first-paint path: Qt enums by name, never `Qt.*` (see by_name.py).

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from wizard.ui.collector import collector_paused

log = logging.getLogger("wizard.ui.worker")


class Cancelled(Exception):
    """Raised inside a worker by its progress callback once the window asked it to stop."""


class _Signals(QObject):
    # Emitted from the pool thread; Qt queues them to the receivers' (GUI) thread.
    returned = Signal(object)
    errored = Signal(object)
    progress = Signal(str)
    finished = Signal()


class Worker(QRunnable):
    """One call of `fn(*args, **kwargs)` on the thread pool.

    With `with_progress=True` the function gets a `progress` keyword: a callable taking one
    plain-words message. It raises `Cancelled` once `quit()` was called, which is how a long
    engine step stops between AWS calls when the window closes.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        with_progress: bool = False,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)  # the Runner keeps it until `finished` arrives
        self.signals = _Signals()
        self._fn = fn
        self._args = args
        self._kwargs = dict(kwargs)
        if with_progress:
            self._kwargs["progress"] = self._progress
        self._abort = False

    def quit(self) -> None:
        self._abort = True

    def _progress(self, message: str) -> None:
        if self._abort:
            raise Cancelled
        self.signals.progress.emit(message)

    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Cancelled:
            pass
        except BaseException as exc:  # anything a worker raises must reach the GUI, not stderr
            if not self._abort:
                self.signals.errored.emit(exc)
        else:
            if not self._abort:
                self.signals.returned.emit(result)
        finally:
            self.signals.finished.emit()


def as_user_error(exc: BaseException) -> Any:
    """Any exception as a UserError (engine errors already are; anything else is a bug)."""
    from wizard.aws.errors import UserError, translate

    if not isinstance(exc, UserError):
        log.error("Unexpected error in a background task", exc_info=exc)
    return translate(exc)


def _tasks() -> ModuleType:
    """wizard.ui.tasks; its first import (the whole engine, boto3) with the collector paused,
    and the engine's AWS models parsed in pieces from then on (see model_parsing.py).
    import_module, not sys.modules: a second worker must wait for a first one's import to end."""
    if "wizard.ui.tasks" in sys.modules:
        return importlib.import_module("wizard.ui.tasks")
    with collector_paused:
        module = importlib.import_module("wizard.ui.tasks")
        from wizard.ui.model_parsing import use_piecewise_parsing

        use_piecewise_parsing()
        return module


class _TasksOnFirstCall:
    """`tasks.name` is a callable that runs `wizard.ui.tasks.name` when the worker calls it: the
    module (the engine, boto3) is imported on the worker thread, after the first window is shown,
    instead of delaying start-up. Type checkers see the real module (below)."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(_tasks(), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        return call


if TYPE_CHECKING:
    from wizard.ui import tasks as tasks
else:
    tasks = _TasksOnFirstCall()


class Runner(QObject):
    """Starts engine calls and routes every failure to one place (`failed`).

    Pages go through `BasePage.run_engine`, which adds the page's busy state; the window
    connects `failed` once and shows the UserError on the page that started the call.
    """

    failed = Signal(object, object)  # (UserError, owner) — owner is whoever started the call
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._workers: set[Worker] = set()
        self._closed = False
        self._held: list[Worker] | None = None  # started once `release()` is called

    @property
    def busy(self) -> bool:
        return bool(self._workers)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[Any], None] | None = None,
        on_progress: Callable[[str], None] | None = None,
        owner: object = None,
        **kwargs: Any,
    ) -> Worker | None:
        """Call `fn(*args, **kwargs)` off the GUI thread; None once the window is closing.

        `on_error` runs after the shared `failed` handler, for page-specific clean-up.
        """
        if self._closed:
            return None
        worker = Worker(fn, args, kwargs, with_progress=on_progress is not None)

        def done(result: Any) -> None:
            if not self._closed and on_done is not None:
                on_done(result)

        def error(exc: BaseException) -> None:
            if self._closed:
                return
            user_error = as_user_error(exc)
            self.failed.emit(user_error, owner)
            if on_error is not None:
                on_error(user_error)

        def finished() -> None:
            self._workers.discard(worker)
            if not self._workers:
                self.busy_changed.emit(False)

        worker.signals.returned.connect(done)
        worker.signals.errored.connect(error)
        if on_progress is not None:
            worker.signals.progress.connect(lambda text: None if self._closed else on_progress(text))
        worker.signals.finished.connect(finished)
        was_idle = not self._workers
        self._workers.add(worker)
        if was_idle:
            self.busy_changed.emit(True)
        if self._held is not None:
            self._held.append(worker)
        else:
            self._pool.start(worker)
        return worker

    def hold(self) -> None:
        """Queue new calls instead of starting them, until `release()`. Used while the first
        window paints: a worker importing boto3 then would compete with it for the interpreter
        lock and delay the first paint."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        held, self._held = self._held or [], None
        for worker in held:
            if self._closed:
                self._workers.discard(worker)
            else:
                self._pool.start(worker)

    def shutdown(self, wait_ms: int = 15000) -> bool:
        """Stop accepting work, ask running calls to stop, wait for them. True if all ended."""
        self._closed = True
        self.release()  # held calls never started: drop them
        for worker in list(self._workers):
            worker.quit()
        return self._pool.waitForDone(wait_ms)
