"""``POST /v1/chat/completions``: the relay's Chat Completions endpoint (JSON and SSE).

The chat body is read into the Responses shape the emulated model already answers (messages
become input items, function tools stay function tools, ``response_format`` becomes
``text.format``), and the model's output goes back as a ``chat.completion`` or as
``chat.completion.chunk`` frames ending in ``data: [DONE]``, with a usage chunk when
``stream_options.include_usage`` asks for it. ``reasoning_content`` carries the reasoning of a
``*-reasoner`` model, or of any call with ``reasoning_effort``, as DeepSeek's channel does.
A ``claude-*`` body first goes through what new-api's Claude adaptor does to it
(:mod:`xiaohu.emulator.claude`).
"""

from __future__ import annotations

import json
import random
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from xiaohu.emulator.calls import apply_fault, authenticate, emulator_of, json_body
from xiaohu.emulator.chat_faults import chat_failure, chat_json, chat_stream
from xiaohu.emulator.claude import claude_request, is_claude
from xiaohu.emulator.errors import openai_error
from xiaohu.emulator.faults import split_model
from xiaohu.emulator.model import run_model
from xiaohu.emulator.request import parse_create
from xiaohu.emulator.response import usage

__all__ = ["create_chat", "responses_body"]


def _content(content: Any) -> Any:
    if not isinstance(content, list):
        return content if isinstance(content, str) else ""
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            parts.append({"type": "input_text", "text": part.get("text", "")})
        elif kind == "image_url":
            image = part.get("image_url") or {}
            parts.append({"type": "input_image", "image_url": image.get("url"), "detail": "auto"})
        elif kind == "file":
            parts.append({"type": "input_file", **(part.get("file") or {})})
        else:
            raise openai_error(400, f"Invalid content part type: {kind!r}.", param="messages")
    return parts


def _input(messages: Any) -> list[dict[str, Any]]:
    if not isinstance(messages, list) or not messages:
        raise openai_error(400, "'messages' must be a non-empty array.", param="messages")
    items: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "tool":
            output = message.get("content")
            text = output if isinstance(output, str) else json.dumps(output)
            call_id = message.get("tool_call_id")
            items.append({"type": "function_call_output", "call_id": call_id, "output": text})
            continue
        if role not in ("system", "developer", "user", "assistant"):
            raise openai_error(400, f"Invalid role: {role!r}.", param="messages")
        content = _content(message.get("content"))
        if role == "assistant":
            if content:
                text = content if isinstance(content, str) else ""
                items.append({"role": "assistant", "content": text})
            for call in message.get("tool_calls") or ():
                function = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id"),
                        "name": function.get("name"),
                        "arguments": function.get("arguments", ""),
                    }
                )
        else:
            items.append({"role": role, "content": content})
    return items


def _tools(tools: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tool in tools or ():
        if not isinstance(tool, dict) or tool.get("type") != "function":
            raise openai_error(400, "Only function tools are supported.", param="tools")
        function = tool.get("function") or {}
        out.append({"type": "function", "strict": None, "parameters": None, **function})
    return out


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, dict) and choice.get("type") == "function":
        return {"type": "function", "name": (choice.get("function") or {}).get("name")}
    return choice


def _reasons(model: str, body: dict[str, Any]) -> bool:
    return "reasoner" in model or "thinking" in model or bool(body.get("reasoning_effort"))


def responses_body(body: dict[str, Any], model: str) -> dict[str, Any]:
    """Read a chat body as the Responses body the emulated model answers.

    Example:
        >>> responses_body({"messages": [{"role": "user", "content": "hi"}]}, "qwen-plus")["input"]
        [{'role': 'user', 'content': 'hi'}]
    """
    out: dict[str, Any] = {"model": model, "input": _input(body.get("messages")), "store": False}
    if body.get("tools"):
        out["tools"] = _tools(body["tools"])
    if body.get("tool_choice") is not None:
        out["tool_choice"] = _tool_choice(body["tool_choice"])
    if body.get("parallel_tool_calls") is not None:
        out["parallel_tool_calls"] = body["parallel_tool_calls"]
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if limit is not None:
        out["max_output_tokens"] = limit
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        out["text"] = {"format": {"type": "json_schema", **(fmt.get("json_schema") or {})}}
    elif fmt.get("type") == "json_object":
        out["text"] = {"format": {"type": "json_object"}}
    if body.get("logprobs"):
        out["include"] = ["message.output_text.logprobs"]
        if body.get("top_logprobs") is not None:
            out["top_logprobs"] = body["top_logprobs"]
    elif body.get("top_logprobs") is not None:
        raise openai_error(
            400,
            "Invalid parameter: 'top_logprobs' is only allowed when 'logprobs' is enabled.",
            param="top_logprobs",
            code="invalid_parameter",
        )
    if _reasons(model, body):
        out["reasoning"] = {"effort": body.get("reasoning_effort") or "medium", "summary": "auto"}
    return out


def _message(output: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    text = "".join(
        part.get("text", "")
        for item in output
        if item.get("type") == "message"
        for part in item.get("content") or ()
    )
    thought = "".join(
        part.get("text", "")
        for item in output
        if item.get("type") == "reasoning"
        for part in item.get("summary") or ()
    )
    calls = [
        {
            "id": item.get("call_id"),
            "type": "function",
            "function": {"name": item.get("name"), "arguments": item.get("arguments", "")},
        }
        for item in output
        if item.get("type") == "function_call"
    ]
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if thought:
        message["reasoning_content"] = thought
    if calls:
        message["tool_calls"] = calls
    finish = "tool_calls" if calls else "stop"
    return message, finish


def _chat_usage(usage_obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "prompt_tokens": usage_obj["input_tokens"],
        "completion_tokens": usage_obj["output_tokens"],
        "total_tokens": usage_obj["total_tokens"],
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": usage_obj["output_tokens_details"]["reasoning_tokens"]
        },
    }


def _pieces(text: str, rng: random.Random) -> list[str]:
    pieces: list[str] = []
    while text:
        size = rng.randint(1, 8)
        pieces.append(text[:size])
        text = text[size:]
    return pieces


def _chunks(
    head: dict[str, Any],
    message: dict[str, Any],
    finish: str,
    usage_obj: dict[str, Any] | None,
    rng: random.Random,
    tokens: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    def chunk(delta: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
        return {**head, "object": "chat.completion.chunk", "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [
        chunk({"reasoning_content": p})
        for p in _pieces(message.get("reasoning_content") or "", rng)
    ]
    if tokens:  # one chunk per token, each with its logprob
        for token in tokens:
            with_token = chunk({"content": token["token"]})
            with_token["choices"][0]["logprobs"] = {"content": [token], "refusal": None}
            chunks.append(with_token)
    else:
        chunks += [chunk({"content": p}) for p in _pieces(message.get("content") or "", rng)]
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = call["function"]
        first = {"index": index, "id": call["id"], "type": "function"}
        chunks.append(
            chunk(
                {"tool_calls": [{**first, "function": {"name": function["name"], "arguments": ""}}]}
            )
        )
        for piece in _pieces(function["arguments"], rng):
            chunks.append(
                chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            )
    chunks.append(chunk({}, finish))
    if usage_obj is not None:
        chunks.append(
            {**head, "object": "chat.completion.chunk", "choices": [], "usage": usage_obj}
        )
    return chunks  # fmt: skip


async def create_chat(request: Request) -> Response:
    """``POST /v1/chat/completions``."""
    emulator = emulator_of(request)
    call = authenticate(request)
    body = await json_body(request, call)
    raw_model = body.get("model") if isinstance(body, dict) else None
    model, suffix = split_model(raw_model) if isinstance(raw_model, str) else (None, None)
    await apply_fault(request, call, model=model, suffix=suffix)
    if not isinstance(body, dict):
        raise openai_error(400, "The body must be a JSON object.")
    if model is not None and is_claude(model):
        body, model = claude_request(body, model)
    req = parse_create(
        responses_body(body, model or ""), lang=call.lang, request_id=call.request_id, model=model
    )
    context = list(req.input_items)
    rng = random.Random(req.seed(context))
    plan = run_model(req, context, force_incomplete=call.has("incomplete"))
    usage_obj = usage(plan, cached_tokens=0)
    emulator.store.charge(call.key, usage_obj["total_tokens"])
    message, finish = _message(plan.output)
    tokens = [
        token
        for item in plan.output
        if item["type"] == "message"
        for part in item["content"]
        for token in part.get("logprobs") or ()
    ]
    if plan.status == "incomplete":
        finish = "length"
    head = {
        "id": f"chatcmpl-{rng.getrandbits(64):016x}",
        "created": int(time.time()),
        "model": req.model,
    }
    chat_usage = _chat_usage(usage_obj)
    if body.get("stream"):
        wants_usage = (body.get("stream_options") or {}).get("include_usage") is True
        chunks = _chunks(head, message, finish, chat_usage if wants_usage else None, rng, tokens)
        return chat_stream(chunks, call, req.model)
    failure = chat_failure(call, req.model)
    if failure is not None:
        return chat_json(failure, call)  # new-api relays the upstream's error with its 200
    logprobs = {"content": tokens, "refusal": None} if body.get("logprobs") else None
    choice = {"index": 0, "message": message, "logprobs": logprobs, "finish_reason": finish}
    return chat_json(
        {**head, "object": "chat.completion", "choices": [choice], "usage": chat_usage}, call
    )
