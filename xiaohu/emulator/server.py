"""Serving the app: a uvicorn server in a background thread, and the foreground CLI loop.

The thread server follows httpx's own test suite (``serve_in_thread``): uvicorn runs in a thread on
a socket bound before start-up, so ``port=0`` yields a free port that is known at once.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from xiaohu.emulator.app import RelayMode, create_app

__all__ = ["EmulatorServer", "main", "run_forever", "serve"]


#: Seconds a new connection may take to send its first request line and headers.
HEADER_TIMEOUT_S = 1.0


class BoundedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection that sends no request in time.

    uvicorn times out idle keep-alive connections only after a first response, so a client
    that connects and sends nothing (or drips its headers) would hold a slot for ever.
    """

    def connection_made(self, transport: Any) -> None:
        """Start serving; close the connection if no request has begun by the header timeout."""
        super().connection_made(transport)
        self.loop.call_later(HEADER_TIMEOUT_S, self._no_request_yet)

    def _no_request_yet(self) -> None:
        transport: asyncio.Transport | None = getattr(self, "transport", None)
        if self.cycle is None and transport is not None and not transport.is_closing():
            transport.close()


class _ThreadServer(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # signals belong to the main thread
        pass


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for TCP-proto
    # sockets, and without it every keep-alive response waits ~40 ms on delayed ACKs.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:  # the port in use, a host not of this machine: no socket leaks
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


class EmulatorServer:
    """The emulator served by uvicorn on a background thread.

    Args:
        host: interface to listen on.
        port: TCP port; ``0`` picks a free one.
        api_key: accept only this key (``None``: any non-empty key).
        relay_mode: ``"full"`` or ``"new-api"``.
        delay: seconds between streamed events.

    Example:
        >>> import httpx
        >>> with EmulatorServer() as server:
        ...     models = httpx.get(
        ...         server.base_url + "/models", headers={"Authorization": "Bearer sk-test"}
        ...     )
        >>> models.status_code
        200
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        relay_mode: RelayMode = "full",
        delay: float = 0.0,
    ) -> None:
        self.host = host
        self._requested_port = port
        app = create_app(api_key=api_key, relay_mode=relay_mode, delay=delay)
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", access_log=False, http=BoundedH11
        )
        self._server = _ThreadServer(config)
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = port

    @property
    def base_url(self) -> str:
        """The ``http://HOST:PORT/v1`` URL clients use as their base URL."""
        return _url(self.host, self.port)

    def start(self, timeout: float = 10.0) -> str:
        """Start serving and wait until the server accepts connections; return the base URL.

        Raises:
            RuntimeError: when the server is already running or does not start in time.
        """
        if self._thread is not None:
            raise RuntimeError("the emulator server is already running")
        self._socket = _bind(self.host, self._requested_port)
        self.port = self._socket.getsockname()[1]
        self._server.should_exit = False
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True,
            name=f"xiaohu-emulator-{self.port}",
        )  # fmt: skip
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.005)
        return self.base_url

    def stop(self) -> None:
        """Ask the server to exit, wait for its thread, and release the socket."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._server.started = False

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def serve(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    relay_mode: RelayMode = "full",
    delay: float = 0.0,
) -> Iterator[str]:
    """Serve the emulator on a background thread; yield its base URL; stop on exit.

    Example:
        >>> import httpx
        >>> with serve() as base_url:
        ...     r = httpx.post(
        ...         base_url + "/responses",
        ...         headers={"Authorization": "Bearer sk-test"},
        ...         json={"model": "gpt-4.1", "input": "What is 2 + 2?"},
        ...     )
        >>> r.json()["output"][0]["content"][0]["text"]
        '2 + 2 = 4.'
    """
    server = EmulatorServer(
        host=host, port=port, api_key=api_key, relay_mode=relay_mode, delay=delay
    )
    server.start()
    try:
        yield server.base_url
    finally:
        server.stop()


def run_forever(
    host: str = "127.0.0.1",
    port: int = 0,
    api_key: str | None = None,
    relay_mode: RelayMode = "full",
    delay: float = 0.0,
) -> None:
    """Serve in the foreground until Ctrl-C, printing the URL once listening.

    Prints ``xiaohu emulator serving http://127.0.0.1:PORT/v1`` (with the real port when ``port``
    is 0) and returns after Ctrl-C. This is what ``xiaohu emulator`` runs.

    Example:
        >>> run_forever(port=8765)  # doctest: +SKIP
        xiaohu emulator serving http://127.0.0.1:8765/v1
    """
    server = EmulatorServer(
        host=host, port=port, api_key=api_key, relay_mode=relay_mode, delay=delay
    )
    server.start()
    print(f"xiaohu emulator serving {server.base_url}", flush=True)
    try:
        while server._thread is not None and server._thread.is_alive():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``xiaohu emulator`` with command-line arguments; return the exit status.

    Options: ``--port PORT`` (0 picks a free port), ``--host``, ``--api-key KEY``,
    ``--relay-mode {full,new-api}``, ``--delay SECONDS``.

    Example:
        >>> main(["--port", "0", "--delay", "0.05"])  # doctest: +SKIP
        xiaohu emulator serving http://127.0.0.1:54321/v1
        0
    """
    parser = argparse.ArgumentParser(
        prog="xiaohu emulator", description="Serve a local stand-in for the relay until Ctrl-C."
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port; 0 picks a free one")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--api-key", default=None, help="accept only this key (default: any)")
    parser.add_argument("--relay-mode", choices=["full", "new-api"], default="full")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between stream events")
    args = parser.parse_args(argv)
    run_forever(args.host, args.port, args.api_key, args.relay_mode, args.delay)
    return 0
