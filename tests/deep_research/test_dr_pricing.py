"""Prices, bills and estimates: pure functions, exact numbers from the price table."""

from __future__ import annotations

from typing import Any

import pytest

from xiaohu import (
    ConfigurationError,
    Cost,
    ModelPrice,
    PriceTable,
    Response,
    Usage,
    WebSearchCall,
    cost_of,
    estimate_cost,
)

MILLION = 1_000_000


def _usage(inp: int, out: int, cached: int = 0, reasoning: int = 0) -> Usage:
    return Usage.model_validate(
        {
            "input_tokens": inp,
            "input_tokens_details": {"cached_tokens": cached},
            "output_tokens": out,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": inp + out,
        }
    )


def test_bill_splits_cached_input_and_reasoning() -> None:
    usage = _usage(MILLION, MILLION, cached=MILLION // 2, reasoning=MILLION // 4)
    cost = cost_of(Response(model="gpt-5", usage=usage))
    assert cost.input_usd == pytest.approx(0.625)
    assert cost.cached_input_usd == pytest.approx(0.0625)
    assert cost.output_usd == pytest.approx(7.5)
    assert cost.reasoning_usd == pytest.approx(2.5)
    assert cost.total_usd == pytest.approx(0.625 + 0.0625 + 7.5 + 2.5)
    assert cost.priced
    assert not cost.estimated


def test_web_searches_are_billed_per_call() -> None:
    output = [WebSearchCall(id=f"ws_{i}", status="completed") for i in range(3)]
    cost = cost_of(Response(model="o4-mini-deep-research-2025-06-26", output=output))
    assert cost.web_search_calls == 3
    assert cost.web_search_usd == pytest.approx(0.03)


def test_group_ratio_and_overrides() -> None:
    response = Response(model="relay-model", usage=_usage(MILLION, MILLION))
    cost = cost_of(
        response, prices={"relay-model": ModelPrice(input=1.0, output=3.0)}, group_ratio=0.5
    )
    assert cost.total_usd == pytest.approx(2.0)
    assert cost.group_ratio == 0.5


def test_unknown_model_is_unpriced_not_free() -> None:
    cost = cost_of(Response(model="mystery", usage=_usage(10, 10)))
    assert cost.priced is False
    assert str(cost) == "unknown cost"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"group_ratio": 0}, "group_ratio", id="zero-ratio"),
        pytest.param({"prices": {"m": {"input": 1}}}, "ModelPrice", id="dict-price"),
    ],
)
def test_bad_price_settings_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        PriceTable(**kwargs)


def test_negative_price_raises() -> None:
    with pytest.raises(ConfigurationError, match="output"):
        ModelPrice(input=1.0, output=-1.0)


def test_estimate_uses_caps_when_given() -> None:
    params = {
        "model": "o3-deep-research",
        "input": "x",
        "tools": [{"type": "web_search_preview"}],
        "max_tool_calls": 5,
        "max_output_tokens": 1000,
    }
    capped = estimate_cost(params)
    uncapped = estimate_cost({k: v for k, v in params.items() if not k.startswith("max_")})
    assert capped.estimated
    assert capped.web_search_calls == 5
    assert capped.output_tokens == 1000
    assert uncapped.total_usd > capped.total_usd
    # the deep-research estimate is dollars, not cents
    assert uncapped.total_usd > 1.0


def test_cost_breakdown_total_is_the_sum() -> None:
    cost = Cost(model="m", input_usd=0.1, cached_input_usd=0.2, reasoning_usd=0.3)
    assert cost.total_usd == pytest.approx(0.6)
