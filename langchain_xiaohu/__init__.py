"""LangChain on the 小胡 relay through the OpenAI Responses API.

The classes are imported on first use: `import langchain_xiaohu` alone costs no more than
`import langchain_core.language_models` (which is lazy the same way), and
`from langchain_xiaohu import ChatXiaohu` loads only what the chat model needs.

Example:
    >>> from langchain_xiaohu import ChatXiaohu
    >>> ChatXiaohu(model="gpt-5", api_key="sk-...", base_url="http://127.0.0.1:8000/v1").model
    'gpt-5'
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_xiaohu.chat_models import ChatXiaohu
    from langchain_xiaohu.embeddings import XiaohuEmbeddings

__all__ = [
    "ChatXiaohu",
    "XiaohuEmbeddings",
]

#: Where each public name lives (one line per class).
_MODULES = {
    "ChatXiaohu": "langchain_xiaohu.chat_models",
    "XiaohuEmbeddings": "langchain_xiaohu.embeddings",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'langchain_xiaohu' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
