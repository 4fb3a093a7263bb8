"""`XiaohuEmbedding` pickled into worker processes, closed, and collected.

The emulator here accepts only one key, so a copy that picked up the key of its process's
environment fails with a 401 instead of passing quietly.
"""

from __future__ import annotations

import gc
import pickle
import warnings
from collections.abc import Iterator

import httpx
import pytest
from llama_index.core import Document
from llama_index.core.ingestion import IngestionPipeline

from llama_index_xiaohu import XiaohuEmbedding
from xiaohu import ClientClosedError

OWN_KEY = "sk-own-embed-0123456789abcdef012345"
OTHER_KEY = "sk-other-embed-0123456789abcdef0123"
MODEL = "text-embedding-3-small"


@pytest.fixture(scope="module")
def keyed_url() -> Iterator[str]:
    """An emulator that accepts only `OWN_KEY`."""
    from xiaohu.emulator import serve

    with serve(port=0, api_key=OWN_KEY) as url:
        yield url


def test_unpickled_embedding_uses_its_own_key(
    keyed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url, dimensions=64) as embed:
        expected = embed.get_text_embedding("green tea")
        data = pickle.dumps(embed)
    monkeypatch.setenv("XIAOHU_API_KEY", OTHER_KEY)
    with pickle.loads(data) as copy:  # noqa: S301 - our own bytes
        assert copy.dimensions == 64
        assert copy.get_text_embedding("green tea") == expected
    monkeypatch.delenv("XIAOHU_API_KEY")
    with pickle.loads(data) as copy:  # noqa: S301 - our own bytes
        assert len(copy.get_query_embedding("tea")) == 64


def test_pickling_with_your_own_http_client_fails_at_once(keyed_url: str) -> None:
    with httpx.Client() as http:
        embed = XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url, http_client=http)
        with pytest.raises(TypeError, match="inside each worker"):
            pickle.dumps(embed)


def test_ingestion_pipeline_with_two_workers_embeds_with_its_own_key(
    keyed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers are spawned processes with this environment: the wrong key.
    monkeypatch.setenv("XIAOHU_API_KEY", OTHER_KEY)
    docs = [Document(text=f"Document {n} is about tea number {n}.") for n in range(4)]
    with XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url) as embed:
        # Only the embedding: a SentenceSplitter unpickled in a spawned worker hangs here,
        # offline, on LlamaIndex's side (with or without our embedding).
        pipeline = IngestionPipeline(transformations=[embed])
        nodes = pipeline.run(documents=docs, num_workers=2)
        single = embed.get_text_embedding(nodes[0].get_content())
    assert len(nodes) == 4
    assert all(node.embedding for node in nodes)
    assert nodes[0].embedding == single


def test_a_collected_embedding_leaves_no_open_socket(keyed_url: str) -> None:
    embed = XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url)
    assert embed.get_text_embedding_batch(["a", "b"])
    del embed
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    assert [
        str(w.message)
        for w in caught
        if issubclass(w.category, ResourceWarning) and "event loop" not in str(w.message)
    ] == []


async def test_close_then_any_call_raises_a_typed_error(keyed_url: str) -> None:
    async with XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url) as embed:
        assert await embed.aget_text_embedding("tea")
        assert await embed.aget_text_embedding_batch(["a", "b", "c"])
    with pytest.raises(ClientClosedError, match="XiaohuEmbedding is closed"):
        await embed.aget_query_embedding("tea")
    with pytest.raises(ClientClosedError, match="XiaohuEmbedding is closed"):
        embed.get_text_embedding("tea")


def test_with_closes_the_sync_side(keyed_url: str) -> None:
    with XiaohuEmbedding(MODEL, api_key=OWN_KEY, api_base=keyed_url) as embed:
        assert embed.get_query_embedding("tea")
    with pytest.raises(ClientClosedError):
        embed.get_query_embedding("tea")
