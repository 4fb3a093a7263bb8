"""Which web-search calls the meter bills: every `web_search_call` item, page actions included.

OpenAI's pricing bills only `search` actions; the new-api relay's stream billing counts every
`web_search_call` item of `response.output_item.done` (page actions too), and that is what the
key's quota pays. The meter follows the relay, the same way in the running meter (stream and
poll) and in the final bill, so a budget never counts fewer calls than the relay charges.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import TEST_API_KEY
from xiaohu import ModelPrice, PriceTable, Response, WebSearchCall, XiaohuClient, cost_of

ACTIONS = [
    {"type": "search", "query": "history of server-sent events"},
    {"type": "open_page", "url": "https://example.org/sse"},
    {"type": "find_in_page", "url": "https://example.org/sse", "pattern": "EventSource"},
    None,  # real traffic: an item without its action
]


def _calls() -> list[WebSearchCall]:
    return [
        WebSearchCall(id=f"ws_{n}", status="completed", action=action)
        for n, action in enumerate(ACTIONS)
    ]


def test_the_bill_counts_every_web_search_call_item_page_actions_included() -> None:
    response = Response(model="o3-deep-research", output=_calls())
    cost = cost_of(response)
    price = PriceTable().price_for("o3-deep-research")
    assert price is not None
    assert cost.web_search_calls == 4  # search, open_page, find_in_page and the bare item
    assert cost.web_search_usd == pytest.approx(4 * price.web_search)


def test_the_group_ratio_applies_to_each_counted_call() -> None:
    table = PriceTable({"dr": ModelPrice(input=0, output=0, web_search=0.01)}, group_ratio=0.5)
    cost = table.cost_of(Response(model="dr", output=_calls()))
    assert cost.web_search_usd == pytest.approx(4 * 0.01 * 0.5)


def test_the_stream_meter_and_the_bill_agree_on_a_run_with_page_actions(
    emulator_url: str,
) -> None:
    request: dict[str, Any] = {
        "model": "o4-mini-deep-research",
        "input": "Research the history of server-sent events",
        "tools": [{"type": "web_search_preview"}],
        "max_cost_usd": 5.0,
    }
    with XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        with client.stream_response(**request) as stream:
            response = stream.get_final_response()
            running = stream.cost
        bill = client.cost_of(response)
    kinds = [(call.action or {}).get("type") for call in response.web_search_calls]
    assert {"search", "open_page", "find_in_page"} <= set(kinds), kinds
    assert bill.web_search_calls == len(response.web_search_calls)
    assert running.web_search_calls == bill.web_search_calls
