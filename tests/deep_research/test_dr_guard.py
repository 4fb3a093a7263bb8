"""The cost guard: refusals before any request, opt-ins, budgets that stop runs mid-stream."""

from __future__ import annotations

import httpx
import pytest

from tests.wires import over_wires
from xiaohu import (
    AsyncXiaohuClient,
    BudgetExceededError,
    ConfigurationError,
    CostLimitError,
    XiaohuClient,
)

DR_TOOLS = [{"type": "web_search_preview"}]


def _no_network() -> tuple[httpx.Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return httpx.Client(transport=httpx.MockTransport(handler)), sent


@pytest.mark.parametrize("model", ["o3-deep-research", "gpt-5-pro", "o3-pro-2025-06-10"])
def test_expensive_model_refused_before_any_request(model: str) -> None:
    http, sent = _no_network()
    client = XiaohuClient(api_key="sk-x", base_url="http://relay/v1", http_client=http)
    with pytest.raises(CostLimitError, match=r"expensive model: one call likely costs about \$"):
        client.create_response(model=model, input="research tea", tools=DR_TOOLS)
    with pytest.raises(CostLimitError):
        client.stream_response(model=model, input="research tea", tools=DR_TOOLS)
    assert sent == []


def test_deep_research_without_data_source_is_refused_first() -> None:
    http, sent = _no_network()
    client = XiaohuClient(
        api_key="sk-x", base_url="http://relay/v1", http_client=http, allow_expensive=True
    )
    with pytest.raises(ConfigurationError, match="data-source tool"):
        client.create_response(model="o4-mini-deep-research", input="x")
    assert sent == []


def test_error_never_carries_the_key() -> None:
    secret = "sk-secret-ABCDEFGHIJKLMNOP"
    client = XiaohuClient(api_key=secret, base_url="http://relay/v1")
    with pytest.raises(CostLimitError) as info:
        client.create_response(model="gpt-5-pro", input="x")
    assert secret not in str(info.value)
    assert secret not in repr(client.cost_guard.table)


@pytest.mark.parametrize("budget", [0, -1, "5", True])
def test_bad_budget_is_a_configuration_error(budget: object) -> None:
    with pytest.raises(ConfigurationError, match="max_cost_usd"):
        XiaohuClient(api_key="sk-x", base_url="http://relay/v1", max_cost_usd=budget)  # type: ignore[arg-type]


def test_opt_in_per_client_and_per_call(emulator_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=emulator_url, allow_expensive=True) as client:
        response = client.create_response(model="gpt-5-pro", input="hi", max_output_tokens=4000)
        assert response.status == "completed"
        assert client.spent_usd == pytest.approx(client.cost_of(response).total_usd)
        assert client.spent_usd > 0
    with XiaohuClient(api_key=key, base_url=emulator_url) as client:
        response = client.create_response(
            model="gpt-5-pro", input="hi", max_output_tokens=4000, allow_expensive=True
        )
        assert response.output_text


def test_guard_options_are_not_sent() -> None:
    bodies: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200, json={"id": "resp_1", "status": "completed", "model": "o3-pro"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = XiaohuClient(api_key="sk-x", base_url="http://relay/v1", http_client=http)
    client.create_response(model="o3-pro", input="x", allow_expensive=True)
    client.create_response(model="o3-pro", input="x", allow_expensive=True, max_cost_usd=3)
    # With a budget the call runs streamed (so the meter can stop it); no guard option is sent.
    assert bodies == [
        b'{"model":"o3-pro","input":"x"}',
        b'{"model":"o3-pro","input":"x","stream":true}',
    ]


def test_budget_is_an_opt_in_and_the_bill_is_counted(emulator_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=emulator_url, max_cost_usd=50.0) as client:
        stream = client.stream_response(
            model="o4-mini-deep-research", input="history of tea", tools=DR_TOOLS, max_tool_calls=2
        )
        with stream:
            final = stream.get_final_response()
        assert final.status == "completed"
        assert stream.cost.estimated is False
        assert stream.cost.web_search_calls == len(final.web_search_calls) == 2
        assert client.spent_usd == pytest.approx(stream.cost.total_usd)


def test_budget_stops_a_deep_research_stream(emulator_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=emulator_url) as client:
        stream = client.stream_response(
            model="o3-deep-research", input="history of tea", tools=DR_TOOLS, max_cost_usd=0.3
        )
        seen: list[str] = []
        with pytest.raises(BudgetExceededError, match=r"passed the budget of \$0.3000") as info:
            seen.extend(event.type for event in stream)
        assert "response.completed" not in seen
        err = info.value
        assert err.cost is not None
        assert 0.3 < err.cost.total_usd < 0.6
        assert err.cost.web_search_calls >= 2
        assert stream.http_response.is_closed
        assert client.spent_usd == pytest.approx(err.cost.total_usd)


async def test_budget_stops_a_background_stream_and_cancels_it(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        with pytest.raises(BudgetExceededError) as info:
            await client.run_background(
                model="o3-deep-research", input="history of tea", tools=DR_TOOLS, max_cost_usd=0.3
            )
        response_id = info.value.response_id
        assert response_id
        stopped = await client.retrieve_response(response_id)
        assert stopped.status == "cancelled"


@over_wires
def test_client_budget_spent_refuses_the_next_call(
    emulator_url: str, key: str, model: str, api: str
) -> None:
    with XiaohuClient(api_key=key, base_url=emulator_url, api=api, max_cost_usd=1e-5) as client:
        with pytest.raises(BudgetExceededError):  # a non-streamed call is stopped too
            client.create_response(model=model, input="write a long story about tea")
        assert client.spent_usd > 0.00001
        with pytest.raises(CostLimitError, match=r"budget of .* is spent"):
            client.create_response(model=model, input="again")


def test_leaving_an_unbounded_stream_early_charges_its_estimate_exactly(
    emulator_url: str, key: str
) -> None:
    # Without a limit the ledger is charged every few events; leaving the stream settles it.
    with XiaohuClient(api_key=key, base_url=emulator_url, allow_expensive=True) as client:
        with client.stream_response(
            model="o4-mini-deep-research", input="history of tea", tools=DR_TOOLS, max_tool_calls=2
        ) as stream:
            for seen, _ in enumerate(stream.iter_deltas()):
                if seen == 3:
                    break
        assert stream.cost.estimated is True
        assert stream.cost.total_usd > 0
        assert client.spent_usd == pytest.approx(stream.cost.total_usd, abs=1e-12)
