"""When to retry, and how long to wait: small pure functions, shared by sync and async.

Retried: connection errors and timeouts, 408, 409, 429 and 5xx. Never retried: any other
4xx, quota errors (`InsufficientQuotaError`), a missing channel (`ModelUnavailableError`), and
anything after a stream has delivered its first event. A server's `x-should-retry` header wins.
The wait is `retry-after-ms` / `Retry-After` when the server gives one up to
`MAX_RETRY_AFTER` seconds (a longer one is not worth blocking for: no retry); otherwise
exponential backoff from `INITIAL_RETRY_DELAY`, capped at `MAX_RETRY_DELAY`, minus up to 25%
jitter.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Mapping

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    InsufficientQuotaError,
    ModelUnavailableError,
)
from ._wire import is_wire_refusal

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

log = logging.getLogger("xiaohu")

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429})


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms`, or `Retry-After` (seconds or HTTP date).

    Example:
        >>> parse_retry_after({"retry-after-ms": "250"})
        0.25
        >>> parse_retry_after({"retry-after": "2"})
        2.0
        >>> parse_retry_after({}) is None
        True
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    if (ms := _finite(lowered.get("retry-after-ms"))) is not None:
        return ms / 1000
    value = lowered.get("retry-after")
    if value is None:
        return None
    if (seconds := _finite(value)) is not None:
        return seconds
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return float(email.utils.mktime_tz(parsed) - time.time())


def _finite(value: str | None) -> float | None:
    """A finite number from a header value; `nan`, `inf` and junk give `None`."""
    try:
        number = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None


_RELAY_INVALID_REQUEST = frozenset({"invalid_request"})
"""new-api answers its own request checks ("input is required") with HTTP 500 and this code."""


def should_retry(error: APIError, headers: Mapping[str, str] | None = None) -> bool:
    """Whether this failure is worth another attempt.

    Example:
        >>> from xiaohu._exceptions import APITimeoutError
        >>> should_retry(APITimeoutError())
        True
    """
    if isinstance(error, APIConnectionError):
        return True
    if not isinstance(error, APIStatusError):
        return False
    if isinstance(error, (InsufficientQuotaError, ModelUnavailableError)):
        return False
    if is_wire_refusal(error):  # the channel cannot serve /v1/responses: it never will
        return False
    if (
        error.code in _RELAY_INVALID_REQUEST
    ):  # the relay's own check refused the body: it will again
        return False
    hint = (headers or {}).get("x-should-retry")
    if hint in ("true", "false"):
        return hint == "true"
    return error.status_code in RETRY_STATUSES or error.status_code >= 500


def retry_delay(
    error: APIError,
    attempt: int,
    max_retries: int,
    headers: Mapping[str, str] | None = None,
) -> float | None:
    """Seconds to sleep before the next attempt, or `None` to give up and raise.

    Args:
        error: What went wrong on this attempt.
        attempt: Retries already made (0 before the first retry).
        max_retries: The most retries allowed.
        headers: The failed response's headers, if there was a response.

    Example:
        >>> from xiaohu._exceptions import APIConnectionError
        >>> 0.375 <= retry_delay(APIConnectionError(), 0, 2) <= 0.5
        True
        >>> retry_delay(APIConnectionError(), 2, 2) is None
        True
    """
    if attempt >= max_retries or not should_retry(error, headers):
        return None
    wait = parse_retry_after(headers) if headers is not None else None
    if wait is not None and wait > MAX_RETRY_AFTER:
        log.debug("not retrying: server asks to wait %.0fs", wait)
        return None
    if wait is None or wait <= 0:
        wait = min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY)
        wait *= 1 - 0.25 * random.random()
    log.debug("retry %d/%d in %.2fs after %s", attempt + 1, max_retries, wait, type(error).__name__)
    return wait
