"""The core clients of one `ChatXiaohu`: made on first use, remade when the settings change.

A model's clients are its own. `model_copy()`, `copy.deepcopy()` and `pickle` give the new
model an empty `ClientCache`, so a copy never shares (or outlives) the original's pool and a
copy made with `update={"base_url": ...}` talks to the new URL with the new key. The sync pool
is closed when its cache is collected. The async client is one `xiaohu.AsyncXiaohuClient`,
which keeps one pool per event loop (LangChain runs calls in many: `asyncio.run` per call, a
loop per test) and closes each at its loop's shutdown.
"""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, SecretStr

import xiaohu

if TYPE_CHECKING:  # not imported with ChatXiaohu (issue 20)
    import httpx

__all__ = ["ClientCache", "key_to_use"]


def _is_httpx_timeout(value: object) -> bool:
    """Whether `value` is an `httpx.Timeout` (httpx imported already if it is one)."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(value, httpx.Timeout)


def _fingerprint(settings: dict[str, Any], own: object) -> tuple[Any, ...]:
    timeout = settings["timeout"]
    headers = settings["default_headers"] or {}
    return (
        settings["api_key"],
        settings["base_url"],
        repr(timeout) if _is_httpx_timeout(timeout) else timeout,
        settings["max_retries"],
        tuple(sorted(headers.items())),
        settings["group_ratio"],
        id(own),
    )


class ClientCache:
    """The sync and the async core client for one set of client settings.

    Example:
        >>> cache = ClientCache()
        >>> settings = {
        ...     "api_key": "k",
        ...     "base_url": "http://127.0.0.1:9/v1",
        ...     "timeout": None,
        ...     "max_retries": 0,
        ...     "default_headers": None,
        ...     "group_ratio": 1.0,
        ... }
        >>> cache.sync(settings, None) is cache.sync(settings, None)
        True
        >>> cache.async_(settings, None) is cache.async_(settings, None)
        True
        >>> import copy
        >>> copy.deepcopy(cache)._sync is None
        True
    """

    __slots__ = ("__weakref__", "_async", "_async_key", "_sync", "_sync_key")

    def __init__(self) -> None:
        self._sync: xiaohu.XiaohuClient | None = None
        self._sync_key: tuple[Any, ...] | None = None
        self._async: xiaohu.AsyncXiaohuClient | None = None
        self._async_key: tuple[Any, ...] | None = None

    # A copy of a model starts with no clients of its own (see the module docstring).
    def __copy__(self) -> ClientCache:
        return ClientCache()

    def __deepcopy__(self, memo: dict[int, Any]) -> ClientCache:
        return ClientCache()

    def __reduce__(self) -> tuple[Callable[[], ClientCache], tuple[()]]:
        return ClientCache, ()

    def sync(self, settings: dict[str, Any], http: httpx.Client | None) -> xiaohu.XiaohuClient:
        """The sync client for these settings (made, or remade after a change)."""
        key = _fingerprint(settings, http)
        if self._sync is None or key != self._sync_key:
            client = xiaohu.XiaohuClient(http_client=http, **settings)
            # The pool lives as long as this cache, that is as long as its model.
            weakref.finalize(self, client.close)
            self._sync, self._sync_key = client, key
        return self._sync

    def async_(
        self, settings: dict[str, Any], http: httpx.AsyncClient | None
    ) -> xiaohu.AsyncXiaohuClient:
        """The async client for these settings (its pools are per event loop, the core's)."""
        key = _fingerprint(settings, http)
        if self._async is None or key != self._async_key:
            self._async = xiaohu.AsyncXiaohuClient(http_client=http, **settings)
            self._async_key = key
        return self._async


def key_to_use(model: BaseModel) -> str | None:
    """The `api_key` a model hands the core: as given, or `None` for a blank environment value.

    A key given explicitly is passed as is (a blank one is then refused by the core); one read
    from `XIAOHU_API_KEY` that is blank means "no key".

    Example:
        >>> from pydantic import SecretStr
        >>> class M(BaseModel):
        ...     api_key: SecretStr | None = SecretStr("")
        >>> key_to_use(M()) is None, key_to_use(M(api_key=""))
        (True, '')
    """
    key = getattr(model, "api_key", None)
    value = key.get_secret_value() if isinstance(key, SecretStr) else key
    if "api_key" not in model.model_fields_set and not (value or "").strip():
        return None
    return value
