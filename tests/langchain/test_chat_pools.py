"""One async pool lifecycle, the core's: ChatXiaohu and XiaohuEmbeddings keep no pool of their own.

A model holds one `xiaohu.AsyncXiaohuClient`, whose pools are one per event loop: calls in a
loop share its pool, calls from another loop get another, each closed at its loop's shutdown.
"""

from __future__ import annotations

import asyncio

import httpx

from langchain_xiaohu import ChatXiaohu, XiaohuEmbeddings

KEY = "sk-test-0123456789abcdef0123456789abcdef"


def test_many_async_calls_in_one_loop_share_one_pool_and_two_loops_two(emulator_url: str) -> None:
    llm = ChatXiaohu(model="gpt-5-mini", api_key=KEY, base_url=emulator_url, max_retries=0)

    async def calls() -> httpx.AsyncClient:
        client = llm._async_client
        pool = await client._pool()
        answers = await asyncio.gather(*(llm.ainvoke(f"hi {n}") for n in range(4)))
        assert all(a.text for a in answers)
        assert llm._async_client is client  # one core client for the model ...
        assert await client._pool() is pool  # ... and one pool for this loop
        return pool

    first, second = asyncio.run(calls()), asyncio.run(calls())
    assert first is not second
    assert first.is_closed  # closed by its loop's shutdown
    assert second.is_closed


def test_async_embeddings_reuse_one_client_across_calls(emulator_url: str) -> None:
    embeddings = XiaohuEmbeddings(api_key=KEY, base_url=emulator_url, max_retries=0)

    async def calls() -> list[httpx.AsyncClient]:
        pools = []
        for text in ("猫", "dog", "tea"):
            assert await embeddings.aembed_query(text)
            pools.append(await embeddings._aclient._pool())
        return pools

    pools = asyncio.run(calls())
    assert pools == [pools[0]] * 3
    assert pools[0].is_closed
