"""Waiting for AWS to finish something: one poll loop for every wait in the engine.

The pause between two looks grows with the time already waited (a share of it, within bounds),
so a wait overshoots AWS by at most that share, whether AWS takes seconds (the sandbox) or
minutes (a real NLB), without hammering the API during a long wait. boto3's waiters poll at a
fixed delay, which overshoots a short wait by up to the whole delay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from wizard.errors import UserError

T = TypeVar("T")


@dataclass(frozen=True)
class Patience:
    """How long to wait in all, and how often to look."""

    timeout: float = 600.0
    shortest: float = 0.5  # the first pauses
    longest: float = 15.0  # no pause is longer
    share: float = 0.05  # otherwise each pause is this share of the time waited so far

    def pause(self, waited: float) -> float:
        return min(self.longest, max(self.shortest, waited * self.share))


DEFAULT_PATIENCE = Patience()


def wait_until(
    read: Callable[[], T],
    done: Callable[[T], bool],
    patience: Patience,
    timed_out: Callable[[T], UserError],
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `read` until `done` says its value is final; `read` or `done` raise for a state that
    will never become final. After `patience.timeout` seconds, raise `timed_out(last value)`."""
    start = time.monotonic()
    while True:
        value = read()
        if done(value):
            return value
        waited = time.monotonic() - start
        if waited >= patience.timeout:
            raise timed_out(value)
        sleep(min(patience.pause(waited), patience.timeout - waited))


def delete_when_free(
    delete: Callable[[], None],
    busy_code: str,
    waiting: str,
    timed_out: UserError,
    patience: Patience,
    say: Callable[[str], None],
) -> None:
    """Call `delete` until AWS stops answering `busy_code` (it frees the resource on its own a
    little later), with the engine's growing pauses; say once what it waits for."""
    said = False

    def attempt() -> bool:
        nonlocal said
        try:
            delete()
        except UserError as exc:
            if exc.code != busy_code:
                raise
            if not said:
                say(waiting)
                said = True
            return False
        return True

    wait_until(attempt, lambda deleted: deleted, patience, lambda _: timed_out)
