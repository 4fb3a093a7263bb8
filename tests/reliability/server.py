"""The emulator behind a counting ASGI layer, served by uvicorn on loopback in a child process.

`Counter` sees every HTTP request on its way in and out: how many are in flight (and the
peak), which client sockets (host, port) they came from, and when each one's handler returned,
which for a stream is when the server stopped sending (the client left or the stream ended).
The server runs in its own process so that the client's memory (tracemalloc) and CPU are the
client's alone; tests read the counts from `GET /__counts` and clear them with `POST /__reset`.

    python -m tests.reliability.server   # prints the base URL, serves until killed
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.responses import JSONResponse

from xiaohu.emulator import create_app

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class Counter:
    """ASGI middleware counting requests in flight, their peak, and client connections.

    Example:
        >>> counter = Counter(create_app())
        >>> counter.active, counter.peak
        (0, 0)
    """

    def __init__(self, app: App) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.requests = 0
        self.clients: set[tuple[str, int]] = set()
        self.body_chunks = 0

    def reset(self) -> None:
        """Forget the peak, the requests and the clients seen so far."""
        with self.lock:
            self.peak = self.active
            self.requests = 0
            self.clients = set()
            self.body_chunks = 0

    def counts(self) -> dict[str, int]:
        """The counts as JSON-ready numbers."""
        with self.lock:
            return {
                "active": self.active,
                "peak": self.peak,
                "requests": self.requests,
                "clients": len(self.clients),
                "body_chunks": self.body_chunks,
            }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] in ("/__counts", "/__reset"):
            if scope["path"] == "/__reset":
                self.reset()
            await JSONResponse(self.counts())(scope, receive, send)
            return
        with self.lock:
            self.active += 1
            self.requests += 1
            self.peak = max(self.peak, self.active)
            if scope.get("client"):
                self.clients.add(tuple(scope["client"]))

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.body":
                with self.lock:
                    self.body_chunks += 1
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            with self.lock:
                self.active -= 1


class Counts:
    """The counting emulator as the tests see it: its URL and its counts over HTTP.

    Example:
        >>> with counting_emulator() as counts:  # doctest: +SKIP
        ...     counts.get()["requests"]
        0
    """

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.port = int(base_url.rsplit(":", 1)[1].split("/")[0])
        self._root = base_url.removesuffix("/v1")

    def get(self) -> dict[str, int]:
        """The current counts."""
        return dict(httpx.get(self._root + "/__counts").json())

    def reset(self) -> None:
        """Forget the peak, the requests and the clients seen so far."""
        httpx.post(self._root + "/__reset")

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is in flight on the server; return whether it happened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.get()["active"] == 0:
                return True
            time.sleep(0.01)
        return False

    async def await_idle(self, timeout: float = 5.0) -> bool:
        """`wait_idle` for async tests: the event loop keeps running while it waits."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if (await http.get(self._root + "/__counts")).json()["active"] == 0:
                    return True
                await asyncio.sleep(0.01)
        return False


@contextmanager
def counting_emulator() -> Iterator[Counts]:
    """Run the counting emulator in a child process; yield its `Counts`; stop it on exit.

    Example:
        >>> with counting_emulator() as counts:  # doctest: +SKIP
        ...     counts.base_url
        'http://127.0.0.1:PORT/v1'
    """
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.server"],
        cwd=root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield Counts(process.stdout.readline().strip())
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def main() -> None:
    """Serve the counting emulator on a free loopback port; print its base URL first."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)  # connections queue from the moment the URL is printed
    config = uvicorn.Config(
        Counter(create_app()), log_level="warning", lifespan="off", access_log=False,
        backlog=2048,
    )  # fmt: skip
    print(f"http://127.0.0.1:{sock.getsockname()[1]}/v1", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def established_to(port: int) -> int:
    """Open client-side TCP connections of this process to loopback `port` (Linux `/proc`).

    Example:
        >>> established_to(9)  # doctest: +SKIP
        0
    """
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table, encoding="ascii") as handle:
                rows = handle.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            remote, state = fields[2], fields[3]
            if state == "01" and int(remote.rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


if __name__ == "__main__":
    main()
