"""(being written) The sandbox's model of AWS behaviour moto lacks: see wizard/sandbox/timing.py."""

from __future__ import annotations


def install() -> None:
    """Patch moto (called once, under moto_ext's lock)."""
