"""Stored responses, their event logs, and background jobs that play them out.

Everything here runs on the server's event loop. A background job appends the response's events to
its log one by one (pacing them by the delay), keeping the stored snapshot up to date; readers
(the creating request's stream, ``GET ?stream=true`` resumes, polls) follow the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ResponseStore", "Stored"]

_LIFECYCLE = frozenset(
    {
        "response.created",
        "response.queued",
        "response.in_progress",
        "response.completed",
        "response.incomplete",
        "response.failed",
    }
)


@dataclass
class Stored:
    """One stored response.

    Attributes:
        response: the current Response object (a snapshot while a job runs).
        context: the conversation so far (input items then output items), for
            ``previous_response_id``.
        events: the SSE events produced so far.
        background: created with ``background: true``.
        done: no more events will come.
        owner: the API key that created it (``None``: any key); no other key can see it.
    """

    response: dict[str, Any]
    context: list[dict[str, Any]]
    owner: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    background: bool = False
    done: bool = True
    task: asyncio.Task[None] | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def append(self, event: dict[str, Any]) -> None:
        """Add an event to the log and fold it into the snapshot."""
        self.events.append(event)
        if event["type"] in _LIFECYCLE:
            self.response = copy.deepcopy(event["response"])
        elif event["type"] == "response.output_item.done":
            self.response["output"].append(copy.deepcopy(event["item"]))
        self._wake()

    def finish(self) -> None:
        """Mark the log complete."""
        self.done = True
        self._wake()

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self, starting_after: int = -1) -> AsyncIterator[dict[str, Any]]:
        """Yield events with ``sequence_number > starting_after``, waiting for new ones."""
        index = starting_after + 1
        while True:
            if index < len(self.events):
                index += 1
                yield self.events[index - 1]
            elif self.done:
                return
            else:
                await self._changed.wait()

    async def play(self, events: list[dict[str, Any]], pace: float) -> None:
        """Append ``events`` one at a time, sleeping ``pace`` seconds before each after the first."""
        try:
            for number, event in enumerate(events):
                if number and pace > 0:
                    await asyncio.sleep(pace)
                self.append(event)
        finally:
            self.finish()

    def cancel(self) -> None:
        """Stop the job (if running) and mark the response ``cancelled``."""
        if self.done:
            return
        if self.task is not None:
            self.task.cancel()
        self.response["status"] = "cancelled"
        self.finish()


class ResponseStore:
    """The emulator's memory: responses by id, seen prompts, and tokens used per API key.

    Example:
        >>> store = ResponseStore()
        >>> store.put(Stored(response={"id": "resp_1", "status": "completed"}, context=[]))
        >>> store.get("resp_1").response["status"]
        'completed'
    """

    def __init__(self, max_entries: int = 10_000) -> None:
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._prompts: OrderedDict[str, int] = OrderedDict()
        self._used: dict[str, int] = {}
        self._max = max_entries
        self._lock = threading.Lock()

    def put(self, stored: Stored) -> None:
        """Keep ``stored`` under its response id (the oldest entries go past ``max_entries``)."""
        with self._lock:
            self._items[stored.response["id"]] = stored
            while len(self._items) > self._max:
                _, old = self._items.popitem(last=False)
                if old.task is not None:
                    old.task.cancel()

    def get(self, response_id: str, key: str | None = None) -> Stored | None:
        """Return the stored response, or ``None`` (also when ``key`` does not own it)."""
        with self._lock:
            stored = self._items.get(response_id)
        if stored is None or (stored.owner is not None and stored.owner != key):
            return None
        return stored

    def delete(self, response_id: str, key: str | None = None) -> bool:
        """Forget a response (stopping its job); say whether it existed for ``key``."""
        if self.get(response_id, key) is None:
            return False
        with self._lock:
            stored = self._items.pop(response_id, None)
        if stored is None:
            return False
        if stored.task is not None:
            with contextlib.suppress(RuntimeError):
                stored.task.cancel()
        return True

    def cached_tokens(self, prompt_key: str, tokens: int) -> int:
        """Return how many of ``tokens`` were cached: all of them if this prompt was seen before."""
        with self._lock:
            seen = prompt_key in self._prompts
            self._prompts[prompt_key] = tokens
            self._prompts.move_to_end(prompt_key)
            while len(self._prompts) > self._max:
                self._prompts.popitem(last=False)
        return tokens if seen else 0

    def charge(self, key: str, tokens: int) -> None:
        """Add ``tokens`` to what API key ``key`` has used."""
        with self._lock:
            self._used[key] = self._used.get(key, 0) + tokens

    def used(self, key: str) -> int:
        """Return the tokens API key ``key`` has used."""
        with self._lock:
            return self._used.get(key, 0)
