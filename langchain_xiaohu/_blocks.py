"""`content_blocks` for ChatXiaohu: langchain-core's Responses translator, plus what it lacks.

The content is in the Responses item shape langchain-openai uses, so langchain-core's OpenAI
translator does the work. It leaves `container_file_citation` (a file a code interpreter wrote)
as a non-standard annotation; here it becomes a standard `citation` like `file_citation`. A
custom (freeform) tool call, a non-standard block there, becomes a standard `tool_call` whose
`args` are `{"input": text}`, as in `tool_calls`. A hosted shell call and its output become a
`server_tool_call` (named `shell`) and its `server_tool_result`.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import openai as openai_blocks

__all__ = ["translate_content", "translate_content_chunk"]


def translate_content(message: AIMessage) -> list[types.ContentBlock]:
    """The standard blocks of a message.

    Example:
        >>> from langchain_core.messages import AIMessage
        >>> note = {"type": "container_file_citation", "filename": "a.csv", "file_id": "f"}
        >>> msg = AIMessage([{"type": "text", "text": "x", "annotations": [note]}])
        >>> translate_content(msg)[0]["annotations"][0]["type"]
        'citation'
    """
    return _standardised(openai_blocks.translate_content(message))


def translate_content_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    """The standard blocks of a chunk.

    Example:
        >>> from langchain_core.messages import AIMessageChunk
        >>> translate_content_chunk(AIMessageChunk([{"type": "text", "text": "x"}]))[0]["text"]
        'x'
    """
    return _standardised(openai_blocks.translate_content_chunk(message))


def _standardised(blocks: list[types.ContentBlock]) -> list[types.ContentBlock]:
    result: list[types.ContentBlock] = []
    for block in blocks:
        annotations = block.get("annotations") if block.get("type") == "text" else None
        if isinstance(annotations, list):
            block["annotations"] = [_citation(a) for a in annotations]  # type: ignore[typeddict-unknown-key]
        result.append(_shell(_custom_call(block)))
    return result


def _shell(block: types.ContentBlock) -> types.ContentBlock:
    """A hosted shell call or its output as a standard server tool block.

    The call is a `server_tool_call` named `shell` whose `args` are its action (`commands`, ...);
    the output is the `server_tool_result` of that call (matched by `call_id`).
    """
    value = block.get("value") if block.get("type") == "non_standard" else None
    kind = value.get("type") if isinstance(value, dict) else None
    if not isinstance(value, dict) or kind not in ("shell_call", "shell_call_output"):
        return block
    if not value.get("call_id"):
        return block  # a piece of a streamed item: the whole item is in the merged message
    extras = {k: v for k, v in value.items() if k in ("id", "environment", "max_output_length")}
    standard: dict[str, Any]
    if kind == "shell_call":
        action = value.get("action")
        action = action if isinstance(action, dict) else {}
        standard = {
            "type": "server_tool_call",
            "id": value["call_id"],
            "name": "shell",
            "args": {k: v for k, v in action.items() if v is not None},
        }
    else:
        status = value.get("status")
        standard = {
            "type": "server_tool_result",
            "tool_call_id": value["call_id"],
            "status": "success" if status == "completed" else "error",
            "output": value.get("output"),
        }
        if status not in ("completed", None):
            extras["status"] = status
    if extras:
        standard["extras"] = extras
    if "index" in block:
        standard["index"] = block["index"]
    return standard  # type: ignore[return-value]


def _custom_call(block: types.ContentBlock) -> types.ContentBlock:
    value = block.get("value") if block.get("type") == "non_standard" else None
    if not isinstance(value, dict) or value.get("type") != "custom_tool_call":
        return block
    if not value.get("call_id") or not value.get("name"):
        return block  # a piece of a streamed call: the whole call is in the merged message
    call: dict[str, Any] = {
        "type": "tool_call",
        "id": value["call_id"],
        "name": value["name"],
        "args": {"input": value.get("input", "")},
        "extras": {"custom_tool_call": True, "item_id": value.get("id")},
    }
    if "index" in block:
        call["index"] = block["index"]
    return call  # type: ignore[return-value]


def _citation(annotation: Any) -> Any:
    value = annotation.get("value") if isinstance(annotation, dict) else None
    if annotation.get("type") != "non_standard_annotation" or not isinstance(value, dict):
        return annotation
    if value.get("type") != "container_file_citation":
        return annotation
    citation: dict[str, Any] = {"type": "citation"}
    if value.get("filename"):
        citation["title"] = value["filename"]
    for key in ("start_index", "end_index"):
        if key in value:
            citation[key] = value[key]
    extras = {k: v for k, v in value.items() if k not in ("filename", "start_index", "end_index")}
    if extras:
        citation["extras"] = extras
    return citation
