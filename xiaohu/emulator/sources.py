"""Deep research's other data sources, run minimally: file search, MCP servers, code.

A deep-research request may read from `file_search` (vector stores) and remote `mcp` servers
(with `require_approval: "never"`) beside web search, and may run `code_interpreter`. The
emulator has no vector store, MCP server or sandbox: each source yields one completed item of
the documented shape, quoting the question, so clients see (and stream) every item kind.
"""

from __future__ import annotations

import json
from typing import Any

from xiaohu.emulator.ids import item_id

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
            items.extend(_mcp(tool, question))
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


def _mcp(tool: dict[str, Any], question: str) -> list[dict[str, Any]]:
    label = str(tool.get("server_label") or "mcp")
    listed = {
        "id": item_id("mcpl"),
        "type": "mcp_list_tools",
        "server_label": label,
        "tools": [
            {
                "name": "search",
                "description": "Search the server's documents.",
                "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
            }
        ],
    }
    call = {
        "id": item_id("mcp"),
        "type": "mcp_call",
        "server_label": label,
        "name": "search",
        "arguments": json.dumps({"query": question}, ensure_ascii=False),
        "output": "[]",
        "status": "completed",
    }
    return [listed, call]


def _code(question: str) -> dict[str, Any]:
    return {
        "id": item_id("ci"),
        "type": "code_interpreter_call",
        "status": "completed",
        "container_id": "cntr_emulated",
        "code": f"print(len({question!r}))",
        "outputs": [{"type": "logs", "logs": f"{len(question)}\n"}],
    }
