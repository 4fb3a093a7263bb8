"""Guarded streams over the Chat Completions wire: chat chunks in, the usual pairs out.

`ChatStreamCore` replaces the Responses event parser of `_StreamCore` with
`ChatChunkTranslator`; everything else (the fold, the cost meter, closing, the typed errors of
a broken stream) is the Responses stream's own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from ._chat_wire import ChatChunkTranslator, WireChoice, chat_error, chat_response, loads
from ._events import ResponseCompletedEvent
from ._exceptions import (
    APIResponseValidationError,
    IncompleteStreamError,
    error_for,
    error_from_body,
)
from ._fold import ResponseState
from ._guard import AsyncGuardedResponseStream, CostMeter, GuardedResponseStream
from ._readcap import Deadline
from ._stream import Pair, _StreamCore

__all__ = ["AsyncChatStream", "ChatStream", "ChatStreamCore"]


class ChatStreamCore(_StreamCore):
    """`_StreamCore` for `chat.completion.chunk` streams (ended by `data: [DONE]`).

    A chat stream is whole only once its `finish_reason` came: new-api sends its usage chunk and
    `data: [DONE]` even after an upstream that broke off, so `[DONE]` alone proves nothing and
    a stream without a finish reason raises `IncompleteStreamError`. An `{"error": ...}` chunk
    mid-stream is a failed run (`ResponseFailedError`, or the quota / channel class), as an
    `error` event is on the Responses wire.
    """

    def __init__(
        self,
        response: httpx.Response,
        state: ResponseState | None,
        wire: WireChoice,
        deadline: Deadline | None = None,
    ) -> None:
        super().__init__(response, state, deadline)
        self.translator = ChatChunkTranslator(wire)
        self.chunks = 0
        """Chunks received so far."""

    def where(self) -> str:
        """How far the stream got: the chunks received, or before any chunk.

        Example:
            >>> from xiaohu._chat_wire import WireChoice
            >>> core = ChatStreamCore(httpx.Response(200), None, WireChoice("chat", "t"))
            >>> core.where()
            'before any chunk'
        """
        if not self.chunks:
            return "before any chunk"
        return f"after chunk {self.chunks}"

    def _apply(self, events: list[object]) -> list[Pair]:
        pairs: list[Pair] = []
        for event in events:
            pairs.append((event, self.state.apply(event)))  # type: ignore[arg-type]
            if self.state.done:
                self.finished = True
        return pairs

    def _cut(self, how: str) -> IncompleteStreamError:
        return IncompleteStreamError(
            f"the chat stream {how} before its terminal chunk (no finish_reason), "
            f"{self.where()}; the answer so far is incomplete ({len(self.state.text)} characters)",
            partial_text=self.state.text,
        )

    def _failed(self, payload: dict[str, object]) -> Exception:
        error = payload.get("error")
        details: dict[str, object] = error if isinstance(error, dict) else {}
        code, etype = details.get("code"), details.get("type")
        return error_for(
            code if isinstance(code, str) and code else None,
            str(details.get("message") or "the response failed"),
            etype=etype if isinstance(etype, str) else None,
            body=payload,
            request=self.http_response.request,
            response_id=str(self.translator.head_id or "") or None,
        )

    def feed(self, chunk: bytes) -> list[Pair]:
        """Chat SSE bytes in, `(event, deltas)` pairs out."""
        if self.cap.expired():  # checked per chunk: keep-alive comments do not extend it
            raise self.expired()
        pairs: list[Pair] = []
        for sse in self.decoder.decode(chunk):
            data = sse.data
            if not data.strip():
                continue
            if data.strip() == "[DONE]":
                if self.translator.finish_reason is None:
                    raise self._cut("ended ([DONE])")
                pairs.extend(self._apply(list(self.translator.done())))
                self.finished = True
                break
            payload = loads(data)
            if chat_error(payload):
                raise self._failed(payload)
            if not isinstance(payload, dict):
                raise APIResponseValidationError(
                    f"malformed stream event (a chat chunk) {self.where()}: {data[:120]!r}",
                    body=data,
                )
            self.chunks += 1
            pairs.extend(self._apply(list(self.translator.chunk(payload))))
            if self.finished:
                break
        return pairs

    def end(self) -> list[Pair]:
        """The body ended without `[DONE]`: whole if the finish reason came, else cut."""
        if self.translator.finish_reason is None:
            raise self._cut("ended")
        return self._apply(list(self.translator.done()))

    def feed_json(self, body: bytes) -> list[Pair]:
        """A whole `chat.completion` (or an error body) answered to a stream request."""
        payload = loads(body.decode("utf-8", "replace"))
        error = error_from_body(payload, request=self.http_response.request)
        if error is not None:
            raise error
        if not isinstance(payload, dict):
            raise APIResponseValidationError(f"expected a chat.completion, got {body[:120]!r}")
        response = chat_response(payload, self.translator.wire)
        event = ResponseCompletedEvent(response=response, sequence_number=0)
        self.finished = True
        return [(event, self.state.apply(event))]


class ChatStream(GuardedResponseStream):
    """A metered stream of a Chat Completions call, read like any `ResponseStream`.

    Example:
        >>> with client.stream_response(
        ...     model="deepseek-chat", input="hi"
        ... ) as stream:  # doctest: +SKIP
        ...     print(stream.get_final_response().output_text)
    """

    def __init__(
        self,
        response: httpx.Response,
        meter: CostMeter,
        wire: WireChoice,
        *,
        on_stop: Callable[[str], None] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.wire = wire
        """The wire choice of this call."""
        super().__init__(response, meter, on_stop=on_stop, deadline=deadline)

    def _make_core(
        self, response: httpx.Response, state: ResponseState | None, deadline: Deadline | None
    ) -> _StreamCore:
        return ChatStreamCore(response, state, self.wire, deadline)


class AsyncChatStream(AsyncGuardedResponseStream):
    """Async twin of `ChatStream`.

    Example:
        >>> stream = await client.stream_response(
        ...     model="deepseek-chat", input="hi"
        ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        response: httpx.Response,
        meter: CostMeter,
        wire: WireChoice,
        *,
        on_stop: Callable[[str], Awaitable[None]] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.wire = wire
        """The wire choice of this call."""
        super().__init__(response, meter, on_stop=on_stop, deadline=deadline)

    def _make_core(
        self, response: httpx.Response, state: ResponseState | None, deadline: Deadline | None
    ) -> _StreamCore:
        return ChatStreamCore(response, state, self.wire, deadline)
