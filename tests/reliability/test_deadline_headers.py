"""`deadline=` covers the whole call: the wait for the response headers and every retry too.

A loopback server that accepts the request and never sends its status line used to hold a
stream until the read timeout (600 s by default), whatever the deadline. Now each attempt's
timeouts are capped at what is left of the deadline, no retry restarts it, and the call ends
with `DeadlineExceededError` near the deadline, on every path: sync and async, streamed and
plain, Responses and Chat Completions, background streams and `wait_response` polls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.core.loopback import Server, serve
from xiaohu import (
    APITimeoutError,
    AsyncXiaohuClient,
    ConfigurationError,
    DeadlineExceededError,
    XiaohuClient,
)

KEY = "sk-loopback-0123456789abcdef0123"
DEADLINE = 0.5
SLACK = 0.6  # scheduling on a loaded 2-core machine; the stall itself lasts 3 s
STALL = {"X-Mode": "stall"}
BODY: dict[str, Any] = {"model": "gpt-5-mini", "input": "hi"}


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[str, Server]]:
    with serve() as running:
        yield running


def _sync(url: str, **kwargs: Any) -> XiaohuClient:
    return XiaohuClient(api_key=KEY, base_url=url, max_retries=0, default_headers=STALL, **kwargs)


def _async(url: str, **kwargs: Any) -> AsyncXiaohuClient:
    return AsyncXiaohuClient(
        api_key=KEY, base_url=url, max_retries=0, default_headers=STALL, **kwargs
    )


def _read_stream(stream: Any) -> None:
    with stream:
        stream.get_final_response()


async def _aread_stream(stream: Any) -> None:
    async with stream:
        await stream.get_final_response()


SYNC_PATHS: dict[str, Callable[[XiaohuClient], object]] = {
    "stream_response": lambda c: _read_stream(c.stream_response(**BODY, deadline=DEADLINE)),
    "create_response": lambda c: c.create_response(**BODY, deadline=DEADLINE),
    "create_response-budget": lambda c: c.create_response(
        **BODY, deadline=DEADLINE, max_cost_usd=1.0
    ),
    "stream_background": lambda c: _read_stream(c.stream_background(**BODY, deadline=DEADLINE)),
    "run_background": lambda c: c.run_background(**BODY, deadline=DEADLINE),
    "chat-stream": lambda c: _read_stream(c.stream_response(**BODY, api="chat", deadline=DEADLINE)),
    "chat-create": lambda c: c.create_response(**BODY, api="chat", deadline=DEADLINE),
    "wait_response": lambda c: c.wait_response("resp_stalled", deadline=DEADLINE),
}

ASYNC_PATHS: dict[str, Callable[[AsyncXiaohuClient], Awaitable[object]]] = {
    "stream_response": lambda c: _astream(c.stream_response(**BODY, deadline=DEADLINE)),
    "create_response": lambda c: c.create_response(**BODY, deadline=DEADLINE),
    "create_response-budget": lambda c: c.create_response(
        **BODY, deadline=DEADLINE, max_cost_usd=1.0
    ),
    "stream_background": lambda c: _astream(c.stream_background(**BODY, deadline=DEADLINE)),
    "run_background": lambda c: c.run_background(**BODY, deadline=DEADLINE),
    "chat-stream": lambda c: _astream(c.stream_response(**BODY, api="chat", deadline=DEADLINE)),
    "chat-create": lambda c: c.create_response(**BODY, api="chat", deadline=DEADLINE),
    "wait_response": lambda c: c.wait_response("resp_stalled", deadline=DEADLINE),
}


async def _astream(opening: Awaitable[Any]) -> None:
    await _aread_stream(await opening)


@pytest.mark.parametrize("path", SYNC_PATHS, ids=list(SYNC_PATHS))
def test_a_server_that_never_sends_headers_meets_the_deadline_sync(
    loopback: tuple[str, Server], path: str
) -> None:
    url, _ = loopback
    with _sync(url) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            SYNC_PATHS[path](client)
        took = time.monotonic() - started
    assert DEADLINE <= took + 0.01 < DEADLINE + SLACK, took
    assert caught.value.deadline_s == DEADLINE
    assert "deadline of 0.5 s passed" in str(caught.value)
    if path == "wait_response":
        assert caught.value.response_id == "resp_stalled"


@pytest.mark.parametrize("path", ASYNC_PATHS, ids=list(ASYNC_PATHS))
def test_a_server_that_never_sends_headers_meets_the_deadline_async(
    loopback: tuple[str, Server], path: str
) -> None:
    url, _ = loopback

    async def main() -> float:
        async with _async(url) as client:
            started = time.monotonic()
            with pytest.raises(DeadlineExceededError) as caught:
                await ASYNC_PATHS[path](client)
            assert caught.value.deadline_s == DEADLINE
            return time.monotonic() - started

    took = asyncio.run(main())
    assert DEADLINE <= took + 0.01 < DEADLINE + SLACK, took


def test_retries_do_not_restart_the_deadline(loopback: tuple[str, Server]) -> None:
    url, state = loopback
    seen = len(state.headers)
    # Each attempt times out after 0.2 s and is retried; the deadline of 2 s holds over all.
    with _sync(url, timeout=httpx.Timeout(0.2)) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.create_response(**BODY, deadline=2.0, max_retries=10)
        took = time.monotonic() - started
    attempts = len(state.headers) - seen
    assert attempts >= 2, "the call was retried"
    assert attempts < 11, "the deadline, not max_retries, ended it"
    assert took < 2.0 + SLACK, took


def test_async_retries_do_not_restart_the_deadline(loopback: tuple[str, Server]) -> None:
    url, state = loopback
    seen = len(state.headers)

    async def main() -> float:
        async with _async(url, timeout=httpx.Timeout(0.2)) as client:
            started = time.monotonic()
            with pytest.raises(APITimeoutError):
                await client.create_response(**BODY, deadline=2.0, max_retries=10)
            return time.monotonic() - started

    took = asyncio.run(main())
    assert 2 <= len(state.headers) - seen < 11
    assert took < 2.0 + SLACK, took


def test_a_deadline_longer_than_the_read_timeout_leaves_the_timeout_alone(
    loopback: tuple[str, Server],
) -> None:
    url, _ = loopback
    with _sync(url, timeout=httpx.Timeout(0.3)) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as caught:
            client.create_response(**BODY, deadline=30.0)
        took = time.monotonic() - started
    assert not isinstance(caught.value, DeadlineExceededError)  # the read timeout fired first
    assert took < 0.3 + SLACK


def test_a_request_past_its_deadline_is_not_sent(loopback: tuple[str, Server]) -> None:
    url, state = loopback
    seen = len(state.headers)
    with XiaohuClient(api_key=KEY, base_url=url) as client:
        call = client._prepare({**BODY, "deadline": 0.01}, stream=True)
        time.sleep(0.05)
        with pytest.raises(DeadlineExceededError, match="before the relay answered POST"):
            client._open(call)
    assert len(state.headers) == seen


def test_request_takes_a_deadline_in_seconds(loopback: tuple[str, Server]) -> None:
    url, _ = loopback
    with _sync(url) as client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError):
            client.request("POST", "/responses", json=BODY, deadline=DEADLINE)
        assert time.monotonic() - started < DEADLINE + SLACK
        with pytest.raises(ConfigurationError, match="deadline must be > 0"):
            client.request("POST", "/responses", json=BODY, deadline=-1)
