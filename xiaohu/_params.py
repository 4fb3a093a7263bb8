"""Request parameters of `POST /v1/responses`, checked before anything is sent.

Wrong types and out-of-range values raise `ConfigurationError` (a `ValueError`) naming the
field. Fields (and tool types) this version does not know pass through untouched, so a newer
server feature works without a new release, unless the name is a near miss of a known one
(`temprature`, `websearch`) or another API's spelling (`max_tokens`): those are refused. `None` values are dropped: a relay may reject explicit nulls.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ._exceptions import ConfigurationError

__all__ = [
    "BODY_FIELDS",
    "OTHER_FIELDS",
    "REASONING_EFFORTS",
    "TOOL_TYPES",
    "ReasoningParams",
    "ResponseCreateParams",
    "build_payload",
    "check_field_names",
    "strict_json_schema",
]

Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]

REASONING_EFFORTS: tuple[str, ...] = get_args(Effort)
"""Every `reasoning.effort` value the API knows (read from `Effort`: one list for all checks)."""


class _Params(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class ReasoningParams(_Params):
    """The `reasoning` object: how hard the model thinks, and whether it summarises.

    Example:
        >>> ReasoningParams(effort="high", summary="auto").effort
        'high'
    """

    effort: Effort | None = None
    """How many reasoning tokens to spend."""
    summary: Literal["auto", "concise", "detailed"] | None = None
    """Ask for a summary of the reasoning."""


class ResponseCreateParams(_Params):
    """The body of `POST /v1/responses`.

    Example:
        >>> ResponseCreateParams(model="gpt-5", input="hi", temperature=0.2).temperature
        0.2
    """

    model: Annotated[str, Field(min_length=1)]
    """The model (any name the relay routes, aliases included)."""
    input: str | list[Any]
    """A string, or a list of input items."""
    instructions: str | None = None
    """A system/developer message for this call only."""
    tools: list[dict[str, Any]] | None = None
    """Function and built-in tools."""
    tool_choice: str | dict[str, Any] | None = None
    """`auto`, `none`, `required`, or an object naming a tool."""
    parallel_tool_calls: bool | None = None
    """Allow several function calls in one turn."""
    max_output_tokens: Annotated[int, Field(ge=1)] | None = None
    """Cap on output tokens, reasoning included."""
    max_tool_calls: Annotated[int, Field(ge=1)] | None = None
    """Cap on built-in tool calls (web searches) across the response."""
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    """Sampling temperature, 0 to 2."""
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    """Nucleus sampling, 0 to 1."""
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    """Log probabilities of the top tokens, 0 to 20."""
    reasoning: ReasoningParams | None = None
    """Reasoning effort and summary."""
    text: dict[str, Any] | None = None
    """Output format (`json_schema`, `json_object`, `text`) and verbosity."""
    include: list[str] | None = None
    """Extra output to include, e.g. `reasoning.encrypted_content`."""
    store: bool | None = None
    """Whether the server keeps the response (default true)."""
    previous_response_id: str | None = None
    """Continue from a stored response."""
    background: bool | None = None
    """Run in background mode (poll or resume later)."""
    stream: bool | None = None
    """Answer with server-sent events."""
    metadata: dict[str, str] | None = None
    """Up to 16 string pairs."""
    truncation: Literal["auto", "disabled"] | None = None
    """Drop old input when the context overflows (`auto`) or fail (`disabled`)."""
    service_tier: str | None = None
    """`auto`, `default`, `flex`, `priority`, ..."""

    @field_validator("input")
    @classmethod
    def _input_not_empty(cls, value: str | list[Any]) -> str | list[Any]:
        if isinstance(value, str) and not value.strip():
            raise ValueError(
                "input is empty (or only whitespace); give the model something to answer"
            )
        if isinstance(value, list):
            if not value:
                raise ValueError("input must not be an empty list")
            for index, item in enumerate(value):
                if not isinstance(item, Mapping) or not (item.get("type") or item.get("role")):
                    raise ValueError(f"input[{index}] must be an object with a 'type' or a 'role'")
                _check_images(item, f"input[{index}]")
            if all(_blank_message(item) for item in value):
                raise ValueError(
                    "input has no content: every message is empty (or only whitespace)"
                )
        return value

    @field_validator("tools")
    @classmethod
    def _tools_typed(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for index, tool in enumerate(value or ()):
            if not isinstance(tool.get("type"), str):
                raise ValueError(f"tools[{index}] has no 'type'")
            if tool["type"] == "function" and not tool.get("name"):
                raise ValueError(f"tools[{index}] is a function tool without a 'name'")
            name = tool.get("name")
            if tool["type"] == "function" and not _FUNCTION_NAME.fullmatch(str(name)):
                raise ValueError(
                    f"tools[{index}].name {name!r} must be 1-64 letters, digits, '_' or '-'"
                )
            params = tool.get("parameters")
            if tool["type"] == "function" and params is not None and not isinstance(params, dict):
                raise ValueError(f"tools[{index}].parameters must be a JSON schema object")
            if tool["type"] == "function" and params and params.get("type") != "object":
                raise ValueError(
                    f"tools[{index}].parameters must be a JSON schema of type 'object' (got type "
                    f"{params.get('type')!r}); wrap the value in an object property"
                )
            _check_tool_type(tool["type"], index)
        return value

    @field_validator("text")
    @classmethod
    def _text_format(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        fmt = (value or {}).get("format")
        if (
            isinstance(fmt, dict)
            and fmt.get("type") == "json_schema"
            and (not fmt.get("name") or not isinstance(fmt.get("schema"), dict))
        ):
            raise ValueError("text.format json_schema needs a 'name' and a 'schema' object")
        if isinstance(fmt, dict) and fmt.get("type") == "json_schema" and fmt.get("strict"):
            _check_strict_schema(fmt["schema"], "text.format.schema")
        return value


#: Tool types of the Responses API (function tools and the built-in ones).
TOOL_TYPES = frozenset(
    {
        "function",
        "custom",
        "web_search",
        "web_search_2025_08_26",
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "file_search",
        "mcp",
        "code_interpreter",
        "image_generation",
        "computer_use_preview",
        "computer",
        "local_shell",
        "shell",
        "apply_patch",
    }
)

#: Top-level body fields of `POST /v1/responses` this version knows besides the typed ones.
OTHER_FIELDS = frozenset(
    {
        "user",
        "prompt",
        "stream_options",
        "conversation",
        "prompt_cache_key",
        "prompt_cache_retention",
        "safety_identifier",
        "context_management",
        "enable_thinking",
        "preset",
    }
)

#: Names of other APIs a Responses body spells differently.
BODY_FIELDS = frozenset({*ResponseCreateParams.model_fields, *OTHER_FIELDS})
"""Every top-level body field this version knows."""

_RENAMED = {
    "max_tokens": "max_output_tokens",
    "max_completion_tokens": "max_output_tokens",
    "response_format": "text={'format': ...}",
    "reasoning_effort": "reasoning={'effort': ...}",
}


def _check_tool_type(kind: str, index: int) -> None:
    """A tool type that is a near miss of a known one is a typo (a new type passes).

    Example:
        >>> _check_tool_type("websearch", 0)
        Traceback (most recent call last):
        ...
        ValueError: tools[0].type 'websearch' is not a tool type; did you mean 'web_search'?
    """
    if kind in TOOL_TYPES:
        return
    close = difflib.get_close_matches(kind, sorted(TOOL_TYPES), n=1, cutoff=0.8)
    if close:
        raise ValueError(
            f"tools[{index}].type {kind!r} is not a tool type; did you mean {close[0]!r}?"
        )


def check_field_names(params: Mapping[str, Any]) -> None:
    """Refuse a body field another API spells so (`max_tokens`) or a near miss of a known one.

    A field far from every known name passes untouched (a newer server feature).

    Raises:
        ConfigurationError: One is refused; nothing was sent.

    Example:
        >>> check_field_names({"model": "gpt-5", "input": "hi", "max_tokens": 5})
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: invalid request: max_tokens is not a Responses API field; use max_output_tokens (nothing was sent)
    """
    known = {name: name for name in BODY_FIELDS}
    targets = {**known, **_RENAMED}
    problems = []
    for name in params:
        if name in known:
            continue
        if name in _RENAMED:
            problems.append(f"{name} is not a Responses API field; use {_RENAMED[name]}")
            continue
        close = difflib.get_close_matches(name, sorted(targets), n=1, cutoff=0.8)
        if close:
            problems.append(f"{name!r} is not a field; did you mean {targets[close[0]]}?")
    if problems:
        raise ConfigurationError(f"invalid request: {'; '.join(problems)} (nothing was sent)")


_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_IMAGE_URL_SCHEMES = ("http://", "https://", "data:")


_TEXT_PARTS = ("input_text", "output_text", "text")


def _blank_message(item: Mapping[str, Any]) -> bool:
    """A message item whose content is only empty text (tool outputs, images... are content).

    Example:
        >>> _blank_message({"role": "user", "content": "  "})
        True
        >>> _blank_message({"role": "user", "content": [{"type": "input_image", "image_url": "x"}]})
        False
    """
    if item.get("type", "message") != "message" or "role" not in item:
        return False
    content = item.get("content")
    if content is None or isinstance(content, str):
        return not (content or "").strip()
    if not isinstance(content, list):
        return False
    return all(
        isinstance(part, Mapping)
        and part.get("type") in _TEXT_PARTS
        and not str(part.get("text") or "").strip()
        for part in content
    )


def _check_images(item: Mapping[str, Any], where: str) -> None:
    """An `input_image` must carry an http(s) or data: URL (or a file id), not a local path."""
    content = item.get("content")
    for index, part in enumerate(content if isinstance(content, list) else ()):
        if not isinstance(part, Mapping) or part.get("type") != "input_image":
            continue
        url = part.get("image_url")
        if url is not None and not str(url).startswith(_IMAGE_URL_SCHEMES):
            raise ValueError(
                f"{where}.content[{index}].image_url {str(url)[:80]!r} is not an http(s) or "
                "data: URL; to send a local file, read it and pass it base64-encoded "
                "(data:image/png;base64,...)"
            )


def _check_strict_schema(schema: Any, where: str) -> None:
    """Strict structured output: an object root, and every object closed."""
    if schema.get("type") != "object":
        raise ValueError(
            f"{where}: a strict json_schema needs an object at its root (got type "
            f"{schema.get('type')!r}); wrap the value in an object property"
        )
    _check_closed(schema, where)


def _check_closed(node: Any, where: str) -> None:
    if isinstance(node, list):
        for index, value in enumerate(node):
            _check_closed(value, f"{where}[{index}]")
        return
    if not isinstance(node, Mapping):
        return
    if node.get("type") == "object" and node.get("additionalProperties") is not False:
        raise ValueError(
            f'{where}: a strict json_schema needs "additionalProperties": false on every '
            "object; add it (or send strict: false)"
        )
    for key, value in node.items():
        if isinstance(value, (Mapping, list)):
            _check_closed(value, f"{where}.{key}")


def _field_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif not str(part).startswith(("function-", "constrained-", "literal[")):
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def build_payload(params: Mapping[str, Any]) -> dict[str, Any]:
    """Check request parameters and return the JSON body to send.

    Values are sent as given, minus the `None`s, with two additions: `store: false` with
    `reasoning` adds `reasoning.encrypted_content` to `include` (stateless multi-turn needs it),
    and `top_logprobs` adds `message.output_text.logprobs` (without it the server sends none).

    Raises:
        ConfigurationError: A parameter has the wrong type or is out of range; the message
            names every such field.

    Example:
        >>> build_payload({"model": "gpt-5", "input": "hi", "top_p": None})
        {'model': 'gpt-5', 'input': 'hi'}
        >>> build_payload({"model": "gpt-5", "input": "hi", "temperature": 3})
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: invalid request: temperature: Input should be less than or equal to 2
    """
    check_field_names(params)
    try:
        ResponseCreateParams.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_field_path(tuple(err['loc'])) or 'body'}: {err['msg'].removeprefix('Value error, ')}"
            for err in exc.errors()
        )
        raise ConfigurationError(f"invalid request: {problems}") from None
    # Send what the caller gave (validation must not rewrite values), minus the nulls.
    body = {key: value for key, value in params.items() if value is not None}
    return _with_logprobs(_with_encrypted_reasoning(body))


_ENCRYPTED_REASONING = "reasoning.encrypted_content"
_LOGPROBS = "message.output_text.logprobs"


def _with_logprobs(body: dict[str, Any]) -> dict[str, Any]:
    """With `top_logprobs`, ask for the output text's logprobs (else the option does nothing).

    Example:
        >>> _with_logprobs({"top_logprobs": 2})["include"]
        ['message.output_text.logprobs']
    """
    if body.get("top_logprobs") is None:
        return body
    include = list(body.get("include") or [])
    if _LOGPROBS not in include:
        include.append(_LOGPROBS)
    return {**body, "include": include}


def _with_encrypted_reasoning(body: dict[str, Any]) -> dict[str, Any]:
    """With `store: false` and `reasoning`, ask for the encrypted reasoning (the one addition).

    The server keeps nothing to refer to, so a stateless multi-turn conversation can replay its
    reasoning only as `encrypted_content`; every adapter gets this rule here, in one place.

    Example:
        >>> _with_encrypted_reasoning({"store": False, "reasoning": {"effort": "low"}})["include"]
        ['reasoning.encrypted_content']
    """
    if body.get("store") is not False or not body.get("reasoning"):
        return body
    include = list(body.get("include") or [])
    if _ENCRYPTED_REASONING not in include:
        include.append(_ENCRYPTED_REASONING)
    return {**body, "include": include}


def strict_json_schema(schema: Any) -> Any:
    """Make a JSON schema fit strict structured outputs: every object closed, every key required.

    The Responses API rejects a strict `json_schema` format whose objects allow extra keys or
    leave a property out of `required`; `$defs` and nested objects are closed too.

    Example:
        >>> strict_json_schema({"type": "object", "properties": {"a": {"type": "string"}}})
        {'type': 'object', 'properties': {'a': {'type': 'string'}}, 'additionalProperties': False, 'required': ['a']}
    """
    if isinstance(schema, list):
        return [strict_json_schema(value) for value in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: strict_json_schema(value) for key, value in schema.items()}
    if result.get("type") == "object" and isinstance(result.get("properties"), dict):
        result["additionalProperties"] = False
        result["required"] = list(result["properties"])
    return result
