"""`XiaohuEmbeddings`: LangChain embeddings from the relay's `POST /v1/embeddings`.

A thin wrapper: batching, base64 decoding, ordering, retries and errors are the core's
(`XiaohuClient.embed`); this class only holds the settings and re-raises errors as LangChain's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import httpx
from langchain_core.embeddings import Embeddings
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from xiaohu import API_KEY_ENV, BASE_URL_ENV, AsyncXiaohuClient, XiaohuClient
from xiaohu.adapters import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    MAX_INPUTS_PER_REQUEST,
    resolve_api_key,
    resolve_base_url,
)

from ._clients import key_to_use
from ._errors import to_langchain_error

__all__ = ["XiaohuEmbeddings"]


class XiaohuEmbeddings(BaseModel, Embeddings):
    """Embeddings through the 小胡 relay (OpenAI `text-embedding-3-*` models).

    Setup:
        `pip install "xiaohu[langchain]"`, then set `XIAOHU_API_KEY` and `XIAOHU_BASE_URL`
        (or pass `api_key=` and `base_url=`).

    Key init args:
        model: Embedding model name (default `text-embedding-3-small`).
        dimensions: Shorter vectors (the `text-embedding-3` models support it).
        chunk_size: Texts per request (at most 2,048).
        max_retries: Retries of the core's one retry layer (default 2).

    Instantiate:
        ```python
        from langchain_xiaohu import XiaohuEmbeddings

        embeddings = XiaohuEmbeddings(model="text-embedding-3-small", dimensions=256)
        ```

    Embed:
        ```python
        vectors = embeddings.embed_documents(["小胡 is a relay", "LangChain apps"])
        query = embeddings.embed_query("what is 小胡?")
        ```

    Async:
        ```python
        vectors = await embeddings.aembed_documents(["a", "b"])
        ```

    `embed_documents([])` is `[]`; an empty string raises `ValueError` before any request, as
    the API rejects it. Nothing is truncated: a text too long for the model raises the relay's
    400 as `XiaohuBadRequestError`.

    Example:
        >>> XiaohuEmbeddings(api_key="sk-test", base_url="http://127.0.0.1:8000/v1").model
        'text-embedding-3-small'
    """

    model_config = ConfigDict(
        arbitrary_types_allowed=True, extra="forbid", populate_by_name=True, protected_namespaces=()
    )

    model: str = DEFAULT_EMBEDDING_MODEL
    """Embedding model name."""
    dimensions: int | None = Field(default=None, gt=0)
    """Length of the vectors; `None` for the model's full length."""
    chunk_size: int = Field(default=DEFAULT_CHUNK_SIZE, gt=0, le=MAX_INPUTS_PER_REQUEST)
    """Texts per request (requests are also cut at 300,000 bytes of text)."""
    max_concurrency: int = Field(default=DEFAULT_MAX_CONCURRENCY, gt=0)
    """Requests in flight at once in `aembed_documents`."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env(API_KEY_ENV, default=None), alias="xiaohu_api_key"
    )
    """The relay key (令牌); defaults to `XIAOHU_API_KEY`."""
    base_url: str | None = Field(
        default_factory=from_env(BASE_URL_ENV, default=None), alias="xiaohu_base_url"
    )
    """The relay's URL (`https://host/v1`); defaults to `XIAOHU_BASE_URL`."""
    timeout: float | httpx.Timeout | None = None
    """Seconds or an `httpx.Timeout`; `None` for the core's default."""
    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    """Retries for connection errors, 408, 409, 429 and 5xx (the only retry layer)."""
    default_headers: dict[str, str] | None = None
    """Headers sent with every request."""
    http_client: httpx.Client | None = Field(default=None, exclude=True)
    """Your own `httpx.Client` (proxies, custom CA); you close it."""
    http_async_client: httpx.AsyncClient | None = Field(default=None, exclude=True)
    """Your own `httpx.AsyncClient`; you close it."""

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        # Fail at construction, not at the first call, when the key or URL is missing; raised
        # here rather than in a validator, whose error would echo the input (and the key).
        resolve_api_key(key_to_use(self))
        resolve_base_url(self.base_url)

    def _client_args(self) -> dict[str, Any]:
        return {
            "api_key": key_to_use(self),
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }

    @cached_property
    def _client(self) -> XiaohuClient:
        return XiaohuClient(**self._client_args(), http_client=self.http_client)

    @cached_property
    def _aclient(self) -> AsyncXiaohuClient:
        # One client; its pools are one per event loop, each closed at its loop's shutdown.
        return AsyncXiaohuClient(**self._client_args(), http_client=self.http_async_client)

    def _options(self) -> dict[str, Any]:
        return {"model": self.model, "dimensions": self.dimensions, "chunk_size": self.chunk_size}

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, one vector each, in order.

        Example:
            >>> embeddings.embed_documents(["猫", "dog"])  # doctest: +SKIP
            [[0.01, ...], [-0.02, ...]]
        """
        with _langchain_errors():
            return self._client.embed(texts, **self._options())

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text.

        Example:
            >>> len(embeddings.embed_query("what is 小胡?"))  # doctest: +SKIP
            1536
        """
        return self.embed_documents([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async `embed_documents`, with at most `max_concurrency` requests in flight.

        Example:
            >>> await embeddings.aembed_documents(["猫", "dog"])  # doctest: +SKIP
            [[0.01, ...], [-0.02, ...]]
        """
        with _langchain_errors():
            return await self._aclient.embed(
                texts, max_concurrency=self.max_concurrency, **self._options()
            )

    async def aembed_query(self, text: str) -> list[float]:
        """Async `embed_query`.

        Example:
            >>> len(await embeddings.aembed_query("what is 小胡?"))  # doctest: +SKIP
            1536
        """
        return (await self.aembed_documents([text]))[0]


@contextmanager
def _langchain_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        converted = to_langchain_error(exc)
        if converted is exc:
            raise
        raise converted from exc.__cause__
