"""LlamaIndex chat messages, blocks and tools <-> Responses API items, as pure functions.

Input: `to_request_input` turns `ChatMessage`s into `(instructions, input)`; system messages
become instructions (or developer messages), tool results become `function_call_output`
items, `ThinkingBlock`s with encrypted content return as `reasoning` items. Blocks the API
cannot take raise `ValueError` before anything is sent.

Output: `message_from_response` turns a final `Response` into one assistant `ChatMessage`
(thinking, text, citations, tool calls), used by both `chat` and the last stream chunk.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from xiaohu import (
    Annotation,
    ConfigurationError,
    CustomToolCall,
    FunctionCall,
    OutputMessage,
    OutputText,
    ReasoningItem,
    Response,
)
from xiaohu.adapters import strict_json_schema

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "AUDIO_TRANSCRIPT_KEY",
    "CUSTOM_CALLS_KEY",
    "INPUT_ITEMS_KEY",
    "RESPONSE_ID_KEY",
    "audio_block",
    "citation_block",
    "continuation",
    "custom_call_block",
    "custom_call_ids",
    "custom_tools_win",
    "image_block",
    "json_schema_format",
    "message_from_response",
    "output_logprobs",
    "reasoning_text",
    "resolve_tool_choice",
    "to_request_input",
    "tool_spec",
]

INPUT_ITEMS_KEY = "input_items"
"""`additional_kwargs` key of a user message: Responses input items sent as they are, before
its content (e.g. an `mcp_approval_response` answering an `mcp_approval_request`)."""

RESPONSE_ID_KEY = "response_id"
"""`additional_kwargs` key holding the id of the response an assistant message came from."""

CUSTOM_CALLS_KEY = "custom_tool_calls"
"""`additional_kwargs` key of an assistant message: the call ids of its custom (freeform) tool
calls, whose `ToolCallBlock`s replay as `custom_tool_call` and whose answers go back as
`custom_tool_call_output`."""

AUDIO_TRANSCRIPT_KEY = "audio_transcript"
"""`additional_kwargs` key of an assistant message: the transcript of its spoken answer (the
audio itself is an `AudioBlock`)."""

_SIMPLE_CHOICES = frozenset({"auto", "none", "required"})
_CITATIONS = frozenset({"url_citation", "file_citation", "container_file_citation"})
_OWN_ITEM_TYPES = frozenset({"message", "function_call", "custom_tool_call", "reasoning"})


# -- input ------------------------------------------------------------------------------------


def custom_call_ids(messages: Sequence[ChatMessage]) -> frozenset[str]:
    """The call ids of every custom tool call the assistant messages record.

    Example:
        >>> custom_call_ids(
        ...     [ChatMessage(role="assistant", additional_kwargs={"custom_tool_calls": ["c1"]})]
        ... )
        frozenset({'c1'})
    """
    return frozenset(
        str(call_id)
        for message in messages
        if message.role == MessageRole.ASSISTANT
        for call_id in message.additional_kwargs.get(CUSTOM_CALLS_KEY) or ()
    )


def to_request_input(
    messages: Sequence[ChatMessage],
    *,
    system_as: str = "instructions",
    custom_calls: frozenset[str] | None = None,
) -> tuple[str | None, str | list[dict[str, Any]]]:
    """Convert chat messages to `(instructions, input)` for `POST /v1/responses`.

    A lone plain-text user message becomes a bare string. A tool message answering a custom
    tool call (one of `custom_calls`, by default those the messages record) becomes a
    `custom_tool_call_output`.

    Raises:
        ValueError: A message holds a block the Responses API cannot take, or a tool result
            has no `tool_call_id`.

    Example:
        >>> to_request_input(
        ...     [
        ...         ChatMessage(role="system", content="Be brief."),
        ...         ChatMessage(role="user", content="Hi"),
        ...     ]
        ... )
        ('Be brief.', 'Hi')
    """
    system: list[str] = []
    items: list[dict[str, Any]] = []
    custom = custom_call_ids(messages) if custom_calls is None else custom_calls
    for message in messages:
        if message.role == MessageRole.SYSTEM and system_as == "instructions":
            system.append(_plain_text(message))
        else:
            for item in message_to_items(message):
                if item["type"] == "function_call_output" and item["call_id"] in custom:
                    item["type"] = "custom_tool_call_output"
                items.append(item)
    instructions = "\n\n".join(s for s in system if s) or None
    if not items:
        raise ConfigurationError(
            "no input: no messages were given; nothing was sent"
            if not messages
            else "no input: the messages hold nothing but system prompts; nothing was sent"
        )
    if len(items) == 1 and _is_plain_user_text(items[0]):
        return instructions, items[0]["content"][0]["text"]
    return instructions, items


def continuation(messages: Sequence[ChatMessage]) -> tuple[str | None, list[ChatMessage]]:
    """Split off what a stored response already holds: `(previous_response_id, new messages)`.

    The id comes from the last assistant message carrying `additional_kwargs["response_id"]`;
    system messages are kept (instructions are not carried over by the server).

    Example:
        >>> history = [
        ...     ChatMessage(role="user", content="Hi"),
        ...     ChatMessage(
        ...         role="assistant", content="Hello", additional_kwargs={"response_id": "resp_1"}
        ...     ),
        ...     ChatMessage(role="user", content="Again"),
        ... ]
        >>> rid, rest = continuation(history)
        >>> rid, [m.content for m in rest]
        ('resp_1', ['Again'])
    """
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        response_id = message.additional_kwargs.get(RESPONSE_ID_KEY)
        if message.role == MessageRole.ASSISTANT and isinstance(response_id, str):
            system = [m for m in messages[:index] if m.role == MessageRole.SYSTEM]
            return response_id, [*system, *messages[index + 1 :]]
    return None, list(messages)


def message_to_items(message: ChatMessage) -> list[dict[str, Any]]:
    """Convert one chat message to Responses input items.

    Example:
        >>> message_to_items(
        ...     ChatMessage(role="tool", content="5", additional_kwargs={"tool_call_id": "call_1"})
        ... )
        [{'type': 'function_call_output', 'call_id': 'call_1', 'output': '5'}]
    """
    role = message.role
    if role == MessageRole.TOOL or role == MessageRole.FUNCTION:
        return [_tool_output(message)]
    if role == MessageRole.ASSISTANT or role == MessageRole.MODEL or role == MessageRole.CHATBOT:
        return _assistant_items(message)
    wire_role = "developer" if role in (MessageRole.SYSTEM, MessageRole.DEVELOPER) else "user"
    items = _input_items(message)
    content = [_input_part(block, index) for index, block in enumerate(message.blocks)]
    content = [part for part in content if part is not None]
    if content:
        items.append({"type": "message", "role": wire_role, "content": content})
    return items


def _input_items(message: ChatMessage) -> list[dict[str, Any]]:
    """The ready input items a message carries in `additional_kwargs["input_items"]`."""
    given = message.additional_kwargs.get(INPUT_ITEMS_KEY) or ()
    items: list[dict[str, Any]] = []
    for item in given:
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise ValueError(f"additional_kwargs[{INPUT_ITEMS_KEY!r}] holds {item!r}, not an item")
        items.append(dict(item))
    return items


def _plain_text(message: ChatMessage) -> str:
    texts = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif not isinstance(block, CachePoint):
            raise ValueError(
                f"a system message can hold only text, got a {type(block).__name__}; "
                "use system_as='developer' or move it to a user message"
            )
    return "\n".join(texts)


def _is_plain_user_text(item: dict[str, Any]) -> bool:
    content = item.get("content")
    return (
        item.get("role") == "user"
        and isinstance(content, list)
        and len(content) == 1
        and content[0]["type"] == "input_text"
    )


def _input_part(block: Any, index: int) -> dict[str, Any] | None:
    if isinstance(block, TextBlock):
        return {"type": "input_text", "text": block.text}
    if isinstance(block, ImageBlock):
        return _image_part(block)
    if isinstance(block, DocumentBlock):
        return _document_part(block)
    if isinstance(block, CachePoint):
        return None  # a caching hint for other providers; the relay caches on its own
    raise ValueError(
        f"block {index} is a {type(block).__name__}, which the Responses API cannot take as "
        "input (supported: text, image, document)"
    )


def _image_part(block: ImageBlock) -> dict[str, Any]:
    if block.url is not None and block.image is None and block.path is None:
        url = str(block.url)
    else:
        url = block.inline_url()
    part: dict[str, Any] = {"type": "input_image", "image_url": url}
    part["detail"] = block.detail or "auto"
    return part


def _document_part(block: DocumentBlock) -> dict[str, Any]:
    if block.url and block.data is None and block.path is None:
        return {"type": "input_file", "file_url": str(block.url)}
    if not block.document_mimetype:
        block = block.model_copy(update={"document_mimetype": "application/pdf"})
    filename = block.title or (str(block.path).rsplit("/", 1)[-1] if block.path else "")
    return {
        "type": "input_file",
        "filename": filename or "document.pdf",
        "file_data": block.inline_url(),
    }


def _tool_output(message: ChatMessage) -> dict[str, Any]:
    call_id = message.additional_kwargs.get("tool_call_id")
    if not call_id:
        raise ValueError(
            "a tool message needs additional_kwargs['tool_call_id'] (the call_id it answers)"
        )
    return {"type": "function_call_output", "call_id": call_id, "output": message.content or ""}


def _assistant_items(message: ChatMessage) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    custom = frozenset(message.additional_kwargs.get(CUSTOM_CALLS_KEY) or ())
    generated = any(
        isinstance(item, Mapping) and item.get("type") == "image_generation_call"
        for item in message.additional_kwargs.get("built_in_tool_calls") or ()
    )
    for index, block in enumerate(message.blocks):
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ThinkingBlock):
            reasoning = _reasoning_item(block)
            if reasoning is not None:
                items.append(reasoning)
        elif isinstance(block, ToolCallBlock):
            if block.tool_call_id in custom:
                calls.append(_custom_call_item(block))
            else:
                calls.append(_function_call_item(block))
        elif isinstance(block, ImageBlock) and generated:
            continue  # the image_generation_call's result: the item is what the server knows
        elif isinstance(block, AudioBlock):
            continue  # a spoken answer: its transcript goes back as the assistant's text
        elif not isinstance(block, (CitationBlock, CachePoint)):
            # Citations are derived from the text they annotate; the text itself goes back.
            raise ValueError(
                f"assistant block {index} is a {type(block).__name__}, which cannot be "
                "replayed to the Responses API"
            )
    transcript = message.additional_kwargs.get(AUDIO_TRANSCRIPT_KEY)
    if not texts and isinstance(transcript, str) and transcript:
        texts.append(transcript)
    if texts:
        # The easy-message shape: an `output_text` part would need the id, status and
        # annotations of the original output item, which a replayed ChatMessage lacks.
        items.append({"type": "message", "role": "assistant", "content": "".join(texts)})
    items.extend(calls)
    return items


def _reasoning_item(block: ThinkingBlock) -> dict[str, Any] | None:
    info = block.additional_information
    encrypted = info.get("encrypted_content")
    if not encrypted:
        return None  # nothing the server can verify; the visible summary is not input
    item: dict[str, Any] = {"type": "reasoning", "encrypted_content": encrypted, "summary": []}
    if info.get("id"):
        item["id"] = info["id"]
    if block.content:
        item["summary"] = [{"type": "summary_text", "text": block.content}]
    return item


def _function_call_item(block: ToolCallBlock) -> dict[str, Any]:
    if not block.tool_call_id:
        raise ValueError(f"tool call {block.tool_name!r} has no tool_call_id to replay")
    kwargs = block.tool_kwargs
    arguments = kwargs if isinstance(kwargs, str) else json.dumps(kwargs, ensure_ascii=False)
    return {
        "type": "function_call",
        "call_id": block.tool_call_id,
        "name": block.tool_name,
        "arguments": arguments,
    }


def _custom_call_item(block: ToolCallBlock) -> dict[str, Any]:
    kwargs = block.tool_kwargs
    if isinstance(kwargs, dict):
        if "input" in kwargs:
            text = kwargs["input"]
        elif len(kwargs) == 1:
            text = next(iter(kwargs.values()))
        else:
            raise ValueError(f"custom tool call {block.tool_name!r} needs one 'input' string")
    else:
        text = kwargs
    return {
        "type": "custom_tool_call",
        "call_id": block.tool_call_id,
        "name": block.tool_name,
        "input": str(text),
    }


# -- tools --------------------------------------------------------------------------------------


def tool_spec(tool: BaseTool, *, strict: bool = False) -> dict[str, Any]:
    """A LlamaIndex tool as a Responses function tool (a fresh dict).

    Example:
        >>> from llama_index.core.tools import FunctionTool
        >>> def add(a: int, b: int) -> int:
        ...     '''Add two integers.'''
        ...     return a + b
        >>> spec = tool_spec(FunctionTool.from_defaults(fn=add))
        >>> spec["type"], spec["name"]
        ('function', 'add')
    """
    function = tool.metadata.to_openai_tool(skip_length_check=True)["function"]
    spec: dict[str, Any] = {"type": "function", **function}
    spec.setdefault("parameters", {"type": "object", "properties": {}})
    # Always explicit: the Responses API treats a missing `strict` as true.
    spec["strict"] = strict
    if strict:
        spec["parameters"] = strict_json_schema(spec["parameters"])
    return spec


def custom_tools_win(tools: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Drop the function spec of a tool also bound as a custom tool (same name).

    A custom (freeform) tool is bound as `{"type": "custom", "name": ..., "format": ...}` in
    `built_in_tools`; the agent runs it through a `FunctionTool` of the same name taking one
    `input: str`, whose function spec must then not be sent as well (names must be unique).

    Example:
        >>> [
        ...     t["type"]
        ...     for t in custom_tools_win(
        ...         [{"type": "custom", "name": "sql"}, {"type": "function", "name": "sql"}]
        ...     )
        ... ]
        ['custom']
    """
    custom = {t.get("name") for t in tools if t.get("type") == "custom"}
    return [dict(t) for t in tools if not (t.get("type") == "function" and t.get("name") in custom)]


def resolve_tool_choice(tool_choice: Any, tool_required: bool) -> str | dict[str, Any]:
    """The `tool_choice` value in the Responses shape.

    A tool name becomes `{"type": "function", "name": ...}`; a Chat-Completions shaped dict
    is converted.

    Example:
        >>> resolve_tool_choice(None, tool_required=True)
        'required'
        >>> resolve_tool_choice("add", tool_required=False)
        {'type': 'function', 'name': 'add'}
    """
    if tool_choice is None:
        return "required" if tool_required else "auto"
    if isinstance(tool_choice, str):
        if tool_choice in _SIMPLE_CHOICES:
            return tool_choice
        return {"type": "function", "name": tool_choice}
    if isinstance(tool_choice, Mapping):
        function = tool_choice.get("function")
        if isinstance(function, Mapping) and function.get("name"):
            return {"type": "function", "name": function["name"]}
        return dict(tool_choice)
    raise ValueError(f"tool_choice must be a str or a dict, got {type(tool_choice).__name__}")


def json_schema_format(output_cls: type[Any], *, strict: bool = False) -> dict[str, Any]:
    """The `text` parameter asking for JSON matching a pydantic model.

    With `strict`, the schema is closed the way strict structured outputs require.

    Example:
        >>> from pydantic import BaseModel
        >>> class City(BaseModel):
        ...     name: str
        >>> json_schema_format(City)["format"]["name"]
        'City'
    """
    name = "".join(c if c.isalnum() or c in "_-" else "_" for c in output_cls.__name__)[:64]
    return {
        "format": {
            "type": "json_schema",
            "name": name or "output",
            "schema": (
                strict_json_schema(output_cls.model_json_schema())
                if strict
                else output_cls.model_json_schema()
            ),
            "strict": strict,
        }
    }


# -- output -------------------------------------------------------------------------------------


def citation_block(annotation: Annotation, text: str) -> CitationBlock:
    """A url or file citation as a LlamaIndex `CitationBlock` over the text it covers.

    `source` is the url or the file id, a file citation's position is in
    `additional_location_info["index"]`; the whole annotation (a container file's
    `container_id` too) stays in the message's `additional_kwargs["citations"]`.

    Example:
        >>> a = Annotation(
        ...     type="url_citation", url="https://x.org", title="X", start_index=0, end_index=2
        ... )
        >>> citation_block(a, "Hi there").cited_content.text
        'Hi'
    """
    start, end = annotation.start_index, annotation.end_index
    location = {
        k: v
        for k, v in (("start_index", start), ("end_index", end), ("index", annotation.index))
        if v is not None
    }
    cited = text[start:end] if start is not None and end is not None else ""
    return CitationBlock(
        cited_content=TextBlock(text=cited),
        source=annotation.url or annotation.file_id or "",
        title=annotation.title or annotation.filename or "",
        additional_location_info=location,
    )


def image_block(item: Mapping[str, Any]) -> ImageBlock:
    """A finished `image_generation_call` as an `ImageBlock` (its base64 `result`).

    Example:
        >>> image_block(
        ...     {"type": "image_generation_call", "result": "aGk=", "output_format": "png"}
        ... ).image_mimetype
        'image/png'
    """
    fmt = item.get("output_format") or "png"
    return ImageBlock(image=str(item["result"]).encode(), image_mimetype=f"image/{fmt}")


def audio_block(data: str) -> AudioBlock:
    """A spoken answer (base64) as an `AudioBlock`; the wire names no format, so none is set.

    Example:
        >>> audio_block("UklGRg==").audio
        b'UklGRg=='
    """
    return AudioBlock(audio=data.encode())


def _audio(response: Response) -> dict[str, Any] | None:
    audio = (response.model_extra or {}).get("audio")
    return audio if isinstance(audio, dict) and isinstance(audio.get("data"), str) else None


def _is_image(item: Mapping[str, Any]) -> bool:
    return (
        item.get("type") == "image_generation_call"
        and isinstance(item.get("result"), str)
        and bool(item["result"])
    )


def thinking_block(item: ReasoningItem, num_tokens: int | None = None) -> ThinkingBlock:
    """A reasoning item as a `ThinkingBlock` (its id and encrypted content kept for replay).

    Example:
        >>> thinking_block(ReasoningItem(id="rs_1", encrypted_content="e")).additional_information
        {'type': 'reasoning', 'id': 'rs_1', 'encrypted_content': 'e'}
    """
    info = item.to_dict()
    info.pop("summary", None)
    info.pop("content", None)
    raw = reasoning_text(item)
    if raw and item.summary:
        info["reasoning_text"] = raw  # the content shows the summary; the raw text stays too
    return ThinkingBlock(
        content=item.summary_text or raw or None, num_tokens=num_tokens, additional_information=info
    )


def reasoning_text(item: ReasoningItem) -> str:
    """The raw reasoning text (`content` parts) of a reasoning item, parts joined.

    Example:
        >>> reasoning_text(ReasoningItem(content=[{"type": "reasoning_text", "text": "r"}]))
        'r'
    """
    return "".join(part["text"] for part in item.content or () if isinstance(part.get("text"), str))


def tool_call_block(call: FunctionCall) -> ToolCallBlock:
    """A function call as a `ToolCallBlock` (`tool_kwargs` keeps the raw JSON string).

    Example:
        >>> tool_call_block(FunctionCall(call_id="c", name="f", arguments="{}")).tool_call_id
        'c'
    """
    return ToolCallBlock(tool_call_id=call.call_id, tool_name=call.name, tool_kwargs=call.arguments)


def custom_call_block(call: CustomToolCall) -> ToolCallBlock:
    """A custom (freeform) tool call as a `ToolCallBlock` whose `tool_kwargs` is `{"input": ...}`.

    Example:
        >>> custom_call_block(CustomToolCall(call_id="c", name="sql", input="SELECT 1")).tool_kwargs
        {'input': 'SELECT 1'}
    """
    return ToolCallBlock(
        tool_call_id=call.call_id, tool_name=call.name, tool_kwargs={"input": call.input}
    )


def message_from_response(response: Response) -> ChatMessage:
    """The assistant message of a final response: thinking, text, citations, tool calls.

    `additional_kwargs` holds `response_id`, `citations` (plain dicts), `built_in_tool_calls`
    (plain dicts, e.g. web searches), `custom_tool_calls` (call ids) and `refusal`, each only
    when present.

    Example:
        >>> r = Response.model_validate(
        ...     {
        ...         "id": "resp_1",
        ...         "output": [
        ...             {"type": "message", "content": [{"type": "output_text", "text": "Hi"}]}
        ...         ],
        ...     }
        ... )
        >>> message_from_response(r).content
        'Hi'
    """
    reasoning = response.reasoning
    tokens = response.usage.reasoning_tokens if response.usage and len(reasoning) == 1 else None
    blocks: list[Any] = [thinking_block(item, tokens) for item in reasoning]
    text = response.output_text
    if text:
        blocks.append(TextBlock(text=text))
    citations = response.citations
    blocks.extend(citation_block(a, text) for a in citations if a.type in _CITATIONS)
    blocks.extend(
        image_block(item) for item in response.output if isinstance(item, dict) and _is_image(item)
    )
    audio = _audio(response)
    if audio is not None:  # a spoken answer (streamed; it belongs to no output item)
        blocks.append(audio_block(audio["data"]))
    custom: list[str] = []
    for item in response.output:
        if isinstance(item, FunctionCall):
            blocks.append(tool_call_block(item))
        elif isinstance(item, CustomToolCall):
            blocks.append(custom_call_block(item))
            custom.append(item.call_id)
    extras: dict[str, Any] = {}
    if response.id:
        extras[RESPONSE_ID_KEY] = response.id
    if custom:
        extras[CUSTOM_CALLS_KEY] = custom
    if citations:
        extras["citations"] = [a.to_dict() for a in citations]
    built_in = [_item_dict(item) for item in response.output if _is_built_in(item)]
    if built_in:
        extras["built_in_tool_calls"] = built_in
    refusal = _refusal(response)
    if refusal:
        extras["refusal"] = refusal
    if audio is not None and audio.get("transcript"):
        extras[AUDIO_TRANSCRIPT_KEY] = audio["transcript"]
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=extras)


def response_extras(response: Response) -> dict[str, Any]:
    """`ChatResponse.additional_kwargs` of a final response: usage, status, id.

    Example:
        >>> response_extras(Response(id="resp_1", status="completed"))
        {'response_id': 'resp_1', 'status': 'completed'}
    """
    extras: dict[str, Any] = {RESPONSE_ID_KEY: response.id, "status": response.status}
    if response.usage is not None:
        extras["usage"] = response.usage.to_dict()
    if response.incomplete_details is not None:
        extras["incomplete_reason"] = response.incomplete_details.reason
    return extras


def output_logprobs(response: Response) -> list[list[LogProb]]:
    """Per output token, its logprobs: the `top_logprobs` asked for, else the token's own.

    Empty unless `top_logprobs` was asked for (the server sends none otherwise).

    Example:
        >>> r = Response.model_validate(
        ...     {
        ...         "output": [
        ...             {
        ...                 "type": "message",
        ...                 "content": [
        ...                     {
        ...                         "type": "output_text",
        ...                         "text": "Hi",
        ...                         "logprobs": [
        ...                             {"token": "Hi", "logprob": -0.1, "bytes": [72, 105]}
        ...                         ],
        ...                     }
        ...                 ],
        ...             }
        ...         ]
        ...     }
        ... )
        >>> output_logprobs(r)[0][0].token
        'Hi'
    """
    result: list[list[LogProb]] = []
    for item in response.output:
        if not isinstance(item, OutputMessage):
            continue
        for part in item.content:
            if not isinstance(part, OutputText):
                continue
            for token in part.logprobs or ():
                options = token.get("top_logprobs") or [token]
                result.append(
                    [
                        LogProb(
                            token=str(o.get("token", "")),
                            logprob=float(o.get("logprob", 0.0)),
                            bytes=list(o.get("bytes") or []),
                        )
                        for o in options
                    ]
                )
    return result


def _is_built_in(item: Any) -> bool:
    item_type = item.get("type") if isinstance(item, dict) else item.type
    return item_type not in _OWN_ITEM_TYPES


def _item_dict(item: Any) -> dict[str, Any]:
    return dict(item) if isinstance(item, dict) else dict(item.to_dict())


def _refusal(response: Response) -> str:
    return "".join(
        getattr(part, "refusal", "")
        for item in response.output
        if isinstance(item, OutputMessage)
        for part in item.content
        if getattr(part, "type", None) == "refusal"
    )
