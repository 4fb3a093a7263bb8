"""LangChain messages and tools ⇄ Responses API items, as pure functions.

Input: `messages_to_input` turns a LangChain conversation into the `input` list of
`POST /v1/responses`. Assistant turns are replayed item by item in their original order
(reasoning, message, function call, web search, ...), so a reasoning item is always followed
by the item it belongs to. With `store=False` only reasoning that carries
`encrypted_content` is replayed (the server kept nothing to refer to) and item ids are left
out.

Output: `response_to_message` turns a `Response` into an `AIMessage` whose `content` is the
ordered list of output items as blocks, the shape `langchain-openai` calls `responses/v1`;
`content_blocks` translates them into LangChain's standard blocks.

Tools: `convert_tools`, `convert_tool_choice` and `text_format` build the `tools`,
`tool_choice` and `text.format` request fields.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.utils.function_calling import convert_to_openai_tool

from xiaohu import CustomToolCall, FunctionCall, OutputMessage, OutputText, Response, Usage
from xiaohu.adapters import strict_json_schema

__all__ = [
    "BUILTIN_TOOL_TYPES",
    "PROVIDER",
    "audio_block",
    "convert_tool_choice",
    "convert_tools",
    "custom_tool_call",
    "messages_to_input",
    "parse_tool_call",
    "response_audio",
    "response_metadata",
    "response_to_message",
    "split_after_last_response",
    "text_format",
    "usage_to_metadata",
]

PROVIDER = "xiaohu"
"""`model_provider` in response metadata: selects the content-block translator."""

BUILTIN_TOOL_TYPES = frozenset(
    {
        "web_search",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "web_search_2025_08_26",
        "file_search",
        "code_interpreter",
        "image_generation",
        "mcp",
        "computer_use_preview",
        "computer",
        "local_shell",
        "shell",
        "apply_patch",
        "tool_search",
        "custom",
    }
)
"""Tool types the server runs (or handles) itself; passed through untouched."""

_WIRE_ANNOTATIONS = frozenset(
    {"url_citation", "file_citation", "container_file_citation", "file_path"}
)
_REPLAYED_ITEMS = frozenset(
    {
        "web_search_call",
        "file_search_call",
        "code_interpreter_call",
        "image_generation_call",
        "mcp_call",
        "mcp_list_tools",
        "mcp_approval_request",
        "computer_call",
        "custom_tool_call",
        "shell_call",
        "shell_call_output",
    }
)
_INPUT_PARTS = frozenset({"input_text", "input_image", "input_file", "input_audio"})
_ROLES = {"human": "user", "user": "user", "system": "system", "developer": "developer"}


# -- input: LangChain messages -> Responses items -------------------------------------------


def messages_to_input(
    messages: Sequence[BaseMessage], *, store: bool | None
) -> list[dict[str, Any]]:
    """Convert a conversation into the `input` items of a Responses request.

    Args:
        messages: The conversation, oldest first.
        store: The request's `store`; `False` replays only encrypted reasoning and no ids.

    Raises:
        ValueError: A message or content block cannot be sent (named in the message).

    Example:
        >>> from langchain_core.messages import HumanMessage, SystemMessage
        >>> messages_to_input([SystemMessage("Be brief."), HumanMessage("hi")], store=None)
        [{'type': 'message', 'role': 'system', 'content': 'Be brief.'}, {'type': 'message', 'role': 'user', 'content': 'hi'}]
    """
    items: list[dict[str, Any]] = []
    position = 0
    custom = _custom_call_ids(messages)
    try:
        for position, message in enumerate(messages):  # noqa: B007 (named in the error)
            items.extend(_message_items(message, store, custom))
    except ValueError as exc:
        kind = messages[position].type
        raise ValueError(f"messages[{position}] ({kind}): {exc}") from exc
    return items


def _custom_call_ids(messages: Sequence[BaseMessage]) -> frozenset[str]:
    """The call ids of custom (freeform) tool calls: their answers are `custom_tool_call_output`."""
    ids: set[str] = set()
    for message in messages:
        if isinstance(message, AIMessage) and isinstance(message.content, list):
            ids.update(
                str(block["call_id"])
                for block in message.content
                if isinstance(block, Mapping)
                and block.get("type") == "custom_tool_call"
                and block.get("call_id")
            )
    return frozenset(ids)


def _message_items(
    message: BaseMessage, store: bool | None, custom: frozenset[str] = frozenset()
) -> Iterator[dict[str, Any]]:
    if isinstance(message, AIMessage):
        yield from _assistant_items(message, store)
    elif isinstance(message, ToolMessage):
        item = _tool_output(message)
        if item["call_id"] in custom:
            item["type"] = "custom_tool_call_output"
        yield item
    elif isinstance(message, FunctionMessage):
        yield {"type": "function_call_output", "call_id": message.name, "output": message.text}
    elif isinstance(message, (HumanMessage, SystemMessage, ChatMessage)):
        role = message.role if isinstance(message, ChatMessage) else message.type
        if message.additional_kwargs.get("__openai_role__") == "developer":
            role = "developer"
        if role not in _ROLES:
            raise ValueError(f"unsupported role {role!r}")
        yield from _user_items(_ROLES[role], message.content)
    else:
        raise ValueError(f"unsupported message type {type(message).__name__}")


def _user_items(role: str, content: str | list[Any]) -> Iterator[dict[str, Any]]:
    if isinstance(content, str):
        yield {"type": "message", "role": role, "content": content}
        return
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, dict) and block.get("type") in ("mcp_approval_response",):
            yield dict(block)  # a top-level item the user answers with
            continue
        part = _input_part(block)
        if part is not None:
            parts.append(part)
    if parts:
        yield {"type": "message", "role": role, "content": parts}


def _input_part(block: Any) -> dict[str, Any] | None:
    """One content block of a user/system/tool message as an `input_*` part."""
    if isinstance(block, str):
        return {"type": "input_text", "text": block}
    if not isinstance(block, Mapping):
        raise ValueError(f"content block {block!r} is neither a string nor a dict")
    kind = block.get("type")
    if kind in _INPUT_PARTS:
        return dict(block)
    if kind == "text":
        return {"type": "input_text", "text": block.get("text", "")}
    if kind == "image_url":
        image = block["image_url"]
        url = image["url"] if isinstance(image, Mapping) else image
        part = {"type": "input_image", "image_url": url, "detail": "auto"}
        if isinstance(image, Mapping) and image.get("detail"):
            part["detail"] = image["detail"]
        return part
    if kind == "image":
        return _image_part(block)
    if kind in ("file", "document"):
        return _file_part(block)
    if kind in ("reasoning", "tool_use", "tool_call", "thinking"):
        return None  # assistant-side blocks that only make sense in an AIMessage
    raise ValueError(f"unsupported content block type {kind!r}")


def _image_part(block: Mapping[str, Any]) -> dict[str, Any]:
    part: dict[str, Any] = {"type": "input_image", "detail": block.get("detail", "auto")}
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic-style
        if source.get("type") == "base64":
            part["image_url"] = f"data:{source['media_type']};base64,{source['data']}"
        else:
            part["image_url"] = source["url"]
    elif block.get("url"):
        part["image_url"] = block["url"]
    elif block.get("base64") or block.get("data"):
        mime = block.get("mime_type", "image/png")
        part["image_url"] = f"data:{mime};base64,{block.get('base64') or block.get('data')}"
    elif block.get("file_id") or block.get("id"):
        part["file_id"] = block.get("file_id") or block.get("id")
    else:
        raise ValueError("an image block needs a url, base64 data or a file_id")
    return part


def _file_part(block: Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(block.get("file"), Mapping):  # OpenAI chat-completions style
        inner = block["file"]
        part = {"type": "input_file"}
        part.update({k: v for k, v in inner.items() if k in ("file_data", "file_id", "filename")})
        return part
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic document
        if source.get("type") == "base64":
            data = f"data:{source['media_type']};base64,{source['data']}"
            return {"type": "input_file", "file_data": data, "filename": "document.pdf"}
        return {"type": "input_file", "file_url": source["url"]}
    extras = block.get("extras") or {}
    filename = (
        block.get("filename")
        or extras.get("filename")
        or (block.get("metadata") or {}).get("filename")
    )
    if block.get("base64") or block.get("data"):
        mime = block.get("mime_type", "application/pdf")
        data = f"data:{mime};base64,{block.get('base64') or block.get('data')}"
        return {"type": "input_file", "file_data": data, "filename": filename or "document"}
    if block.get("url"):
        return {"type": "input_file", "file_url": block["url"]}
    if block.get("file_id") or block.get("id"):
        return {"type": "input_file", "file_id": block.get("file_id") or block.get("id")}
    raise ValueError("a file block needs base64 data, a url or a file_id")


def _tool_output(message: ToolMessage) -> dict[str, Any]:
    content = message.content
    output: str | list[dict[str, Any]]
    if isinstance(content, str):
        output = content
    elif all(
        isinstance(b, str) or (isinstance(b, Mapping) and b.get("type") == "text") for b in content
    ):
        output = "".join(b if isinstance(b, str) else b.get("text", "") for b in content)
    else:
        output = [p for p in (_input_part(b) for b in content) if p is not None]
    if message.status == "error":
        # The wire item has no error flag: say it in the output, or the model takes it as a result.
        prefix = "[tool error] "
        if isinstance(output, str):
            output = prefix + output
        else:
            output = [{"type": "input_text", "text": prefix.strip()}, *output]
    return {"type": "function_call_output", "call_id": message.tool_call_id, "output": output}


def _assistant_items(message: AIMessage, store: bool | None) -> Iterator[dict[str, Any]]:
    content = message.content
    replayed_calls: set[str] = set()
    if isinstance(content, str):
        if content:
            yield {"type": "message", "role": "assistant", "content": content}
    else:
        # tool_calls is what LangChain edits (e.g. human-in-the-loop "edit"): it wins over
        # the arguments recorded in the content block.
        edited = {call["id"]: call for call in message.tool_calls if call["id"]}
        for item in _assistant_blocks(content, store):
            if item["type"] == "function_call":
                replayed_calls.add(item["call_id"])
                call = edited.get(item["call_id"])
                if call is not None:
                    arguments = json.dumps(call["args"], ensure_ascii=False)
                    item = {**item, "name": call["name"], "arguments": arguments}
            elif item["type"] == "custom_tool_call":
                replayed_calls.add(item["call_id"])
                call = edited.get(item["call_id"])
                if call is not None:
                    item = {**item, "name": call["name"], "input": _custom_input(call["args"])}
            yield item
    for call in message.tool_calls:
        if call["id"] not in replayed_calls:
            yield {
                "type": "function_call",
                "call_id": call["id"],
                "name": call["name"],
                "arguments": json.dumps(call["args"], ensure_ascii=False),
            }
    for invalid in message.invalid_tool_calls:
        if invalid["id"] not in replayed_calls:
            yield {
                "type": "function_call",
                "call_id": invalid["id"],
                "name": invalid["name"],
                "arguments": invalid["args"] or "",
            }


def _custom_input(args: Mapping[str, Any]) -> str:
    """A custom tool's input from tool-call args (`{"input": ...}`, or the one value given)."""
    if "input" in args:
        return str(args["input"])
    if len(args) == 1:
        return str(next(iter(args.values())))
    raise ValueError(f"a custom tool call's args need one 'input' string, got {sorted(args)}")


def _assistant_blocks(content: list[Any], store: bool | None) -> Iterator[dict[str, Any]]:
    """Replay an assistant's blocks as items, in order; consecutive text joins one message."""
    text_parts: list[dict[str, Any]] = []
    text_id: str | None = None
    reasoning: dict[str, Any] | None = None
    for block in content:
        if isinstance(block, str):
            block = {"type": "text", "text": block}
        if not isinstance(block, Mapping):
            continue
        kind = block.get("type")
        if kind == "audio":  # a spoken answer goes back as what was said
            transcript = (block.get("extras") or {}).get("transcript")
            if not transcript:
                continue
            block, kind = {"type": "text", "text": transcript}, "text"
        if kind != "reasoning" and reasoning is not None:
            yield from _reasoning_item(reasoning, store)
            reasoning = None
        if kind == "text":
            block_id = _provider_id(block.get("id"))
            if text_parts and block_id != text_id:
                yield _assistant_message(text_parts, text_id, store)
                text_parts = []
            text_id = block_id
            annotations = [
                a for a in block.get("annotations") or () if a.get("type") in _WIRE_ANNOTATIONS
            ]
            text_parts.append(
                {"type": "output_text", "text": block.get("text", ""), "annotations": annotations}
            )
            continue
        if text_parts:
            yield _assistant_message(text_parts, text_id, store)
            text_parts, text_id = [], None
        if kind == "reasoning":
            if reasoning is not None and ("summary" in block or reasoning["id"] != block.get("id")):
                yield from _reasoning_item(reasoning, store)
                reasoning = None
            reasoning = _merge_reasoning(reasoning, block)
            if reasoning.pop("_done", False):
                yield from _reasoning_item(reasoning, store)
                reasoning = None
        elif kind == "function_call":
            yield _without(
                block, ("index", "status", "id") if store is False else ("index", "status")
            )
        elif kind == "server_tool_call" and block.get("name") == "web_search":
            yield _web_search_from_v1(block, store)
        elif kind in _REPLAYED_ITEMS:
            yield _without(block, ("index",))
    if reasoning is not None:
        yield from _reasoning_item(reasoning, store)
    if text_parts:
        yield _assistant_message(text_parts, text_id, store)


def _merge_reasoning(current: dict[str, Any] | None, block: Mapping[str, Any]) -> dict[str, Any]:
    """Join a `responses/v1` reasoning block, or the v1 blocks it was exploded into."""
    if "summary" in block:  # responses/v1: one block is one item
        item = _without(block, ("index",))
        item["summary"] = [_without(s, ("index",)) for s in block.get("summary") or ()]
        item["_done"] = True
        return item
    extras = block.get("extras") or {}
    encrypted = block.get("encrypted_content") or extras.get("encrypted_content")
    if current is None:
        current = {"type": "reasoning", "id": block.get("id"), "summary": []}
    if block.get("reasoning"):
        current["summary"].append({"type": "summary_text", "text": block["reasoning"]})
    if encrypted:
        current["encrypted_content"] = encrypted
    return current


def _reasoning_item(item: dict[str, Any], store: bool | None) -> Iterator[dict[str, Any]]:
    item = {k: v for k, v in item.items() if v is not None}
    if store is False and not item.get("encrypted_content"):
        return  # nothing on the server to refer to, nothing to send
    if not _provider_id(item.get("id")):
        return
    yield item


def _assistant_message(
    parts: list[dict[str, Any]], item_id: str | None, store: bool | None
) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "message", "role": "assistant", "content": parts}
    if item_id and store is not False:
        message["id"] = item_id
    return message


def _web_search_from_v1(block: Mapping[str, Any], store: bool | None) -> dict[str, Any]:
    return {
        "type": "web_search_call",
        "id": block.get("id"),
        "status": "completed",
        "action": dict(block.get("args") or {"type": "search"}),
    }


def _provider_id(value: Any) -> str | None:
    """An id the server issued; LangChain's own `lc_...` ids are never sent."""
    return value if isinstance(value, str) and value and not value.startswith("lc_") else None


def _without(block: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k not in keys}


def split_after_last_response(
    messages: Sequence[BaseMessage],
) -> tuple[str | None, list[BaseMessage]]:
    """Find the last assistant turn that has a response id; return it and what followed.

    Used by `use_previous_response_id`: the server already holds everything up to that
    response, so only the later messages are sent. Any non-empty id counts (relays may not
    use the `resp_` prefix).

    Example:
        >>> from langchain_core.messages import AIMessage, HumanMessage
        >>> split_after_last_response(
        ...     [
        ...         HumanMessage("a"),
        ...         AIMessage("b", response_metadata={"id": "r1"}),
        ...         HumanMessage("c"),
        ...     ]
        ... )
        ('r1', [HumanMessage(content='c', additional_kwargs={}, response_metadata={})])
    """
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, AIMessage):
            response_id = message.response_metadata.get("id")
            if isinstance(response_id, str) and response_id:
                return response_id, list(messages[index + 1 :])
    return None, list(messages)


# -- output: Response -> AIMessage ------------------------------------------------------------


def parse_tool_call(call: FunctionCall) -> ToolCall | InvalidToolCall:
    """A function call item as a LangChain tool call (or an invalid one, with the reason).

    Example:
        >>> from xiaohu import FunctionCall
        >>> parse_tool_call(FunctionCall(call_id="c1", name="f", arguments='{"x": 1}'))
        {'name': 'f', 'args': {'x': 1}, 'id': 'c1', 'type': 'tool_call'}
    """
    try:
        args = call.parsed_arguments()
        if not isinstance(args, dict):
            raise ValueError(f"arguments are a JSON {type(args).__name__}, not an object")
    except ValueError as exc:
        return invalid_tool_call(
            name=call.name, args=call.arguments, id=call.call_id, error=str(exc)
        )
    return tool_call(name=call.name, args=args, id=call.call_id)


def custom_tool_call(call: CustomToolCall) -> ToolCall:
    """A custom (freeform) tool call as a LangChain tool call: its text is `args["input"]`.

    A tool taking one `input: str` argument (or a one-argument `Tool`) runs it as is; the
    answer (`ToolMessage`) goes back as a `custom_tool_call_output` item.

    Example:
        >>> from xiaohu import CustomToolCall
        >>> custom_tool_call(CustomToolCall(call_id="c1", name="sql", input="SELECT 1"))
        {'name': 'sql', 'args': {'input': 'SELECT 1'}, 'id': 'c1', 'type': 'tool_call'}
    """
    return tool_call(name=call.name, args={"input": call.input}, id=call.call_id)


def output_logprobs(response: Response) -> list[Any]:
    """The token logprobs of every output text part, in order (empty unless requested).

    Example:
        >>> from xiaohu import OutputMessage, OutputText, Response
        >>> output_logprobs(
        ...     Response(
        ...         output=[
        ...             OutputMessage(content=[OutputText(text="a", logprobs=[{"token": "a"}])])
        ...         ]
        ...     )
        ... )
        [{'token': 'a'}]
    """
    return [
        logprob
        for item in response.output
        if isinstance(item, OutputMessage)
        for part in item.content
        if isinstance(part, OutputText)
        for logprob in part.logprobs or ()
    ]


def usage_to_metadata(usage: Usage) -> UsageMetadata:
    """Token usage in LangChain's shape, with cache-read and reasoning details.

    Example:
        >>> from xiaohu import Usage
        >>> usage_to_metadata(Usage(input_tokens=5, output_tokens=7, total_tokens=12))[
        ...     "output_token_details"
        ... ]
        {'reasoning': 0}
    """
    return UsageMetadata(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        total_tokens=usage.total_tokens or usage.input_tokens + usage.output_tokens,
        input_token_details={"cache_read": usage.cached_tokens},
        output_token_details={"reasoning": usage.reasoning_tokens},
    )


def response_metadata(response: Response, requested_model: str) -> dict[str, Any]:
    """The `response_metadata` of a finished response.

    Example:
        >>> from xiaohu import Response
        >>> response_metadata(Response(id="r1", status="completed", model="gpt-5"), "gpt-5")[
        ...     "model_name"
        ... ]
        'gpt-5'
    """
    details = response.incomplete_details
    metadata: dict[str, Any] = {
        "id": response.id,
        "model_name": response.model or requested_model,
        "status": response.status,
        "incomplete_details": details.to_dict() if details is not None else None,
        "service_tier": response.service_tier,
        "model_provider": PROVIDER,
    }
    logprobs = output_logprobs(response)
    if logprobs:
        metadata["logprobs"] = logprobs
    wire = (response.model_extra or {}).get("xiaohu_wire")
    if wire is not None:  # the Chat Completions wire says so, and why
        metadata["xiaohu_wire"] = wire
    return metadata


def audio_block(data: str, transcript: str) -> dict[str, Any]:
    """Spoken audio (base64) as a standard `audio` block, its transcript in `extras`.

    The wire names no audio format, so no `mime_type` is claimed.

    Example:
        >>> audio_block("UklGRg==", "Hi")
        {'type': 'audio', 'base64': 'UklGRg==', 'extras': {'transcript': 'Hi'}}
    """
    block: dict[str, Any] = {"type": "audio", "base64": data}
    if transcript:
        block["extras"] = {"transcript": transcript}
    return block


def response_audio(response: Response) -> dict[str, Any] | None:
    """The spoken answer a response carries (`{"data", "transcript"}`), if any.

    Example:
        >>> from xiaohu import Response
        >>> response_audio(Response.model_validate({"audio": {"data": "UklG", "transcript": ""}}))
        {'data': 'UklG', 'transcript': ''}
    """
    audio = (response.model_extra or {}).get("audio")
    return audio if isinstance(audio, dict) and isinstance(audio.get("data"), str) else None


def output_blocks(response: Response) -> list[dict[str, Any]]:
    """Every output item as a content block, in output order.

    Example:
        >>> from xiaohu import OutputMessage, OutputText, Response
        >>> output_blocks(
        ...     Response(output=[OutputMessage(id="m1", content=[OutputText(text="hi")])])
        ... )
        [{'type': 'text', 'text': 'hi', 'annotations': [], 'id': 'm1'}]
    """
    blocks: list[dict[str, Any]] = []
    for item in response.output:
        if isinstance(item, OutputMessage):
            for part in item.content:
                if isinstance(part, OutputText):
                    block = {
                        "type": "text",
                        "text": part.text,
                        "annotations": [a.to_dict() for a in part.annotations],
                    }
                elif isinstance(part, dict):
                    block = dict(part)
                else:
                    block = {"type": "refusal", "refusal": part.refusal}
                if item.id:
                    block["id"] = item.id
                blocks.append(block)
        elif isinstance(item, dict):
            blocks.append(dict(item))
        else:
            blocks.append(item.to_dict())
    audio = response_audio(response)
    if audio is not None:  # spoken answers belong to no output item: last, as streamed
        blocks.append(audio_block(audio["data"], str(audio.get("transcript") or "")))
    return blocks


def response_to_message(response: Response, requested_model: str) -> AIMessage:
    """A finished response as an `AIMessage` (content blocks, tool calls, usage, metadata).

    Example:
        >>> from xiaohu import OutputMessage, OutputText, Response
        >>> response_to_message(
        ...     Response(
        ...         id="r1", model="gpt-5", output=[OutputMessage(content=[OutputText(text="hi")])]
        ...     ),
        ...     "gpt-5",
        ... ).text
        'hi'
    """
    tool_calls: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for item in response.output:
        if isinstance(item, CustomToolCall):
            tool_calls.append(custom_tool_call(item))
            continue
        if not isinstance(item, FunctionCall):
            continue
        parsed = parse_tool_call(item)
        if parsed.get("type") == "tool_call":
            tool_calls.append(parsed)  # type: ignore[arg-type]
        else:
            invalid.append(parsed)  # type: ignore[arg-type]
    return AIMessage(
        content=output_blocks(response),  # type: ignore[arg-type]
        id=response.id or None,
        tool_calls=tool_calls,
        invalid_tool_calls=invalid,
        usage_metadata=usage_to_metadata(response.usage) if response.usage else None,
        response_metadata=response_metadata(response, requested_model),
    )


# -- tools and output formats -----------------------------------------------------------------


def convert_tools(tools: Sequence[Any], *, strict: bool | None = None) -> list[dict[str, Any]]:
    """LangChain tools, pydantic models, functions and dicts as Responses `tools`.

    Built-in tools (`{"type": "web_search", ...}`, any dict with a non-function `type`) pass
    through unchanged, for the core to check; function tools
    are flattened to `{"type": "function", "name", "description", "parameters", "strict"}`
    with `strict` always explicit (the API's default for a missing one is true).

    Example:
        >>> convert_tools([{"type": "web_search_preview"}])
        [{'type': 'web_search_preview'}]
    """
    converted: list[dict[str, Any]] = []
    for tool in tools:
        if isinstance(tool, Mapping) and (
            tool.get("type") in BUILTIN_TOOL_TYPES or _is_flat_function(tool) or _is_typed(tool)
        ):
            converted.append(dict(tool))
            continue
        custom = _custom_tool_spec(tool)
        if custom is not None:
            converted.append(custom)
            continue
        spec = convert_to_openai_tool(tool, strict=strict)
        if spec.get("type") != "function" or "function" not in spec:
            converted.append(spec)
            continue
        function = spec["function"]
        flat = {"type": "function", **function}
        flat.setdefault("parameters", {"type": "object", "properties": {}})
        # Always explicit: the Responses API treats a missing `strict` as true, which rejects
        # the open schemas LangChain builds. Strict tools get a schema strict mode accepts.
        flat["strict"] = bool(strict)
        if strict:
            flat["parameters"] = strict_json_schema(flat["parameters"])
        converted.append(flat)
    return converted


def _custom_tool_spec(tool: Any) -> dict[str, Any] | None:
    """A LangChain tool marked `metadata={"type": "custom_tool", "format": ...}` as a custom tool.

    The marker is langchain-openai's `custom_tool` convention, so the same tool object is bound
    here and run by an agent (which calls it with `{"input": text}`).
    """
    metadata = getattr(tool, "metadata", None)
    if not isinstance(metadata, Mapping) or metadata.get("type") != "custom_tool":
        return None
    spec: dict[str, Any] = {"type": "custom", "name": tool.name}
    if getattr(tool, "description", None):
        spec["description"] = tool.description
    if metadata.get("format") is not None:
        spec["format"] = dict(metadata["format"])
    return spec


def _is_typed(tool: Mapping[str, Any]) -> bool:
    """A dict naming a tool type of its own: the core checks it (a typo gets a hint there)."""
    kind = tool.get("type")
    return isinstance(kind, str) and kind != "function" and "function" not in tool


def _is_flat_function(tool: Mapping[str, Any]) -> bool:
    return tool.get("type") == "function" and "name" in tool and "function" not in tool


def convert_tool_choice(
    tool_choice: Any, tools: Sequence[Mapping[str, Any]]
) -> str | dict[str, Any] | None:
    """A LangChain `tool_choice` as the Responses field.

    Accepts "auto", "none", "required", "any" / True (required), a bound function's name,
    a built-in tool type, or a ready dict.

    Raises:
        ValueError: The choice names no bound tool.

    Example:
        >>> convert_tool_choice("any", [])
        'required'
        >>> convert_tool_choice("get_weather", [{"type": "function", "name": "get_weather"}])
        {'type': 'function', 'name': 'get_weather'}
    """
    if tool_choice is None or tool_choice is False:
        return None
    if tool_choice is True or tool_choice in ("any", "required"):
        return "required"
    if tool_choice in ("auto", "none"):
        return str(tool_choice)
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        if tool_choice.get("type") == "function" and isinstance(function, Mapping):
            return {"type": "function", "name": function["name"]}
        return dict(tool_choice)
    if isinstance(tool_choice, str):
        if any(t.get("type") == "function" and t.get("name") == tool_choice for t in tools):
            return {"type": "function", "name": tool_choice}
        if tool_choice in BUILTIN_TOOL_TYPES or any(t.get("type") == tool_choice for t in tools):
            return {"type": tool_choice}
        names = sorted(str(t.get("name") or t.get("type")) for t in tools)
        raise ValueError(f"tool_choice {tool_choice!r} names none of the bound tools: {names}")
    raise ValueError(f"unsupported tool_choice {tool_choice!r}")


def text_format(schema: Mapping[str, Any], *, name: str, strict: bool | None) -> dict[str, Any]:
    """A `text.format` of type `json_schema` for a JSON schema.

    Example:
        >>> text_format({"type": "object", "properties": {}}, name="Answer", strict=True)["name"]
        'Answer'
    """
    fmt: dict[str, Any] = {"type": "json_schema", "name": name, "schema": dict(schema)}
    if strict is not None:
        fmt["strict"] = strict
    return fmt
