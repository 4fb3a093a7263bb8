"""Deep research's other data sources, run minimally: file search, MCP servers, code.

A deep-research request may read from `file_search` (vector stores) and remote `mcp` servers
(with `require_approval: "never"`) beside web search, and may run `code_interpreter`. The
emulator has no vector store, MCP server or sandbox: each source yields one completed item of
the documented shape, quoting the question, so clients see (and stream) every item kind.
"""

from __future__ import annotations

from typing import Any

from xiaohu.emulator.ids import item_id
from xiaohu.emulator.mcp import server_items

__all__ = ["source_items"]


def source_items(tools: list[dict[str, Any]], question: str) -> list[dict[str, Any]]:
    """The items a deep-research run over these tools produces before it answers.

    Example:
        >>> [
        ...     i["type"]
        ...     for i in source_items(
        ...         [{"type": "file_search", "vector_store_ids": ["vs_1"]}], "tea"
        ...     )
        ... ]
        ['file_search_call']
    """
    items: list[dict[str, Any]] = []
    for tool in tools:
        kind = tool.get("type")
        if kind == "file_search":
            items.append(_file_search(question))
        elif kind == "mcp":
            items.extend(server_items(tool, question))
        elif kind == "code_interpreter":
            items.append(_code(question))
    return items


def _file_search(question: str) -> dict[str, Any]:
    return {
        "id": item_id("fs"),
        "type": "file_search_call",
        "status": "completed",
        "queries": [question],
        "results": None,
    }


def _code(question: str) -> dict[str, Any]:
    return {
        "id": item_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": "cntr_emulated",
        "code": f"print(len({question!r}))",
        "outputs": [{"type": "logs", "logs": f"{len(question)}\n"}],
    }
