"""Faults on demand produce the documented statuses, bodies and stream damage."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from openai.types.responses import Response

from tests.emulator.wire import parse_sse, stream, validate_error_event, validate_events

BODY = {"model": "gpt-4.1", "input": "Tell me about lighthouses and their keepers"}
REQUEST_ID = r" \(request id: \d{23}[0-9a-f]{8}[A-Za-z0-9]{8}\)$"


def fault(client: httpx.Client, spec: str, **extra: str) -> httpx.Response:
    return client.post("/responses", json=BODY, headers={"X-Emulator-Fault": spec, **extra})


@pytest.mark.parametrize(
    ("spec", "status", "code", "message"),
    [
        pytest.param("invalid_key", 401, "", "Invalid token", id="invalid_key"),
        pytest.param(
            "quota", 403, "insufficient_user_quota", "用户额度不足, 剩余额度: ＄0.000000", id="quota"
        ),
        pytest.param(
            "token_quota", 403, "pre_consume_token_quota_failed", "token quota is not enough",
            id="token_quota",
        ),
        pytest.param(
            "no_channel", 503, "model_not_found",
            "No available channel for model gpt-4.1 under group default (distributor)",
            id="no_channel",
        ),
        pytest.param("rate_limit", 429, "", "您已达到请求数限制", id="rate_limit"),
    ],
)  # fmt: skip
def test_relay_error_faults(
    client: httpx.Client, spec: str, status: int, code: str, message: str
) -> None:
    response = fault(client, spec)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == "new_api_error"
    assert error["code"] == code
    assert error["message"].startswith(message)
    assert error["message"].endswith(f"(request id: {response.headers['x-oneapi-request-id']})")
    assert "retry-after" not in response.headers


def test_relay_messages_follow_accept_language(client: httpx.Client) -> None:
    zh = {"Accept-Language": "zh-CN,zh;q=0.9"}
    assert fault(client, "invalid_key", **zh).json()["error"]["message"].startswith("无效的令牌 (")
    message = fault(client, "no_channel", **zh).json()["error"]["message"]
    assert message.startswith("分组 default 下模型 gpt-4.1 无可用渠道（distributor）")


def test_rate_limit_with_retry_after(client: httpx.Client) -> None:
    response = fault(client, "rate_limit_retry_after;ms=350")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "1"
    assert response.headers["retry-after-ms"] == "350"
    assert response.json()["error"]["code"] == "rate_limit_exceeded"
    assert fault(client, "rate_limit_retry_after").headers["retry-after-ms"] == "200"


@pytest.mark.parametrize(
    ("spec", "status", "content_type", "text"),
    [
        pytest.param("rate_limit_empty", 429, "text/plain", "", id="rate_limit_empty"),
        pytest.param("bad_gateway", 502, "text/html", "<center>nginx</center>", id="bad_gateway"),
        pytest.param("unavailable", 503, "text/plain", "Service Unavailable", id="unavailable"),
        pytest.param("server_error", 500, "application/json", "server_error", id="server_error"),
    ],
)
def test_raw_and_upstream_error_faults(
    client: httpx.Client, spec: str, status: int, content_type: str, text: str
) -> None:
    response = fault(client, spec)
    assert response.status_code == status
    assert response.headers["content-type"].startswith(content_type)
    assert text in response.text
    if not text:
        assert response.content == b""


def test_times_fails_only_the_first_requests(client: httpx.Client) -> None:
    spec = f"server_error;times=2;id={uuid.uuid4().hex}"
    assert [fault(client, spec).status_code for _ in range(4)] == [500, 500, 200, 200]


def test_model_suffix_selects_a_fault_and_the_real_model(client: httpx.Client) -> None:
    tag = uuid.uuid4().hex
    body = {**BODY, "model": f"gpt-5@rate_limit;times=1;id={tag}"}
    assert client.post("/responses", json=body).status_code == 429
    again = client.post("/responses", json=body)
    assert again.status_code == 200
    assert again.json()["model"] == "gpt-5-2025-08-07"


def test_unknown_fault_lists_the_known_ones(client: httpx.Client) -> None:
    response = fault(client, "meteor_strike")
    assert response.status_code == 400
    assert "drop_stream" in response.json()["error"]["message"]


def test_drop_stream_ends_without_a_terminal_event(client: httpx.Client) -> None:
    full = stream(client, BODY)
    response = client.post(
        "/responses", json={**BODY, "stream": True}, headers={"X-Emulator-Fault": "drop_stream"}
    )
    events = [data for _, data in parse_sse(response.text)]
    assert len(full) // 2 - 1 <= len(events) <= len(full) // 2 + 1
    assert not any(e["type"] in {"response.completed", "response.failed"} for e in events)


def test_malformed_sse_has_a_non_json_data_line(client: httpx.Client) -> None:
    response = client.post(
        "/responses", json={**BODY, "stream": True}, headers={"X-Emulator-Fault": "malformed_sse"}
    )
    with pytest.raises(json.JSONDecodeError):
        parse_sse(response.text)
    blocks = [b for b in response.text.split("\n\n") if b.strip()]
    broken = []
    for block in blocks:
        try:
            json.loads(block.split("data: ", 1)[1])
        except ValueError:
            broken.append(block)
    assert len(broken) == 1
    assert blocks.index(broken[0]) > 2
    assert blocks[-1].startswith("event: response.completed")


def test_slow_first_byte_delays_the_headers(client: httpx.Client) -> None:
    started = time.monotonic()
    response = fault(client, "slow_first_byte;seconds=0.4")
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.4


def test_error_event_stream_then_failed(client: httpx.Client) -> None:
    events = stream(client, BODY, **{"X-Emulator-Fault": "error_event"})
    validate_events(events)
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "error",
        "response.failed",
    ]
    validate_error_event(events[2])
    assert events[2]["error"]["code"] == "rate_limit_exceeded"
    failed = events[3]["response"]
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "rate_limit_exceeded"


def test_error_event_without_stream_is_a_failed_response(client: httpx.Client) -> None:
    response = fault(client, "error_event")
    assert response.status_code == 200
    assert Response.model_validate(response.json()).status == "failed"


def test_incomplete_fault(client: httpx.Client) -> None:
    events = stream(client, BODY, **{"X-Emulator-Fault": "incomplete"})
    validate_events(events)
    final = events[-1]
    assert final["type"] == "response.incomplete"
    assert final["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["response"]["output"][-1]["status"] == "incomplete"


def test_drop_background_runs_in_the_foreground(client: httpx.Client) -> None:
    response = client.post(
        "/responses",
        json={**BODY, "background": True},
        headers={"X-Emulator-Fault": "drop_background"},
    )
    assert response.json()["status"] == "completed"
    assert response.json()["background"] is False


def test_faults_apply_to_other_endpoints_too(client: httpx.Client) -> None:
    response = client.get("/models", headers={"X-Emulator-Fault": "bad_gateway"})
    assert response.status_code == 502
    embed = client.post(
        "/embeddings", json={"model": "text-embedding-3-small@quota", "input": "hello"}
    )
    assert embed.status_code == 403
