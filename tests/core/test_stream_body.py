"""Whole streams at the body level (`httpx.MockTransport`), sync and async.

What the relay and the proxies in front of it do to a stream: keep-alive comments, CRLF,
a `[DONE]` line, an HTML page instead of events, an `error` frame without a `type`, a read
timeout or a reset midway, an error status whose body breaks while being read.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.core import wire
from tests.core.clock import record_sleeps
from xiaohu import (
    APIResponseValidationError,
    APITimeoutError,
    AsyncXiaohuClient,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    Response,
    TextDelta,
    XiaohuClient,
)

KEY = "sk-body-test-0123456789abcdef"
SSE = {"content-type": "text/event-stream"}

both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body made by `make()` for each read: chunks, then maybe an exception."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self.make = make

    def __iter__(self) -> Iterator[bytes]:
        yield from self.make()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.make():
            yield chunk


def chunks(raw: bytes, size: int = 7, error: Exception | None = None) -> Body:
    def make() -> Iterator[bytes]:
        for start in range(0, len(raw), size):
            yield raw[start : start + size]
        if error is not None:
            raise error

    return Body(make)


def run_stream(
    sync: bool, answer: Callable[[], httpx.Response], **kw: Any
) -> tuple[Any, list[str]]:
    """Stream one response; return (final response, text pieces) or raise."""
    calls: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return answer()

    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test", **kw}
    if sync:
        http = httpx.Client(transport=httpx.MockTransport(handle))
        with (
            XiaohuClient(http_client=http, **settings) as client,
            client.stream_response(model="m", input="hi") as stream,
        ):
            pieces = [d.text for d in stream.iter_deltas() if isinstance(d, TextDelta)]
            return stream.get_final_response(), pieces

    async def main() -> tuple[Any, list[str]]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncXiaohuClient(http_client=http, **settings) as client:
            stream = await client.stream_response(model="m", input="hi")
            async with stream:
                pieces = [d.text async for d in stream.iter_deltas() if isinstance(d, TextDelta)]
                return await stream.get_final_response(), pieces

    return asyncio.run(main())


def sse(raw: bytes, **kw: Any) -> Callable[[], httpx.Response]:
    return lambda: httpx.Response(200, headers=SSE, stream=chunks(raw, **kw))


@both
def test_keepalives_crlf_and_done_are_tolerated(sync: bool) -> None:
    events = wire.plain_text(["多", "字节", " ok"])
    raw = b": PING\r\n\r\n" + wire.encode(events[:5], newline="\r\n") + b": keep-alive\r\n"
    raw += wire.encode(events[5:], newline="\r\n") + b"data: [DONE]\r\n\r\n"
    response, pieces = run_stream(sync, sse(raw, size=5))
    assert isinstance(response, Response)
    assert pieces == ["多", "字节", " ok"]
    assert response.output_text == "多字节 ok"


@both
def test_done_before_the_terminal_event_is_incomplete(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["a", "b"])[:6]) + b"data: [DONE]\n\n"
    with pytest.raises(IncompleteStreamError) as info:
        run_stream(sync, sse(raw))
    assert info.value.partial_text == "ab"


@both
def test_in_stream_quota_error_is_the_same_class_as_over_http(sync: bool) -> None:
    raw = wire.encode(wire.error_then_failed("insufficient_quota", "您的额度不足"))
    with pytest.raises(InsufficientQuotaError) as info:
        run_stream(sync, sse(raw))
    assert info.value.code == "insufficient_quota"
    assert "您的额度不足" in str(info.value)


@both
def test_error_frame_without_a_type_is_a_failure_not_a_parse_error(sync: bool) -> None:
    # A frame seen from relays: `event: error` + data with only a nested error object.
    frame = b'event: error\ndata: {"error":{"type":"new_api_error","message":"\xe8\xaf\xa5\xe4\xbb\xa4\xe7\x89\x8c\xe9\xa2\x9d\xe5\xba\xa6\xe5\xb7\xb2\xe7\x94\xa8\xe5\xb0\xbd"}}\n\n'
    raw = wire.encode(wire.plain_text(["x"])[:2]) + frame
    with pytest.raises(InsufficientQuotaError) as info:  # classified by its message
        run_stream(sync, sse(raw))
    assert "该令牌额度已用尽" in str(info.value)
    assert info.value.code == "new_api_error"


@both
def test_html_page_instead_of_events_says_so(sync: bool) -> None:
    page = b"<html><body><h1>Welcome to nginx</h1></body></html>"

    def answer() -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=page)

    with pytest.raises(APIResponseValidationError) as info:
        run_stream(sync, answer)
    assert "text/html" in str(info.value)
    assert "Welcome to nginx" in str(info.value)


@both
def test_read_timeout_midway_is_a_timeout_error(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["slow"])[:5])
    with pytest.raises(APITimeoutError, match="incomplete"):
        run_stream(sync, sse(raw, error=httpx.ReadTimeout("no data")), max_retries=2)


@both
def test_reset_midway_is_incomplete_and_not_retried(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["half", "way"])[:6])
    calls = 0

    def answer() -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, headers=SSE, stream=chunks(raw, error=httpx.ReadError("reset")))

    with pytest.raises(IncompleteStreamError) as info:
        run_stream(sync, answer, max_retries=3)
    assert calls == 1
    assert info.value.partial_text == "halfway"


@both
def test_error_status_whose_body_breaks_is_still_a_typed_error(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    body = b'{"error": {"message": "bad gate'

    def answer() -> httpx.Response:
        return httpx.Response(502, stream=chunks(body, error=httpx.ReadError("reset")))

    with pytest.raises(InternalServerError) as info:
        run_stream(sync, answer, max_retries=1)
    assert info.value.status_code == 502


@both
def test_after_the_terminal_event_a_broken_tail_does_not_matter(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["whole"])) + b"data: [DONE]\n\n"
    response, pieces = run_stream(sync, sse(raw, error=httpx.ReadError("reset after the end")))
    assert response.output_text == "whole"
    assert pieces == ["whole"]


@both
def test_after_the_terminal_event_only_a_bounded_tail_is_read(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["whole"]))
    read = 0

    def endless() -> Iterator[bytes]:
        nonlocal read
        yield raw
        while True:  # a server that never ends the body after response.completed
            read += 1024
            yield b": junk" + b"." * 1017

    response, _ = run_stream(sync, lambda: httpx.Response(200, headers=SSE, stream=Body(endless)))
    assert response.output_text == "whole"
    if sync:  # a mock has no network stream whose reads could be capped: closed unread
        assert read == 0
    else:  # the async drain runs in a cancel scope, and stops after 64 KiB
        assert 0 < read <= 80 * 1024
