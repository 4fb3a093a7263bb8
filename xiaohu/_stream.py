"""Sync and async response streams over one I/O-free core.

`_StreamCore` decodes SSE bytes, parses events and folds them (`ResponseState`); the two
stream classes only differ in how they read bytes and close the connection. Leaving a stream
early (a `break`, an exception, `close()`) closes the HTTP response at once.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

if TYPE_CHECKING:  # httpx is imported on first use, not with this module (issue 20)
    import httpx

from ._events import ResponseCompletedEvent, ResponseStreamEvent, parse_event
from ._exceptions import (
    APIError,
    APIResponseValidationError,
    APITimeoutError,
    DeadlineExceededError,
    IncompleteStreamError,
    error_from_body,
    scrub_secrets,
)
from ._fold import ResponseState, StreamDelta
from ._models import Response
from ._readcap import DRAIN_S, Deadline, ReadCap
from ._sse import SSEDecoder

__all__ = ["AsyncPairReader", "AsyncResponseStream", "PairReader", "ResponseStream"]

log = logging.getLogger("xiaohu")

Pair = tuple[ResponseStreamEvent, Sequence[StreamDelta]]

_MAX_DRAIN = 64 * 1024
"""Bytes read after the terminal event, at most, to let the connection be reused."""
_DRAIN_SCOPE_S = 1.0
"""The async drain's outer bound where each read is capped at `DRAIN_S` already."""


class _StreamCore:
    """Bytes in, (event, deltas) pairs out. No I/O."""

    def __init__(
        self,
        response: httpx.Response,
        state: ResponseState | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.http_response = response
        self.cap = ReadCap(response, deadline=deadline)
        self.state = state or ResponseState()
        self.decoder = SSEDecoder()
        content_type = response.headers.get("content-type", "")
        self.is_json = "json" in content_type
        self.is_html = "html" in content_type
        self.finished = False
        self.drained = 0
        self.wire: Mapping[str, str] | None = None
        """The call's `xiaohu_wire` entry, put on the terminal event's Response."""

    def feed(self, chunk: bytes) -> list[Pair]:
        pairs: list[Pair] = []
        state = self.state
        if self.cap.expired():  # checked per chunk: keep-alive comments do not extend it
            raise self.expired()
        for sse in self.decoder.decode(chunk):
            data = sse.data
            if not data or data.isspace():  # a relay's blank `data:` frame: not an error
                continue
            if data == "[DONE]":
                self.finished = True
                break
            try:
                event = parse_event(data, sse.event)
            except ValidationError as exc:
                raise APIResponseValidationError(
                    f"malformed stream event {self.where()}: {data[:120]!r}", body=data
                ) from exc
            pairs.append((event, state.apply(event)))
            if state.done:
                self.finished = True
                self.stamp(event)
                break
        return pairs

    def stamp(self, event: Any) -> None:
        """Carry the wire choice on the terminal Response (the Chat wire's already has it)."""
        response = getattr(event, "response", None)
        if (
            self.wire is not None
            and isinstance(response, Response)
            and not (response.model_extra or {}).get("xiaohu_wire")
        ):
            response.xiaohu_wire = dict(self.wire)  # type: ignore[attr-defined]

    def feed_json(self, body: bytes) -> list[Pair]:
        """A relay answered a stream request with plain JSON: an error body, or a Response.

        new-api answers some failures with HTTP 200 and `{"error": ...}`; that, or a Response
        whose status is `failed`, raises the typed error instead of an empty answer.
        """
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        error = error_from_body(data, request=self.http_response.request)
        if error is not None:
            raise error
        try:
            response = Response.model_validate_json(body)
        except ValidationError as exc:
            raise APIResponseValidationError(
                f"expected a Response, got {body[:120]!r}", body=body
            ) from exc
        log.warning("the server answered a stream request with JSON; folding it whole")
        event = ResponseCompletedEvent(response=response, sequence_number=0)
        self.finished = True
        self.stamp(event)
        return [(event, self.state.apply(event))]

    def not_events(self, body: bytes) -> APIError:
        """A proxy answered with a web page (a login wall, an nginx page): say what came."""
        preview = body[:200].decode("utf-8", "replace")
        return APIResponseValidationError(
            f"expected an event stream, got {self.http_response.headers['content-type']}: "
            f"{preview!r}",
            body=preview,
        )

    def drain(self, chunk: bytes) -> bool:
        """After the terminal event: count what follows; `False` once it is too much to read.

        Reading the body to its end (usually just the chunked terminator, maybe `[DONE]`)
        returns the connection to the pool; without it every stream costs a new TLS handshake.
        """
        self.drained += len(chunk)
        return self.drained <= _MAX_DRAIN

    def where(self) -> str:
        """How far the stream got, for messages: the last sequence number, or before any event.

        Example:
            >>> import httpx
            >>> _StreamCore(httpx.Response(200)).where()
            'before any event'
        """
        seen = self.state.last_sequence_number
        return "before any event" if seen < 0 else f"after sequence number {seen}"

    def end(self) -> list[Pair]:
        """The pairs the clean end of the body brings (none on the Responses wire)."""
        return []

    def expired(self) -> DeadlineExceededError:
        """The overall deadline passed mid-stream."""
        deadline = self.cap.deadline
        snapshot = self.state.snapshot
        return DeadlineExceededError(
            f"the deadline of {deadline.seconds if deadline else '?'} s passed {self.where()}; "
            "the answer is incomplete",
            deadline_s=None if deadline is None else deadline.seconds,
            response_id=snapshot.id if snapshot is not None else None,
            partial_text=self.state.text,
        )

    def broken(self, exc: httpx.HTTPError) -> APIError:
        """The connection failed mid-stream: say so, keep what arrived, never pretend."""
        import httpx  # loaded already (a response exists); not at module import (issue 20)

        if self.cap.expired():
            return self.expired()
        where = self.where()
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(f"stream read timed out {where}; the answer is incomplete")
        return IncompleteStreamError(
            f"the stream broke {where} ({type(exc).__name__}: {exc}); the answer is incomplete",
            partial_text=self.state.text,
        )

    def result(self) -> Response:
        return self.state.final_response()


_R = TypeVar("_R", bound="PairReader")
_AR = TypeVar("_AR", bound="AsyncPairReader")


class PairReader:
    """What every sync stream offers over its `(event, deltas)` pairs.

    A subclass sets `_pairs` (a generator of pairs) and `response`, and defines `close()` and
    `_result()` (the final Response once the pairs ran out).

    Example:
        >>> issubclass(ResponseStream, PairReader)
        True
    """

    _pairs: Generator[Pair, None, None]
    response: Response | None
    #: The client that opened the stream, held so that a client made for one call (or owned by a
    #: framework object nobody else holds) is not collected, closing its pool, mid-stream.
    opened_by: object = None

    def _result(self) -> Response:
        raise NotImplementedError

    def close(self) -> None:
        """Close the connection (safe to call twice).

        Example:
            >>> stream.close()  # doctest: +SKIP
        """
        raise NotImplementedError

    def __iter__(self) -> Generator[ResponseStreamEvent, None, None]:
        for event, _ in self.iter_pairs():
            yield event

    def iter_deltas(self) -> Generator[StreamDelta, None, None]:
        """Iterate the normalised deltas (text, tool calls, reasoning, citations, ...).

        Example:
            >>> for delta in stream.iter_deltas():  # doctest: +SKIP
            ...     print(delta)
        """
        for _, deltas in self.iter_pairs():
            yield from deltas

    def iter_pairs(self) -> Generator[Pair, None, None]:
        """Iterate `(event, deltas)` pairs: what adapters use. Leaving early closes.

        Example:
            >>> for event, deltas in stream.iter_pairs():  # doctest: +SKIP
            ...     pass
        """
        try:
            yield from self._pairs
        except BaseException as exc:
            scrub_secrets(exc)
            raise
        finally:
            self.close()

    def get_final_response(self) -> Response:
        """Read the rest of the stream and return the final Response.

        Raises:
            IncompleteStreamError: The stream ended before its terminal event.
            ResponseFailedError: The response failed.

        Example:
            >>> stream.get_final_response().output_text  # doctest: +SKIP
            'Hello'
        """
        for _ in self.iter_pairs():
            pass
        if self.response is None:
            self.response = self._result()
        return self.response

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncPairReader:
    """Async twin of `PairReader`.

    Example:
        >>> issubclass(AsyncResponseStream, AsyncPairReader)
        True
    """

    _pairs: AsyncGenerator[Pair, None]
    response: Response | None
    #: The client that opened the stream, held so that a client made for one call (or owned by a
    #: framework object nobody else holds) is not collected, closing its pool, mid-stream.
    opened_by: object = None

    def _result(self) -> Response:
        raise NotImplementedError

    async def aclose(self) -> None:
        """Close the connection (safe to call twice).

        Example:
            >>> await stream.aclose()  # doctest: +SKIP
        """
        raise NotImplementedError

    async def __aiter__(self) -> AsyncGenerator[ResponseStreamEvent, None]:
        async for event, _ in self.iter_pairs():
            yield event

    async def iter_deltas(self) -> AsyncGenerator[StreamDelta, None]:
        """Iterate the normalised deltas.

        Example:
            >>> async for delta in stream.iter_deltas():  # doctest: +SKIP
            ...     pass
        """
        async for _, deltas in self.iter_pairs():
            for delta in deltas:
                yield delta

    async def iter_pairs(self) -> AsyncGenerator[Pair, None]:
        """Iterate `(event, deltas)` pairs. Leaving early closes.

        Example:
            >>> async for event, deltas in stream.iter_pairs():  # doctest: +SKIP
            ...     pass
        """
        try:
            async for pair in self._pairs:
                yield pair
        except BaseException as exc:
            scrub_secrets(exc)
            raise
        finally:
            await self.aclose()

    async def get_final_response(self) -> Response:
        """Read the rest of the stream and return the final Response.

        Example:
            >>> (await stream.get_final_response()).status  # doctest: +SKIP
            'completed'
        """
        async for _ in self.iter_pairs():
            pass
        if self.response is None:
            self.response = self._result()
        return self.response

    async def __aenter__(self: _AR) -> _AR:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


class ResponseStream(PairReader):
    """A streamed response: iterate typed events, or normalised deltas, or just wait.

    Use it as a context manager, or iterate it to the end; either closes the connection.

    Example:
        >>> from xiaohu import XiaohuClient  # doctest: +SKIP
        >>> with XiaohuClient().stream_response(
        ...     model="gpt-5", input="hi"
        ... ) as stream:  # doctest: +SKIP
        ...     for event in stream:
        ...         if event.type == "response.output_text.delta":
        ...             print(event.delta, end="")
    """

    def __init__(
        self,
        response: httpx.Response,
        state: ResponseState | None = None,
        *,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        self._core = self._make_core(response, state, deadline)
        self._core.wire = wire
        self._pairs = self._iter_pairs()
        self.response: Response | None = None
        """The final Response, once the stream has been read to its end."""

    def _make_core(
        self, response: httpx.Response, state: ResponseState | None, deadline: Deadline | None
    ) -> _StreamCore:
        """The I/O-free core; the Chat Completions wire gives its own (`_chat_stream`)."""
        return _StreamCore(response, state, deadline)

    @property
    def state(self) -> ResponseState:
        """The fold, with everything received so far.

        Example:
            >>> stream.state.text  # doctest: +SKIP
            'Hello'
        """
        return self._core.state

    @property
    def http_response(self) -> httpx.Response:
        """The underlying HTTP response (headers, status).

        Example:
            >>> stream.http_response.headers["content-type"]  # doctest: +SKIP
            'text/event-stream'
        """
        return self._core.http_response

    def _iter_pairs(self) -> Generator[Pair, None, None]:
        import httpx  # loaded already (a response exists); not at module import (issue 20)

        core = self._core
        try:
            if core.is_json:
                yield from core.feed_json(core.http_response.read())
            elif core.is_html:
                raise core.not_events(core.http_response.read())
            else:
                chunks = core.http_response.iter_bytes()
                try:
                    for chunk in chunks:
                        yield from core.feed(chunk)
                        if core.finished:
                            break
                    else:
                        yield from core.end()
                except httpx.HTTPError as exc:
                    raise core.broken(exc) from exc
                # What is already there, or comes at once; never a wait. Reads that cannot be
                # capped are not made: the response is closed unread below (no reuse, no hang).
                if core.cap.drain():
                    with contextlib.suppress(httpx.HTTPError):  # the answer is whole already
                        for chunk in chunks:  # the body's end: the connection can be reused
                            if not core.drain(chunk):
                                break
            self.response = core.result()
        finally:
            core.cap.remove()
            core.http_response.close()

    def close(self) -> None:
        """Close the connection (safe to call twice).

        Example:
            >>> stream.close()  # doctest: +SKIP
        """
        self._pairs.close()
        self._core.http_response.close()

    def _result(self) -> Response:
        return self._core.result()


class AsyncResponseStream(AsyncPairReader):
    """Async twin of `ResponseStream`.

    Example:
        >>> async with await client.stream_response(
        ...     model="gpt-5", input="hi"
        ... ) as stream:  # doctest: +SKIP
        ...     async for event in stream:
        ...         pass
    """

    def __init__(
        self,
        response: httpx.Response,
        state: ResponseState | None = None,
        *,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        self._core = self._make_core(response, state, deadline)
        self._core.wire = wire
        self._pairs = self._iter_pairs()
        self.response: Response | None = None
        """The final Response, once the stream has been read to its end."""

    def _make_core(
        self, response: httpx.Response, state: ResponseState | None, deadline: Deadline | None
    ) -> _StreamCore:
        """The I/O-free core; the Chat Completions wire gives its own (`_chat_stream`)."""
        return _StreamCore(response, state, deadline)

    @property
    def state(self) -> ResponseState:
        """The fold, with everything received so far.

        Example:
            >>> stream.state.done  # doctest: +SKIP
            False
        """
        return self._core.state

    @property
    def http_response(self) -> httpx.Response:
        """The underlying HTTP response.

        Example:
            >>> stream.http_response.status_code  # doctest: +SKIP
            200
        """
        return self._core.http_response

    async def _iter_pairs(self) -> AsyncGenerator[Pair, None]:
        import httpx  # loaded already (a response exists); not at module import (issue 20)

        core = self._core
        try:
            if core.is_json:
                for pair in core.feed_json(await core.http_response.aread()):
                    yield pair
            elif core.is_html:
                raise core.not_events(await core.http_response.aread())
            else:
                chunks = core.http_response.aiter_bytes()
                try:
                    async for chunk in chunks:
                        for pair in core.feed(chunk):
                            yield pair
                        if core.finished:
                            break
                    else:
                        for pair in core.end():
                            yield pair
                except httpx.HTTPError as exc:
                    raise core.broken(exc) from exc
                await _drain(core, chunks)
            self.response = core.result()
        finally:
            core.cap.remove()
            await core.http_response.aclose()

    async def aclose(self) -> None:
        """Close the connection (safe to call twice).

        Example:
            >>> await stream.aclose()  # doctest: +SKIP
        """
        await self._pairs.aclose()
        await self._core.http_response.aclose()

    def _result(self) -> Response:
        return self._core.result()


async def _drain(core: _StreamCore, chunks: AsyncIterator[bytes]) -> None:
    """Read the body's end (the connection can then be reused), never waiting long for it.

    Each read waits at most `DRAIN_S` where the reads can be capped (`ReadCap.drain`); a cancel
    scope (public anyio API, which httpx runs on) bounds the whole drain as well: `DRAIN_S`
    where they cannot be capped, `_DRAIN_SCOPE_S` otherwise (wide enough that a busy event loop
    does not cut a drain whose bytes are already there, which would cost the connection). Past
    it the response is closed unread by the caller. No yield happens inside the scope.
    """
    import anyio  # httpx's own dependency, already imported by its async transport
    import httpx  # loaded already (a response exists); not at module import (issue 20)

    bound = _DRAIN_SCOPE_S if core.cap.drain() else DRAIN_S
    with anyio.move_on_after(bound), contextlib.suppress(httpx.HTTPError):
        async for chunk in chunks:
            if not core.drain(chunk):
                break
