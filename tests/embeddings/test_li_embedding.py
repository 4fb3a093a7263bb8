"""XiaohuEmbedding's LlamaIndex hooks against the loopback emulator, sync and async."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from llama_index.core.base.embeddings.base import BaseEmbedding

import xiaohu
from llama_index_xiaohu import XiaohuEmbedding

KEY = "sk-li-embed-secret-0123456789"


@pytest.fixture
def embed_model(emulator_url: str) -> Iterator[XiaohuEmbedding]:
    model = XiaohuEmbedding(api_key=KEY, base_url=emulator_url, dimensions=256, embed_batch_size=3)
    yield model
    model.close()


def test_namespace_alias_is_the_same_class() -> None:
    from llama_index.embeddings.xiaohu import XiaohuEmbedding as Alias

    assert Alias is XiaohuEmbedding
    assert issubclass(XiaohuEmbedding, BaseEmbedding)
    assert XiaohuEmbedding.class_name() == "XiaohuEmbedding"


def test_settings_and_serialization_never_carry_the_key(emulator_url: str) -> None:
    model = XiaohuEmbedding(
        model="text-embedding-3-large", api_key=KEY, api_base=emulator_url, dimensions=64
    )
    assert model.model_name == "text-embedding-3-large"
    dumped = (repr(model), str(model), model.to_json(), json.dumps(model.to_payload()))
    for text in (*dumped, str(model.model_dump())):
        assert KEY not in text
    assert json.loads(model.to_json())["dimensions"] == 64
    model.close()


def test_base_url_is_an_alias_of_api_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", KEY)
    model = XiaohuEmbedding(base_url="http://127.0.0.1:9")
    assert model.api_base == "http://127.0.0.1:9/v1"
    # A serialized model rebuilds from its JSON, the key coming from the environment again.
    again = XiaohuEmbedding.from_json(model.to_json())
    assert (again.api_base, again.model_name) == (model.api_base, model.model_name)
    model.close()
    again.close()


def test_missing_settings_fail_at_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    monkeypatch.delenv("XIAOHU_BASE_URL", raising=False)
    with pytest.raises(xiaohu.ConfigurationError, match="no API key"):
        XiaohuEmbedding(base_url="http://127.0.0.1:9/v1")


def test_sync_hooks(embed_model: XiaohuEmbedding) -> None:
    texts = [f"note {i} on cats and purring" for i in range(7)]
    batch = embed_model.get_text_embedding_batch(texts)
    assert [len(v) for v in batch] == [256] * 7
    assert embed_model.get_text_embedding(texts[4]) == batch[4]
    assert embed_model.get_query_embedding(texts[6]) == batch[6]


async def test_async_hooks(embed_model: XiaohuEmbedding) -> None:
    texts = [f"note {i} on cats and purring" for i in range(7)]
    batch = await embed_model.aget_text_embedding_batch(texts)
    assert batch == embed_model.get_text_embedding_batch(texts)
    assert await embed_model.aget_text_embedding(texts[2]) == batch[2]
    assert await embed_model.aget_query_embedding(texts[0]) == batch[0]


def test_empty_text_is_a_clear_error(embed_model: XiaohuEmbedding) -> None:
    with pytest.raises(ValueError, match="empty string"):
        embed_model.get_text_embedding_batch(["fine", ""])
