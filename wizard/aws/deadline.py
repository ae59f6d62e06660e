"""A bound on how long one AWS call may go unanswered, retries included.

An endpoint that accepts the connection and never answers (a proxy holding it, a wrong
--endpoint-url) would otherwise cost every attempt its full read timeout, eight times over. Each
call notes when it started; when an attempt fails for want of an answer after CALL_DEADLINE
seconds in all, the retries stop with a clear error. A call still unanswered after SLOW_SECONDS
is reported to `on_slow` (the CLI prints it), so nobody waits in silence.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ReadTimeoutError
from botocore.exceptions import ConnectionError as BotoConnectionError

CALL_DEADLINE = 45.0
SLOW_SECONDS = 5.0
_STARTED = "privatelink-wizard-started"


class CallDeadlineExceeded(BotoCoreError):
    """No answer from the endpoint within CALL_DEADLINE seconds (raised in place of a retry);
    a botocore error like the timeouts it ends, so every aws_step translates it."""

    fmt = "{operation}: no answer after {waited:.0f} s"


def bound(client: Any, on_slow: Callable[[str], None] | None = None) -> None:
    """Give every call of `client` the deadline (and, with `on_slow`, the slow-call notice)."""
    timers: dict[int, threading.Timer] = {}

    def started(model: Any, context: dict[str, Any], **_: Any) -> None:
        context[_STARTED] = time.monotonic()
        if on_slow is not None:
            timer = threading.Timer(
                SLOW_SECONDS,
                on_slow,
                [f"Still waiting for AWS to answer ({model.name}); giving up after {CALL_DEADLINE:g} s…"],
            )
            timer.daemon = True
            timers[id(context)] = timer
            timer.start()

    def finished(context: dict[str, Any], **_: Any) -> None:
        timer = timers.pop(id(context), None)
        if timer is not None:
            timer.cancel()

    def stop_retrying(
        request_dict: dict[str, Any], operation: Any, caught_exception: Any = None, **_: Any
    ) -> None:
        begun = request_dict.get("context", {}).get(_STARTED)
        unanswered = isinstance(caught_exception, ReadTimeoutError | BotoConnectionError)
        if begun is not None and unanswered and time.monotonic() - begun >= CALL_DEADLINE:
            finished(request_dict["context"])
            raise CallDeadlineExceeded(operation=operation.name, waited=time.monotonic() - begun)

    events = client.meta.events
    events.register("before-call.*.*", started)
    events.register("after-call.*.*", finished)
    events.register("after-call-error.*.*", finished)
    events.register_first("needs-retry.*.*", stop_retrying)
