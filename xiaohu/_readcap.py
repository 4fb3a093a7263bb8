"""Time limits on the reads of one streamed HTTP response, finer than httpx's per-read timeout.

httpx gives a stream one read timeout, fixed when its body starts. Two things need less:

* an overall **deadline** (`deadline=` on streams and background runs): every read waits at most
  until it, so neither silence nor keep-alive comments (`: ping`, which restart a read timeout)
  can hold a stream past it;
* the **drain** after the terminal event: the rest of the body (the chunked terminator, maybe
  `data: [DONE]`) is read only if it is already there or arrives within `DRAIN_S`, so a server
  that keeps the connection open after `response.completed` cannot hold the caller, while a
  well-behaved one still gets its connection back into the pool.

Why a patched read, and where it is not used. httpx fixes a response body's read timeout when
the body starts (httpcore reads `request.extensions["timeout"]` once per body), and neither
httpx nor httpcore has a public way to shorten it afterwards. So the sync twin caps the
`timeout` argument of the connection's `network_stream.read` (the `network_stream` response
extension is public; replacing its `read` on the instance is not). That is done only when the
stream has the shape it is known to have (`hookable`: a plain instance whose `read(max_bytes,
timeout=None)` binds); otherwise `drain()` says so and the caller **closes the response without
reading its end** (the connection is not reused, and nothing waits): never a hang, never an
error. `tests/reliability/test_readcap_shape.py` fails if httpcore changes the shape.

The async twin caps its reads the same way where it can, and also bounds the whole drain with
an `anyio.move_on_after` cancel scope (public API): `DRAIN_S` when the reads cannot be capped,
a wider second otherwise (a cancel scope counts the time a busy event loop takes to resume the
task, so a tight one would drop connections whose end had already arrived). Where no network
stream exists (a mock, an ASGI app) or it is not hookable, the deadline keeps the checks
between chunks and the per-attempt timeouts, which the client caps at what is left of it.
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

__all__ = ["DEFAULT_DEADLINE_S", "DRAIN_S", "Deadline", "ReadCap", "deadline_at", "hookable"]

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


def hookable(stream: Any) -> bool:
    """Whether `stream` has the shape whose reads `ReadCap` can cap (see the module docstring).

    That is an instance with a `__dict__` (its `read` can be replaced on it) and a `read`
    taking `(max_bytes, timeout=...)`, as httpcore 1.x's network streams have.

    Example:
        >>> class Stream:
        ...     def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        ...         return b""
        >>> hookable(Stream()), hookable(object()), hookable(None)
        (True, False, False)
    """
    read = getattr(stream, "read", None)
    if not callable(read) or not hasattr(stream, "__dict__"):
        return False
    try:
        inspect.signature(read).bind(1, timeout=None)
    except (TypeError, ValueError):
        return False
    return True


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
        if self.installed or not hookable(stream):
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

    def drain(self) -> bool:
        """From now on, reads wait at most `DRAIN_S` (and never past the deadline).

        Returns whether that holds: `False` when the reads cannot be capped (no network stream,
        or not `hookable`), and then the caller must close the response instead of reading on.
        """
        limit = self._clock() + DRAIN_S
        self._limit = limit if self.deadline is None else min(limit, self.deadline.at)
        self._install()
        return self.installed

    def remove(self) -> None:
        """Give the connection its own reads back (before the pool hands it to another call)."""
        if self.installed:
            with contextlib.suppress(AttributeError):
                del self._stream.read
            self.installed = False
