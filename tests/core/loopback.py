"""A tiny relay on a real loopback socket, for streaming tests that need precise control.

`X-Mode` picks the answer: `text` (a whole plain-text stream), `long` (deltas until the client
leaves), `cut` (deltas then a clean end without a terminal event), `drop` (deltas then the
connection is torn down), `json` (a plain Response to a stream request), `status-N` (error N).
A new-api relay's bad days: `json-error` (HTTP 200, JSON error body, to a stream request),
`json-failed` (HTTP 200, a failed Response), `completed-failed` (`response.completed` carrying a
failed Response), `blank-data` (blank `data:` frames between the events).
`stall` accepts the request and sends nothing, not even the status line, for `X-Stall` seconds
(default 3), on every route (`POST /responses`, `GET /responses/{id}`, `POST /chat/completions`, `POST /embeddings`).
`Server.active` counts streams whose generator is still running: it drops back to 0 only once
the server has seen the client leave.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.core import wire

_SERVER_ERROR = {"code": "server_error", "message": "The model failed to generate a response."}


class Server:
    """State shared between the app (server thread) and the tests."""

    def __init__(self) -> None:
        self.active = 0
        self.started = 0
        self.headers: list[dict[str, str]] = []
        self.peers: list[int] = []
        self.lock = threading.Lock()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no stream generator is running on the server."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.active == 0:
                return True
            time.sleep(0.01)
        return False


def _app(state: Server) -> Starlette:
    async def responses(request: Request) -> Response:
        state.headers.append(dict(request.headers))
        state.peers.append(request.client.port if request.client else -1)
        mode = request.headers.get("x-mode", "text")
        if mode == "stall":  # accepted, then silence: no status line, no headers
            await asyncio.sleep(float(request.headers.get("x-stall", "3")))
            return JSONResponse({"error": {"message": "stalled", "type": "new_api_error"}}, 504)
        if mode.startswith("status-"):
            status = int(mode.split("-")[1])
            body = {"error": {"message": "无效的令牌 (request id: lb-1)", "type": "new_api_error"}}
            return JSONResponse(body, status_code=status)
        if mode == "json":
            return JSONResponse(wire.response("completed", [wire.message_item("whole")]))
        if mode == "json-error":
            error = {
                "message": "upstream error: do request failed (request id: lb-2)",
                "type": "new_api_error",
                "code": "bad_response_status_code",
            }
            return JSONResponse({"error": error})
        if mode == "json-failed":
            return JSONResponse(wire.response("failed", [], error=_SERVER_ERROR))
        return StreamingResponse(_events(state, mode), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/responses", responses, methods=["POST"]),
            Route("/v1/responses/{response_id}", responses, methods=["GET"]),
            Route("/v1/chat/completions", responses, methods=["POST"]),
            Route("/v1/embeddings", responses, methods=["POST"]),
        ]
    )


async def _events(state: Server, mode: str) -> AsyncIterator[bytes]:
    with state.lock:
        state.active += 1
        state.started += 1
    try:
        if mode == "text":
            yield wire.encode(wire.plain_text(["你", "好", ", world"]))
            return
        if mode == "blank-data":
            for event in wire.plain_text(["你", "好", ", world"]):
                yield wire.encode([event]) + b"data:\n\ndata: \n\n"
            return
        if mode == "completed-failed":
            events = wire.plain_text(["half"])
            failed = wire.response("failed", [], error=_SERVER_ERROR)
            events[-1] = {**events[-1], "response": failed}
            yield wire.encode(events)
            return
        events = wire.plain_text(["x"] * 3)
        head, delta = events[:4], events[4]
        yield wire.encode(head)
        n = 0
        while mode == "long" or n < 3:
            yield wire.encode([{**delta, "delta": f"{n} ", "sequence_number": 4 + n}])
            n += 1
            await asyncio.sleep(0.005)
        if mode == "drop":
            raise ConnectionResetError("the test server drops the connection")
    finally:
        with state.lock:
            state.active -= 1


@contextmanager
def serve() -> Iterator[tuple[str, Server]]:
    """Run the app on 127.0.0.1 (a free port) in a thread; yield its base URL and state."""
    state = Server()
    config = uvicorn.Config(
        _app(state), host="127.0.0.1", port=0, log_level="critical", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("loopback server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/v1", state
    finally:
        server.should_exit = True
        thread.join(timeout=10)
