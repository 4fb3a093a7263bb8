"""Pickling for the adapter's models: the settings and the key travel, the pools do not.

LlamaIndex's own `BaseComponent.__setstate__` rebuilds an object from its fields alone, so
the key would be read again from the unpickling process's environment: missing there, the
copy breaks; different there, the copy quietly uses another key. Here the key travels in the
pickle (as a `SecretStr`, so it never shows in a `repr`), and the copy is rebuilt with it.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from pydantic import BaseModel, SecretStr

__all__ = ["pickle_state"]

log = logging.getLogger("llama_index_xiaohu")


def pickle_state(model: BaseModel, api_key: SecretStr, *, own_http: bool) -> dict[str, Any]:
    """The state to pickle: the fields that pickle, and the key.

    A field that cannot be pickled (a callback handler holding a lock, say) is left for the
    copy's default, with a warning, as LlamaIndex does. An object made with your own
    `httpx` client cannot be pickled at all: the copy would lose its proxies or CA silently.

    Raises:
        TypeError: The object was made with your own `http_client`/`async_http_client`.

    Example:
        >>> from llama_index_xiaohu import XiaohuEmbedding
        >>> embed = XiaohuEmbedding(api_key="sk-x", api_base="http://x/v1")
        >>> sorted(pickle_state(embed, SecretStr("sk-x"), own_http=False))
        ['api_key', 'fields']
    """
    name = type(model).__name__
    if own_http:
        raise TypeError(
            f"cannot pickle a {name} made with your own http_client/async_http_client: a "
            "connection pool cannot cross processes. Make the object without one (its key "
            "travels in the pickle), or make it inside each worker."
        )
    fields: dict[str, Any] = {}
    for field, value in model.__dict__.items():
        try:
            pickle.dumps(value)
        except Exception as exc:  # any failure means "does not pickle"
            log.warning("%s.%s does not pickle (%s); the copy gets its default", name, field, exc)
            continue
        fields[field] = value
    return {"fields": fields, "api_key": api_key}
