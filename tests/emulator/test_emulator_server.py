"""Serving: the thread server's lifecycle, real streaming delivery, and the CLI entry point."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from tests.emulator.wire import AUTH
from xiaohu.emulator import EmulatorServer, create_app, serve


def test_server_start_stop_and_context_manager() -> None:
    server = EmulatorServer()
    url = server.start()
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url)
        assert url == server.base_url
        with pytest.raises(RuntimeError):
            server.start()
        assert httpx.get(f"{url}/models", headers=AUTH).status_code == 200
    finally:
        server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/models", headers=AUTH)
    with EmulatorServer(port=server.port) as again:
        assert again.base_url == url


def test_serve_yields_a_working_base_url() -> None:
    with serve(delay=0.0) as url:
        response = httpx.post(
            f"{url}/responses", headers=AUTH, json={"model": "gpt-4.1", "input": "What is 3 + 4?"}
        )
    assert response.json()["output"][0]["content"][0]["text"] == "3 + 4 = 7."


async def test_create_app_serves_in_process_through_asgi_transport() -> None:
    transport = httpx.ASGITransport(app=create_app(api_key="sk-asgi"))
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
        ok = await client.get("/v1/models", headers={"Authorization": "Bearer sk-asgi"})
        denied = await client.get("/v1/models", headers=AUTH)
    assert ok.status_code == 200
    assert denied.status_code == 401


async def test_events_arrive_one_by_one_with_a_delay(emulator_url: str) -> None:
    arrivals = []
    async with (
        httpx.AsyncClient(base_url=emulator_url, headers=AUTH) as client,
        client.stream(
            "POST",
            "/responses",
            json={"model": "gpt-4.1", "input": "Describe a sunrise", "stream": True},
            headers={"X-Emulator-Delay": "0.02"},
        ) as response,
    ):
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic())
    assert len(arrivals) > 10
    assert arrivals[-1] - arrivals[0] >= 0.02 * (len(arrivals) - 1) * 0.8


def test_cli_prints_the_url_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "xiaohu.emulator", "--port", "0", "--api-key", "sk-cli"],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"xiaohu emulator serving (http://127\.0\.0\.1:\d+/v1)", line)
        assert match, line
        url = match.group(1)
        ok = httpx.get(f"{url}/models", headers={"Authorization": "Bearer sk-cli"})
        assert ok.status_code == 200
        assert httpx.get(f"{url}/models", headers=AUTH).status_code == 401
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_a_client_that_leaves_a_stream_early_stops_the_writes(
    emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """An undelayed stream notices the closed connection instead of writing on into it.

    Before the emulator paused between frames, breaking out of a deep-research stream made
    asyncio log "socket.send() raised exception." about a thousand times.
    """
    from xiaohu import XiaohuClient

    request: dict[str, Any] = {
        "model": "o3-deep-research",
        "input": "Research how server-sent events are used by LLM APIs.",
        "tools": [{"type": "web_search_preview"}],
    }
    with caplog.at_level(logging.WARNING, logger="asyncio"):
        with (
            XiaohuClient(api_key="sk-test", base_url=emulator_url) as client,
            client.stream_response(**request, allow_expensive=True) as stream,
        ):
            for number, _event in enumerate(stream):
                if number == 30:
                    break
        time.sleep(0.5)  # the server's writes after the close would be logged by now
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []
