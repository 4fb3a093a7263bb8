"""The emulator as a server under abuse: every case answers within a second, relay-shaped.

A huge prompt, a deeply nested body, a stalled upload, an endless delay, another key's stored
responses: each is bounded (size, depth, time) and answered with the relay's error shapes.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from tests.emulator.wire import AUTH
from xiaohu.emulator import calls

FAST = 1.0


def timed(call: object) -> tuple[httpx.Response, float]:
    start = time.monotonic()
    response = call()  # type: ignore[operator]
    return response, time.monotonic() - start


def relay_shaped(response: httpx.Response) -> dict[str, object]:
    error = response.json()["error"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert "type" in error
    assert "code" in error
    return error  # type: ignore[no-any-return]


def test_a_20_mb_prompt_is_refused_at_once(client: httpx.Client) -> None:
    body = {"model": "gpt-4.1", "input": "word" * (5 * 1024 * 1024)}
    response, took = timed(lambda: client.post("/responses", json=body))
    assert response.status_code == 413
    assert relay_shaped(response)["code"] == "read_request_body_failed"
    assert took < FAST


def test_a_long_prompt_under_the_size_limit_is_a_context_error_in_bounded_time(
    client: httpx.Client,
) -> None:
    body = {"model": "gpt-4.1", "input": "word " * (1024 * 1024)}  # 5 MB of text
    response, took = timed(lambda: client.post("/responses", json=body))
    assert response.status_code == 400
    assert relay_shaped(response)["code"] == "context_length_exceeded"
    assert took < FAST


@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_json_is_a_400_not_a_recursion_error(client: httpx.Client, depth: int) -> None:
    raw = '{"model":"gpt-4.1","input":' + "[" * depth + "]" * depth + "}"
    response, took = timed(
        lambda: client.post("/responses", content=raw, headers={"Content-Type": "application/json"})
    )
    assert response.status_code == 400
    assert "deeper than" in str(relay_shaped(response)["message"])
    assert took < FAST


def test_a_stalled_upload_times_out(emulator_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calls, "BODY_TIMEOUT_S", 1.0)  # the session's emulator, in this process
    parts = urlsplit(emulator_url)
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=5) as sock:
        start = time.monotonic()
        sock.sendall(
            b"POST /v1/responses HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk-x\r\n"
            b'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model"'
        )
        answer = sock.recv(65536)
        took = time.monotonic() - start
        while b"read_request_body_failed" not in answer and (more := sock.recv(65536)):
            answer += more  # the body may come in a second segment
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"read_request_body_failed" in answer
    assert took < FAST + 0.5


@pytest.mark.parametrize("delay", ["inf", "nan", "1e9", "11"])
def test_an_endless_delay_is_refused(client: httpx.Client, delay: str) -> None:
    body = {"model": "gpt-4.1", "input": "hi", "stream": True}
    response, took = timed(
        lambda: client.post("/responses", json=body, headers={"X-Emulator-Delay": delay})
    )
    assert response.status_code == 400
    assert "X-Emulator-Delay" in str(relay_shaped(response)["message"])
    assert took < FAST


def test_one_keys_responses_are_invisible_to_another(
    client: httpx.Client, emulator_url: str
) -> None:
    created = client.post(
        "/responses", json={"model": "gpt-4.1", "input": "My name is Ada.", "store": True}
    ).json()
    rid = created["id"]
    other = {"Authorization": "Bearer sk-someone-else"}
    with httpx.Client(base_url=emulator_url, headers=other, timeout=5) as stranger:
        for call in (
            lambda: stranger.get(f"/responses/{rid}"),
            lambda: stranger.get(f"/responses/{rid}", params={"stream": "true"}),
            lambda: stranger.post(f"/responses/{rid}/cancel"),
            lambda: stranger.delete(f"/responses/{rid}"),
            lambda: stranger.post(
                "/responses",
                json={"model": "gpt-4.1", "input": "name?", "previous_response_id": rid},
            ),
        ):
            response, took = timed(call)
            assert response.status_code == 404
            assert rid in str(relay_shaped(response)["message"])
            assert took < FAST
    assert AUTH["Authorization"] != other["Authorization"]
    assert client.get(f"/responses/{rid}").json()["id"] == rid  # the owner still sees it


@pytest.mark.parametrize("sent", [b"", b"POST /v1/responses HTTP/1.1\r\nHost: x\r\n"])
def test_an_idle_or_dripping_connection_is_closed(emulator_url: str, sent: bytes) -> None:
    parts = urlsplit(emulator_url)
    with socket.create_connection((parts.hostname, parts.port or 80), timeout=5) as sock:
        start = time.monotonic()
        sock.sendall(sent)
        closed = sock.recv(65536)
        took = time.monotonic() - start
    assert closed == b""  # the server hung up: no slot held for a client that sends nothing
    assert took < FAST + 0.5
