"""A background run read as one stream, across reconnections.

`BackgroundStream` looks like a `ResponseStream` (`iter_pairs`, `iter_deltas`,
`get_final_response`, `state`, `cost`, `close`) but, when the connection drops, it resumes
with `GET /v1/responses/{id}?stream=true&starting_after=N` into the same fold. Events the relay
sends again are skipped, so an adapter reading it never sees a duplicated chunk.

A stream needs only two things of its client, written down as `Owner` / `AsyncOwner`:
`request(...)` to reconnect and `_cancel_quietly(id)` for a budget stop. It imports the I/O-free
state from `_background` and never the client, so the import chain runs one way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Any, Protocol

import httpx

from ._background import _Follow, resume_params
from ._exceptions import (
    APIConnectionError,
    DeadlineExceededError,
    IncompleteStreamError,
    NotFoundError,
    ResponseFailedError,
    StreamError,
)
from ._fold import ResponseState
from ._guard import AsyncGuardedResponseStream, GuardedResponseStream
from ._models import Response
from ._pricing import Cost
from ._readcap import Deadline
from ._stream import AsyncPairReader, Pair, PairReader

__all__ = ["AsyncBackgroundStream", "AsyncOwner", "BackgroundStream", "Owner"]

_BROKEN = (IncompleteStreamError, APIConnectionError)


class Owner(Protocol):
    """What a `BackgroundStream` needs of its client: reconnect, and cancel on a budget stop."""

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Any = ...,
        max_retries: Any = ...,
        deadline: Deadline | None = None,
    ) -> httpx.Response:
        """Send one request (retried as the client's policy allows, within `deadline`)."""

    def _cancel_quietly(self, response_id: str) -> None:
        """Cancel a run, logging rather than raising when that fails."""


class AsyncOwner(Protocol):
    """Async twin of `Owner`, for `AsyncBackgroundStream`."""

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: Any = ...,
        max_retries: Any = ...,
        deadline: Deadline | None = None,
    ) -> httpx.Response:
        """Send one request (retried as the client's policy allows, within `deadline`)."""

    async def _cancel_quietly(self, response_id: str) -> None:
        """Cancel a run, logging rather than raising when that fails."""


class _Base:
    """What both twins share: the follow-up state, the cost, the final response."""

    def __init__(self, follow: _Follow, max_resumes: int, deadline: Deadline | None) -> None:
        self._follow = follow
        self._max_resumes = max_resumes
        self._deadline = deadline
        self.response: Response | None = None
        """The final Response, once the run ended."""
        self._cancelled = False

    @property
    def state(self) -> ResponseState:
        """The one fold of the whole run, across reconnections.

        Example:
            >>> stream.state.text  # doctest: +SKIP
            'Tea was first ...'
        """
        return self._follow.state

    @property
    def cost(self) -> Cost:
        """The bill once the run ended, else the running estimate.

        Example:
            >>> stream.cost.total_usd  # doctest: +SKIP
            0.42
        """
        return self._follow.meter.running()

    @property
    def response_id(self) -> str | None:
        """The background response's id, once known.

        Example:
            >>> stream.response_id  # doctest: +SKIP
            'resp_123'
        """
        return self._follow.meter.response_id

    def _left_early(self) -> str | None:
        """The run's id if it was left before its end (and not already stopped), else None."""
        meter = self._follow.meter
        if self.response is not None or self.state.done or meter.final is not None:
            return None
        if self._cancelled or self._follow.confirmed is False:  # a dropped `background`: plain
            return None
        self._cancelled = True
        return meter.response_id

    def _check_deadline(self, exc: Exception) -> None:
        """No resume past the deadline: the run is left to the caller, as when giving up."""
        deadline = self._deadline
        if isinstance(exc, DeadlineExceededError):
            self._cancelled = True
            raise exc
        if deadline is not None and time.monotonic() >= deadline.at:
            self._cancelled = True
            raise DeadlineExceededError(
                f"the deadline of {deadline.seconds} s passed while {self.response_id} ran; the "
                "run goes on on the server: wait_response(id) polls it, cancel_response(id) "
                "stops it",
                deadline_s=deadline.seconds,
                response_id=self.response_id,
                partial_text=self.state.text,
            ) from exc

    def _gave_up(self) -> StreamError:
        # The run is not left early: it is left to the caller, who is told how to reach it.
        self._cancelled = True
        return StreamError(
            f"gave up after {self._max_resumes} resumes of {self.response_id}; the run goes on "
            "on the server: wait_response(id) polls it to its end, cancel_response(id) stops it"
        )


class BackgroundStream(_Base, PairReader):
    """A background run's events, resumed across dropped connections.

    Example:
        >>> with client.stream_background(
        ...     model="o3-deep-research",
        ...     input="...",
        ...     tools=[{"type": "web_search_preview"}],
        ...     max_cost_usd=5.0,
        ... ) as stream:  # doctest: +SKIP
        ...     for event, deltas in stream.iter_pairs():
        ...         pass
    """

    def __init__(
        self,
        client: Owner,
        http_response: httpx.Response,
        follow: _Follow,
        max_resumes: int = 5,
        options: Mapping[str, Any] | None = None,
        *,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(follow, max_resumes, deadline)
        self._wire = wire
        self._options = dict(options or {})
        self._client = client
        self._current: GuardedResponseStream | None = None
        self._pairs = self._run(http_response)

    def _run(self, http_response: httpx.Response) -> Generator[Pair, None, None]:
        follow = self._follow
        for resumes in range(self._max_resumes + 1):
            stream = GuardedResponseStream(
                http_response,
                follow.meter,
                on_stop=self._client._cancel_quietly,
                state=follow.state,
                deadline=self._deadline,
                wire=self._wire,
            )
            self._current = stream
            try:
                for event, deltas in stream.iter_pairs():
                    if not follow.state.stale(event):
                        follow.see(event, deltas)
                        yield event, deltas
                self.response = stream.get_final_response()
                return
            except ResponseFailedError:
                self._cancelled = True  # the run is over (it failed): nothing left to cancel
                raise
            except _BROKEN as exc:
                self._check_deadline(exc)
                response_id, after = follow.resume_point(exc)
                if resumes == self._max_resumes:  # no request that would never be read
                    raise self._gave_up() from exc
                try:
                    http_response = self._client.request(
                        "GET",
                        f"/responses/{response_id}",
                        params=resume_params(after),
                        stream=True,
                        deadline=self._deadline,
                        **self._options,
                    )
                except NotFoundError as missing:
                    raise follow.unsupported(missing, response_id) from exc
                except DeadlineExceededError as late:  # the resume got no answer in time
                    late.response_id, late.partial_text = response_id, self.state.text
                    self._cancelled = True  # left to the caller, as at any deadline
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the connection; a run left before its end is cancelled on the server.

        Leaving early (`break` out of a `with` block, `close()`, Ctrl-C) must not leave a
        deep-research run billing on its own.

        Example:
            >>> stream.close()  # doctest: +SKIP
        """
        self._pairs.close()
        if self._current is not None:
            self._current.close()
        response_id = self._left_early()
        if response_id:
            self._client._cancel_quietly(response_id)

    def _result(self) -> Response:
        return self.state.final_response()


class AsyncBackgroundStream(_Base, AsyncPairReader):
    """Async twin of `BackgroundStream`.

    Example:
        >>> async with await client.stream_background(
        ...     model="o3", input="..."
        ... ) as stream:  # doctest: +SKIP
        ...     final = await stream.get_final_response()
    """

    def __init__(
        self,
        client: AsyncOwner,
        http_response: httpx.Response,
        follow: _Follow,
        max_resumes: int = 5,
        options: Mapping[str, Any] | None = None,
        *,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(follow, max_resumes, deadline)
        self._wire = wire
        self._options = dict(options or {})
        self._client = client
        self._current: AsyncGuardedResponseStream | None = None
        self._pairs = self._run(http_response)

    async def _run(self, http_response: httpx.Response) -> AsyncGenerator[Pair, None]:
        follow = self._follow
        for resumes in range(self._max_resumes + 1):
            stream = AsyncGuardedResponseStream(
                http_response,
                follow.meter,
                on_stop=self._client._cancel_quietly,
                state=follow.state,
                deadline=self._deadline,
                wire=self._wire,
            )
            self._current = stream
            try:
                async for event, deltas in stream.iter_pairs():
                    if not follow.state.stale(event):
                        follow.see(event, deltas)
                        yield event, deltas
                self.response = await stream.get_final_response()
                return
            except ResponseFailedError:
                self._cancelled = True  # the run is over (it failed): nothing left to cancel
                raise
            except _BROKEN as exc:
                self._check_deadline(exc)
                response_id, after = follow.resume_point(exc)
                if resumes == self._max_resumes:  # no request that would never be read
                    raise self._gave_up() from exc
                try:
                    http_response = await self._client.request(
                        "GET",
                        f"/responses/{response_id}",
                        params=resume_params(after),
                        stream=True,
                        deadline=self._deadline,
                        **self._options,
                    )
                except NotFoundError as missing:
                    raise follow.unsupported(missing, response_id) from exc
                except DeadlineExceededError as late:  # the resume got no answer in time
                    late.response_id, late.partial_text = response_id, self.state.text
                    self._cancelled = True  # left to the caller, as at any deadline
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def aclose(self) -> None:
        """Close the connection; a run left before its end is cancelled on the server.

        Example:
            >>> await stream.aclose()  # doctest: +SKIP
        """
        await self._pairs.aclose()
        if self._current is not None:
            await self._current.aclose()
        response_id = self._left_early()
        if response_id:
            # Shielded: a task cancelled mid-stream still cancels the run it leaves behind.
            await asyncio.shield(self._client._cancel_quietly(response_id))

    def _result(self) -> Response:
        return self.state.final_response()
