"""Retry counts and delays, with the clock and the jitter patched (sync and async).

The transport is an `httpx.MockTransport` that answers from a script and records every
request; the clients' `_sleep` records the waits instead of waiting.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.core import wire
from tests.core.clock import record_sleeps
from xiaohu import (
    APIConnectionError,
    APIStatusError,
    AsyncXiaohuClient,
    ConfigurationError,
    IncompleteStreamError,
    XiaohuClient,
)
from xiaohu._retry import MAX_RETRY_AFTER, parse_retry_after, retry_delay

KEY = "sk-retry-test-0123456789abcdef"
OK_BODY = wire.response("completed", [wire.message_item("ok")])


class Script:
    """Answers requests in order from a list (the last answer repeats); records them."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        status, body, headers = answer
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every wait the client asked for; jitter fixed at its maximum (random() = 1.0)."""
    monkeypatch.setattr(random, "random", lambda: 1.0)
    return record_sleeps(monkeypatch)


def run(sync: bool, script: Script, call: str = "create", **client_kwargs: Any) -> Any:
    """Make one call through the sync or the async client; return its result."""
    kwargs: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test", **client_kwargs}
    if sync:
        client = XiaohuClient(
            http_client=httpx.Client(transport=httpx.MockTransport(script)), **kwargs
        )
        if call == "create":
            return client.create_response(model="gpt-5", input="hi")
        if call == "stream":
            with client.stream_response(model="gpt-5", input="hi") as stream:
                return stream.get_final_response()
        return client.list_models()

    async def main() -> Any:
        transport = httpx.MockTransport(script)
        client = AsyncXiaohuClient(http_client=httpx.AsyncClient(transport=transport), **kwargs)
        if call == "create":
            return await client.create_response(model="gpt-5", input="hi")
        if call == "stream":
            async with await client.stream_response(model="gpt-5", input="hi") as stream:
                return await stream.get_final_response()
        return await client.list_models()

    return asyncio.run(main())


both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])

RETRIED = [
    pytest.param((408, {"error": {"message": "timeout"}}, {}), id="408"),
    pytest.param((409, {"error": {"message": "conflict"}}, {}), id="409"),
    pytest.param((429, b"", {}), id="429-empty"),
    pytest.param((429, {"error": {"message": "您已达到请求数限制", "code": ""}}, {}), id="429"),
    pytest.param((500, {"error": {"message": "数据库出错"}}, {}), id="500"),
    pytest.param((502, b"<html>bad gateway</html>", {"content-type": "text/html"}), id="502"),
    pytest.param((503, {"error": {"message": "overloaded"}}, {}), id="503"),
    pytest.param((504, b"", {}), id="504"),
    pytest.param(httpx.ConnectError("refused"), id="connect-error"),
    pytest.param(httpx.ReadTimeout("slow"), id="read-timeout"),
]


@both
@pytest.mark.parametrize("failure", RETRIED)
@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_retried_max_retries_times_then_raised(
    sync: bool, failure: Any, max_retries: int, sleeps: list[float]
) -> None:
    script = Script(failure)
    with pytest.raises((APIStatusError, APIConnectionError)):
        run(sync, script, max_retries=max_retries)
    assert len(script.requests) == max_retries + 1
    # Backoff 0.5 * 2^n with the jitter at its maximum (x 0.75).
    assert sleeps == [0.375, 0.75, 1.5][:max_retries]


@both
def test_success_after_retries(sync: bool, sleeps: list[float]) -> None:
    script = Script((503, b"", {}), httpx.ConnectError("reset"), (200, OK_BODY, {}))
    assert run(sync, script).output_text == "ok"
    assert len(script.requests) == 3
    assert len(sleeps) == 2


def test_backoff_without_jitter_and_cap(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)
    script = Script((500, b"", {}))
    with pytest.raises(APIStatusError):
        run(True, script, max_retries=6)
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@both
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"retry-after-ms": "250"}, 0.25, id="retry-after-ms"),
        pytest.param({"Retry-After": "3"}, 3.0, id="retry-after-seconds"),
        pytest.param({"retry-after": "1.5", "retry-after-ms": "100"}, 0.1, id="ms-wins"),
        pytest.param({"retry-after": "0"}, 0.375, id="zero-falls-back-to-backoff"),
        pytest.param({"retry-after": "-5"}, 0.375, id="negative-falls-back"),
        pytest.param({"retry-after": "soon"}, 0.375, id="junk-falls-back"),
        pytest.param({"retry-after-ms": "nan"}, 0.375, id="nan-falls-back"),
        pytest.param({"retry-after-ms": "inf"}, 0.375, id="inf-falls-back"),
    ],
)
def test_retry_after_is_honoured(
    sync: bool, headers: dict[str, str], expected: float, sleeps: list[float]
) -> None:
    script = Script((429, b"", headers), (200, OK_BODY, {}))
    run(sync, script)
    assert sleeps == [pytest.approx(expected)]


def test_retry_after_http_date(sleeps: list[float]) -> None:
    when = email.utils.formatdate(time.time() + 10, usegmt=True)
    script = Script((503, b"", {"retry-after": when}), (200, OK_BODY, {}))
    run(True, script)
    assert 8.0 < sleeps[0] <= 10.0


@both
def test_retry_after_beyond_the_cap_is_not_waited_for(sync: bool, sleeps: list[float]) -> None:
    script = Script((429, b"", {"retry-after": str(MAX_RETRY_AFTER + 1)}))
    with pytest.raises(APIStatusError) as info:
        run(sync, script)
    assert info.value.status_code == 429
    assert len(script.requests) == 1
    assert sleeps == []


def _err(message: str, code: str = "", type: str = "new_api_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": type, "code": code}}


NEVER = [
    pytest.param((400, _err("bad"), {}), id="400"),
    pytest.param((401, _err("无效的令牌"), {}), id="401"),
    pytest.param((403, _err("该令牌无权访问模型 x"), {}), id="403"),
    pytest.param((404, _err("not found"), {}), id="404"),
    pytest.param((422, _err("unprocessable"), {}), id="422"),
    pytest.param((403, _err("用户额度不足", "insufficient_user_quota"), {}), id="403-quota"),
    pytest.param((429, _err("quota", "insufficient_quota", "insufficient_quota"), {}), id="429-q"),
    pytest.param((503, _err("无可用渠道", "model_not_found"), {}), id="503-model-not-found"),
    pytest.param(
        (503, _err("无可用渠道", "model_not_found"), {"x-should-retry": "true"}),
        id="model-not-found-even-if-told-to",
    ),
    pytest.param((500, _err("no"), {"x-should-retry": "false"}), id="x-should-retry-false"),
]


@both
@pytest.mark.parametrize("failure", NEVER)
def test_never_retried(sync: bool, failure: Any, sleeps: list[float]) -> None:
    script = Script(failure)
    with pytest.raises(APIStatusError):
        run(sync, script, max_retries=3)
    assert len(script.requests) == 1
    assert sleeps == []


def test_x_should_retry_true_retries_a_400(sleeps: list[float]) -> None:
    script = Script((400, _err("retry me"), {"x-should-retry": "true"}), (200, OK_BODY, {}))
    run(True, script)
    assert len(script.requests) == 2


@both
def test_one_idempotency_key_across_attempts(sync: bool, sleeps: list[float]) -> None:
    script = Script((500, b"", {}), (429, b"", {}), (200, OK_BODY, {}))
    run(sync, script)
    keys = {r.headers["Idempotency-Key"] for r in script.requests}
    assert len(keys) == 1
    assert next(iter(keys)).startswith("xiaohu-")
    assert [r.headers.get("X-Xiaohu-Retry-Count") for r in script.requests] == [None, "1", "2"]
    # A new logical request gets a new key.
    again = Script((200, OK_BODY, {}))
    run(sync, again)
    assert again.requests[0].headers["Idempotency-Key"] not in keys


def test_get_has_no_idempotency_key(sleeps: list[float]) -> None:
    script = Script((503, b"", {}), (200, {"object": "list", "data": []}, {}))
    assert run(True, script, call="models") == []
    assert all("Idempotency-Key" not in r.headers for r in script.requests)
    assert len(script.requests) == 2


def test_per_call_max_retries_overrides_the_client(sleeps: list[float]) -> None:
    script = Script((500, b"", {}))
    client = XiaohuClient(
        api_key=KEY,
        base_url="http://relay.test",
        max_retries=5,
        http_client=httpx.Client(transport=httpx.MockTransport(script)),
    )
    with pytest.raises(APIStatusError):
        client.create_response(model="gpt-5", input="hi", max_retries=1)
    assert len(script.requests) == 2


@pytest.mark.parametrize("bad", [-1, True, 1.5, "2"])
def test_bad_max_retries_is_a_configuration_error(bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        XiaohuClient(api_key=KEY, base_url="http://relay.test", max_retries=bad)


def _sse_then_break(events: list[dict[str, Any]], cut: int) -> Iterator[bytes]:
    raw = wire.encode(events)
    yield raw[:cut]
    raise httpx.ReadError("connection reset by peer")


class _Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body made fresh from `make()` for each read, sync or async."""

    def __init__(self, make: Callable[[], Iterator[bytes]]) -> None:
        self.chunks = make

    def __iter__(self) -> Iterator[bytes]:
        yield from self.chunks()

    async def __aiter__(self) -> Any:
        for chunk in self.chunks():
            yield chunk


@both
def test_stream_is_never_retried_after_its_first_event(sync: bool, sleeps: list[float]) -> None:
    events = wire.plain_text(["Hello", " world"])
    cut = len(wire.encode(events[:5]))
    script = Script(
        (503, b"", {}),  # before the stream starts: retried
        httpx.Response(
            200,
            headers={"content-type": "text/event-stream"},
            stream=_Body(lambda: _sse_then_break(events, cut)),
        ),
    )
    with pytest.raises(IncompleteStreamError) as info:
        run(sync, script, call="stream", max_retries=3)
    assert len(script.requests) == 2
    assert len(sleeps) == 1
    assert info.value.partial_text == "Hello"
    assert "incomplete" in str(info.value)


def test_retry_delay_helpers() -> None:
    assert parse_retry_after({}) is None
    assert parse_retry_after({"RETRY-AFTER-MS": "1500"}) == 1.5
    assert retry_delay(APIConnectionError(), attempt=2, max_retries=2) is None
