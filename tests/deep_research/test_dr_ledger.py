"""Issue 14's last points: the estimate is the price table's, one `Budget` is exact over calls.

The semantics of a shared `Budget` over plain calls, as the README states them: a call is sent
while anything is left of the budget (the estimate before sending refuses only the expensive
models without a budget, it is not a reservation); a running call is stopped when its running
cost passes the budget; a call whose bill passes it is kept (it is already paid) and the next
call is refused before it is sent. The spend is the sum of the bills, exactly.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu.callbacks import get_xiaohu_callback
from llama_index_xiaohu import XiaohuResponses
from llama_index_xiaohu.callbacks import track_xiaohu_usage
from xiaohu import (
    DEFAULT_PRICES,
    AsyncXiaohuClient,
    Budget,
    ConfigurationError,
    CostLimitError,
    PriceTable,
    UsageTally,
    XiaohuClient,
)
from xiaohu._pricing import estimate_tokens, typical_run

STORY = "write a long story about tea"


@pytest.mark.parametrize("ratio", [1.0, 0.5])
def test_the_estimate_before_sending_is_the_price_tables_own_figures(ratio: float) -> None:
    params: dict[str, Any] = {
        "model": "o3-deep-research",
        "input": "history of tea",
        "tools": [{"type": "web_search_preview"}],
        "max_tool_calls": 7,
        "max_output_tokens": 2_000,
    }
    price = DEFAULT_PRICES["o3-deep-research"]
    # Input: the request's text (no instructions, the input, the tool definitions) plus what a
    # deep-research run typically reads.
    text = " ".join(["", "history of tea", repr(params["tools"])])
    input_tokens = estimate_tokens(text) + typical_run("o3-deep-research").input_tokens
    by_hand = ratio * (
        input_tokens * price.input / 1e6 + 2_000 * price.output / 1e6 + 7 * price.web_search
    )
    estimate = PriceTable(group_ratio=ratio).estimate(params)
    assert estimate.total_usd == pytest.approx(by_hand, rel=1e-9)
    assert (estimate.input_tokens, estimate.output_tokens) == (input_tokens, 2_000)
    assert estimate.web_search_calls == 7
    # The refusal shows that same estimate, before anything is sent.
    sent: list[httpx.Request] = []
    with (
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
        XiaohuClient(
            api_key="sk-test",
            base_url="http://127.0.0.1:9/v1",
            http_client=http,
            group_ratio=ratio,
        ) as client,
        pytest.raises(CostLimitError) as info,
    ):
        client.create_response(**params)
    assert f"one call likely costs {estimate}" in str(info.value)
    assert f"~{input_tokens:,} input" in str(info.value)
    assert sent == []


def _story_bill(url: str, key: str) -> float:
    with XiaohuClient(api_key=key, base_url=url) as client:
        return client.cost_of(client.create_response(model="gpt-5", input=STORY)).total_usd


def test_shared_budget_over_three_plain_calls_is_exact_sync(emulator_url: str, key: str) -> None:
    bill = _story_bill(emulator_url, key)
    budget = Budget(max_usd=1.5 * bill)
    sent: list[httpx.Request] = []
    with (
        httpx.Client(event_hooks={"request": [sent.append]}) as http,
        XiaohuClient(api_key=key, base_url=emulator_url, budget=budget, http_client=http) as c,
    ):
        bills = [c.cost_of(c.create_response(model="gpt-5", input=STORY)) for _ in range(2)]
        with pytest.raises(CostLimitError, match="is spent"):
            c.create_response(model="gpt-5", input=STORY)
    assert len(sent) == 2  # the third was refused before sending
    assert budget.spent_usd == round(sum(b.total_usd for b in bills), 10)
    assert budget.calls == 2
    assert budget.input_tokens == sum(b.input_tokens for b in bills)
    assert budget.output_tokens == sum(b.output_tokens for b in bills)


async def test_shared_budget_over_three_plain_calls_is_exact_async(
    emulator_url: str, key: str
) -> None:
    bill = _story_bill(emulator_url, key)
    budget = Budget(max_usd=1.5 * bill)
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    async with (
        httpx.AsyncClient(event_hooks={"request": [record]}) as http,
        AsyncXiaohuClient(
            api_key=key, base_url=emulator_url, budget=budget, http_client=http
        ) as client,
    ):
        bills = [
            client.cost_of(await client.create_response(model="gpt-5", input=STORY))
            for _ in range(2)
        ]
        with pytest.raises(CostLimitError, match="is spent"):
            await client.create_response(model="gpt-5", input=STORY)
    assert len(sent) == 2
    assert budget.spent_usd == round(sum(b.total_usd for b in bills), 10)
    assert budget.calls == 2


def test_a_budget_big_enough_for_all_three_is_the_sum_of_the_three_bills(
    emulator_url: str, key: str
) -> None:
    budget = Budget(max_usd=100.0)
    with XiaohuClient(api_key=key, base_url=emulator_url) as client:
        bills = [
            client.cost_of(client.create_response(model="gpt-5", input=STORY, budget=budget))
            for _ in range(3)
        ]
    assert budget.spent_usd == round(sum(b.total_usd for b in bills), 10)
    assert budget.remaining_usd == pytest.approx(100.0 - budget.spent_usd)
    assert budget.by_model == {"gpt-5": budget.spent_usd}


def test_the_callbacks_keep_their_dollars_in_a_budget(emulator_url: str, key: str) -> None:
    ledger = Budget()
    model = ChatXiaohu(model="gpt-5-mini", api_key=key, base_url=emulator_url)
    with get_xiaohu_callback(budget=ledger) as cb:
        message = model.invoke("hi")
    assert isinstance(message, AIMessage)
    assert cb.budget is ledger
    assert ledger.spent_usd == cb.total_cost_usd > 0
    assert ledger.by_model == {message.response_metadata["model_name"]: cb.total_cost_usd}
    assert ledger.calls == 1

    llm = XiaohuResponses(model="gpt-5-mini", api_key=key, api_base=emulator_url)
    with track_xiaohu_usage(budget=ledger) as usage:
        llm.chat([ChatMessage(role="user", content="hi")])
    llm.close()
    assert usage.budget is ledger
    assert ledger.calls == 2
    assert ledger.spent_usd == pytest.approx(cb.total_cost_usd + usage.total_cost_usd)


def test_a_tally_refuses_a_budget_that_is_not_one() -> None:
    with pytest.raises(ConfigurationError, match=r"xiaohu\.Budget"):
        UsageTally(budget=1.0)  # type: ignore[arg-type]
