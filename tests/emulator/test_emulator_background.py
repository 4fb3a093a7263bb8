"""Background responses: queued -> in_progress -> completed, polling, cancel, resume, delete."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.emulator.wire import parse_sse, stream, validate_events

BODY = {"model": "gpt-4.1", "input": "Tell me about migrating birds", "background": True}
SLOW = {"X-Emulator-Delay": "0.02"}


def _read_events(response: httpx.Response, limit: int | None = None) -> list[dict[str, Any]]:
    events = []
    for line in response.iter_lines():
        if line.startswith("data: "):
            events.append(json.loads(line[len("data: ") :]))
            if limit is not None and len(events) == limit:
                break
    return events


async def test_background_lifecycle_by_polling(aclient: httpx.AsyncClient) -> None:
    created = (await aclient.post("/responses", json=BODY, headers=SLOW)).json()
    assert created["status"] == "queued"
    assert created["background"] is True
    assert created["usage"] is None
    seen = [created["status"]]
    for _ in range(400):
        polled = (await aclient.get(f"/responses/{created['id']}")).json()
        if polled["status"] != seen[-1]:
            seen.append(polled["status"])
        if polled["status"] == "completed":
            break
        await asyncio.sleep(0.02)
    assert seen[0] == "queued"
    assert "in_progress" in seen
    assert seen[-1] == "completed"
    assert polled["usage"]["total_tokens"] > 0
    assert polled["output"][0]["type"] == "message"


def test_cancel_a_running_background_response(client: httpx.Client) -> None:
    created = client.post("/responses", json=BODY, headers={"X-Emulator-Delay": "0.5"}).json()
    cancelled = client.post(f"/responses/{created['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    time.sleep(0.6)
    assert client.get(f"/responses/{created['id']}").json()["status"] == "cancelled"
    assert client.post(f"/responses/{created['id']}/cancel").json()["status"] == "cancelled"


def test_cancel_a_synchronous_response_is_400(client: httpx.Client) -> None:
    created = client.post("/responses", json={"model": "gpt-4.1", "input": "hi"}).json()
    response = client.post(f"/responses/{created['id']}/cancel")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Cannot cancel a synchronous response."


def test_resume_a_background_stream_after_a_sequence_number(client: httpx.Client) -> None:
    with client.stream("POST", "/responses", json={**BODY, "stream": True}, headers=SLOW) as r:
        head = _read_events(r, limit=5)
    rid = head[0]["response"]["id"]
    after = head[-1]["sequence_number"]
    resumed = client.get(f"/responses/{rid}", params={"stream": "true", "starting_after": after})
    assert resumed.headers["content-type"].startswith("text/event-stream")
    tail = [data for _, data in parse_sse(resumed.text)]
    assert tail[0]["sequence_number"] == after + 1
    events = head + tail
    validate_events(events)
    assert events[-1]["type"] == "response.completed"
    replay = client.get(f"/responses/{rid}", params={"stream": "true"})
    assert [data for _, data in parse_sse(replay.text)] == events


def test_a_dropped_background_stream_can_be_resumed(client: httpx.Client) -> None:
    spec = f"drop_stream;id={uuid.uuid4().hex}"
    dropped = client.post(
        "/responses", json={**BODY, "stream": True}, headers={"X-Emulator-Fault": spec}
    )
    head = [data for _, data in parse_sse(dropped.text)]
    assert head[-1]["type"] != "response.completed"
    rid = head[0]["response"]["id"]
    resumed = client.get(
        f"/responses/{rid}",
        params={"stream": "true", "starting_after": head[-1]["sequence_number"]},
    )
    events = head + [data for _, data in parse_sse(resumed.text)]
    validate_events(events)
    assert events[-1]["type"] == "response.completed"


def test_stream_resume_needs_a_background_response(client: httpx.Client) -> None:
    rid = client.post("/responses", json={"model": "gpt-4.1", "input": "hi"}).json()["id"]
    assert client.get(f"/responses/{rid}", params={"stream": "true"}).status_code == 404


def test_background_stream_events_validate(client: httpx.Client) -> None:
    events = stream(client, {**BODY, "input": "Why do geese fly in a V?"})
    validate_events(events)
    statuses = [e["response"]["status"] for e in events if "response" in e]
    assert statuses == ["queued", "queued", "in_progress", "completed"]


def test_delete_then_retrieve(client: httpx.Client) -> None:
    rid = client.post("/responses", json={"model": "gpt-4.1", "input": "hi"}).json()["id"]
    assert client.get(f"/responses/{rid}").json()["id"] == rid
    deleted = client.delete(f"/responses/{rid}")
    assert deleted.json() == {"id": rid, "object": "response", "deleted": True}
    gone = client.get(f"/responses/{rid}")
    assert gone.status_code == 404
    assert gone.json()["error"]["message"] == f"Response with id '{rid}' not found."
    assert client.delete(f"/responses/{rid}").status_code == 404


@pytest.mark.parametrize("path", ["/responses/resp_missing", "/responses/resp_missing/cancel"])
def test_unknown_ids_are_404(client: httpx.Client, path: str) -> None:
    method = "POST" if path.endswith("cancel") else "GET"
    assert client.request(method, path).status_code == 404
