"""The public surface for code built on the core: adapters, the CLI, your own integration.

The clients, models, streams and errors are exported from `xiaohu` itself; this module adds the
building blocks an integration needs besides them: the settings' resolution and defaults, the
embeddings limits, strict JSON schemas, and `split_options` (the one split of a call's keywords
into body and `xiaohu.RequestOptions`). These names are public API, kept stable like those of
`xiaohu`; the `xiaohu._*` modules are not, and no code outside `xiaohu/` imports them (a test
checks it).

Example:
    >>> from xiaohu.adapters import strict_json_schema
    >>> strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
    {'type': 'object', 'properties': {'a': {'type': 'string'}}, 'additionalProperties': False, 'required': ['a']}
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._closing import Closing
    from ._config import (
        API_KEY_ENV,
        BASE_URL_ENV,
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        resolve_api_key,
        resolve_base_url,
    )
    from ._embeddings import (
        DEFAULT_CHUNK_SIZE,
        DEFAULT_EMBEDDING_MODEL,
        DEFAULT_MAX_BATCH_BYTES,
        DEFAULT_MAX_CONCURRENCY,
        MAX_INPUTS_PER_REQUEST,
    )
    from ._options import split_options
    from ._params import strict_json_schema
    from ._pricing import estimate_tokens

# Imported from their modules on first use, as in `xiaohu/__init__.py` (issue 20): an adapter
# importing `strict_json_schema` does not pay for the options' and the client's modules.
_EXPORTS: dict[str, str] = {
    "Closing": "._closing",
    "API_KEY_ENV": "._config",
    "BASE_URL_ENV": "._config",
    "DEFAULT_MAX_RETRIES": "._config",
    "DEFAULT_TIMEOUT": "._config",
    "resolve_api_key": "._config",
    "resolve_base_url": "._config",
    "DEFAULT_CHUNK_SIZE": "._embeddings",
    "DEFAULT_EMBEDDING_MODEL": "._embeddings",
    "DEFAULT_MAX_BATCH_BYTES": "._embeddings",
    "DEFAULT_MAX_CONCURRENCY": "._embeddings",
    "MAX_INPUTS_PER_REQUEST": "._embeddings",
    "split_options": "._options",
    "strict_json_schema": "._params",
    "estimate_tokens": "._pricing",
}


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use, and keep it here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, "xiaohu"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy exports included."""
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_MAX_BATCH_BYTES",
    "DEFAULT_MAX_CONCURRENCY",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_INPUTS_PER_REQUEST",
    "Closing",
    "estimate_tokens",
    "resolve_api_key",
    "resolve_base_url",
    "split_options",
    "strict_json_schema",
]
