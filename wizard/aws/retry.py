"""Creating without duplicates when AWS throttles or fails transiently.

botocore retries a throttled or failed call by sending it again. For a create that is wrong: if
AWS made the resource and only the reply was lost (a 503 or a timeout after the work was done),
the resend makes a second one. So create calls go through a client without automatic retries
(`aws.client(service, retries=False)`) and through create_once(), which looks for what the failed
call may have made before it tries again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.exceptions import ConnectionClosedError, EndpointConnectionError, ReadTimeoutError

from wizard.aws.errors import THROTTLE_CODES
from wizard.errors import UserError

T = TypeVar("T")

ATTEMPTS = 9  # the first try and 8 retries, as RETRY_CONFIG gives every other call
_TRANSIENT_CODES = THROTTLE_CODES | {
    "ServiceUnavailable",
    "Unavailable",
    "InternalError",
    "InternalFailure",
    "RequestTimeout",
    "RequestTimeoutException",
    "PriorRequestNotComplete",
}


def is_transient(error: UserError) -> bool:
    """Worth another try: throttling, a 5xx, or the connection dropping mid-call."""
    cause = error.__cause__
    return error.code in _TRANSIENT_CODES or isinstance(
        cause, ReadTimeoutError | ConnectionClosedError | EndpointConnectionError
    )


def pause(attempt: int) -> None:
    """Full-jitter exponential backoff (as botocore does), at most 20 s."""
    time.sleep(random.uniform(0, min(20.0, 0.5 * 2**attempt)))


def create_once(create: Callable[[], T], find: Callable[[], T | None], attempts: int = ATTEMPTS) -> T:
    """Run `create`; after a transient failure, return what `find` finds (the lost call made it)
    or else try `create` again, up to `attempts` times. Other failures are raised at once."""
    for attempt in range(attempts):
        try:
            return create()
        except UserError as error:
            if not is_transient(error) or attempt == attempts - 1:
                raise
        pause(attempt)
        found = find()
        if found is not None:
            return found
    raise AssertionError("unreachable: the last attempt returns or raises")
