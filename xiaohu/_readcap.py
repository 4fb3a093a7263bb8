"""Time limits on the reads of one streamed HTTP response, finer than httpx's per-read timeout.

httpx gives a stream one read timeout, fixed when its body starts. Two things need less:

* an overall **deadline** (`deadline=` on streams and background runs): every read waits at most
  until it, so neither silence nor keep-alive comments (`: ping`, which restart a read timeout)
  can hold a stream past it;
* the **drain** after the terminal event: the rest of the body (the chunked terminator, maybe
  `data: [DONE]`) is read only if it is already there or arrives within `DRAIN_S`, so a server
  that keeps the connection open after `response.completed` cannot hold the caller, while a
  well-behaved one still gets its connection back into the pool.

Both cap the `timeout` that httpcore passes to the connection's `network_stream.read` (the
`network_stream` response extension). A transport without one (a mock, an ASGI app) keeps only
the checks made between chunks.
"""

from __future__ import annotations

import contextlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported on first use, not with this module (issue 20)
    import httpx

__all__ = ["DEFAULT_DEADLINE_S", "DRAIN_S", "Deadline", "ReadCap", "deadline_at"]

DEFAULT_DEADLINE_S = 3600.0
"""The default overall deadline of a stream and of a background run or wait, in seconds.

An hour: the longest deep-research runs take about half of it. `None` disables it.
"""
DRAIN_S = 0.05
"""How long, at most, the end of a body is awaited after the terminal event."""
_MIN_WAIT = 0.001  # a zero socket timeout would mean "non-blocking", not "expired"


@dataclass(frozen=True)
class Deadline:
    """An overall deadline: when it passes (monotonic seconds) and how long it was.

    Example:
        >>> Deadline(at=105.0, seconds=5.0).seconds
        5.0
    """

    at: float
    seconds: float


def deadline_at(
    seconds: float | None, clock: Callable[[], float] = time.monotonic
) -> Deadline | None:
    """The deadline `seconds` from now (`None` stays `None`), after checking the value.

    Raises:
        ValueError: `seconds` is not a positive finite number (nothing was sent).

    Example:
        >>> deadline_at(None) is None, deadline_at(5.0, clock=lambda: 100.0).at
        (True, 105.0)
    """
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ValueError(f"deadline must be seconds (a number) or None, got {seconds!r}")
    if not 0 < seconds < float("inf"):
        raise ValueError(f"deadline must be > 0 seconds and finite, or None; got {seconds!r}")
    return Deadline(at=clock() + float(seconds), seconds=float(seconds))


class ReadCap:
    """Caps every network read of one HTTP response at a moving limit (a monotonic time).

    Example:
        >>> import httpx
        >>> cap = ReadCap(httpx.Response(200), deadline=None)
        >>> cap.installed, cap.expired()
        (False, False)
    """

    def __init__(
        self,
        response: httpx.Response,
        *,
        deadline: Deadline | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.deadline = deadline
        """The overall deadline, or `None`."""
        self._limit = None if deadline is None else deadline.at
        self._clock = clock
        self._stream: Any = response.extensions.get("network_stream")
        self.installed = False
        """Whether reads are capped (the transport exposes its network stream)."""
        if deadline is not None:
            self._install()

    def expired(self) -> bool:
        """Whether the overall deadline has passed."""
        return self.deadline is not None and self._clock() >= self.deadline.at

    def _timeout(self, timeout: float | None) -> float | None:
        if self._limit is None:
            return timeout
        left = max(_MIN_WAIT, self._limit - self._clock())
        return left if timeout is None else min(timeout, left)

    def _install(self) -> None:
        stream = self._stream
        if self.installed or stream is None or not hasattr(stream, "read"):
            return
        original = stream.read
        if inspect.iscoroutinefunction(original):

            async def aread(max_bytes: int, timeout: float | None = None) -> bytes:
                data: bytes = await original(max_bytes, self._timeout(timeout))
                return data

            capped: Any = aread
        else:

            def read(max_bytes: int, timeout: float | None = None) -> bytes:
                data: bytes = original(max_bytes, self._timeout(timeout))
                return data

            capped = read
        try:
            stream.read = capped
        except AttributeError:  # a stream class with slots: keep the between-chunk checks only
            return
        self.installed = True

    def drain(self) -> None:
        """From now on, reads wait at most `DRAIN_S` (and never past the deadline)."""
        limit = self._clock() + DRAIN_S
        self._limit = limit if self.deadline is None else min(limit, self.deadline.at)
        self._install()

    def remove(self) -> None:
        """Give the connection its own reads back (before the pool hands it to another call)."""
        if self.installed:
            with contextlib.suppress(AttributeError):
                del self._stream.read
            self.installed = False
