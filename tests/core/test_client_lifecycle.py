"""The clients' lifecycle on real loopback sockets: closing, garbage collection, event loops.

A forgotten `XiaohuClient` closes its pool when collected (no `ResourceWarning: unclosed
socket`); a call after `close()`/`aclose()` raises the typed `ClientClosedError`; one
`AsyncXiaohuClient` works across successive event loops (`asyncio.run` per call), each loop
with its own pool, closed when that loop shuts down, and `aclose()` closes them all.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from typing import Any

import httpx
import pytest

from xiaohu import AsyncXiaohuClient, ClientClosedError, XiaohuClient, XiaohuError

KEY = "sk-core-lifecycle-0123456789abcdef"
HELLO: dict[str, Any] = {"model": "gpt-4.1", "input": "What is 2 + 2?"}


def _resource_warnings_on_collect() -> list[str]:
    # Sockets only: a loop leaked by LlamaIndex's sync wrappers elsewhere is not ours.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "event loop" not in str(w.message)
    ]


def test_a_collected_sync_client_leaves_no_open_socket(emulator_url: str) -> None:
    client = XiaohuClient(api_key=KEY, base_url=emulator_url)
    assert client.create_response(**HELLO).output_text
    del client
    assert _resource_warnings_on_collect() == []


def test_a_call_after_close_raises_a_typed_error(emulator_url: str) -> None:
    client = XiaohuClient(api_key=KEY, base_url=emulator_url)
    client.close()
    client.close()  # twice is fine
    with pytest.raises(ClientClosedError, match="closed") as info:
        client.create_response(**HELLO)
    assert isinstance(info.value, XiaohuError)
    assert isinstance(info.value, RuntimeError)


def test_a_closed_http_client_of_yours_raises_the_typed_error_too(emulator_url: str) -> None:
    http = httpx.Client()
    client = XiaohuClient(api_key=KEY, base_url=emulator_url, http_client=http)
    http.close()
    with pytest.raises(ClientClosedError):
        client.create_response(**HELLO)


async def test_a_call_after_aclose_raises_a_typed_error(emulator_url: str) -> None:
    async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
        assert (await client.create_response(**HELLO)).output_text
    with pytest.raises(ClientClosedError, match="closed"):
        await client.create_response(**HELLO)


def test_one_async_client_serves_successive_event_loops(emulator_url: str) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url)

    async def call() -> str:
        return (await client.create_response(**HELLO)).output_text

    # Each asyncio.run closes its loop; the pool of that loop must close with it.
    texts = [asyncio.run(call()) for _ in range(3)]
    assert texts == ["2 + 2 = 4."] * 3
    assert _resource_warnings_on_collect() == []
    asyncio.run(client.aclose())


async def test_one_pool_per_loop_is_reused_within_the_loop(emulator_url: str) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url)
    try:
        first = await client._pool()
        await client.create_response(**HELLO)
        assert await client._pool() is first
    finally:
        await client.aclose()
    assert first.is_closed


async def test_your_own_async_http_client_is_used_and_left_open(emulator_url: str) -> None:
    async with httpx.AsyncClient() as http:
        client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url, http_client=http)
        assert await client._pool() is http
        await client.create_response(**HELLO)
        await client.aclose()
        assert not http.is_closed


def test_two_loops_get_two_pools_each_closed_with_its_loop(emulator_url: str) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url)

    async def calls() -> httpx.AsyncClient:
        pool = await client._pool()
        for _ in range(3):
            await client.create_response(**HELLO)
            assert await client._pool() is pool  # many calls in one loop: one pool
        return pool

    first, second = asyncio.run(calls()), asyncio.run(calls())
    assert first is not second
    assert first.is_closed
    assert second.is_closed


def test_aclose_closes_the_pools_of_every_running_loop(emulator_url: str) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url)
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever)
    thread.start()
    try:

        async def call() -> httpx.AsyncClient:
            await client.create_response(**HELLO)
            return await client._pool()

        theirs = asyncio.run_coroutine_threadsafe(call(), other).result(timeout=30)

        async def main() -> httpx.AsyncClient:
            ours = await call()
            await client.aclose()
            return ours

        ours = asyncio.run(main())
        assert ours is not theirs
        assert ours.is_closed
        assert theirs.is_closed
        with pytest.raises(ClientClosedError):
            asyncio.run_coroutine_threadsafe(call(), other).result(timeout=30)
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join()
        other.run_until_complete(other.shutdown_asyncgens())
        other.close()


async def test_a_client_collected_while_its_loop_runs_closes_its_pool_in_it(
    emulator_url: str,
) -> None:
    client = AsyncXiaohuClient(api_key=KEY, base_url=emulator_url)
    await client.create_response(**HELLO)
    pool = await client._pool()
    del client
    gc.collect()
    for _ in range(100):  # the close is a task of this loop: let it run
        if pool.is_closed:
            break
        await asyncio.sleep(0.01)
    assert pool.is_closed
