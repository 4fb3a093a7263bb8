"""Read a ``POST /v1/responses`` body: normalise it and reject what the real service rejects.

The result, :class:`CreateRequest`, is what the deterministic model and the response builder read.
Validation errors are :class:`~xiaohu.emulator.errors.EmulatorError` with the status and body the
relay or OpenAI would send.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from xiaohu.emulator.errors import Lang, openai_error, relay_error
from xiaohu.emulator.images import check_image_tool
from xiaohu.emulator.mcp import check_approval_items, check_mcp_tool

__all__ = [
    "DATA_SOURCE_TOOLS",
    "WEB_SEARCH_TOOLS",
    "CreateRequest",
    "check_reasoning_pairs",
    "is_deep_research",
    "is_reasoning_model",
    "normalise_input",
    "parse_create",
]

WEB_SEARCH_TOOLS = frozenset(
    {"web_search", "web_search_2025_08_26", "web_search_preview", "web_search_preview_2025_03_11"}
)
DATA_SOURCE_TOOLS = WEB_SEARCH_TOOLS | {"file_search", "mcp"}
#: The ``include`` values the API knows (``ResponseIncludable``).
INCLUDABLE = (
    "file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
    "message.input_image.image_url", "computer_call_output.output.image_url",
    "code_interpreter_call.outputs", "reasoning.encrypted_content",
    "message.output_text.logprobs",
)  # fmt: skip
#: Items a replayed reasoning item may be followed by (the item it was produced with).
_PAIRED_TYPES = frozenset(
    {
        "message", "function_call", "web_search_call", "file_search_call", "computer_call",
        "code_interpreter_call", "image_generation_call", "local_shell_call", "shell_call",
        "mcp_call", "mcp_list_tools", "mcp_approval_request", "custom_tool_call",
        "apply_patch_call", "item_reference",
    }
)  # fmt: skip


def is_deep_research(model: str) -> bool:
    """Say whether ``model`` is a deep research model (``o3-deep-research``, ``o4-mini-deep-…``).

    Example:
        >>> is_deep_research("o4-mini-deep-research-2025-06-26"), is_deep_research("o3")
        (True, False)
    """
    return "deep-research" in model


def is_reasoning_model(model: str) -> bool:
    """Say whether ``model`` reasons by default (gpt-5 family, o-series, gpt-oss, deep research).

    Example:
        >>> is_reasoning_model("gpt-5-mini"), is_reasoning_model("gpt-4.1")
        (True, False)
    """
    name = model.lower()
    return name.startswith(("gpt-5", "o1", "o3", "o4", "gpt-oss")) or is_deep_research(name)


@dataclass
class CreateRequest:
    """A normalised create request.

    Attributes:
        body: the JSON body as sent.
        model: the model name with any ``@fault`` suffix removed.
        input_items: the input as a list of items (a string becomes one user message).
        instructions: the ``instructions`` field.
        tools: the tool objects.
        tool_choice: ``"auto"`` unless given.
        parallel_tool_calls: ``True`` unless given as false.
        max_output_tokens: the output budget, reasoning included.
        max_tool_calls: the cap on built-in tool calls.
        reasoning: ``{"effort", "summary"}`` for reasoning requests, else ``None``.
        text_format: the ``text.format`` object (``{"type": "text"}`` by default).
        include: the ``include`` values.
        top_logprobs: alternatives per token when logprobs are included (0 to 20).
        store: whether to keep the response (default true).
        background: run as a background job.
        stream: answer with SSE.
        obfuscate: add ``obfuscation`` padding to delta events.
        previous_response_id: the stored response to continue.

    Example:
        >>> req = parse_create({"model": "gpt-5", "input": "hi"}, lang="en", request_id="1")
        >>> req.input_items, req.reasoning
        ([{'type': 'message', 'role': 'user', 'content': 'hi'}], {'effort': 'medium', 'summary': None})
    """

    body: dict[str, Any]
    model: str
    input_items: list[dict[str, Any]]
    instructions: str | None = None
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = "auto"
    parallel_tool_calls: bool = True
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    reasoning: dict[str, Any] | None = None
    text_format: dict[str, Any] = field(default_factory=lambda: {"type": "text"})
    include: frozenset[str] = frozenset()
    top_logprobs: int = 0
    store: bool = True
    background: bool = False
    stream: bool = False
    obfuscate: bool = True
    previous_response_id: str | None = None

    def seed(self, context: list[dict[str, Any]]) -> int:
        """Return the seed for this request's output: same model, context and options, same seed."""
        material = json.dumps(
            [self.model, self.instructions, context, self.tools, self.text_format, self.reasoning],
            sort_keys=True,
            default=str,
        )
        return int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big")


def normalise_input(value: Any) -> list[dict[str, Any]]:
    """Turn ``input`` into a list of items; easy messages get ``type: message``.

    Raises:
        EmulatorError: 400 when ``input`` is neither a string nor a list of objects.

    Example:
        >>> normalise_input([{"role": "user", "content": "hi"}])
        [{'role': 'user', 'content': 'hi', 'type': 'message'}]
    """
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        kind = type(value).__name__.replace("dict", "an object").replace("int", "an integer")
        raise openai_error(
            400,
            "Invalid type for 'input': expected one of a string or array of input items, "
            f"but got {kind} instead.",
            param="input",
            code="invalid_type",
        )
    items = []
    for item in value:
        if "type" not in item and "role" in item:
            item = {**item, "type": "message"}
        items.append(item)
    return items


def check_reasoning_pairs(items: list[dict[str, Any]]) -> None:
    """Reject replayed reasoning items not followed by the item they were produced with.

    This is the classic adapter bug (dropping the function call after its reasoning item); the
    real API answers it with this exact 400.

    Example:
        >>> check_reasoning_pairs([{"type": "reasoning", "id": "rs_1", "summary": []}])
        Traceback (most recent call last):
        ...
        xiaohu.emulator.errors.EmulatorError: 400: ...
    """
    for index, item in enumerate(items):
        if item.get("type") != "reasoning":
            continue
        following = items[index + 1] if index + 1 < len(items) else None
        ok = following is not None and following.get("type") in _PAIRED_TYPES
        if ok and following is not None and following.get("type") == "message":
            ok = following.get("role") == "assistant"
        if not ok:
            raise openai_error(
                400,
                f"Item '{item.get('id', '')}' of type 'reasoning' was provided without its "
                "required following item.",
                param="input",
            )


def _reasoning(body: dict[str, Any], model: str) -> dict[str, Any] | None:
    given = body.get("reasoning")
    if isinstance(given, dict):
        effort = given.get("effort")
        if effort is None and is_reasoning_model(model):
            effort = "medium"
        return {"effort": effort, "summary": given.get("summary", given.get("generate_summary"))}
    if is_reasoning_model(model):
        return {"effort": "medium", "summary": None}
    return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int_or_none(
    body: dict[str, Any], key: str, minimum: int, maximum: int | None = None
) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise openai_error(400, f"Invalid type for '{key}': expected an integer.", param=key)
    if value < minimum:
        raise openai_error(
            400,
            f"Invalid '{key}': integer below minimum value. Expected a value >= {minimum}, "
            f"but got {value} instead.",
            param=key,
            code="integer_below_min_value",
        )
    if maximum is not None and value > maximum:
        raise openai_error(
            400,
            f"Invalid '{key}': integer above maximum value. Expected a value <= {maximum}, "
            f"but got {value} instead.",
            param=key,
            code="integer_above_max_value",
        )
    return value


def _include(body: dict[str, Any]) -> frozenset[str]:
    given = body.get("include") or []
    if not isinstance(given, list):
        raise openai_error(400, "Invalid type for 'include': expected an array.", param="include")
    for index, value in enumerate(given):
        if value not in INCLUDABLE:
            listed = ", ".join(f"'{v}'" for v in INCLUDABLE)
            raise openai_error(
                400,
                f"Invalid value: '{value}'. Supported values are: {listed}.",
                param=f"include[{index}]",
                code="invalid_value",
            )
    return frozenset(str(i) for i in given)


def _check_tools(tools: list[dict[str, Any]]) -> None:
    for index, tool in enumerate(tools):
        if tool.get("type") == "image_generation":
            check_image_tool(tool, index)
        elif tool.get("type") == "mcp":
            check_mcp_tool(tool, index)


def parse_create(
    body: Any, *, lang: Lang, request_id: str, model: str | None = None
) -> CreateRequest:
    """Validate and normalise a create body.

    Args:
        body: the decoded JSON body.
        lang: the relay message language.
        request_id: the relay request id, for relay error messages.
        model: the model with any fault suffix already stripped (defaults to ``body["model"]``).

    Raises:
        EmulatorError: the relay's 400 without a model and 500 without input; OpenAI's 400s for
            bad field types, deep research without a data-source tool, and unpaired reasoning.

    Example:
        >>> parse_create(
        ...     {"model": "gpt-4.1", "input": "hi", "stream": True}, lang="en", request_id="1"
        ... ).stream
        True
    """
    if not isinstance(body, dict):
        raise relay_error(400, "Invalid request: body must be a JSON object", request_id)
    name = model if model is not None else body.get("model")
    if not isinstance(name, str) or not name:
        message = (
            "未指定模型名称，模型名称不能为空"
            if lang == "zh"
            else "Model name not specified, model name cannot be empty"
        )
        raise relay_error(400, message, request_id)
    if body.get("input") in (None, "", []):
        raise relay_error(
            500, "input is required", request_id, code="invalid_request", with_param=True
        )
    items = normalise_input(body["input"])
    tools = body.get("tools") or []
    if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
        raise openai_error(400, "Invalid type for 'tools': expected an array.", param="tools")
    text = _object(body.get("text"))
    fmt = _object(text.get("format")) or {"type": "text"}
    options = _object(body.get("stream_options"))
    req = CreateRequest(
        body=body,
        model=name,
        input_items=items,
        instructions=body.get("instructions")
        if isinstance(body.get("instructions"), str)
        else None,
        tools=tools,
        tool_choice=body.get("tool_choice") or "auto",
        parallel_tool_calls=body.get("parallel_tool_calls") is not False,
        max_output_tokens=_int_or_none(body, "max_output_tokens", 16),
        max_tool_calls=_int_or_none(body, "max_tool_calls", 0),
        reasoning=_reasoning(body, name),
        text_format=fmt,
        include=_include(body),
        top_logprobs=_int_or_none(body, "top_logprobs", 0, 20) or 0,
        store=body.get("store") is not False,
        background=bool(body.get("background")),
        stream=bool(body.get("stream")),
        obfuscate=options.get("include_obfuscation") is not False,
        previous_response_id=body.get("previous_response_id") or None,
    )
    if fmt.get("type") == "json_schema" and not isinstance(fmt.get("schema"), dict):
        raise openai_error(
            400, "Missing required parameter: 'text.format.schema'.", param="text.format.schema",
            code="missing_required_parameter",
        )  # fmt: skip
    if is_deep_research(name) and not any(t.get("type") in DATA_SOURCE_TOOLS for t in tools):
        raise openai_error(
            400,
            "Deep research models require at least one of 'web_search_preview', 'mcp', or "
            "'file_search' tools.",
            param="tools",
        )
    _check_tools(tools)
    check_approval_items(items)
    check_reasoning_pairs(items)
    return req
