"""500 concurrent streams per round through `ChatXiaohu.abatch` and `XiaohuResponses`
(`astream_chat` and `achat`) on an emulator in a child process that counts requests and
client connections.

Three rounds: every stream completes with text; the connections used stay within the pool's
limit; afterwards no request is in flight, no socket is open and no asyncio task is left; and
memory is flat: Python's allocated blocks after rounds 2 and 3 are within a slack of round 1,
and what round 3 allocated and still holds (tracemalloc, traced over round 3 only, as tracing
slows the client ~3x) is below a small bound.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.reliability.server import Counts, counting_emulator, established_to

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="open sockets are counted from /proc"),
]

KEY = "sk-load-0123456789abcdef0123456789"
MODEL = "gpt-4.1-mini"
STREAMS = 500
POOL = 50
#: Bytes allocated in round 3 and still alive after it. Round 3's last results replace round
#: 2's (LlamaIndex dispatcher spans, asyncio weak sets: ~0.6 MB measured, flat from round to
#: round); a leak of one call's objects (several KB each) would pass 2 MB at once.
RETAINED_SLACK = 1024 * 1024
BLOCK_SLACK = 5_000


@pytest.fixture(scope="module")
def counts() -> Iterator[Counts]:
    with counting_emulator() as served:
        yield served


def _prompt(i: int) -> str:
    return f"Say hello to visitor number {i}."


async def _round(lc: ChatXiaohu, li: XiaohuResponses) -> list[str]:
    """500 concurrent calls: half LangChain `abatch` (streaming), a quarter each LlamaIndex
    `astream_chat` and `achat`."""

    async def li_stream(i: int) -> str:
        text = ""
        async for chunk in await li.astream_chat([ChatMessage(role="user", content=_prompt(i))]):
            text = chunk.message.content or ""
        return text

    async def li_chat(i: int) -> str:
        response = await li.achat([ChatMessage(role="user", content=_prompt(i))])
        return response.message.content or ""

    async def lc_batch() -> list[str]:
        messages = await lc.abatch([_prompt(i) for i in range(STREAMS // 2)])
        return [m.text for m in messages]

    quarter = STREAMS // 4
    lc_texts, li_texts = await asyncio.gather(
        lc_batch(),
        asyncio.gather(
            *(li_stream(i) for i in range(quarter)), *(li_chat(i) for i in range(quarter))
        ),
    )
    return [*lc_texts, *li_texts]


def _check_round(answers: list[str], counts: Counts) -> dict[str, Any]:
    assert len(answers) == STREAMS
    assert all(answers), "every call returns text"
    assert counts.wait_idle(), "the server still sends after the round"
    seen = counts.get()
    assert seen["requests"] == STREAMS
    # Two pools (one per adapter), each capped at POOL connections in use.
    assert seen["peak"] <= 2 * POOL
    # Connections are reused: a stream that closes before its last bytes arrive costs its
    # connection (a few percent under this load), but nowhere near one per call.
    assert seen["clients"] < STREAMS // 2
    assert asyncio.all_tasks() == {asyncio.current_task()}, "asyncio tasks leaked"
    return seen


async def _three_rounds(
    lc: ChatXiaohu, li: XiaohuResponses, counts: Counts
) -> tuple[list[int], int]:
    """Run three checked rounds; return allocated blocks after each and round 3's retained bytes."""
    blocks, retained, before = [], 0, 0
    for number in (1, 2, 3):
        counts.reset()
        gc.collect()
        if number == 3:
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
        answers = await _round(lc, li)
        _check_round(answers, counts)
        del answers
        gc.collect()
        if number == 3:
            retained = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
        blocks.append(sys.getallocatedblocks())
    return blocks, retained


async def test_500_concurrent_streams_three_rounds(counts: Counts) -> None:
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
    lc_http = httpx.AsyncClient(limits=limits)
    li_http = httpx.AsyncClient(limits=limits)
    lc = ChatXiaohu(
        model=MODEL, api_key=KEY, base_url=counts.base_url, streaming=True,
        http_async_client=lc_http,
    )  # fmt: skip
    li = XiaohuResponses(
        model=MODEL, api_key=KEY, api_base=counts.base_url, async_http_client=li_http
    )
    try:
        blocks, retained = await _three_rounds(lc, li, counts)
    finally:
        await lc_http.aclose()
        await li_http.aclose()
    assert established_to(counts.port) == 0, "a client socket stayed open"
    assert blocks[2] - blocks[0] < BLOCK_SLACK, blocks
    assert retained < RETAINED_SLACK, retained


def test_langchain_default_pool_is_shared_in_a_loop_and_closed_with_it(counts: Counts) -> None:
    """Without `http_async_client` the calls of one event loop share one pool (as the core's
    clients do), and `asyncio.run`'s shutdown closes it: no socket outlives the loop."""
    lc = ChatXiaohu(model=MODEL, api_key=KEY, base_url=counts.base_url, streaming=True)
    counts.reset()

    async def main() -> list[Any]:
        messages = await lc.abatch([_prompt(i) for i in range(100)], config={"max_concurrency": 20})
        assert asyncio.all_tasks() == {asyncio.current_task()}
        return messages

    messages = asyncio.run(main())
    assert all(m.text for m in messages)
    assert counts.wait_idle()
    seen = counts.get()
    assert seen["peak"] <= 20
    assert seen["clients"] <= 20  # connections reused across calls, not one per call
    assert established_to(counts.port) == 0
