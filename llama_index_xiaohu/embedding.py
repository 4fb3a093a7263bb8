"""`XiaohuEmbedding`: LlamaIndex embeddings from the relay's `POST /v1/embeddings`.

The six hooks only call the core (`XiaohuClient.embed`), which batches, decodes base64,
keeps order, retries and raises typed errors.
"""

from __future__ import annotations

from typing import Any

import httpx
from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from pydantic import Field, PrivateAttr, SecretStr

from xiaohu import AsyncXiaohuClient, ClientClosedError, XiaohuClient
from xiaohu.adapters import (
    DEFAULT_EMBEDDING_MODEL,
    DEFAULT_MAX_CONCURRENCY,
    DEFAULT_MAX_RETRIES,
    MAX_INPUTS_PER_REQUEST,
    Closing,
    resolve_api_key,
    resolve_base_url,
)

from ._fields import refuse_unknown
from ._init import one_base_url
from ._pickling import pickle_state

__all__ = ["XiaohuEmbedding"]

DEFAULT_EMBED_BATCH_SIZE = 100
"""Texts LlamaIndex hands to one `_get_text_embeddings` call (one request unless very large)."""


class XiaohuEmbedding(BaseEmbedding, Closing):
    """Embeddings through the 小胡 relay, for indexes and retrievers.

    Args:
        model: The embedding model (the `model_name` field).
        api_key: The relay key; defaults to `XIAOHU_API_KEY`, read once, here. Never in a
            field, `repr`, `to_dict()` or `to_json()`; a pickle does carry it, so that worker
            processes (`IngestionPipeline(num_workers=...)`) use the key this object was made
            with (treat pickles as secrets).
        base_url: Same as `api_base` (the name the core and LangChain use).
        http_client: Your own `httpx.Client` (proxies, custom CA); you close it. An object
            made with one cannot be pickled (a pool cannot cross processes).
        async_http_client: Your own `httpx.AsyncClient`; you close it. Without one, each
            event loop gets its own pool, closed when that loop shuts down.
        **kwargs: Any field below (`api_base` defaults to `XIAOHU_BASE_URL`); another keyword
            (a typo) raises `xiaohu.ConfigurationError` naming it.

    Close it with `close()`/`aclose()` or use it in `with`/`async with`; a call after that
    raises `xiaohu.ClientClosedError`. One you forget closes its pool when collected.

    An empty text raises `ValueError` before any request (the API rejects it); nothing is
    truncated. Errors are the core's typed `xiaohu` errors after its retries.

    Example:
        >>> from llama_index.embeddings.xiaohu import XiaohuEmbedding
        >>> embed_model = XiaohuEmbedding(
        ...     model="text-embedding-3-small",
        ...     api_key="sk-test",
        ...     api_base="http://127.0.0.1:8000/v1",
        ... )
        >>> embed_model.model_name, embed_model.class_name()
        ('text-embedding-3-small', 'XiaohuEmbedding')
    """

    model_name: str = Field(
        default=DEFAULT_EMBEDDING_MODEL, description="The embedding model on the relay."
    )
    embed_batch_size: int = Field(
        default=DEFAULT_EMBED_BATCH_SIZE,
        gt=0,
        le=MAX_INPUTS_PER_REQUEST,
        description="Texts per embeddings request (at most 2,048).",
    )
    dimensions: int | None = Field(
        default=None, gt=0, description="Vector length; None for the model's full length."
    )
    max_concurrency: int = Field(
        default=DEFAULT_MAX_CONCURRENCY,
        gt=0,
        description="Requests in flight at once in one async batch call.",
    )
    api_base: str | None = Field(
        default=None, description="The relay's URL (https://host/v1); XIAOHU_BASE_URL if unset."
    )
    timeout: float | None = Field(default=None, description="Seconds; None for the default.")
    max_retries: int = Field(
        default=DEFAULT_MAX_RETRIES,
        ge=0,
        description="Retries for connection errors, 408, 409, 429 and 5xx (the only layer).",
    )
    default_headers: dict[str, str] | None = Field(
        default=None, description="Headers sent with every request."
    )

    _client: XiaohuClient = PrivateAttr()
    _aclient: AsyncXiaohuClient = PrivateAttr()
    _api_key: SecretStr = PrivateAttr()
    _own_http: bool = PrivateAttr(default=False)
    _closed: bool = PrivateAttr(default=False)

    def __init__(
        self,
        model: str | None = None,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        **kwargs: Any,
    ) -> None:
        if model is not None:
            kwargs["model_name"] = model
        url = one_base_url(kwargs.pop("api_base", None), base_url)
        if url is not None:  # `base_url` is the core's and LangChain's name for `api_base`
            kwargs["api_base"] = url
        refuse_unknown(type(self), kwargs)  # LlamaIndex would drop a misspelt option silently
        super().__init__(**kwargs)
        # The key lives in the clients and a SecretStr: never a field, repr or serialized form.
        self._api_key = SecretStr(resolve_api_key(api_key))
        settings: dict[str, Any] = {
            "api_key": self._api_key.get_secret_value(),
            "base_url": resolve_base_url(self.api_base),
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        self.api_base = settings["base_url"]
        self._own_http = http_client is not None or async_http_client is not None
        self._client = XiaohuClient(**settings, http_client=http_client)
        self._aclient = AsyncXiaohuClient(**settings, http_client=async_http_client)

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the settings and the key (never the pools); refuse with your own pool."""
        return pickle_state(self, self._api_key, own_http=self._own_http)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild with the key this object was made with, never the environment's."""
        self.__init__(api_key=state["api_key"].get_secret_value(), **state["fields"])  # type: ignore[misc]

    @classmethod
    def class_name(cls) -> str:
        """Name used when LlamaIndex serializes this component.

        Example:
            >>> XiaohuEmbedding.class_name()
            'XiaohuEmbedding'
        """
        return "XiaohuEmbedding"

    def close(self) -> None:
        """Close the sync pool; any later call, sync or async, raises `ClientClosedError`.

        Async pools close when their event loop shuts down, or with `aclose()` in that loop.
        Pools you passed in are yours to close.

        Example:
            >>> XiaohuEmbedding(api_key="sk-x", api_base="http://x/v1").close()
        """
        self._closed = True
        self._client.close()

    async def aclose(self) -> None:
        """Close the running loop's async pool and the sync pool; later calls raise.

        Example:
            >>> await embed_model.aclose()  # doctest: +SKIP
        """
        self.close()
        await self._aclient.aclose()

    def _open(self) -> None:
        if self._closed:
            raise ClientClosedError(
                f"{type(self).__name__} is closed (close()/aclose() or the end of its `with` "
                "block was reached); make a new one"
            )

    def _options(self) -> dict[str, Any]:
        return {
            "model": self.model_name,
            "dimensions": self.dimensions,
            "chunk_size": self.embed_batch_size,
        }

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embeddings([query])[0]

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        self._open()
        return self._client.embed(texts, **self._options())

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aget_text_embeddings([query]))[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        self._open()
        return await self._aclient.embed(
            texts, max_concurrency=self.max_concurrency, **self._options()
        )
