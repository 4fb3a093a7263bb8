"""The key's balance from the relay's billing endpoints, and the typed quota errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xiaohu import APIError, AsyncXiaohuClient, InsufficientQuotaError, XiaohuClient


def test_quota_reads_grant_and_usage(emulator_url: str) -> None:
    # A key of its own, so other tests' spending does not show here.
    with XiaohuClient(api_key="sk-quota-only-key-000000", base_url=emulator_url) as client:
        before = client.quota()
        client.create_response(model="gpt-5-mini", input="hello")
        after = client.quota()
    assert before.limit_usd == after.limit_usd == 100.0
    assert before.used_usd == 0.0
    assert before.remaining_usd == 100.0
    assert after.used_usd > 0
    assert after.remaining_usd == pytest.approx(after.limit_usd - after.used_usd)
    assert after.unlimited is False
    assert after.access_until is None


async def test_quota_async(emulator_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=emulator_url) as client:
        quota = await client.quota()
    assert quota.limit_usd == 100.0


def test_exhausted_user_quota_is_typed(emulator_url: str, key: str) -> None:
    headers = {"X-Emulator-Fault": "quota"}
    with (
        XiaohuClient(api_key=key, base_url=emulator_url, default_headers=headers) as client,
        pytest.raises(InsufficientQuotaError) as info,
    ):
        client.quota()
    assert info.value.status_code == 403
    assert info.value.code == "insufficient_user_quota"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        pytest.param(
            401,
            {
                "error": {
                    "message": "该令牌额度已用尽 TokenStatusExhausted[sk-abc***xyz]",
                    "type": "new_api_error",
                }
            },
            InsufficientQuotaError,
            id="401-exhausted-token",
        ),
        pytest.param(
            200,
            {
                "error": {
                    "message": "用户额度不足",
                    "type": "new_api_error",
                    "code": "insufficient_user_quota",
                }
            },
            InsufficientQuotaError,
            id="200-error-body-quota",
        ),
        pytest.param(
            200,
            {"error": {"message": "upstream failed", "type": "upstream_error", "code": None}},
            APIError,
            id="200-error-body-other",
        ),
    ],
)
def test_billing_errors_are_typed(
    status: int, body: dict[str, Any], expected: type[Exception]
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = XiaohuClient(
        api_key="sk-x", base_url="http://relay/v1", http_client=http, max_retries=0
    )
    with pytest.raises(expected) as info:
        client.quota()
    assert type(info.value) is expected
    assert body["error"]["message"] in str(info.value)


def test_unlimited_key() -> None:
    answers = {
        "/v1/dashboard/billing/subscription": {
            "hard_limit_usd": 100000000,
            "access_until": 1893456000,
        },
        "/v1/dashboard/billing/usage": {"total_usage": 1234},
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=answers[request.url.path])

    http = httpx.Client(transport=httpx.MockTransport(handler))
    quota = XiaohuClient(api_key="sk-x", base_url="http://relay/v1", http_client=http).quota()
    assert quota.unlimited is True
    assert quota.used_usd == 12.34
    assert quota.access_until == 1893456000
