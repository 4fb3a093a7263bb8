"""Core embeddings over real sockets against the loopback emulator, sync and async."""

from __future__ import annotations

import math

import pytest

import xiaohu

MODEL = "text-embedding-3-small"


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


async def _embed(url: str, sync: bool, texts: list[str], **kwargs: object) -> list[list[float]]:
    if sync:
        with xiaohu.XiaohuClient(api_key="sk-test", base_url=url) as client:
            return client.embed(texts, model=MODEL, **kwargs)  # type: ignore[arg-type]
    async with xiaohu.AsyncXiaohuClient(api_key="sk-test", base_url=url) as client:
        return await client.embed(texts, model=MODEL, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_texts_sharing_words_land_near_each_other(emulator_url: str, sync: bool) -> None:
    cats, more_cats, stocks = await _embed(
        emulator_url, sync, ["cats purr softly", "the cats purr", "stock market prices fell"]
    )
    assert len(cats) == 1536
    assert _cosine(cats, more_cats) > _cosine(cats, stocks) + 0.3


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_batching_does_not_change_any_vector(emulator_url: str, sync: bool) -> None:
    texts = [f"document {i} about topic {i % 7}" for i in range(300)]
    whole = await _embed(emulator_url, sync, texts, dimensions=256)
    batched = await _embed(emulator_url, sync, texts, dimensions=256, chunk_size=7)
    assert batched == whole
    assert {len(v) for v in whole} == {256}
    # Each vector belongs to its text: embedding one text alone gives the same vector.
    alone = await _embed(emulator_url, sync, [texts[123]], dimensions=256)
    assert alone[0] == whole[123]


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_more_than_2048_texts_are_split(emulator_url: str, sync: bool) -> None:
    texts = [f"row {i}" for i in range(2100)]
    vectors = await _embed(emulator_url, sync, texts, dimensions=128, chunk_size=2048)
    assert len(vectors) == 2100
    assert vectors[2099] == (await _embed(emulator_url, sync, ["row 2099"], dimensions=128))[0]


def test_relay_errors_are_typed(emulator_url: str) -> None:
    with xiaohu.XiaohuClient(api_key="sk-test", base_url=emulator_url) as client:
        with pytest.raises(xiaohu.BadRequestError, match="dimensions"):
            client.embed(["a"], model=MODEL, dimensions=5000)
        # The emulator's own limit, past the client's check (which `request` bypasses).
        with pytest.raises(xiaohu.BadRequestError, match="2048"):
            client.request("POST", "/embeddings", json={"model": MODEL, "input": ["a"] * 2049})
