"""A background run read as one stream, across reconnections.

`BackgroundStream` looks like a `ResponseStream` (`iter_pairs`, `iter_deltas`,
`get_final_response`, `state`, `cost`, `close`) but, when the connection drops, it resumes
with `GET /v1/responses/{id}?stream=true&starting_after=N` into the same fold. Events the relay
sends again are skipped, so an adapter reading it never sees a duplicated chunk.
"""

from __future__ import annotations

from collections.abc import (
    AsyncGenerator,
    Generator,
    Mapping,
)
from typing import TYPE_CHECKING, Any

import httpx

from ._background import _Follow
from ._events import ResponseStreamEvent
from ._exceptions import APIConnectionError, IncompleteStreamError, NotFoundError, StreamError
from ._fold import ResponseState
from ._guard import AsyncGuardedResponseStream, GuardedResponseStream
from ._models import Response
from ._pricing import Cost
from ._stream import AsyncPairReader, Pair, PairReader

if TYPE_CHECKING:
    from ._client import AsyncXiaohuClient, XiaohuClient

__all__ = ["AsyncBackgroundStream", "BackgroundStream"]

_BROKEN = (IncompleteStreamError, APIConnectionError)


def _resume_params(after: int) -> dict[str, Any]:
    return {"stream": "true", "starting_after": after}


class _Base:
    """What both twins share: the follow-up state, the cost, the final response."""

    def __init__(self, follow: _Follow, max_resumes: int) -> None:
        self._follow = follow
        self._max_resumes = max_resumes
        self.response: Response | None = None
        """The final Response, once the run ended."""

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

    def _fresh(self, event: ResponseStreamEvent) -> bool:
        return not 0 <= event.sequence_number <= self._follow.state.resumed_after

    def _gave_up(self) -> StreamError:
        return StreamError(f"gave up after {self._max_resumes} resumes of {self.response_id}")


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
        client: XiaohuClient,
        http_response: httpx.Response,
        follow: _Follow,
        max_resumes: int = 5,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(follow, max_resumes)
        self._options = dict(options or {})
        self._client = client
        self._current: GuardedResponseStream | None = None
        self._pairs = self._run(http_response)

    def _run(self, http_response: httpx.Response) -> Generator[Pair, None, None]:
        follow = self._follow
        for _ in range(self._max_resumes + 1):
            stream = GuardedResponseStream(
                http_response,
                follow.meter,
                on_stop=self._client._cancel_quietly,
                state=follow.state,
            )
            self._current = stream
            try:
                for event, deltas in stream.iter_pairs():
                    if self._fresh(event):
                        follow.see(event, deltas)
                        yield event, deltas
                self.response = stream.get_final_response()
                return
            except _BROKEN as exc:
                response_id, after = follow.resume_point(exc)
                try:
                    http_response = self._client.request(
                        "GET",
                        f"/responses/{response_id}",
                        params=_resume_params(after),
                        stream=True,
                        **self._options,
                    )
                except NotFoundError as missing:
                    raise follow.unsupported(missing, response_id) from exc
        http_response.close()  # the resume nobody will read: back to the pool
        raise self._gave_up()

    def close(self) -> None:
        """Close the connection (the run goes on on the server; cancel it to stop it).

        Example:
            >>> stream.close()  # doctest: +SKIP
        """
        self._pairs.close()
        if self._current is not None:
            self._current.close()

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
        client: AsyncXiaohuClient,
        http_response: httpx.Response,
        follow: _Follow,
        max_resumes: int = 5,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(follow, max_resumes)
        self._options = dict(options or {})
        self._client = client
        self._current: AsyncGuardedResponseStream | None = None
        self._pairs = self._run(http_response)

    async def _run(self, http_response: httpx.Response) -> AsyncGenerator[Pair, None]:
        follow = self._follow
        for _ in range(self._max_resumes + 1):
            stream = AsyncGuardedResponseStream(
                http_response,
                follow.meter,
                on_stop=self._client._cancel_quietly,
                state=follow.state,
            )
            self._current = stream
            try:
                async for event, deltas in stream.iter_pairs():
                    if self._fresh(event):
                        follow.see(event, deltas)
                        yield event, deltas
                self.response = await stream.get_final_response()
                return
            except _BROKEN as exc:
                response_id, after = follow.resume_point(exc)
                try:
                    http_response = await self._client.request(
                        "GET",
                        f"/responses/{response_id}",
                        params=_resume_params(after),
                        stream=True,
                        **self._options,
                    )
                except NotFoundError as missing:
                    raise follow.unsupported(missing, response_id) from exc
        await http_response.aclose()  # the resume nobody will read: back to the pool
        raise self._gave_up()

    async def aclose(self) -> None:
        """Close the connection (the run goes on on the server).

        Example:
            >>> await stream.aclose()  # doctest: +SKIP
        """
        await self._pairs.aclose()
        if self._current is not None:
            await self._current.aclose()

    def _result(self) -> Response:
        return self.state.final_response()
