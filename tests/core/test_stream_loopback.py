"""Streams over a real loopback socket: whole reads, early exit, broken and cut streams."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.core.loopback import Server, serve
from xiaohu import (
    APIError,
    AsyncXiaohuClient,
    AuthenticationError,
    IncompleteStreamError,
    ResponseFailedError,
    TextDelta,
    XiaohuClient,
)

KEY = "sk-loopback-0123456789abcdef0123"

both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[str, Server]]:
    with serve() as pair:
        yield pair


def stream_text(base_url: str, sync: bool, mode: str) -> tuple[str, list[str]]:
    """Read a whole stream; return the final text and the streamed text pieces."""
    headers = {"X-Mode": mode}
    if sync:
        with (
            XiaohuClient(api_key=KEY, base_url=base_url, max_retries=0) as client,
            client.stream_response(model="m", input="hi", extra_headers=headers) as stream,
        ):
            pieces = [d.text for d in stream.iter_deltas() if isinstance(d, TextDelta)]
            return stream.get_final_response().output_text, pieces

    async def main() -> tuple[str, list[str]]:
        async with AsyncXiaohuClient(api_key=KEY, base_url=base_url, max_retries=0) as client:
            stream = await client.stream_response(model="m", input="hi", extra_headers=headers)
            async with stream:
                pieces = [d.text async for d in stream.iter_deltas() if isinstance(d, TextDelta)]
                return (await stream.get_final_response()).output_text, pieces

    return asyncio.run(main())


@both
def test_whole_stream(loopback: tuple[str, Server], sync: bool) -> None:
    url, server = loopback
    text, pieces = stream_text(url, sync, "text")
    assert pieces == ["你", "好", ", world"]
    assert text == "你好, world"
    assert server.headers[-1]["accept"] == "text/event-stream"


@both
def test_json_answer_to_a_stream_request_is_folded_whole(
    loopback: tuple[str, Server], sync: bool
) -> None:
    text, pieces = stream_text(loopback[0], sync, "json")
    assert (text, pieces) == ("whole", ["whole"])


@both
@pytest.mark.parametrize("mode", ["cut", "drop"])
def test_cut_or_dropped_stream_raises_incomplete(
    loopback: tuple[str, Server], sync: bool, mode: str
) -> None:
    with pytest.raises(IncompleteStreamError) as info:
        stream_text(loopback[0], sync, mode)
    assert info.value.partial_text == "0 1 2 "


@both
def test_a_200_json_error_to_a_stream_request_raises_it(
    loopback: tuple[str, Server], sync: bool
) -> None:
    """new-api answers some upstream failures with HTTP 200 and an error body: never "success"."""
    with pytest.raises(APIError) as info:
        stream_text(loopback[0], sync, "json-error")
    assert type(info.value) is APIError  # not folded into a Response, nor a quota error
    assert info.value.code == "bad_response_status_code"
    assert "upstream error" in str(info.value)


@both
@pytest.mark.parametrize("mode", ["json-failed", "completed-failed"])
def test_a_failed_response_is_an_error_however_it_arrives(
    loopback: tuple[str, Server], sync: bool, mode: str
) -> None:
    with pytest.raises(ResponseFailedError) as info:
        stream_text(loopback[0], sync, mode)
    assert info.value.code == "server_error"


@both
def test_blank_data_frames_are_skipped(loopback: tuple[str, Server], sync: bool) -> None:
    text, pieces = stream_text(loopback[0], sync, "blank-data")
    assert (text, pieces) == ("你好, world", ["你", "好", ", world"])


@both
def test_error_status_before_the_stream(loopback: tuple[str, Server], sync: bool) -> None:
    with pytest.raises(AuthenticationError) as info:
        stream_text(loopback[0], sync, "status-401")
    assert info.value.request_id == "lb-1"
    assert "无效的令牌" in str(info.value)


def _leave_early_sync(base_url: str, how: str, check: Callable[[Any], None]) -> None:
    client = XiaohuClient(api_key=KEY, base_url=base_url, max_retries=0)
    stream = client.stream_response(model="m", input="hi", extra_headers={"X-Mode": "long"})
    if how == "context":
        with stream:
            for event in stream:
                if event.type == "response.output_text.delta":
                    break
    elif how == "break":
        for delta in stream.iter_deltas():
            if isinstance(delta, TextDelta):
                break
    else:
        next(iter(stream.iter_pairs()))
        stream.close()
    check(stream)  # before the client (and its pool) is closed
    client.close()


async def _leave_early_async(base_url: str, how: str, check: Callable[[Any], None]) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=base_url, max_retries=0)
    stream = await client.stream_response(model="m", input="hi", extra_headers={"X-Mode": "long"})
    if how == "context":
        async with stream:
            async for event in stream:
                if event.type == "response.output_text.delta":
                    break
    elif how == "break":
        async for delta in stream.iter_deltas():
            if isinstance(delta, TextDelta):
                break
        # The abandoned async generator is dropped at once (no reference is left) and the
        # event loop's finaliser hook schedules its aclose(): give that a moment to run.
        await asyncio.sleep(0.05)
    else:
        pairs = stream.iter_pairs()
        await pairs.__anext__()
        await pairs.aclose()
    await asyncio.to_thread(check, stream)  # before the client (and its pool) is closed
    await client.aclose()


@both
@pytest.mark.parametrize("how", ["context", "break", "close"])
def test_leaving_early_closes_the_connection(
    loopback: tuple[str, Server], sync: bool, how: str
) -> None:
    url, server = loopback
    started = server.started

    def check(stream: Any) -> None:
        assert server.started == started + 1
        assert stream.http_response.is_closed
        assert server.wait_idle(), "the server still streams to a client that left"
        with pytest.raises(IncompleteStreamError):
            stream.state.final_response()  # what arrived is never passed off as whole

    if sync:
        _leave_early_sync(url, how, check)
    else:
        asyncio.run(_leave_early_async(url, how, check))


def test_cancelling_the_task_closes_the_connection(loopback: tuple[str, Server]) -> None:
    url, server = loopback

    async def main() -> None:
        client = AsyncXiaohuClient(api_key=KEY, base_url=url, max_retries=0)
        stream = await client.stream_response(
            model="m", input="hi", extra_headers={"X-Mode": "long"}
        )
        first = asyncio.Event()

        async def consume() -> None:
            async with stream:
                async for delta in stream.iter_deltas():
                    if isinstance(delta, TextDelta):
                        first.set()

        task = asyncio.create_task(consume())
        await first.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert stream.http_response.is_closed
        assert await asyncio.to_thread(server.wait_idle), "still streaming after cancel"
        await client.aclose()

    asyncio.run(main())


@both
def test_one_connection_is_reused_across_calls(loopback: tuple[str, Server], sync: bool) -> None:
    url, server = loopback
    json_mode = {"X-Mode": "json"}

    async def async_calls() -> None:
        async with AsyncXiaohuClient(api_key=KEY, base_url=url) as client:
            for _ in range(3):
                await client.create_response(model="m", input="hi", extra_headers=json_mode)
            stream = await client.stream_response(model="m", input="hi")
            await stream.get_final_response()
            await client.create_response(model="m", input="hi", extra_headers=json_mode)

    before = len(server.peers)
    if sync:
        with XiaohuClient(api_key=KEY, base_url=url) as client:
            for _ in range(3):
                client.create_response(model="m", input="hi", extra_headers=json_mode)
            client.stream_response(model="m", input="hi").get_final_response()
            client.create_response(model="m", input="hi", extra_headers=json_mode)
    else:
        asyncio.run(async_calls())
    peers = server.peers[before:]
    assert len(peers) == 5
    assert len(set(peers)) == 1  # one pooled connection, kept alive after a whole stream


def _keys_in_chain(exc: BaseException) -> list[str]:
    """Every Authorization header on a request reachable from `exc` and its chain."""
    found: list[str] = []
    pending: list[BaseException | None] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for holder in (current, getattr(current, "response", None)):
            try:
                request = getattr(holder, "request", None)
            except RuntimeError:
                request = None
            if request is not None and "authorization" in request.headers:
                found.append(request.headers["authorization"])
        pending += [current.__cause__, current.__context__]
    return found


@both
@pytest.mark.parametrize("mode", ["drop", "json-error", "status-401"])
def test_no_request_in_the_exception_chain_carries_the_key(
    loopback: tuple[str, Server], sync: bool, mode: str
) -> None:
    with pytest.raises((IncompleteStreamError, APIError, AuthenticationError)) as info:
        stream_text(loopback[0], sync, mode)
    headers = _keys_in_chain(info.value)
    assert headers, "the chain should still carry the (masked) request"
    assert all(KEY not in h for h in headers)
    assert set(headers) == {"Bearer [redacted]"}
