"""LlamaIndex on the 小胡 relay through the OpenAI Responses API.

The classes are imported on first use, as in `langchain_xiaohu`: `from llama_index_xiaohu import
XiaohuResponses` does not load the embedding class (and LlamaIndex's embedding base) with it.

Example:
    >>> from llama_index_xiaohu import XiaohuResponses
    >>> XiaohuResponses.class_name()
    'xiaohu_responses_llm'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from llama_index_xiaohu.base import XiaohuResponses
    from llama_index_xiaohu.embedding import XiaohuEmbedding

__all__ = ["XiaohuEmbedding", "XiaohuResponses"]

#: Where each public name lives (one line per class).
_MODULES = {
    "XiaohuEmbedding": "llama_index_xiaohu.embedding",
    "XiaohuResponses": "llama_index_xiaohu.base",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'llama_index_xiaohu' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
