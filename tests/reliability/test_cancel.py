"""Leaving a stream early closes its connection at once, seen from the server.

The emulator (child process, counting layer) paces this stream at `PACE` seconds per event,
so a whole answer takes seconds; after the client leaves, the server's handler must return
(it noticed the disconnect) well before that, having sent only a few events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Iterator
from typing import Any, cast

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.reliability.server import Counts, counting_emulator, established_to

KEY = "sk-cancel-0123456789abcdef01234567"
MODEL = "gpt-4.1-mini"
PROMPT = "Write a long and detailed history of tea in China, dynasty by dynasty."
PACE = 0.05
HEADERS = {"X-Emulator-Delay": str(PACE)}
#: The server must stop within this many seconds of the client leaving.
PROMPTLY = 1.0


@pytest.fixture(scope="module")
def counts() -> Iterator[Counts]:
    with counting_emulator() as served:
        yield served


def _lc(counts: Counts) -> ChatXiaohu:
    return ChatXiaohu(model=MODEL, api_key=KEY, base_url=counts.base_url, default_headers=HEADERS)


def _li(counts: Counts) -> XiaohuResponses:
    return XiaohuResponses(
        model=MODEL, api_key=KEY, api_base=counts.base_url, default_headers=HEADERS
    )


def _messages() -> list[ChatMessage]:
    return [ChatMessage(role="user", content=PROMPT)]


def _stopped_promptly(counts: Counts, left_at: float) -> None:
    assert counts.wait_idle(timeout=PROMPTLY), "the server kept streaming after the client left"
    _check_after(counts, left_at)


async def _astopped_promptly(counts: Counts, left_at: float) -> None:
    idle = await counts.await_idle(timeout=PROMPTLY)
    assert idle, "the server kept streaming after the client left"
    _check_after(counts, left_at)


def _check_after(counts: Counts, left_at: float) -> None:
    assert time.monotonic() - left_at < PROMPTLY
    seen = counts.get()
    assert seen["requests"] == 1
    # A whole answer is dozens of events; leaving after the first few sends only a few more.
    assert seen["body_chunks"] < FULL_STREAM_EVENTS // 2
    assert established_to(counts.port) == 0


FULL_STREAM_EVENTS = 40


def test_a_whole_stream_is_long(counts: Counts) -> None:
    """The premise: without leaving, this stream sends many events over seconds."""
    counts.reset()
    start = time.monotonic()
    text = "".join(chunk.text for chunk in _lc(counts).stream(PROMPT))
    assert text
    assert counts.get()["body_chunks"] >= FULL_STREAM_EVENTS
    assert time.monotonic() - start > FULL_STREAM_EVENTS * PACE * 0.8


def test_langchain_sync_break(counts: Counts) -> None:
    counts.reset()
    for chunk in _lc(counts).stream(PROMPT):
        if chunk.text:
            break
    _stopped_promptly(counts, time.monotonic())


def test_llama_index_sync_close(counts: Counts) -> None:
    counts.reset()
    llm = _li(counts)
    chunks = llm.stream_chat(_messages())
    next(chunks)
    chunks.close()
    _stopped_promptly(counts, time.monotonic())
    llm.close()


async def test_langchain_async_aclose(counts: Counts) -> None:
    counts.reset()
    chunks = cast(AsyncGenerator[Any, None], _lc(counts).astream(PROMPT))
    await chunks.__anext__()
    await chunks.aclose()
    await _astopped_promptly(counts, time.monotonic())


async def test_llama_index_async_aclose(counts: Counts) -> None:
    counts.reset()
    llm = _li(counts)
    chunks = await llm.astream_chat(_messages())
    await chunks.__anext__()
    await chunks.aclose()
    await _astopped_promptly(counts, time.monotonic())
    await llm.aclose()


@pytest.mark.parametrize("adapter", ["langchain", "llama_index"])
async def test_cancelling_the_task(counts: Counts, adapter: str) -> None:
    counts.reset()
    first = asyncio.Event()
    http = httpx.AsyncClient()

    async def consume() -> None:
        if adapter == "langchain":
            llm = ChatXiaohu(
                model=MODEL, api_key=KEY, base_url=counts.base_url, default_headers=HEADERS,
                http_async_client=http,
            )  # fmt: skip
            async for _ in llm.astream(PROMPT):
                first.set()
        else:
            li = XiaohuResponses(
                model=MODEL, api_key=KEY, api_base=counts.base_url, default_headers=HEADERS,
                async_http_client=http,
            )  # fmt: skip
            async for _ in await li.astream_chat(_messages()):
                first.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(first.wait(), timeout=5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    left_at = time.monotonic()
    await http.aclose()
    await _astopped_promptly(counts, left_at)
