"""Every error class from the relay's status and body (protocol reference B.3 and A.5).

Faked at the transport: each case is a real `httpx.Response` the client receives. Retries are
off here (`max_retries=0`); `test_retry.py` covers them.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xiaohu import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncXiaohuClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InsufficientQuotaError,
    InternalServerError,
    ModelUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    XiaohuClient,
)
from xiaohu._exceptions import make_status_error, map_transport_error

KEY = "sk-errors-test-0123456789abcdef"
RID = "20261125120000123456789abcdef"


def new_api(message: str, code: str = "", type: str = "new_api_error") -> dict[str, Any]:
    return {"error": {"message": f"{message} (request id: {RID})", "type": type, "code": code}}


# (status, body or raw bytes, headers, expected class, expected code, words that must be in str)
ROWS = [
    pytest.param(
        401,
        new_api("无效的令牌"),
        {},
        AuthenticationError,
        None,
        "无效的令牌",
        id="401-invalid-token",
    ),
    pytest.param(
        401,
        new_api("该令牌额度已用尽 TokenStatusExhausted[sk-abc***xyz]"),
        {},
        InsufficientQuotaError,  # the token has no quota left: a quota error, never retried
        None,
        "该令牌额度已用尽",
        id="401-token-exhausted",
    ),
    pytest.param(
        403,
        new_api("用户额度不足, 剩余额度: ＄0.000000", "insufficient_user_quota"),
        {},
        InsufficientQuotaError,
        "insufficient_user_quota",
        "用户额度不足, 剩余额度: ＄0.000000",
        id="403-user-quota",
    ),
    pytest.param(
        403,
        new_api(
            "token quota is not enough, token remain quota: ＄0.001000, need quota: ＄0.050000",
            "pre_consume_token_quota_failed",
        ),
        {},
        InsufficientQuotaError,
        "pre_consume_token_quota_failed",
        "token remain quota: ＄0.001000",
        id="403-token-pre-consume",
    ),
    pytest.param(
        429,
        {
            "error": {
                "message": "You exceeded your current quota, please check your plan.",
                "type": "insufficient_quota",
                "code": "insufficient_quota",
                "param": None,
            }
        },
        {},
        InsufficientQuotaError,
        "insufficient_quota",
        "You exceeded your current quota",
        id="429-openai-insufficient-quota",
    ),
    pytest.param(
        403,
        new_api("该令牌无权访问模型 gpt-5-pro"),
        {},
        PermissionDeniedError,
        None,
        "该令牌无权访问模型 gpt-5-pro",
        id="403-model-not-allowed",
    ),
    pytest.param(
        403,
        new_api("您的 IP 不在令牌允许访问的列表中", "access_denied"),
        {},
        PermissionDeniedError,
        "access_denied",
        "您的 IP 不在令牌允许访问的列表中",
        id="403-ip",
    ),
    pytest.param(
        503,
        new_api("分组 default 下模型 gpt-9 无可用渠道（distributor）", "model_not_found"),
        {},
        ModelUnavailableError,
        "model_not_found",
        "分组 default 下模型 gpt-9 无可用渠道（distributor）",
        id="503-no-channel",
    ),
    pytest.param(
        400,
        new_api("未指定模型名称，模型名称不能为空"),
        {},
        BadRequestError,
        None,
        "未指定模型名称，模型名称不能为空",
        id="400-no-model",
    ),
    pytest.param(
        400,
        new_api("模型 x 的价格尚未由管理员配置；Model x has not been priced", "model_price_error"),
        {},
        BadRequestError,
        "model_price_error",
        "价格尚未由管理员配置",
        id="400-price",
    ),
    pytest.param(
        429,
        new_api("您已达到请求数限制：1分钟内最多请求10次"),
        {},
        RateLimitError,
        None,
        "您已达到请求数限制：1分钟内最多请求10次",
        id="429-with-body",
    ),
    pytest.param(429, b"", {}, RateLimitError, None, "empty body", id="429-empty-body"),
    pytest.param(
        502,
        b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        {"content-type": "text/html"},
        InternalServerError,
        None,
        "HTML page",
        id="502-nginx-html",
    ),
    pytest.param(
        500,
        b"upstream connect error",
        {"content-type": "text/plain"},
        InternalServerError,
        None,
        "upstream connect error",
        id="500-plain-text",
    ),
    pytest.param(
        500,
        new_api("数据库出错，请联系管理员"),
        {},
        InternalServerError,
        None,
        "数据库出错，请联系管理员",
        id="500-db",
    ),
    pytest.param(
        404,
        {"error": {"message": "Invalid URL (POST /v1/respnses)", "type": "invalid_request_error"}},
        {},
        NotFoundError,
        None,
        "Invalid URL (POST /v1/respnses)",
        id="404-route",
    ),
    pytest.param(409, new_api("conflict"), {}, ConflictError, None, "conflict", id="409"),
    pytest.param(
        422, new_api("unprocessable"), {}, UnprocessableEntityError, None, "unprocess", id="422"
    ),
    pytest.param(
        413,
        new_api("request body too large", "read_request_body_failed"),
        {},
        APIStatusError,
        "read_request_body_failed",
        "request body too large",
        id="413-other-4xx",
    ),
    pytest.param(
        501,
        new_api("API not implemented", "api_not_implemented"),
        {},
        InternalServerError,
        "api_not_implemented",
        "API not implemented",
        id="501",
    ),
    pytest.param(
        400,
        {"error": "plain string error"},
        {},
        BadRequestError,
        None,
        "plain string error",
        id="error-as-string",
    ),
    pytest.param(
        400, {"message": "top-level message"}, {}, BadRequestError, None, "top-level", id="flat"
    ),
    pytest.param(400, b"\xff\xfe not utf8", {}, BadRequestError, None, "not utf8", id="bad-bytes"),
    pytest.param(400, b"[1, 2]", {}, BadRequestError, None, "[1, 2]", id="json-not-object"),
]


def _handler(status: int, body: Any, headers: dict[str, str]) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes):
            return httpx.Response(status, content=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handle


@pytest.mark.parametrize(("status", "body", "headers", "cls", "code", "words"), ROWS)
def test_error_class_and_message_from_status_and_body(
    status: int, body: Any, headers: dict[str, str], cls: type, code: str | None, words: str
) -> None:
    http = httpx.Client(transport=httpx.MockTransport(_handler(status, body, headers)))
    client = XiaohuClient(
        api_key=KEY, base_url="http://relay.test", max_retries=0, http_client=http
    )
    with pytest.raises(APIStatusError) as info:
        client.create_response(model="gpt-5", input="hi")
    exc = info.value
    assert type(exc) is cls
    assert exc.status_code == status
    assert exc.code == code
    text = str(exc)
    assert f"Error code: {status}" in text
    assert words in text
    if code:
        assert code in text
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        assert exc.message == body["error"]["message"]  # verbatim, Chinese intact
    assert len(text) < 400
    assert KEY not in text
    assert KEY not in repr(exc)


def test_request_id_from_message_suffix() -> None:
    exc = make_status_error(httpx.Response(401, json=new_api("无效的令牌")))
    assert exc.request_id == RID
    assert exc.type == "new_api_error"


def test_request_id_header_wins() -> None:
    response = httpx.Response(
        401, json=new_api("无效的令牌"), headers={"X-Oneapi-Request-Id": "hdr-1"}
    )
    assert make_status_error(response).request_id == "hdr-1"


def test_no_request_id() -> None:
    assert make_status_error(httpx.Response(429)).request_id is None


def test_param_is_kept() -> None:
    body = {"error": {"message": "bad", "type": "invalid_request_error", "param": "temperature"}}
    assert make_status_error(httpx.Response(400, json=body)).param == "temperature"


def test_non_json_body_is_kept_short() -> None:
    page = b"<html>" + b"x" * 10_000 + b"</html>"
    exc = make_status_error(
        httpx.Response(502, content=page, headers={"content-type": "text/html"})
    )
    assert isinstance(exc.body, str)
    assert len(exc.body) <= 200
    assert len(str(exc)) < 200


@pytest.mark.parametrize(
    ("error", "cls"),
    [
        (httpx.ConnectError("refused"), APIConnectionError),
        (httpx.ReadTimeout("slow"), APITimeoutError),
        (httpx.ConnectTimeout("slow connect"), APITimeoutError),
        (httpx.RemoteProtocolError("peer closed"), APIConnectionError),
    ],
)
async def test_transport_errors_are_mapped(error: Exception, cls: type) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise error

    async with AsyncXiaohuClient(
        api_key=KEY,
        base_url="http://relay.test",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(fail)),
    ) as client:
        with pytest.raises(cls) as info:
            await client.list_models()
    assert type(info.value) is cls
    assert info.value.__cause__ is error
    assert type(map_transport_error(error)) is cls


def test_200_with_error_body_raises_with_message() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=new_api("该令牌额度已用尽", "token_exhausted"))

    client = XiaohuClient(
        api_key=KEY,
        base_url="http://relay.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with pytest.raises(APIError, match="该令牌额度已用尽") as info:
        client.create_response(model="gpt-5", input="hi")
    assert info.value.code == "token_exhausted"


def test_200_with_non_json_body() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"<html>login</html>", headers={"content-type": "text/html"}
        )

    client = XiaohuClient(
        api_key=KEY,
        base_url="http://relay.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with pytest.raises(APIResponseValidationError, match="text/html"):
        client.create_response(model="gpt-5", input="hi")
