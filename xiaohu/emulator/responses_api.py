"""The ``/v1/responses`` endpoints: create (JSON, SSE, background), retrieve, resume, cancel, delete.

In ``relay_mode="new-api"`` (or with the ``drop_background`` fault) ``background`` is dropped, as
the studied relay drops it, and retrieve/cancel/delete answer the relay's ``404 Invalid URL``.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import random
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from xiaohu.emulator.calls import (
    Call,
    admit,
    apply_fault,
    authenticate,
    check_context_size,
    check_model,
    emulator_of,
    json_body,
    upstream_json,
)
from xiaohu.emulator.errors import invalid_url, not_found, openai_error
from xiaohu.emulator.events import failure_events, response_events
from xiaohu.emulator.faults import split_model
from xiaohu.emulator.habits import (
    gzipped,
    pings,
    relay_stream_error,
    shape_body,
    shape_event,
    sse_frame,
    tail,
)
from xiaohu.emulator.ids import openai_request_id, response_id
from xiaohu.emulator.language import count_tokens
from xiaohu.emulator.model import item_text, run_model
from xiaohu.emulator.request import CreateRequest, parse_create
from xiaohu.emulator.response import build_response, usage
from xiaohu.emulator.store import Stored

__all__ = ["cancel", "create", "delete", "retrieve"]

_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
_BROKEN_FRAME = (
    b'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","seq\n\n'
)


async def _listed(events: list[dict[str, Any]], delay: float) -> AsyncIterator[dict[str, Any]]:
    for number, event in enumerate(events):
        if number and delay > 0:
            await asyncio.sleep(delay)
        yield event


async def _sse(
    events: AsyncIterator[dict[str, Any]], call: Call, total: int
) -> AsyncIterator[bytes]:
    half = max(1, total // 2)
    sent = 0
    async for event in events:
        if call.has("drop_stream") and sent >= half:
            return
        if call.has("keepalive_forever") and sent >= half:
            async for ping in pings(call):
                yield ping
            return
        if call.has("malformed_sse") and sent == half:
            yield _BROKEN_FRAME
        yield sse_frame(shape_event(event, call, sent), call)
        sent += 1
        # Let the loop see a client that went away: without a pause here an undelayed stream
        # never gives uvicorn the chance, and writes on into a closed socket.
        await asyncio.sleep(0)
    async for extra in tail(call):
        yield extra


def _stream(events: AsyncIterator[dict[str, Any]], call: Call, total: int) -> StreamingResponse:
    headers = {**_SSE_HEADERS, "x-request-id": openai_request_id()}
    body = _sse(events, call, total)
    if call.has("gzip"):
        headers["Content-Encoding"] = "gzip"
        body = gzipped(body)
    return StreamingResponse(body, media_type="text/event-stream", headers=headers)


def _answer(content: dict[str, Any], call: Call) -> Response:
    """A JSON answer, reshaped and compressed as the call's habits ask."""
    response = upstream_json(shape_body(content, call))
    if call.has("gzip"):
        response.body = gzip.compress(response.body)
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Content-Length"] = str(len(response.body))
    return response


def _context(request: Request, req: CreateRequest, key: str) -> tuple[list[dict[str, Any]], int]:
    """Return the conversation (earlier turns + this input) and how many tokens were seen before."""
    if not req.previous_response_id:
        return list(req.input_items), 0
    previous = emulator_of(request).store.get(req.previous_response_id, key)
    if previous is None:
        raise openai_error(
            404,
            f"Previous response with id '{req.previous_response_id}' not found.",
            param="previous_response_id",
            code="previous_response_not_found",
        )
    seen = sum(count_tokens(item_text(item)) for item in previous.context)
    return [*previous.context, *req.input_items], seen


def _failure(
    req: CreateRequest, rid: str, *, quota: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    if quota:
        code, kind = "insufficient_quota", "insufficient_quota"
        message = "You exceeded your current quota, please check your plan and billing details."
    else:
        code, kind = "rate_limit_exceeded", "tokens"
        message = (
            f"Request too large for {req.model} in organization org-emulator on tokens per min "
            "(TPM): Limit 1, Requested 30. The input or output tokens must be reduced in order "
            "to run successfully. Visit https://platform.openai.com/account/rate-limits to "
            "learn more."
        )
    failed = build_response(
        req, response_id=rid, status="failed", error={"code": code, "message": message}
    )
    detail = {"type": kind, "code": code, "message": message, "param": None}
    return failed, detail


async def create(request: Request) -> Response:
    """``POST /v1/responses``."""
    emulator = emulator_of(request)
    call = authenticate(request)
    body = await json_body(request, call)
    raw_model = body.get("model") if isinstance(body, dict) else None
    model, suffix = split_model(raw_model) if isinstance(raw_model, str) else (None, None)
    await apply_fault(request, call, model=model, suffix=suffix)
    check_model(call, model, endpoint="responses")
    req = parse_create(body, lang=call.lang, request_id=call.request_id, model=model)
    if emulator.relay_mode == "new-api" or call.has("drop_background"):
        req.background = False
    if call.has("json_error_stream"):
        return _answer(relay_stream_error(call.request_id), call)
    context, seen = _context(request, req, call.key)
    check_context_size(context, req, call)
    rid = response_id()
    rng = random.Random(req.seed(context))
    queued = req.background
    if call.has("error_event") or call.has("quota_event"):
        final, detail = _failure(req, rid, quota=call.has("quota_event"))
        events = failure_events(final, detail, queued=queued)
        output: list[dict[str, Any]] = []
    else:
        plan = run_model(req, context, force_incomplete=call.has("incomplete"))
        prompt_key = hashlib.sha256(
            json.dumps([req.model, req.instructions, context], default=str).encode()
        ).hexdigest()
        cached = max(seen, emulator.store.cached_tokens(prompt_key, plan.input_tokens))
        usage_obj = usage(plan, cached_tokens=cached)
        emulator.store.charge(call.key, usage_obj["total_tokens"])
        output = plan.output
        final = build_response(
            req,
            response_id=rid,
            status=plan.status,
            output=output,
            usage_obj=usage_obj,
            incomplete_reason=plan.incomplete_reason,
        )
        if call.has("completed_failed"):
            error = {"code": "server_error", "message": "The upstream channel failed mid-answer."}
            final = {**final, "status": "failed", "error": error, "incomplete_details": None}
            events = response_events(
                {**final, "status": "completed"}, queued=queued, obfuscate=req.obfuscate, rng=rng
            )
            events[-1] = {**events[-1], "response": final}
        else:
            events = response_events(
                final,
                queued=queued,
                obfuscate=req.obfuscate,
                rng=rng,
                partial_images=plan.partial_images,
            )
    stored = Stored(response=final, context=[*context, *output], events=events, owner=call.key)
    if req.background:
        stored.background, stored.events, stored.done = True, [], False
        stored.append(events[0])
        emulator.store.put(stored)
        stored.task = asyncio.create_task(stored.play(events[1:], call.delay))
        if req.stream:
            return _stream(stored.follow(), call, len(events))
        return _answer(stored.response, call)
    if req.store:
        emulator.store.put(stored)
    if req.stream:
        return _stream(_listed(events, call.delay), call, len(events))
    return _answer(final, call)


def _stored(request: Request, call: Call) -> Stored:
    rid = request.path_params["response_id"]
    stored = emulator_of(request).store.get(rid, call.key)
    if stored is None:
        raise not_found(rid)
    return stored


def _relay_lacks_route(request: Request) -> None:
    if emulator_of(request).relay_mode == "new-api":
        raise invalid_url(request.method, request.url.path)


async def retrieve(request: Request) -> Response:
    """``GET /v1/responses/{id}``, and ``?stream=true&starting_after=N`` to resume a stream."""
    _relay_lacks_route(request)
    call = await admit(request)
    stored = _stored(request, call)
    if request.query_params.get("stream", "").lower() != "true":
        return _answer(stored.response, call)
    if not stored.background:
        raise not_found(stored.response["id"])
    try:
        after = int(request.query_params.get("starting_after", "-1"))
    except ValueError as exc:
        raise openai_error(
            400, "Invalid type for 'starting_after': expected an integer.", param="starting_after"
        ) from exc
    if call.has("replay_from_start"):
        after = -1  # as a relay that drops the query string does
    total = len(stored.events) if stored.done else 0
    return _stream(stored.follow(after), call, total)


async def cancel(request: Request) -> Response:
    """``POST /v1/responses/{id}/cancel``: only background responses can be cancelled."""
    _relay_lacks_route(request)
    call = await admit(request)
    stored = _stored(request, call)
    if not stored.background:
        raise openai_error(400, "Cannot cancel a synchronous response.")
    stored.cancel()
    return upstream_json(stored.response)


async def delete(request: Request) -> Response:
    """``DELETE /v1/responses/{id}``."""
    _relay_lacks_route(request)
    call = await admit(request)
    rid = request.path_params["response_id"]
    if not emulator_of(request).store.delete(rid, call.key):
        raise not_found(rid)
    return upstream_json({"id": rid, "object": "response", "deleted": True})
