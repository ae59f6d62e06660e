"""The sandbox's clock moved by hand, so tests see AWS's minutes pass without sleeping."""

from __future__ import annotations

import time

import pytest

from wizard.sandbox import timing


class SandboxClock:
    """Stands in for `timing.now`: starts at the real time and moves only when told."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = time.monotonic()
        monkeypatch.setattr(timing, "now", self)

    def __call__(self) -> float:
        return self.now

    def advance(self, aws_seconds: float) -> None:
        """Let `aws_seconds` of AWS's time pass at the current scale."""
        self.now += aws_seconds * timing.scale()

    def sleep(self, seconds: float) -> None:
        """A poll loop's pause, taken on this clock instead of the real one."""
        self.now += seconds
