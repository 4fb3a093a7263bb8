"""The relay's habits as fault modes: how a real new-api relay bends the stream it passes on.

Each habit is a behaviour fault (:mod:`xiaohu.emulator.faults`), asked for like any other and
combinable with ``+`` (``X-Emulator-Fault: drop_stream;times=1+no_sequence``). This module only
reshapes what :mod:`xiaohu.emulator.responses_api` produces: single events, their SSE frames, the
bytes after the terminal event, whole JSON bodies. Everything is bounded in time
(:data:`MAX_HOLD_S`), so no habit can hold a server connection for ever.
"""

from __future__ import annotations

import asyncio
import copy
import zlib
from collections.abc import AsyncIterator
from typing import Any, Protocol

from xiaohu.emulator.events import frame

__all__ = [
    "HABIT_FAULTS",
    "MAX_HOLD_S",
    "Gzip",
    "Habits",
    "pings",
    "relay_stream_error",
    "shape_body",
    "shape_event",
    "sse_frame",
    "tail",
]

#: The habits, by fault name (what each does is in the package docstring's table).
HABIT_FAULTS = frozenset(
    {
        "json_error_stream",
        "completed_failed",
        "blank_data",
        "done_after",
        "linger",
        "keepalive_forever",
        "no_sequence",
        "replay_from_start",
        "quota_event",
        "gzip",
        "no_event_lines",
        "real_traffic",
        "no_done",
        "no_usage",
    }
)
#: The longest any habit holds a connection (``linger``, ``keepalive_forever``), in seconds.
MAX_HOLD_S = 30.0


class Habits(Protocol):
    """What a habit needs of a call: which faults it carries, and their parameters."""

    def has(self, name: str) -> bool:
        """Say whether the call carries the fault ``name``."""

    def number(self, name: str, key: str, default: float) -> float:
        """Parameter ``key`` of fault ``name`` as a float, else ``default``."""


def relay_stream_error(request_id: str) -> dict[str, Any]:
    """The body new-api answers a stream request with, as HTTP 200 ``application/json``.

    Example:
        >>> relay_stream_error("1")["error"]["code"]
        'bad_response_status_code'
    """
    message = f"bad response status code 500 (request id: {request_id})"
    return {
        "error": {"message": message, "type": "new_api_error", "code": "bad_response_status_code"}
    }


def _real_usage(response: dict[str, Any]) -> None:
    usage = response.get("usage")
    if isinstance(usage, dict) and isinstance(usage.get("input_tokens_details"), dict):
        usage["input_tokens_details"].pop("cache_write_tokens", None)


def shape_body(body: dict[str, Any], habits: Habits) -> dict[str, Any]:
    """Reshape a whole Response as the call's habits ask (``real_traffic``).

    Example:
        >>> class Real:
        ...     def has(self, name):
        ...         return name == "real_traffic"
        ...
        ...     def number(self, name, key, default):
        ...         return default
        >>> usage = {"input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0}}
        >>> shape_body({"usage": usage}, Real())["usage"]["input_tokens_details"]
        {'cached_tokens': 0}
    """
    if not habits.has("real_traffic"):
        return body
    body = copy.deepcopy(body)
    _real_usage(body)
    return body


def shape_event(event: dict[str, Any], habits: Habits, number: int) -> dict[str, Any]:
    """Reshape one event (the ``number``-th sent) as the call's habits ask.

    ``no_sequence`` drops ``sequence_number``; ``real_traffic`` drops ``cache_write_tokens``,
    ``action`` on an added ``web_search_call`` and ``obfuscation`` on every other delta.

    Example:
        >>> class NoSeq:
        ...     def has(self, name):
        ...         return name == "no_sequence"
        ...
        ...     def number(self, name, key, default):
        ...         return default
        >>> shape_event({"type": "response.created", "sequence_number": 0}, NoSeq(), 0)
        {'type': 'response.created'}
    """
    if not (habits.has("no_sequence") or habits.has("real_traffic")):
        return event
    event = copy.deepcopy(event)
    if habits.has("no_sequence"):
        event.pop("sequence_number", None)
    if habits.has("real_traffic"):
        if isinstance(event.get("response"), dict):
            _real_usage(event["response"])
        item = event.get("item")
        if (
            event["type"] == "response.output_item.added"
            and isinstance(item, dict)
            and item.get("type") == "web_search_call"
        ):
            item.pop("action", None)
        if "obfuscation" in event and number % 2:
            del event["obfuscation"]
    return event


def sse_frame(event: dict[str, Any], habits: Habits) -> bytes:
    """Frame one event as the call's habits ask (``no_event_lines``, ``blank_data``).

    Example:
        >>> class Bare:
        ...     def has(self, name):
        ...         return name == "no_event_lines"
        ...
        ...     def number(self, name, key, default):
        ...         return default
        >>> sse_frame({"type": "response.queued"}, Bare())
        b'data: {"type":"response.queued"}\\n\\n'
    """
    raw = frame(event)
    if habits.has("no_event_lines"):
        raw = raw.split(b"\n", 1)[1]
    if habits.has("blank_data"):
        raw += b"data:\n\ndata: \n\n"
    return raw


async def tail(habits: Habits) -> AsyncIterator[bytes]:
    """What a relay sends after the terminal event: ``[DONE]``, or nothing for a while.

    ``done_after`` sends ``data: [DONE]``; ``linger`` holds the connection open ``seconds``
    (default 8, at most :data:`MAX_HOLD_S`).
    """
    if habits.has("done_after"):
        yield b"data: [DONE]\n\n"
    if habits.has("linger"):
        await asyncio.sleep(min(MAX_HOLD_S, max(0.0, habits.number("linger", "seconds", 8.0))))


async def pings(habits: Habits) -> AsyncIterator[bytes]:
    """``: ping`` comments every ``interval`` seconds (default 0.05), for at most :data:`MAX_HOLD_S`.

    ``keepalive_forever`` sends these instead of the second half of the stream.
    """
    interval = min(1.0, max(0.01, habits.number("keepalive_forever", "interval", 0.05)))
    loop = asyncio.get_running_loop()
    end = loop.time() + MAX_HOLD_S
    while loop.time() < end:
        yield b": ping\n\n"
        await asyncio.sleep(interval)


class Gzip:
    """Incremental gzip of a streamed body: every chunk is flushed, so events arrive at once.

    Example:
        >>> import gzip
        >>> g = Gzip()
        >>> gzip.decompress(g.chunk(b"data: 1\\n\\n") + g.end())
        b'data: 1\\n\\n'
    """

    def __init__(self) -> None:
        self._z = zlib.compressobj(wbits=31)

    def chunk(self, data: bytes) -> bytes:
        """Compress ``data`` and flush it."""
        return self._z.compress(data) + self._z.flush(zlib.Z_SYNC_FLUSH)

    def end(self) -> bytes:
        """The gzip trailer."""
        return self._z.flush()


async def gzipped(body: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """The `gzip` habit: a streamed body compressed chunk by chunk (see `Gzip`)."""
    packer = Gzip()
    async for chunk in body:
        yield packer.chunk(chunk)
    yield packer.end()
