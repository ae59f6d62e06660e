"""How fast the sandbox's resources change state, as a fraction of AWS's own times.

Scale 0 (the default, for tests) makes every transition instant: a resource is already in its
final state the first time it is read. Scale 1 is AWS-like (an NLB provisions for minutes).
The demo runs at DEMO_SCALE, short enough to click through and long enough to see each state.
Each model module keeps AWS's durations beside the documentation page they come from.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

INSTANT = 0.0
AWS_LIKE = 1.0
# An NLB's ~3 minutes of provisioning shows for ~9 s in the demo.
DEMO_SCALE = 0.05

_lock = threading.Lock()
_scale = INSTANT


def scale() -> float:
    return _scale


def set_scale(value: float) -> None:
    """Set the process-wide scale (the sandbox's moto state is process-wide too)."""
    global _scale
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"timing scale must be a finite number >= 0, not {value!r}")
    with _lock:
        _scale = float(value)


@contextmanager
def scaled(value: float) -> Iterator[None]:
    """Run a block at another scale (tests), restoring the previous one afterwards."""
    previous = _scale
    set_scale(value)
    try:
        yield
    finally:
        set_scale(previous)


def now() -> float:
    return time.monotonic()


def elapsed_aws_seconds(since: float) -> float:
    """How many AWS seconds have passed since `since` (a `now()` reading) at the current scale."""
    if _scale == 0:
        return math.inf
    return (now() - since) / _scale


def has_passed(since: float, aws_seconds: float) -> bool:
    """True once `aws_seconds` of AWS time have passed since `since`."""
    return elapsed_aws_seconds(since) >= aws_seconds


def mark(obj: object, name: str) -> float:
    """When `name` first happened to a moto object (noted now if not yet): the start of a clock."""
    attribute = f"_plw_{name}_at"
    with _lock:
        started = getattr(obj, attribute, None)
        if started is None:
            started = now()
            setattr(obj, attribute, started)
    return float(started)


def restart(obj: object, name: str) -> float:
    """Start `name`'s clock again (a second reboot, a re-registered target)."""
    with _lock:
        started = now()
        setattr(obj, f"_plw_{name}_at", started)
    return started


def forget(obj: object, name: str) -> None:
    with _lock:
        if hasattr(obj, f"_plw_{name}_at"):
            delattr(obj, f"_plw_{name}_at")
