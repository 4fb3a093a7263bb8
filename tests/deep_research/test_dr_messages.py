"""What the cost guard's messages say: one number format, no hint that points at nothing.

A stop names "the budget" (its spend, and this run's when they differ), says when other calls
spent from the same `Budget` (it is no reservation), and mentions `.partial_text` only when it
holds something; a bad `Budget(max_usd=...)` does not claim "nothing was sent" (no call was
made); a connection error names the method and the URL, without credentials or query.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from tests.conftest import TEST_API_KEY
from xiaohu import (
    APIConnectionError,
    AsyncXiaohuClient,
    Budget,
    BudgetExceededError,
    ConfigurationError,
    CostLimitError,
    XiaohuClient,
)
from xiaohu._exceptions import map_transport_error

DR: dict[str, Any] = {"model": "o3-deep-research", "tools": [{"type": "web_search_preview"}]}
_USD = r"\$(?:\d+\.\d{4}|\d\.\d+e-\d+)"


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_a_bad_budget_says_what_without_claiming_a_call(bad: float) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Budget(max_usd=bad)
    assert str(caught.value).startswith("max_usd must be a finite number of US dollars > 0")
    assert "nothing was sent" not in str(caught.value)


def test_a_bad_per_call_budget_still_says_nothing_was_sent() -> None:
    client = XiaohuClient(api_key=TEST_API_KEY, base_url="http://127.0.0.1:9/v1")
    with client, pytest.raises(ConfigurationError, match="nothing was sent"):
        client.create_response(model="gpt-5", input="hi", max_cost_usd=0)


def test_a_budget_stop_of_one_call_names_the_budget_in_one_format(emulator_url: str) -> None:
    budget = Budget(max_usd=1e-5)
    client = XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url, budget=budget)
    with client, pytest.raises(BudgetExceededError) as caught:
        client.create_response(model="gpt-5-mini", input="Tell me about tea.", stream=True)
    message = str(caught.value)
    assert re.search(rf"the budget's spend, {_USD}, passed the budget of \$1e-05", message)
    assert "shared" not in message
    assert "other call" not in message
    assert "about $" not in message  # the Cost's own format is not mixed in


def test_partial_text_is_named_only_when_it_holds_text(emulator_url: str) -> None:
    with XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        stream = client.stream_response(**DR, input="history of tea", max_cost_usd=0.2)
        with pytest.raises(BudgetExceededError) as caught, stream:
            for _ in stream:
                pass
    err = caught.value
    assert err.partial_text == ""  # stopped among the searches, before any answer text
    assert ".partial_text" not in str(err)
    assert "its cost so far" in str(err)


def test_concurrent_runs_on_one_budget_say_it_was_shared(emulator_url: str) -> None:
    budget = Budget(max_usd=0.5)

    async def one(client: AsyncXiaohuClient, n: int) -> BaseException | None:
        try:
            await client.create_response(**DR, input=f"history of tea, part {n}")
        except (BudgetExceededError, CostLimitError) as exc:
            return exc
        return None

    async def main() -> list[BaseException | None]:
        async with AsyncXiaohuClient(
            api_key=TEST_API_KEY, base_url=emulator_url, budget=budget
        ) as client:
            return await asyncio.gather(*(one(client, n) for n in range(3)))

    errors = [e for e in asyncio.run(main()) if isinstance(e, BudgetExceededError)]
    assert errors
    assert any(
        re.search(
            r"\d+ other calls? spent from the same Budget \(it is a limit on the total, "
            r"not a reservation per call\)",
            str(e),
        )
        for e in errors
    ), [str(e) for e in errors]


def test_budget_callers_are_counted_once_each() -> None:
    budget, me, other = Budget(1.0), object(), object()
    budget.charge("gpt-5", 0.1, caller=me)
    budget.charge("gpt-5", 0.1, caller=me)
    assert budget.callers_besides(me) == 0
    budget.charge("gpt-5", 0.1, caller=other)
    assert budget.callers_besides(me) == 1


def test_a_connection_error_names_the_url_without_credentials_or_query() -> None:
    request = httpx.Request("POST", "http://user:secret@127.0.0.1:9/v1/responses?api-key=sk-q")
    error = map_transport_error(httpx.ConnectError("[Errno 111] Connection refused"), request)
    assert isinstance(error, APIConnectionError)
    assert str(error) == (
        "Connection error: [Errno 111] Connection refused (POST http://127.0.0.1:9/v1/responses)"
    )


def test_a_refused_connection_from_the_client_names_the_url() -> None:
    c = XiaohuClient(api_key=TEST_API_KEY, base_url="http://127.0.0.1:9/v1", max_retries=0)
    with c, pytest.raises(APIConnectionError) as caught:
        c.create_response(model="gpt-5", input="hi")
    assert "(POST http://127.0.0.1:9/v1/responses)" in str(caught.value)
    assert TEST_API_KEY not in str(caught.value)
