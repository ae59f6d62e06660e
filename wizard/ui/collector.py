"""The garbage collector paused while the app makes objects it keeps for good: the engine's
first import (boto3), an AWS model parsed, a client built.

Such a moment makes tens of thousands of objects (a million for the EC2 model) and frees almost
none. Meanwhile the collector would run full collections over the whole heap with the
interpreter lock held, on whichever thread triggers it, the window's included: the window froze
(figures: benchmarks/README.md). The window's own start-up is such a moment too (PySide's types, the
first page): the CLI pauses the collector until the window has painted. Paused, then frozen
(`gc.freeze`: later collections skip what exists now), those objects cost nothing more. Pauses
on several threads share one.
"""

from __future__ import annotations

import gc
import threading


class _CollectorPaused:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def pause(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def resume(self) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                gc.freeze()
                if self._was_enabled:
                    gc.enable()

    def __enter__(self) -> None:
        self.pause()

    def __exit__(self, *_: object) -> None:
        self.resume()


collector_paused = _CollectorPaused()
