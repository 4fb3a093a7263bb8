"""Pickling: every adapter class carries the key it was made with; the clients refuse clearly."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from langchain_xiaohu import ChatXiaohu, XiaohuEmbeddings
from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses
from xiaohu import AsyncXiaohuClient, XiaohuClient

KEY = "sk-made-with-this-key-1234"
URL = "http://relay.test/v1"

ADAPTERS: dict[str, Callable[..., Any]] = {
    "ChatXiaohu": lambda **kw: ChatXiaohu(model="gpt-5-mini", base_url=URL, **kw),
    "XiaohuEmbeddings": lambda **kw: XiaohuEmbeddings(base_url=URL, **kw),
    "XiaohuResponses": lambda **kw: XiaohuResponses(base_url=URL, **kw),
    "XiaohuEmbedding": lambda **kw: XiaohuEmbedding(base_url=URL, **kw),
}


def _sent_key(made: Any) -> str:
    """The key the object's requests would carry (read from its core client, never printed)."""
    client = made._client
    return str(client._auth_headers()["Authorization"]).removeprefix("Bearer ")


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_a_copy_uses_the_key_it_was_made_with_not_the_environment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = ADAPTERS[name](api_key=KEY)
    data = pickle.dumps(made)
    assert KEY.encode() in data  # documented: a pickle holds the key
    assert KEY not in repr(made)
    monkeypatch.setenv("XIAOHU_API_KEY", "sk-the-workers-own-key-9999")
    copy = pickle.loads(data)  # noqa: S301 (our own pickle)
    assert _sent_key(copy) == KEY


@pytest.mark.parametrize("name", list(ADAPTERS))
def test_one_made_with_your_own_pool_refuses_to_pickle(name: str) -> None:
    with httpx.Client() as http:
        made = ADAPTERS[name](api_key=KEY, http_client=http)
        with pytest.raises(TypeError, match="pickle"):
            pickle.dumps(made)


@pytest.mark.parametrize("cls", [XiaohuClient, AsyncXiaohuClient])
def test_a_client_refuses_to_pickle_saying_why(cls: Any) -> None:
    client = cls(api_key=KEY, base_url=URL)
    with pytest.raises(TypeError, match="cannot be pickled: it holds a connection pool") as caught:
        pickle.dumps(client)
    assert KEY not in str(caught.value)
    if isinstance(client, XiaohuClient):
        client.close()
