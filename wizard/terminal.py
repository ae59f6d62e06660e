"""Talking with the person at the terminal: progress, a yes/no question, machine-readable output."""

from __future__ import annotations

import json
import sys
from typing import Any

from wizard.errors import EXIT_BAD_INPUT, UserError, bad_input


def say(message: str) -> None:
    """Progress goes to stderr so --json output on stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def confirm(question: str, assume_yes: bool) -> None:
    """Ask y/N; without a terminal, demand --yes rather than guessing."""
    if assume_yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise bad_input(
            "Confirmation needed, but there is no terminal to ask",
            "Add --yes to go ahead without a question.",
        )
    answer = input(f"{question} [y/N] ").strip().lower()
    if answer not in {"y", "yes"}:
        raise UserError("Cancelled; nothing was changed", exit_code=EXIT_BAD_INPUT)


def emit_json(payload: dict[str, Any]) -> None:
    print(json.dumps(payload, indent=2, default=str))
