"""The ASGI app: routes, Bearer auth, relay headers, and faults shared by every endpoint.

``create_app`` wires the endpoints; :mod:`xiaohu.emulator.responses_api` holds the
``/v1/responses`` family. Every answer carries ``X-Oneapi-Request-Id``; an unknown route gets the
relay's ``404 Invalid URL (METHOD /path)`` without an auth check, as new-api does.
"""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xiaohu.emulator import catalog, responses_api
from xiaohu.emulator.calls import (
    Call,
    Emulator,
    RelayMode,
    admit,
    apply_fault,
    authenticate,
    emulator_of,
    json_body,
    upstream_json,
)
from xiaohu.emulator.chat_api import create_chat
from xiaohu.emulator.embeddings import create_embeddings
from xiaohu.emulator.errors import (
    EmulatorError,
    invalid_url,
    relay_error,
)
from xiaohu.emulator.faults import (
    split_model,
)
from xiaohu.emulator.ids import relay_request_id

__all__ = [
    "Call",
    "Emulator",
    "RelayMode",
    "admit",
    "apply_fault",
    "authenticate",
    "create_app",
    "emulator_of",
    "json_body",
    "upstream_json",
]


async def _models(request: Request) -> Response:
    await admit(request)
    return JSONResponse(catalog.model_list())


async def _model(request: Request) -> Response:
    await admit(request)
    return JSONResponse(catalog.model_entry(request.path_params["model"]))


async def _embeddings(request: Request) -> Response:
    call = authenticate(request)
    body = await json_body(request, call)
    raw_model = body.get("model") if isinstance(body, dict) else None
    model, suffix = split_model(raw_model) if isinstance(raw_model, str) else ("", None)
    await apply_fault(request, call, model=model, suffix=suffix)
    if not model:
        raise relay_error(
            400, "Model name not specified, model name cannot be empty", call.request_id
        )
    result = create_embeddings(body, model)
    emulator_of(request).store.charge(call.key, result["usage"]["total_tokens"])
    return upstream_json(result)


async def _subscription(request: Request) -> Response:
    await admit(request)
    return JSONResponse(catalog.subscription())


async def _usage(request: Request) -> Response:
    call = await admit(request)
    return JSONResponse(catalog.usage_list(emulator_of(request).store.used(call.key)))


async def _token_usage(request: Request) -> Response:
    try:
        call = await admit(request)
    except EmulatorError as exc:
        if exc.status != 401:
            raise
        key = request.headers.get("authorization", "").partition(" ")[2].strip()
        message = "Invalid token" if key else "Token not provided"
        return JSONResponse({"success": False, "message": message}, status_code=401)
    return JSONResponse(catalog.token_usage(emulator_of(request).store.used(call.key)))


async def _emulator_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, EmulatorError)
    return exc.to_response()


async def _no_route(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code not in (404, 405):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
    return invalid_url(request.method, request.url.path).to_response()


class RelayHeaders:
    """ASGI middleware: give every request a relay request id and every answer its headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = relay_request_id()
        scope.setdefault("state", {})["relay_request_id"] = request_id

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-oneapi-request-id", request_id.encode()))
                headers.append((b"x-new-api-version", b"xiaohu-emulator"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(
    *, api_key: str | None = None, relay_mode: RelayMode = "full", delay: float = 0.0
) -> Starlette:
    """Build the emulator's ASGI app: the relay's endpoints over a deterministic model.

    Args:
        api_key: accept only this Bearer key (an ``sk-`` prefix is ignored on both sides);
            ``None`` accepts any non-empty key, so examples work with a placeholder.
        relay_mode: ``"full"`` serves every endpoint; ``"new-api"`` behaves like the studied relay:
            ``background`` is silently dropped and ``GET``/``DELETE``/``cancel`` on
            ``/v1/responses/{id}`` answer ``404 Invalid URL``.
        delay: seconds to sleep between streamed events (and between background job steps), so
            streaming is visible. A request may override it with an ``X-Emulator-Delay`` header.

    Returns:
        A starlette app; serve it with uvicorn or use :func:`xiaohu.emulator.serve`.

    Example:
        >>> import httpx
        >>> transport = httpx.ASGITransport(app=create_app(api_key="sk-secret"))
        >>> async def models():
        ...     async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as c:
        ...         return await c.get("/v1/models", headers={"Authorization": "Bearer sk-secret"})
        >>> import asyncio
        >>> asyncio.run(models()).json()["data"][0]["id"]
        'gpt-5'
    """
    routes = [
        Route("/v1/responses", responses_api.create, methods=["POST"]),
        Route("/v1/responses/{response_id}", responses_api.retrieve, methods=["GET"]),
        Route("/v1/responses/{response_id}", responses_api.delete, methods=["DELETE"]),
        Route("/v1/responses/{response_id}/cancel", responses_api.cancel, methods=["POST"]),
        Route("/v1/chat/completions", create_chat, methods=["POST"]),
        Route("/v1/models", _models, methods=["GET"]),
        Route("/v1/models/{model:path}", _model, methods=["GET"]),
        Route("/v1/embeddings", _embeddings, methods=["POST"]),
        Route("/v1/dashboard/billing/subscription", _subscription, methods=["GET"]),
        Route("/dashboard/billing/subscription", _subscription, methods=["GET"]),
        Route("/v1/dashboard/billing/usage", _usage, methods=["GET"]),
        Route("/dashboard/billing/usage", _usage, methods=["GET"]),
        Route("/api/usage/token/", _token_usage, methods=["GET"]),
    ]
    handlers: dict[Any, Any] = {EmulatorError: _emulator_error, 404: _no_route, 405: _no_route}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.emulator = Emulator(api_key=api_key or None, relay_mode=relay_mode, delay=delay)
    app.add_middleware(RelayHeaders)
    return app
