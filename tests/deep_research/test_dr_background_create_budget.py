"""A budget on a background create is refused (nothing would watch it); `wait_response` takes one."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from xiaohu import AsyncXiaohuClient, Budget, BudgetExceededError, ConfigurationError, XiaohuClient

REQUEST: dict[str, Any] = {
    "model": "o4-mini-deep-research",
    "input": "history of tea",
    "tools": [{"type": "web_search_preview"}],
    "background": True,
}
SENT: list[httpx.Request] = []


def _record(request: httpx.Request) -> httpx.Response:
    SENT.append(request)
    return httpx.Response(500, json={"error": {"message": "must not be reached"}})


def _create_sync(**options: Any) -> object:
    http = httpx.Client(transport=httpx.MockTransport(_record))
    client = XiaohuClient(api_key="sk-x", base_url="http://relay.test/v1", http_client=http)
    return client.create_response(**REQUEST, **options)


def _create_async(**options: Any) -> object:
    async def run() -> object:
        http = httpx.AsyncClient(transport=httpx.MockTransport(_record))
        client = AsyncXiaohuClient(
            api_key="sk-x", base_url="http://relay.test/v1", http_client=http
        )
        return await client.create_response(**REQUEST, **options)

    return asyncio.run(run())


@pytest.mark.parametrize("create", [_create_sync, _create_async], ids=["sync", "async"])
@pytest.mark.parametrize(
    "options",
    [{"max_cost_usd": 0.05}, {"budget": Budget(max_usd=0.05)}],
    ids=["max_cost_usd", "budget"],
)
def test_a_budget_on_a_background_create_is_refused_before_sending(
    create: Any, options: dict[str, Any]
) -> None:
    SENT.clear()
    with pytest.raises(ConfigurationError, match=r"wait_response.*nothing was sent"):
        create(**options)
    assert SENT == []


def _wait_sync(url: str, key: str, **options: Any) -> tuple[str, str | None]:
    with XiaohuClient(api_key=key, base_url=url) as client:
        queued = client.create_response(**REQUEST, allow_expensive=True)
        with pytest.raises(BudgetExceededError):
            client.wait_response(queued, interval=0.05, **options)
        return queued.id, client.retrieve_response(queued.id).status


def _wait_async(url: str, key: str, **options: Any) -> tuple[str, str | None]:
    async def run() -> tuple[str, str | None]:
        async with AsyncXiaohuClient(api_key=key, base_url=url) as client:
            queued = await client.create_response(**REQUEST, allow_expensive=True)
            with pytest.raises(BudgetExceededError):
                await client.wait_response(queued, interval=0.05, **options)
            return queued.id, (await client.retrieve_response(queued.id)).status

    return asyncio.run(run())


@pytest.mark.parametrize("wait", [_wait_sync, _wait_async], ids=["sync", "async"])
def test_wait_response_takes_a_shared_budget_and_cancels_the_run_past_it(
    paced_url: str, key: str, wait: Any
) -> None:
    budget = Budget(max_usd=0.05)
    _, status = wait(paced_url, key, budget=budget)
    assert status == "cancelled"
    assert budget.spent_usd > 0.05


@pytest.mark.parametrize("option", ["extra_headers", "max_retries", "allow_expensive", "budgett"])
def test_wait_response_refuses_what_it_cannot_use_with_configuration_error(option: str) -> None:
    SENT.clear()
    http = httpx.Client(transport=httpx.MockTransport(_record))
    client = XiaohuClient(api_key="sk-x", base_url="http://relay.test/v1", http_client=http)
    options: dict[str, Any] = {option: 1}
    with pytest.raises(ConfigurationError, match=f"wait_response does not take {option}"):
        client.wait_response("resp_1", **options)
    assert SENT == []
