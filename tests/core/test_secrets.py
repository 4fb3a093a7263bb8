"""The API key never shows: not in repr, str, exceptions, nor in log records at DEBUG."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.core.clock import record_sleeps
from tests.core.loopback import Server, serve
from xiaohu import (
    APIConnectionError,
    APIStatusError,
    AsyncXiaohuClient,
    AuthenticationError,
    ConfigurationError,
    InternalServerError,
    XiaohuClient,
)

KEY = "sk-SECRET-do-not-leak-0123456789abcdef"


@pytest.fixture(scope="module")
def loopback() -> Iterator[tuple[str, Server]]:
    with serve() as pair:
        yield pair


def _assert_clean(*texts: object) -> None:
    for text in texts:
        assert KEY not in str(text)
        assert KEY[3:] not in str(text)  # not even without its prefix


def test_client_repr_str_and_hint(loopback: tuple[str, Server]) -> None:
    client = XiaohuClient(api_key=KEY, base_url=loopback[0])
    async_client = AsyncXiaohuClient(api_key=KEY, base_url=loopback[0])
    _assert_clean(repr(client), str(client), repr(async_client), client.__dict__.keys())
    assert client.api_key_hint.startswith("sk-")
    assert client.api_key_hint.endswith(KEY[-4:])
    _assert_clean(client.api_key_hint)


def test_nothing_at_debug_across_a_stream_an_error_and_retries(
    loopback: tuple[str, Server], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    caplog.set_level(logging.DEBUG)  # every logger: xiaohu, httpx, httpcore
    url = loopback[0]
    with XiaohuClient(api_key=KEY, base_url=url, max_retries=2) as client:
        with client.stream_response(model="m", input="hi") as stream:
            assert stream.get_final_response().output_text
        with pytest.raises(AuthenticationError) as auth:
            client.create_response(model="m", input="hi", extra_headers={"X-Mode": "status-401"})
        with pytest.raises(InternalServerError) as server_error:
            client.create_response(model="m", input="hi", extra_headers={"X-Mode": "status-503"})
    assert loopback[1].headers[-1]["authorization"] == f"Bearer {KEY}"  # it was sent...
    assert "HTTP Request" in caplog.text or "send_request_headers" in caplog.text
    assert "retry" in caplog.text  # the retries were logged
    _assert_clean(caplog.text)  # ...but never logged
    for exc in (auth.value, server_error.value):
        _assert_clean(str(exc), repr(exc), exc.args, exc.body, exc.message)
        assert exc.request is not None
        _assert_clean(repr(exc.request.headers))  # httpx masks it in repr


def test_async_connection_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    async def main() -> APIConnectionError:
        transport = httpx.MockTransport(refuse)
        async with AsyncXiaohuClient(
            api_key=KEY,
            base_url="http://relay.test",
            max_retries=0,
            http_client=httpx.AsyncClient(transport=transport),
        ) as client:
            with pytest.raises(APIConnectionError) as info:
                await client.create_response(model="m", input="hi")
            return info.value

    exc = asyncio.run(main())
    _assert_clean(str(exc), repr(exc), exc.__cause__, caplog.text)


def test_configuration_errors_do_not_echo_the_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        XiaohuClient(api_key=KEY, base_url="not a url")
    _assert_clean(str(info.value))
    with pytest.raises(ConfigurationError) as info:
        XiaohuClient(api_key=KEY, base_url="http://relay.test", timeout=-1)
    _assert_clean(str(info.value))


@pytest.mark.parametrize(
    "pasted",
    [
        KEY + "\u201d",  # a closing curly quote from a chat app
        "\u201c" + KEY,
        KEY[:10] + "\u3000" + KEY[10:],  # a full-width space
        KEY[:10] + " " + KEY[10:],
        KEY + "\x00",
    ],
)
def test_mangled_key_is_refused_at_construction_without_echoing_it(pasted: str) -> None:
    with pytest.raises(ConfigurationError, match="invalid character at position") as info:
        XiaohuClient(api_key=pasted, base_url="http://relay.test")
    _assert_clean(str(info.value))


def test_key_pasted_as_the_base_url_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_BASE_URL", KEY)
    with pytest.raises(ConfigurationError, match="http") as info:
        XiaohuClient(api_key=KEY)
    _assert_clean(str(info.value))


@pytest.mark.parametrize("userinfo", [f"user:{KEY}", KEY])
@pytest.mark.parametrize("client_class", [XiaohuClient, AsyncXiaohuClient])
def test_a_key_in_the_base_url_is_refused_without_echoing_it(
    userinfo: str, client_class: type[XiaohuClient] | type[AsyncXiaohuClient]
) -> None:
    with pytest.raises(ConfigurationError, match="credentials") as info:
        client_class(api_key=KEY, base_url=f"http://{userinfo}@127.0.0.1:9/v1")
    _assert_clean(str(info.value), repr(info.value))
    assert "127.0.0.1:9" in str(info.value)


@pytest.mark.parametrize("status", [401, 429, 500])
def test_the_request_an_error_carries_has_no_key(status: int) -> None:
    key = "sk-redact-me-0123456789abcdef"

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {key}"  # sent for real
        return httpx.Response(status, json={"error": {"message": "no", "code": "x"}})

    client = XiaohuClient(
        api_key=key,
        base_url="http://relay.test/v1",
        max_retries=1,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(APIStatusError) as caught:
        client.create_response(model="gpt-5", input="hi", max_retries=0)
    exc = caught.value
    assert exc.request is not None
    assert key not in str(exc.request.headers)
    assert key not in str(exc.response.request.headers)


def test_the_request_a_connection_error_carries_has_no_key() -> None:
    key = "sk-redact-me-0123456789abcdef"

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = XiaohuClient(
        api_key=key,
        base_url="http://relay.test/v1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    with pytest.raises(APIConnectionError) as caught:
        client.create_response(model="gpt-5", input="hi")
    assert caught.value.request is not None
    assert key not in str(caught.value.request.headers)
    assert key not in str(caught.value.__cause__.request.headers)  # type: ignore[union-attr]
