"""The Chat Completions wire: Responses-shaped requests out, Responses-shaped answers in.

A model the relay serves only on `POST /v1/chat/completions` (Claude, DeepSeek, Qwen behind
new-api) is called with the same parameters as one on the Responses API. `chat_payload`
translates the request; `chat_response` turns a `chat.completion` into a `Response`, and
`ChatChunkTranslator` turns `chat.completion.chunk`s into the Responses stream events the one
fold (`ResponseState`) already reads, so every consumer gets the same deltas on either wire.
What Chat Completions cannot carry raises `WireUnsupportedError` before anything is sent.
No I/O here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._events import _ADAPTER as _EVENTS
from ._events import ResponseStreamEvent
from ._exceptions import WireUnsupportedError
from ._models import Response

__all__ = [
    "STRUCTURED_TOOL",
    "ChatChunkTranslator",
    "WireChoice",
    "chat_payload",
    "chat_response",
]

_ENCRYPTED = "reasoning.encrypted_content"

STRUCTURED_TOOL = "xiaohu_structured_output"
"""The forced tool that carries structured output to a Claude model (the relay drops
`response_format` there); its arguments come back as the answer's text."""


@dataclass(frozen=True, slots=True)
class WireChoice:
    """Which wire a call goes on, and why (shown in logs and in the answer's `xiaohu_wire`).

    Example:
        >>> WireChoice("chat", "set by api='chat'").as_metadata()
        {'api': 'chat', 'reason': "set by api='chat'"}
    """

    api: str
    reason: str

    def as_metadata(self) -> dict[str, str]:
        """The `xiaohu_wire` entry of an answer.

        Example:
            >>> WireChoice("responses", "default").as_metadata()["api"]
            'responses'
        """
        return {"api": self.api, "reason": self.reason}


# -- the request --------------------------------------------------------------------------------

#: Responses fields Chat Completions has no way to carry (field -> what to say).
_REFUSED_FIELDS = {
    "previous_response_id": "previous_response_id (chat keeps no server-side state)",
    "conversation": "a stored conversation",
    "background": "background runs",
    "prompt": "stored prompt templates",
    "max_tool_calls": "max_tool_calls (there are no built-in tools)",
    "context_management": "context_management (compaction)",
}
#: Fields whose meaning is the same on both wires, sent unchanged.
_SAME = (
    "model",
    "temperature",
    "top_p",
    "parallel_tool_calls",
    "store",
    "metadata",
    "service_tier",
    "user",
    "safety_identifier",
    "prompt_cache_key",
    "seed",
    "stop",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "n",
)
#: Responses fields translated below (or dropped with a reason that holds on chat).
_TRANSLATED = frozenset(
    {
        "input",
        "instructions",
        "tools",
        "tool_choice",
        "max_output_tokens",
        "reasoning",
        "text",
        "include",
        "top_logprobs",
        "truncation",
        "stream",
        "stream_options",
    }
)


def _uses_completion_tokens(model: str) -> bool:
    """OpenAI reasoning models take `max_completion_tokens`; other channels take `max_tokens`."""
    name = model.lower().rsplit("/", 1)[-1]
    return name.startswith(("gpt-5", "o1", "o3", "o4"))


def chat_payload(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
    """Translate checked Responses parameters into a `POST /v1/chat/completions` body.

    Fields neither wire knows pass through untouched (as on the Responses wire).

    Raises:
        WireUnsupportedError: A field, tool or input item Chat Completions cannot carry.

    Example:
        >>> chat_payload(
        ...     {"model": "deepseek-chat", "input": "hi", "instructions": "be brief"},
        ...     stream=False,
        ... )["messages"]
        [{'role': 'system', 'content': 'be brief'}, {'role': 'user', 'content': 'hi'}]
    """
    model = str(params.get("model", ""))
    body = {k: v for k, v in params.items() if v is not None}

    def refuse(feature: str) -> WireUnsupportedError:
        return WireUnsupportedError(model, "chat", feature)

    for name, feature in _REFUSED_FIELDS.items():
        if body.get(name) not in (None, False):
            raise refuse(feature)
    if body.get("truncation") == "auto":
        raise refuse("truncation='auto' (the relay's chat channels fail on overflow instead)")
    out: dict[str, Any] = {k: body[k] for k in _SAME if k in body}
    out.update(
        {
            k: v
            for k, v in body.items()
            if k not in _SAME and k not in _TRANSLATED and k not in _REFUSED_FIELDS
        }
    )
    out["messages"] = _messages(body.get("input", ""), body.get("instructions"), refuse)
    if "tools" in body:
        out["tools"] = [_tool(t, refuse) for t in body["tools"]]
    if "tool_choice" in body:
        out["tool_choice"] = _tool_choice(body["tool_choice"], refuse)
    if "max_output_tokens" in body:
        key = "max_completion_tokens" if _uses_completion_tokens(model) else "max_tokens"
        out[key] = body["max_output_tokens"]
    reasoning = body.get("reasoning") or {}
    if reasoning.get("effort"):
        out["reasoning_effort"] = reasoning["effort"]
    _text(body.get("text") or {}, out)
    for item in body.get("include") or ():
        if item == "message.output_text.logprobs":
            out["logprobs"] = True
        elif item == _ENCRYPTED:
            raise refuse("encrypted reasoning (include=['reasoning.encrypted_content'])")
        else:
            raise refuse(f"include={item!r}")
    if "top_logprobs" in body:
        out["logprobs"] = True
        out["top_logprobs"] = body["top_logprobs"]
    if _is_claude(model):
        _claude(body, out, refuse)
    if stream:
        out["stream"] = True
        out["stream_options"] = {"include_usage": True}
    return out


# -- new-api's Claude adaptor (relay/channel/claude/relay-claude.go, RequestOpenAI2ClaudeMessage)

#: The thinking budget new-api gives each `reasoning_effort` on Claude (tokens).
CLAUDE_THINKING_BUDGET = {"low": 1280, "medium": 2048, "high": 4096}
#: The least `max_tokens` new-api's `-thinking` adapter sends (it raises smaller ones to it).
CLAUDE_THINKING_MIN_TOKENS = 1280
#: The files new-api passes to Claude (by name): PDFs as documents, these as their text.
_CLAUDE_FILES = (".pdf", ".txt", ".md", ".json", ".csv")
_JSON_OBJECT_HINT = "Answer with one JSON object only, and nothing else."
#: Chat fields the adaptor has no Claude field for, so drops.
_CLAUDE_DROPS = (
    "logprobs",
    "top_logprobs",
    "seed",
    "frequency_penalty",
    "presence_penalty",
    "logit_bias",
    "n",
)


def _is_claude(model: str) -> bool:
    return model.lower().rsplit("/", 1)[-1].startswith("claude")


def _claude(body: Mapping[str, Any], out: dict[str, Any], refuse: Any) -> None:
    """What new-api's Claude adaptor does differently from an OpenAI channel, made explicit.

    It maps only `low`/`medium`/`high` effort (to a thinking budget of 1280/2048/4096
    tokens) and drops any other; it forces temperature 1 and drops `top_p` for `-thinking`
    models, while Anthropic refuses other values with thinking on; `max_tokens` must exceed
    the budget; it drops `response_format` (so structured output goes as a forced tool), an
    `allowed_tools` tool choice, a tool call whose arguments are not a JSON object, files
    other than PDF and text, and logprobs, `seed`, penalties, `logit_bias` and `n`. Each is translated here, or refused before anything is sent.
    """
    model = str(out.get("model", ""))
    for name in _CLAUDE_DROPS:
        if out.get(name) not in (None, False) and not (name == "n" and out[name] == 1):
            raise refuse(f"{name} (the relay's Claude adaptor drops it)")
    effort = out.get("reasoning_effort")
    if effort == "none":
        del out["reasoning_effort"]
        effort = None
    if effort is not None and effort not in CLAUDE_THINKING_BUDGET:
        raise refuse(
            f"reasoning effort {effort!r} (the relay maps only 'low', 'medium' and 'high' "
            "to a Claude thinking budget, and drops any other)"
        )
    suffixed = model.lower().split("@", 1)[0].endswith("-thinking")
    thinking = effort is not None or suffixed
    limit = out.get("max_tokens")
    if thinking:
        if out.get("temperature") not in (None, 1, 1.0):
            raise refuse("a temperature other than 1 with thinking on (Claude takes only 1)")
        if out.get("top_p") is not None:
            raise refuse("top_p with thinking on (the relay drops it, or Claude refuses it)")
    if effort is not None and limit is not None and limit <= CLAUDE_THINKING_BUDGET[effort]:
        raise refuse(
            f"max_output_tokens={limit} with reasoning effort {effort!r}: Claude needs it above "
            f"the thinking budget the relay gives that effort ({CLAUDE_THINKING_BUDGET[effort]})"
        )
    if suffixed and limit is not None and limit < CLAUDE_THINKING_MIN_TOKENS:
        raise refuse(
            f"max_output_tokens={limit} on a -thinking model: the relay raises it to "
            f"{CLAUDE_THINKING_MIN_TOKENS} (its least thinking budget)"
        )
    choice = out.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
        raise refuse("an allowed_tools tool_choice (the relay drops it for Claude)")
    for tool in out.get("tools") or ():
        if tool.get("function", {}).get("name") == STRUCTURED_TOOL:
            raise refuse(f"a tool named {STRUCTURED_TOOL!r} (reserved for structured output)")
    for message in out["messages"]:
        _claude_message(message, refuse)
    fmt = out.pop("response_format", None)
    if fmt is None:
        return
    if fmt.get("type") == "json_object":
        out["messages"].append({"role": "system", "content": _JSON_OBJECT_HINT})
        return
    if thinking:
        raise refuse("structured output with thinking on (it is a forced tool call on Claude)")
    if out.get("tools") or out.get("tool_choice") is not None:
        raise refuse("structured output with tools (it is a forced tool call on Claude)")
    schema = fmt.get("json_schema") or {}
    function = {
        "name": STRUCTURED_TOOL,
        "description": schema.get("description") or f"Give the answer as {schema.get('name')}.",
        "parameters": schema.get("schema") or {"type": "object"},
    }
    out["tools"] = [{"type": "function", "function": function}]
    out["tool_choice"] = {"type": "function", "function": {"name": STRUCTURED_TOOL}}


def _claude_message(message: dict[str, Any], refuse: Any) -> None:
    for call in message.get("tool_calls") or ():
        function = call["function"]
        arguments = function.get("arguments") or "{}"
        try:
            parsed = json.loads(arguments)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise refuse(
                f"tool call {function.get('name')!r} with arguments that are not a JSON object "
                "(the relay drops such a call for Claude)"
            )
        function["arguments"] = arguments
    content = message.get("content")
    for part in content if isinstance(content, list) else ():
        if part.get("type") != "file":
            continue
        file = part.get("file") or {}
        name = str(file.get("filename") or "").lower()
        if not file.get("file_data") or not name.endswith(_CLAUDE_FILES):
            raise refuse(
                "a file that is not a PDF, .txt, .md, .json or .csv sent as file_data "
                "(the relay drops any other file for Claude)"
            )


def _text(text: Mapping[str, Any], out: dict[str, Any]) -> None:
    fmt = text.get("format")
    if isinstance(fmt, Mapping):
        kind = fmt.get("type")
        if kind == "json_schema":
            schema = {k: fmt[k] for k in ("name", "schema", "description", "strict") if k in fmt}
            out["response_format"] = {"type": "json_schema", "json_schema": schema}
        elif kind == "json_object":
            out["response_format"] = {"type": "json_object"}
    if text.get("verbosity"):
        out["verbosity"] = text["verbosity"]


def _tool(tool: Mapping[str, Any], refuse: Any) -> dict[str, Any]:
    if tool.get("type") != "function":
        raise refuse(f"the built-in {tool.get('type')!r} tool")
    function = {k: tool[k] for k in ("name", "description", "parameters", "strict") if k in tool}
    if function.get("strict") is None:
        function.pop("strict", None)
    if function.get("parameters") is None:
        function.pop("parameters", None)
    return {"type": "function", "function": function}


def _tool_choice(choice: Any, refuse: Any) -> Any:
    if isinstance(choice, str):
        return choice
    kind = choice.get("type") if isinstance(choice, Mapping) else None
    if kind == "function":
        return {"type": "function", "function": {"name": choice.get("name")}}
    if kind == "allowed_tools":
        tools = [
            {"type": "function", "function": {"name": t.get("name")}}
            for t in choice.get("tools") or ()
            if isinstance(t, Mapping) and t.get("type") == "function"
        ]
        mode = choice.get("mode", "auto")
        return {"type": "allowed_tools", "allowed_tools": {"mode": mode, "tools": tools}}
    raise refuse(f"tool_choice {choice!r}")


def _messages(source: Any, instructions: Any, refuse: Any) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    if isinstance(source, str):
        messages.append({"role": "user", "content": source})
        return messages
    for item in source:
        kind = item.get("type") or "message"
        if kind == "message":
            messages.append(_message(item, refuse))
        elif kind == "function_call":
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments", "")},
            }
            last = messages[-1] if messages else None
            if last is not None and last["role"] == "assistant":
                last.setdefault("tool_calls", []).append(call)
            else:
                messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            output = item.get("output", "")
            if not isinstance(output, str):
                output = _parts(output, refuse)
            messages.append(
                {"role": "tool", "tool_call_id": item.get("call_id"), "content": output}
            )
        elif kind == "reasoning":
            if item.get("encrypted_content"):
                raise refuse("encrypted reasoning (a reasoning item with encrypted_content)")
            # A summary is for display: chat channels take no reasoning back (DeepSeek rejects
            # a `reasoning_content` sent to it), so a replayed summary stays on this side.
        else:
            raise refuse(f"an input item of type {kind!r}")
    return messages


def _message(item: Mapping[str, Any], refuse: Any) -> dict[str, Any]:
    role = item.get("role", "user")
    role = "system" if role == "developer" else role
    content = item.get("content", "")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if role == "assistant":
        text = "".join(
            str(p.get("text", ""))
            for p in content
            if p.get("type") in ("output_text", "input_text")
        )
        refusal = "".join(str(p.get("refusal", "")) for p in content if p.get("type") == "refusal")
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if refusal:
            message["refusal"] = refusal
        return message
    return {"role": role, "content": _parts(content, refuse)}


def _parts(content: Any, refuse: Any) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind in ("input_text", "output_text", "text"):
            parts.append({"type": "text", "text": part.get("text", "")})
        elif kind == "input_image":
            if not part.get("image_url"):
                raise refuse("an input_image by file_id (send its URL or a data: URL)")
            image = {"url": part["image_url"]}
            if part.get("detail") in ("low", "high", "auto"):
                image["detail"] = part["detail"]
            parts.append({"type": "image_url", "image_url": image})
        elif kind == "input_file":
            if part.get("file_url"):
                raise refuse("an input_file by file_url (send file_data)")
            file = {k: part[k] for k in ("file_data", "file_id", "filename") if part.get(k)}
            parts.append({"type": "file", "file": file})
        else:
            raise refuse(f"a content part of type {kind!r}")
    return parts


# -- the answer ---------------------------------------------------------------------------------

_INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def _usage(usage: Any) -> dict[str, Any] | None:
    if not isinstance(usage, Mapping):
        return None
    prompt = usage.get("prompt_tokens") or 0
    completion = usage.get("completion_tokens") or 0
    prompt_details = usage.get("prompt_tokens_details") or {}
    completion_details = usage.get("completion_tokens_details") or {}
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"cached_tokens": prompt_details.get("cached_tokens") or 0},
        "output_tokens": completion,
        "output_tokens_details": {
            "reasoning_tokens": completion_details.get("reasoning_tokens") or 0
        },
        "total_tokens": usage.get("total_tokens") or prompt + completion,
    }


def _status(finish_reason: Any) -> tuple[str, dict[str, str] | None]:
    reason = _INCOMPLETE.get(str(finish_reason))
    return ("incomplete", {"reason": reason}) if reason else ("completed", None)


def _response_dict(
    data: Mapping[str, Any],
    output: list[dict[str, Any]],
    finish_reason: Any,
    usage: Any,
    wire: WireChoice,
) -> dict[str, Any]:
    status, details = _status(finish_reason)
    return {
        "id": data.get("id") or "",
        "object": "response",
        "created_at": data.get("created"),
        "status": status,
        "model": data.get("model") or "",
        "output": output,
        "usage": _usage(usage),
        "incomplete_details": details,
        "service_tier": data.get("service_tier"),
        "xiaohu_wire": wire.as_metadata(),
    }


def chat_response(data: Mapping[str, Any], wire: WireChoice) -> Response:
    """Turn a `chat.completion` body into the `Response` the Responses wire would give.

    Example:
        >>> r = chat_response(
        ...     {
        ...         "id": "chatcmpl-1",
        ...         "model": "deepseek-chat",
        ...         "choices": [{"message": {"content": "4"}, "finish_reason": "stop"}],
        ...         "usage": {"prompt_tokens": 3, "completion_tokens": 1},
        ...     },
        ...     WireChoice("chat", "test"),
        ... )
        >>> r.output_text, r.status, r.usage.total_tokens
        ('4', 'completed', 4)
    """
    choices = data.get("choices") or [{}]
    choice = choices[0] if isinstance(choices[0], Mapping) else {}
    message = choice.get("message") or {}
    output: list[dict[str, Any]] = []
    base = str(data.get("id") or "chat")
    if message.get("reasoning_content"):
        output.append(_reasoning_item(base, message["reasoning_content"]))
    if message.get("content") or message.get("refusal") or not message.get("tool_calls"):
        output.append(
            _message_item(
                base, message.get("content") or "", message.get("refusal"), _logprobs(choice)
            )
        )
    finish = choice.get("finish_reason")
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = call.get("function") or {}
        if function.get("name") == STRUCTURED_TOOL:  # structured output, on Claude
            output[:] = [i for i in output if i["type"] != "message"]
            output.append(_message_item(base, function.get("arguments") or ""))
            finish = "stop" if finish == "tool_calls" else finish
            continue
        output.append(
            _call_item(base, index, call.get("id"), function.get("name"), function.get("arguments"))
        )
    body = _response_dict(data, output, finish, data.get("usage"), wire)
    return Response.model_validate(body)


def _reasoning_item(base: str, text: str) -> dict[str, Any]:
    return {
        "type": "reasoning",
        "id": f"rs_{base}",
        "summary": [{"type": "summary_text", "text": text}],
    }


def _logprobs(choice: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A chat choice's token logprobs in the Responses shape (`output_text.logprobs`).

    Example:
        >>> _logprobs({"logprobs": {"content": [{"token": "Hi", "logprob": -0.1}]}})
        [{'token': 'Hi', 'logprob': -0.1, 'bytes': [], 'top_logprobs': []}]
    """
    found = choice.get("logprobs")
    entries = found.get("content") if isinstance(found, Mapping) else None
    return [
        {
            "token": entry.get("token", ""),
            "logprob": entry.get("logprob", 0.0),
            "bytes": entry.get("bytes") or [],
            "top_logprobs": [
                {
                    "token": top.get("token", ""),
                    "logprob": top.get("logprob", 0.0),
                    "bytes": top.get("bytes") or [],
                }
                for top in entry.get("top_logprobs") or ()
                if isinstance(top, Mapping)
            ],
        }
        for entry in entries or ()
        if isinstance(entry, Mapping)
    ]


def _message_item(
    base: str, text: str, refusal: Any = None, logprobs: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    if text:
        part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": []}
        if logprobs:
            part["logprobs"] = logprobs
        content.append(part)
    if refusal:
        content.append({"type": "refusal", "refusal": refusal})
    return {
        "type": "message",
        "id": f"msg_{base}",
        "role": "assistant",
        "status": "completed",
        "content": content,
    }


def _call_item(base: str, index: int, call_id: Any, name: Any, arguments: Any) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": f"fc_{base}_{index}",
        "call_id": call_id or f"call_{base}_{index}",
        "name": name or "",
        "arguments": arguments or "",
        "status": "completed",
    }


# -- the stream ---------------------------------------------------------------------------------


@dataclass
class _Open:
    """One output item being streamed: its place, kind and what arrived."""

    index: int
    item: dict[str, Any]
    parts: list[str] = field(default_factory=list)
    logprobs: list[dict[str, Any]] = field(default_factory=list)


class ChatChunkTranslator:
    """`chat.completion.chunk` payloads in, Responses stream events out (for the one fold).

    Items open in arrival order: reasoning (`reasoning_content`), the message, each tool call.
    The terminal `response.completed` (or `.incomplete`) goes out once the finish reason and the
    usage (`stream_options.include_usage`) are in, or at `[DONE]`.

    Example:
        >>> t = ChatChunkTranslator(WireChoice("chat", "test"))
        >>> events = t.chunk({"id": "c1", "choices": [{"delta": {"content": "Hi"}}]})
        >>> [e.type for e in events]
        ['response.created', 'response.output_item.added', 'response.output_text.delta']
        >>> [e.type for e in t.done()][-1]
        'response.completed'
    """

    def __init__(self, wire: WireChoice) -> None:
        self.wire = wire
        """The wire choice, recorded on the final Response."""
        self._sequence = 0
        self._head: dict[str, Any] = {}
        self._started = False
        self._reasoning: _Open | None = None
        self._message: _Open | None = None
        self._calls: dict[int, _Open] = {}
        self._next_index = 0
        self._finish: Any = None
        self._usage: Any = None
        self._structured: int | None = None
        self.finished = False
        """Whether the terminal event went out."""

    @property
    def finish_reason(self) -> Any:
        """The choice's `finish_reason` once it came (`None` before: the answer is not whole).

        Example:
            >>> ChatChunkTranslator(WireChoice("chat", "t")).finish_reason is None
            True
        """
        return self._finish

    @property
    def head_id(self) -> Any:
        """The stream's `chatcmpl-...` id, once the first chunk came.

        Example:
            >>> t = ChatChunkTranslator(WireChoice("chat", "t"))
            >>> t.chunk({"id": "chatcmpl-1", "choices": []}) and t.head_id
            'chatcmpl-1'
        """
        return self._head.get("id")

    def _event(self, payload: dict[str, Any]) -> ResponseStreamEvent:
        payload["sequence_number"] = self._sequence
        self._sequence += 1
        return _EVENTS.validate_python(payload)

    def _open(self, item: dict[str, Any]) -> tuple[_Open, ResponseStreamEvent]:
        slot = _Open(self._next_index, item)
        self._next_index += 1
        added = {"type": "response.output_item.added", "output_index": slot.index, "item": item}
        return slot, self._event(added)

    def chunk(self, data: Mapping[str, Any]) -> list[ResponseStreamEvent]:
        """The events one chunk brings.

        Example:
            >>> ChatChunkTranslator(WireChoice("chat", "t")).chunk({"choices": []})[0].type
            'response.created'
        """
        events: list[ResponseStreamEvent] = []
        if not self._started:
            self._started = True
            self._head = {k: data.get(k) for k in ("id", "created", "model")}
            created = {
                "id": data.get("id") or "",
                "status": "in_progress",
                "model": data.get("model") or "",
            }
            events.append(self._event({"type": "response.created", "response": created}))
        if data.get("usage"):
            self._usage = data["usage"]
        for choice in data.get("choices") or ():
            if not isinstance(choice, Mapping) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            events.extend(self._delta(delta, _logprobs(choice)))
            if choice.get("finish_reason"):
                self._finish = choice["finish_reason"]
                if self._finish == "tool_calls" and self._structured is not None:
                    self._finish = "stop"
        if self._finish is not None and self._usage is not None:
            events.extend(self.done())
        return events

    def _delta(
        self, delta: Mapping[str, Any], logprobs: list[dict[str, Any]]
    ) -> list[ResponseStreamEvent]:
        events: list[ResponseStreamEvent] = []
        base = str(self._head.get("id") or "chat")
        thought = delta.get("reasoning_content") or delta.get("reasoning")
        if isinstance(thought, str) and thought:
            if self._reasoning is None:
                item = {"type": "reasoning", "id": f"rs_{base}", "summary": []}
                self._reasoning, added = self._open(item)
                events.append(added)
            self._reasoning.parts.append(thought)
            events.append(
                self._event(
                    {
                        "type": "response.reasoning_summary_text.delta",
                        "item_id": f"rs_{base}",
                        "output_index": self._reasoning.index,
                        "summary_index": 0,
                        "delta": thought,
                    }
                )
            )
        text = delta.get("content")
        if isinstance(text, str) and text:
            if self._message is None:
                item = {**_message_item(base, ""), "status": "in_progress"}
                self._message, added = self._open(item)
                events.append(added)
            self._message.parts.append(text)
            self._message.logprobs.extend(logprobs)
            events.append(
                self._event(
                    {
                        "type": "response.output_text.delta",
                        "item_id": f"msg_{base}",
                        "output_index": self._message.index,
                        "content_index": 0,
                        "delta": text,
                        "logprobs": logprobs,
                    }
                )
            )
        for call in delta.get("tool_calls") or ():
            position = int(call.get("index", len(self._calls)))
            if (
                position == self._structured
                or (call.get("function") or {}).get("name") == STRUCTURED_TOOL
            ):
                self._structured = position  # structured output, on Claude: it is the text
                arguments = (call.get("function") or {}).get("arguments")
                if isinstance(arguments, str) and arguments:
                    events.extend(self._delta({"content": arguments}, []))
                continue
            events.extend(self._call(base, call))
        return events

    def _call(self, base: str, call: Mapping[str, Any]) -> list[ResponseStreamEvent]:
        events: list[ResponseStreamEvent] = []
        position = int(call.get("index", len(self._calls)))
        function = call.get("function") or {}
        slot = self._calls.get(position)
        if slot is None:
            item = _call_item(base, position, call.get("id"), function.get("name"), "")
            item["status"] = "in_progress"
            slot, added = self._open(item)
            self._calls[position] = slot
            events.append(added)
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            slot.parts.append(arguments)
            events.append(
                self._event(
                    {
                        "type": "response.function_call_arguments.delta",
                        "item_id": slot.item["id"],
                        "output_index": slot.index,
                        "delta": arguments,
                    }
                )
            )
        return events

    def done(self) -> list[ResponseStreamEvent]:
        """The closing events: every item's final form, then the terminal event (once).

        Example:
            >>> ChatChunkTranslator(WireChoice("chat", "t")).done()[-1].type
            'response.completed'
        """
        if self.finished:
            return []
        events: list[ResponseStreamEvent] = []
        if not self._started:
            events.extend(self.chunk({}))
        self.finished = True
        output = [self._final(slot) for slot in self._slots()]
        for slot, item in zip(self._slots(), output, strict=True):
            done = {"type": "response.output_item.done", "output_index": slot.index, "item": item}
            events.append(self._event(done))
        body = _response_dict(self._head, output, self._finish, self._usage, self.wire)
        kind = "response.incomplete" if body["status"] == "incomplete" else "response.completed"
        events.append(self._event({"type": kind, "response": body}))
        return events

    def _slots(self) -> list[_Open]:
        slots = [s for s in (self._reasoning, self._message) if s is not None]
        return sorted([*slots, *self._calls.values()], key=lambda s: s.index)

    @staticmethod
    def _final(slot: _Open) -> dict[str, Any]:
        text = "".join(slot.parts)
        item = dict(slot.item)
        if item["type"] == "reasoning":
            item["summary"] = [{"type": "summary_text", "text": text}]
        elif item["type"] == "message":
            part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": []}
            if slot.logprobs:
                part["logprobs"] = slot.logprobs
            item["content"] = [part]
        else:
            item["arguments"] = text
        item.pop("status", None)
        if item["type"] != "reasoning":
            item["status"] = "completed"
        return item


def chat_error(data: Any) -> bool:
    """Whether a stream payload is an error body (`{"error": ...}`), not a chunk.

    Example:
        >>> chat_error({"error": {"message": "x"}}), chat_error({"choices": []})
        (True, False)
    """
    return isinstance(data, Mapping) and data.get("error") is not None


def loads(data: str) -> Any:
    """Parse one SSE payload; `None` if it is not JSON.

    Example:
        >>> loads('{"a": 1}'), loads("nope")
        ({'a': 1}, None)
    """
    try:
        return json.loads(data)
    except ValueError:
        return None
