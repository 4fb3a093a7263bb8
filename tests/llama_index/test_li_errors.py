"""`XiaohuResponses` raises the core's typed errors, and retries in one layer only."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

import xiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from tests.core.clock import record_sleeps
from tests.llama_index import helpers

SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
HI = [ChatMessage(content="Hi")]

FAULTS = [
    pytest.param("invalid_key", xiaohu.AuthenticationError, id="401"),
    pytest.param("quota", xiaohu.InsufficientQuotaError, id="403-quota"),
    pytest.param("no_channel", xiaohu.ModelUnavailableError, id="503-model"),
    pytest.param("rate_limit", xiaohu.RateLimitError, id="429"),
    pytest.param("server_error", xiaohu.InternalServerError, id="500"),
    pytest.param("bad_gateway", xiaohu.InternalServerError, id="502"),
    pytest.param("no_such_fault", xiaohu.BadRequestError, id="400"),
]


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize(("fault", "error"), FAULTS)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_relay_errors_are_typed(
    make_llm: Callable[..., XiaohuResponses],
    sync: bool,
    stream: bool,
    fault: str,
    error: type[Exception],
) -> None:
    llm = make_llm(max_retries=0)
    call = helpers.stream_chat if stream else helpers.chat
    with pytest.raises(error) as info:
        await call(llm, sync, HI, extra_headers={"X-Emulator-Fault": fault})
    assert isinstance(info.value, xiaohu.APIStatusError)
    assert TEST_API_KEY not in str(info.value)


@pytest.mark.parametrize("sync", SYNC)
async def test_unknown_previous_response_is_not_found(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    with pytest.raises(xiaohu.NotFoundError):
        await helpers.chat(make_llm(max_retries=0), sync, HI, previous_response_id="resp_missing")


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        pytest.param("error_event", xiaohu.ResponseFailedError, id="error-event"),
        pytest.param("drop_stream", xiaohu.StreamError, id="dropped"),
    ],
)
async def test_stream_failures_raise_not_truncate(
    make_llm: Callable[..., XiaohuResponses], sync: bool, fault: str, error: type[Exception]
) -> None:
    llm = make_llm(max_retries=0, default_headers={"X-Emulator-Fault": fault})
    with pytest.raises(error):
        await helpers.stream_chat(llm, sync, [ChatMessage(content="Tell me about Hangzhou")])


@pytest.mark.parametrize("sync", SYNC)
async def test_connection_and_timeout_errors(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    dead = XiaohuResponses(api_key=TEST_API_KEY, api_base="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(xiaohu.APIConnectionError):
        await helpers.chat(dead, sync, HI)
    slow = make_llm(max_retries=0, timeout=0.3)
    with pytest.raises(xiaohu.APITimeoutError):
        await helpers.stream_chat(
            slow, sync, HI, extra_headers={"X-Emulator-Fault": "slow_first_byte;ms=3000"}
        )


@pytest.mark.parametrize(
    ("status", "error"),
    [
        pytest.param(403, xiaohu.PermissionDeniedError, id="403"),
        pytest.param(409, xiaohu.ConflictError, id="409"),
        pytest.param(422, xiaohu.UnprocessableEntityError, id="422"),
    ],
)
def test_other_status_errors(status: int, error: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"message": "no", "type": "x"}})

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        llm = XiaohuResponses(
            api_key=TEST_API_KEY,
            api_base="http://relay.invalid/v1",
            http_client=http,
            max_retries=0,
        )
        with pytest.raises(error):
            llm.chat(HI)


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_one_retry_layer(sync: bool, stream: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request.headers.get("X-Xiaohu-Retry-Count", "0"))
        return httpx.Response(500, json={"error": {"message": "boom", "type": "server_error"}})

    record_sleeps(monkeypatch)
    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport) as http:
        async with httpx.AsyncClient(transport=transport) as ahttp:
            llm = XiaohuResponses(
                api_key=TEST_API_KEY,
                api_base="http://relay.invalid/v1",
                http_client=http,
                async_http_client=ahttp,
                max_retries=2,
            )
            call = helpers.stream_chat if stream else helpers.chat
            with pytest.raises(xiaohu.InternalServerError):
                await call(llm, sync, HI)
    assert attempts == ["0", "1", "2"]
