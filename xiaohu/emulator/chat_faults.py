"""The faults and habits on ``POST /v1/chat/completions``, in the Chat Completions wire's shape.

:mod:`xiaohu.emulator.chat_api` builds the chunks of an answer; this module bends them as a
call's faults ask, the way a new-api relay passes a chat stream on:

* a failure mid-answer (``error_event``, ``quota_event``, ``completed_failed``) is an
  ``{"error": {...}}`` chunk after what was sent so far, then ``data: [DONE]`` (new-api forwards
  the upstream's error chunk and always ends a chat stream with ``[DONE]``); without ``stream``
  it is the upstream's error as an HTTP 200 JSON body, as new-api relays it;
* ``drop_stream`` cuts the upstream after about half the chunks: no ``finish_reason``, but the
  relay still sends its usage chunk and ``[DONE]``, so only the missing finish reason tells;
* ``no_done`` ends the body without ``data: [DONE]``; ``no_usage`` sends no usage chunk though
  ``stream_options.include_usage`` asked for one (channels that ignore it);
* ``malformed_sse``, ``keepalive_forever``, ``blank_data``, ``linger``, ``gzip`` and
  ``json_error_stream`` do what they do on ``/v1/responses``; ``real_traffic`` sends
  ``"usage": null`` on every chunk, a ``system_fingerprint`` and usage without token details.

``done_after`` is how every chat stream ends already; ``no_sequence``, ``no_event_lines``,
``replay_from_start`` and ``drop_background`` have nothing to change on this wire.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.responses import Response, StreamingResponse

from xiaohu.emulator.calls import Call, upstream_json
from xiaohu.emulator.habits import gzipped, pings, relay_stream_error, tail
from xiaohu.emulator.ids import openai_request_id

__all__ = ["chat_failure", "chat_json", "chat_stream", "shape_chunks"]

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_BROKEN_FRAME = b'data: {"id":"chatcmpl-broken","object":"chat.completion.chu\n\n'
_UPSTREAM_FAILED = "The upstream channel failed mid-answer."
_QUOTA = "You exceeded your current quota, please check your plan and billing details."


def _rate_limited(model: str) -> str:
    return (
        f"Request too large for {model} in organization org-emulator on tokens per min (TPM): "
        "Limit 1, Requested 30. The input or output tokens must be reduced in order to run "
        "successfully."
    )


def chat_failure(call: Call, model: str) -> dict[str, Any] | None:
    """The error body of a call failing mid-answer, else ``None``.

    ``error_event``, ``quota_event`` and ``completed_failed`` fail it.

    Example:
        >>> from xiaohu.emulator.faults import parse_fault
        >>> call = Call(key="k", lang="en", request_id="1", faults=(parse_fault("quota_event"),))
        >>> chat_failure(call, "deepseek-chat")["error"]["code"]
        'insufficient_quota'
    """
    if call.has("quota_event"):
        error = {"type": "insufficient_quota", "code": "insufficient_quota", "message": _QUOTA}
    elif call.has("error_event"):
        error = {"type": "tokens", "code": "rate_limit_exceeded", "message": _rate_limited(model)}
    elif call.has("completed_failed"):
        error = {"type": "server_error", "code": "server_error", "message": _UPSTREAM_FAILED}
    else:
        return None
    return {"error": {**error, "param": None}}


def _real_usage(usage: dict[str, Any]) -> dict[str, Any]:
    keep = ("prompt_tokens", "completion_tokens", "total_tokens")
    return {k: usage[k] for k in keep if k in usage}


def chat_json(content: dict[str, Any], call: Call) -> Response:
    """A whole JSON answer (a ``chat.completion`` or an error body) as the call's habits ask.

    Example:
        >>> chat_json({"error": {}}, Call(key="k", lang="en", request_id="1")).status_code
        200
    """
    if call.has("json_error_stream"):
        content = relay_stream_error(call.request_id)
    elif call.has("real_traffic") and isinstance(content.get("usage"), dict):
        content = {**content, "usage": _real_usage(content["usage"]), "system_fingerprint": None}
    response = upstream_json(content)
    if call.has("gzip"):
        response.body = gzip.compress(response.body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.body))
    return response


def shape_chunks(chunks: list[dict[str, Any]], call: Call, model: str) -> list[dict[str, Any]]:
    """The chunks to send: cut, failed, without usage, or in real traffic's shape.

    ``chunks`` end with the finish chunk and, when asked for, the usage chunk (``choices: []``).

    Example:
        >>> from xiaohu.emulator.faults import parse_fault
        >>> call = Call(key="k", lang="en", request_id="1", faults=(parse_fault("no_usage"),))
        >>> usage = {"choices": [], "usage": {"total_tokens": 3}}
        >>> shape_chunks([{"choices": [{"delta": {}}]}, usage], call, "m")
        [{'choices': [{'delta': {}}]}]
    """
    usage = [c for c in chunks if "usage" in c and not c.get("choices")]
    body = [c for c in chunks if c not in usage]
    if call.has("no_usage"):
        usage = []
    head = {k: body[0][k] for k in ("id", "object", "created", "model") if k in body[0]}
    failure = chat_failure(call, model)
    if failure is not None:
        # What came before the failure: about half the answer, or all but its finish chunk.
        sent = body[: max(1, len(body) // 2)] if not call.has("completed_failed") else body[:-1]
        return [*sent, {**head, **failure}]
    if call.has("drop_stream"):
        body = body[: max(1, len(body) // 2)]
    if call.has("real_traffic"):
        body = [{**c, "system_fingerprint": None, "usage": None} for c in body]
        usage = [{**c, "usage": _real_usage(c["usage"])} for c in usage]
    return [*body, *usage]


async def _frames(chunks: list[dict[str, Any]], call: Call) -> AsyncIterator[bytes]:
    half = max(1, len(chunks) // 2)
    for number, chunk in enumerate(chunks):
        if number and call.delay > 0:
            await asyncio.sleep(call.delay)
        if call.has("keepalive_forever") and number >= half:
            async for ping in pings(call):
                yield ping
            return
        if call.has("malformed_sse") and number == half:
            yield _BROKEN_FRAME
        data = json.dumps(chunk, ensure_ascii=False, separators=(",", ":"))
        yield f"data: {data}\n\n".encode()
        if call.has("blank_data"):
            yield b"data:\n\ndata: \n\n"
        # Let the loop see a client that went away (see responses_api._sse).
        await asyncio.sleep(0)
    if not call.has("no_done"):
        yield b"data: [DONE]\n\n"
    async for extra in tail(call):
        if extra.strip() != b"data: [DONE]":  # a chat stream has its [DONE] already
            yield extra


def chat_stream(chunks: list[dict[str, Any]], call: Call, model: str) -> Response:
    """The SSE answer of a chat stream, bent as the call's faults and habits ask.

    Example:
        >>> call = Call(key="k", lang="en", request_id="1")
        >>> chat_stream([{"choices": []}], call, "m").media_type
        'text/event-stream'
    """
    if call.has("json_error_stream"):
        return chat_json({}, call)
    headers = {**_SSE_HEADERS, "x-request-id": openai_request_id()}
    body = _frames(shape_chunks(chunks, call, model), call)
    if call.has("gzip"):
        headers["Content-Encoding"] = "gzip"
        body = gzipped(body)
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)
