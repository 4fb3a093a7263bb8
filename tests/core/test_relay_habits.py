"""What real new-api relays do that a clean server does not, sync and async (issue 15).

A 200 JSON error body on a stream, a failed Response inside `response.completed`, blank `data:`
frames, errors without a code in the relay's own wording, a 200 body that breaks (never sent
again: it may have been billed), and the key in the exception chain of a broken stream.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from tests.core import wire
from tests.core.clock import record_sleeps
from tests.core.test_stream_body import KEY, SSE, chunks, run_stream, sse
from xiaohu import (
    APIError,
    AsyncXiaohuClient,
    IncompleteStreamError,
    InsufficientQuotaError,
    ModelUnavailableError,
    ResponseFailedError,
    XiaohuClient,
)
from xiaohu._exceptions import PossiblyBilledError, classify_relay_error

both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def json_answer(body: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def relay_error(message: str, code: str = "") -> dict[str, Any]:
    return {"error": {"message": message, "type": "new_api_error", "code": code}}


@both
def test_a_200_json_error_on_a_stream_raises_instead_of_an_empty_answer(sync: bool) -> None:
    body = relay_error("upstream said 500", "bad_response_status_code")
    with pytest.raises(APIError) as info:
        run_stream(sync, lambda: json_answer(body))
    assert info.value.code == "bad_response_status_code"
    assert "upstream said 500" in str(info.value)


@both
def test_a_200_json_quota_error_on_a_stream_is_the_http_class(sync: bool) -> None:
    body = relay_error("该令牌额度已用尽 TokenStatusExhausted[sk-abc***xyz]")
    with pytest.raises(InsufficientQuotaError):
        run_stream(sync, lambda: json_answer(body))


@both
def test_a_failed_response_as_json_on_a_stream_raises(sync: bool) -> None:
    body = wire.response("failed", error={"code": "server_error", "message": "it broke"})
    with pytest.raises(ResponseFailedError) as info:
        run_stream(sync, lambda: json_answer(body))
    assert info.value.response_id == wire.RESP_ID


@both
def test_completed_event_with_a_failed_response_is_not_success(sync: bool) -> None:
    events = wire.plain_text(["half"])
    failed = wire.response("failed", error={"code": "server_error", "message": "upstream died"})
    events[-1] = {**events[-1], "response": failed}
    assert events[-1]["type"] == "response.completed"
    with pytest.raises(ResponseFailedError, match="upstream died"):
        run_stream(sync, sse(wire.encode(events)))


@both
def test_blank_data_frames_are_skipped(sync: bool) -> None:
    raw = b"data:\n\ndata: \n\n" + wire.encode(wire.plain_text(["ok"])) + b"data:  \n\n"
    response, pieces = run_stream(sync, sse(raw))
    assert response.output_text == "ok"
    assert pieces == ["ok"]


@pytest.mark.parametrize(
    ("code", "message", "kind"),
    [
        ("", "当前分组 default 下对于模型 gpt-9 无可用渠道 (request id: 1)", "no_channel"),
        ("", "No available channel for model gpt-9 under group vip (distributor)", "no_channel"),
        ("", "用户额度不足, 剩余额度: ＄0.000000", "quota"),
        ("", "[sk-abc***xyz] 该令牌额度已用尽 !token.UnlimitedQuota", "quota"),
        ("model_not_found", "anything", "no_channel"),
        ("pre_consume_token_quota_failed", "anything", "quota"),
        ("", "您已达到请求数限制：1分钟内最多请求3次", None),
    ],
)
def test_relay_errors_are_classified_by_code_then_message(
    code: str, message: str, kind: str | None
) -> None:
    assert classify_relay_error(code or None, message) == kind


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (503, "当前分组 default 下对于模型 gpt-9 无可用渠道", ModelUnavailableError),
        (429, "用户额度不足, 剩余额度: ＄0.000000", InsufficientQuotaError),
        (403, "该令牌额度已用尽", InsufficientQuotaError),
    ],
)
@both
def test_codeless_relay_errors_over_http_are_typed_and_not_retried(
    sync: bool, status: int, message: str, cls: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return json_answer(relay_error(message), status)

    with pytest.raises(cls):
        call_create(sync, handle, max_retries=3)
    assert calls == 1


def call_create(sync: bool, handle: Any, **kw: Any) -> Any:
    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test", **kw}
    if sync:
        http = httpx.Client(transport=httpx.MockTransport(handle))
        with XiaohuClient(http_client=http, **settings) as client:
            return client.create_response(model="m", input="hi")

    async def main() -> Any:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
        async with AsyncXiaohuClient(http_client=http, **settings) as client:
            return await client.create_response(model="m", input="hi")

    return asyncio.run(main())


@both
def test_a_200_post_whose_body_breaks_is_never_sent_again(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    calls = 0
    torn = json.dumps(wire.response("completed")).encode()[:60]

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        body = chunks(torn, error=httpx.ReadError("reset"))
        return httpx.Response(200, headers={"content-type": "application/json"}, stream=body)

    with pytest.raises(PossiblyBilledError, match="may have been billed") as info:
        call_create(sync, handle, max_retries=3)
    assert calls == 1
    assert KEY not in info.value.request.headers["authorization"]  # type: ignore[union-attr]


def chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is s for s in seen):
            continue
        seen.append(current)
        todo.extend(x for x in (current.__cause__, current.__context__) if x is not None)
    return seen


@both
def test_a_broken_stream_carries_no_key_anywhere_in_its_chain(sync: bool) -> None:
    raw = wire.encode(wire.plain_text(["half", "way"])[:6])

    def answer() -> httpx.Response:
        return httpx.Response(200, headers=SSE, stream=chunks(raw, error=httpx.ReadError("reset")))

    with pytest.raises(IncompleteStreamError) as info:
        run_stream(sync, answer)
    links = chain(info.value)
    requests = [link.request for link in links if isinstance(link, httpx.ReadError)]
    assert requests  # httpx attached the sent request (with its headers) to the cause
    for request in requests:
        assert KEY not in request.headers["authorization"]
