"""The read cap after the terminal event relies on httpcore's network stream shape: watch it.

The sync twin caps reads by replacing `read` on the `network_stream` response extension (no
public httpx/httpcore API shortens a body's read timeout once it started). These tests fail if
an httpcore upgrade changes that shape, and show that a stream whose reads cannot be capped is
closed unread at once (fail safe: no hang, no error), while the async twin bounds the drain
with a public anyio cancel scope whatever the stream's shape.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.core import loopback
from tests.core.loopback import Server
from xiaohu import AsyncXiaohuClient, XiaohuClient
from xiaohu._readcap import ReadCap, hookable

KEY = "sk-readcap-0123456789abcdef0123"
BODY: dict[str, Any] = {"model": "gpt-4.1-mini", "input": "Tell me about oolong tea."}


def _linger(seconds: float = 5.0) -> dict[str, str]:
    return {"X-Emulator-Fault": f"linger;seconds={seconds};id={uuid.uuid4().hex}"}


@pytest.fixture
def server() -> Iterator[tuple[str, Server]]:
    with loopback.serve() as served:
        yield served


def test_httpcore_network_streams_still_have_the_shape_the_cap_needs(emulator_url: str) -> None:
    with (
        httpx.Client() as http,
        http.stream(
            "POST",
            emulator_url + "/responses",
            json={**BODY, "stream": True},
            headers={"Authorization": f"Bearer {KEY}"},
        ) as response,
    ):
        stream = response.extensions.get("network_stream")
        assert stream is not None, "httpx no longer exposes the network_stream extension"
        assert hookable(stream), f"{type(stream).__qualname__}.read changed shape"
        cap = ReadCap(response, deadline=None)
        assert cap.drain() is True
        response.read()
        cap.remove()
        assert "read" not in vars(stream)  # the connection got its own read back


def test_the_cap_really_bounds_a_lingering_servers_drain(emulator_url: str) -> None:
    # If httpcore stopped reading through the instance's `read`, this would wait 5 s.
    with XiaohuClient(api_key=KEY, base_url=emulator_url) as client:
        started = time.monotonic()
        with client.stream_response(**BODY, extra_headers=_linger()) as stream:
            assert stream.get_final_response().output_text
        assert time.monotonic() - started < 1.0


class _Opaque:
    """A network stream whose `read` cannot be replaced (slots), as a changed httpcore might."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, timeout)
        return data


def test_a_stream_that_cannot_be_capped_is_closed_unread_not_waited_on(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ReadCap.__init__

    def opaque_init(self: ReadCap, response: httpx.Response, **kwargs: Any) -> None:
        stream = response.extensions.get("network_stream")
        response.extensions = {**response.extensions, "network_stream": _Opaque(stream)}
        original(self, response, **kwargs)

    monkeypatch.setattr(ReadCap, "__init__", opaque_init)
    with XiaohuClient(api_key=KEY, base_url=emulator_url) as client:
        started = time.monotonic()
        with client.stream_response(**BODY, extra_headers=_linger(), deadline=None) as stream:
            assert stream.get_final_response().output_text
            assert stream.http_response.is_closed
        assert time.monotonic() - started < 1.0  # the 5 s linger was not waited for


class _AsyncOpaque:
    """The async twin of `_Opaque`."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = await self._inner.read(max_bytes, timeout)
        return data


def test_an_async_stream_that_cannot_be_capped_is_cut_by_the_cancel_scope(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ReadCap.__init__

    def opaque_init(self: ReadCap, response: httpx.Response, **kwargs: Any) -> None:
        stream = response.extensions.get("network_stream")
        response.extensions = {**response.extensions, "network_stream": _AsyncOpaque(stream)}
        original(self, response, **kwargs)

    monkeypatch.setattr(ReadCap, "__init__", opaque_init)

    async def main() -> float:
        async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
            started = time.monotonic()
            stream = await client.stream_response(**BODY, extra_headers=_linger(), deadline=None)
            async with stream:
                assert (await stream.get_final_response()).output_text
                assert not stream._core.cap.installed
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0  # DRAIN_S, not the 5 s linger nor the outer second


def test_without_a_network_stream_the_end_is_not_waited_on_either() -> None:
    # A transport without the extension (a mock, an ASGI app): the caller closes, not reads on.
    cap = ReadCap(httpx.Response(200, extensions={}), deadline=None)
    assert cap.drain() is False
    assert not cap.installed


def test_the_async_drain_is_bounded_by_a_cancel_scope(emulator_url: str) -> None:
    async def main() -> float:
        async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
            started = time.monotonic()
            stream = await client.stream_response(**BODY, extra_headers=_linger(), deadline=None)
            async with stream:
                assert (await stream.get_final_response()).output_text
            return time.monotonic() - started

    assert asyncio.run(main()) < 1.0


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
def test_a_well_behaved_connection_is_still_reused(sync: bool, server: tuple[str, Server]) -> None:
    url, state = server
    if sync:
        with XiaohuClient(api_key=KEY, base_url=url) as client:
            for _ in range(2):
                with client.stream_response(**BODY, deadline=None) as stream:
                    stream.get_final_response()
    else:

        async def main() -> None:
            async with AsyncXiaohuClient(api_key=KEY, base_url=url) as client:
                for _ in range(2):
                    async with await client.stream_response(**BODY, deadline=None) as stream:
                        await stream.get_final_response()

        asyncio.run(main())
    assert len(state.peers) == 2
    assert len(set(state.peers)) == 1
