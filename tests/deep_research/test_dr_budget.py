"""Issue 14: budgets hold on every path; one shared `Budget`; bad budgets refused before sending."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from xiaohu import (
    AsyncXiaohuClient,
    Budget,
    BudgetExceededError,
    ConfigurationError,
    CostLimitError,
    ItemDone,
    PriceTable,
    Response,
    TextDelta,
    WebSearchCall,
    XiaohuClient,
    XiaohuError,
)
from xiaohu._guard import BudgetExceededError as FromGuard
from xiaohu._guard import CostMeter

DR: dict[str, Any] = {
    "model": "o3-deep-research",
    "input": "history of tea",
    "tools": [{"type": "web_search_preview"}],
}
STORY = "write a long story about tea"


_OPEN: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_recorders() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def _recording(sent: list[httpx.Request]) -> httpx.Client:
    """A client that records each request it sends (closed after the test)."""
    http = httpx.Client(event_hooks={"request": [sent.append]})
    _OPEN.append(http)
    return http


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> BaseException | None:
    while exc is not None:
        if isinstance(exc, kind):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _caused_by_budget(exc: BaseException) -> BaseException | None:
    return _caused_by(exc, BudgetExceededError)


# -- the error ---------------------------------------------------------------------------------


def test_budget_error_is_not_bad_input_and_still_importable_from_the_guard() -> None:
    assert FromGuard is BudgetExceededError
    assert issubclass(BudgetExceededError, XiaohuError)
    assert not issubclass(BudgetExceededError, (ConfigurationError, ValueError, CostLimitError))


# -- bad budgets: refused before any request -----------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1.0, 0])
def test_bad_budgets_are_refused_before_any_request(bad: float) -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    http = httpx.Client(transport=httpx.MockTransport(record))
    with pytest.raises(ConfigurationError, match="max_cost_usd"):
        XiaohuClient(api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_cost_usd=bad)
    with pytest.raises(ConfigurationError, match="group_ratio"):
        XiaohuClient(api_key="sk-x", base_url="http://127.0.0.1:9/v1", group_ratio=bad)
    with pytest.raises(ConfigurationError, match="max_usd"):
        Budget(max_usd=bad)
    client = XiaohuClient(api_key="sk-x", base_url="http://127.0.0.1:9/v1", http_client=http)
    with pytest.raises(ConfigurationError, match="max_cost_usd"):
        client.create_response(model="gpt-5", input="x", max_cost_usd=bad)
    with pytest.raises(ConfigurationError, match="max_cost_usd"):
        client.stream_response(model="gpt-5", input="x", max_cost_usd=bad)
    with pytest.raises(ValueError):
        ChatXiaohu(
            model="gpt-5", api_key="sk-x", base_url="http://127.0.0.1:9/v1", max_cost_usd=bad
        )
    with pytest.raises(ValueError):
        XiaohuResponses(
            model="gpt-5", api_key="sk-x", api_base="http://127.0.0.1:9/v1", max_cost_usd=bad
        )
    assert sent == []


def test_a_budget_that_is_not_a_budget_is_refused() -> None:
    client = XiaohuClient(api_key="sk-x", base_url="http://127.0.0.1:9/v1")
    with pytest.raises(ConfigurationError, match=r"xiaohu\.Budget"):
        client.create_response(model="gpt-5", input="x", budget=5.0)


# -- non-streamed calls are stopped ------------------------------------------------------------


def test_non_streamed_create_is_stopped_at_the_budget(emulator_url: str, key: str) -> None:
    sent: list[httpx.Request] = []
    with XiaohuClient(api_key=key, base_url=emulator_url, http_client=_recording(sent)) as client:
        with pytest.raises(BudgetExceededError) as info:
            client.create_response(**DR, max_cost_usd=0.3)
        err = info.value
        assert err.response_id
        assert err.limit_usd == 0.3
        assert 0.3 < err.spent_usd < 0.6  # past the budget by one step (a web search), no more
        assert client.spent_usd == pytest.approx(err.spent_usd)
        # A budget the run stays under: the same Response type, the bill counted.
        ok = client.create_response(model="gpt-5", input="hi", max_cost_usd=1.0)
        assert isinstance(ok, Response)
        assert ok.status == "completed"
        assert ok.output_text
    assert [r.url.path for r in sent if r.url.path.endswith("/cancel")] == []


async def test_async_non_streamed_create_is_stopped(emulator_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=emulator_url) as client:
        with pytest.raises(BudgetExceededError):
            await client.create_response(**DR, max_cost_usd=0.3)
        ok = await client.create_response(model="gpt-5", input="hi", max_cost_usd=1.0)
        assert isinstance(ok, Response)
        assert ok.output_text


def test_langchain_invoke_and_llama_index_chat_are_stopped(emulator_url: str, key: str) -> None:
    chat = ChatXiaohu(
        model="o3-deep-research", api_key=key, base_url=emulator_url, max_cost_usd=0.3
    )
    with pytest.raises(Exception) as lc:
        chat.invoke([HumanMessage("history of tea")], tools=DR["tools"])
    assert _caused_by_budget(lc.value) is not None
    llm = XiaohuResponses(
        model="o3-deep-research",
        api_key=key,
        api_base=emulator_url,
        max_cost_usd=0.3,
        built_in_tools=DR["tools"],
    )
    with pytest.raises(BudgetExceededError):
        llm.chat([ChatMessage(role="user", content="history of tea")])

    async def achat() -> None:
        try:
            await llm.achat([ChatMessage(role="user", content="history of tea")])
        finally:
            await llm.aclose()

    with pytest.raises(BudgetExceededError):
        asyncio.run(achat())
    llm.close()


# -- per-call options win ----------------------------------------------------------------------


def test_per_call_guard_options_override_the_instance(emulator_url: str, key: str) -> None:
    msgs = [ChatMessage(role="user", content="hi")]
    llm = XiaohuResponses(model="gpt-5-pro", api_key=key, api_base=emulator_url)
    with pytest.raises(CostLimitError):
        llm.chat(msgs)
    assert llm.chat(msgs, allow_expensive=True).message.content
    assert llm.chat(msgs, max_cost_usd=5.0).message.content
    capped = XiaohuResponses(model="gpt-5", api_key=key, api_base=emulator_url, max_cost_usd=1e-6)
    assert capped.chat(msgs, max_cost_usd=5.0).message.content  # the call's budget wins
    llm.close()
    capped.close()
    chat = ChatXiaohu(model="gpt-5-pro", api_key=key, base_url=emulator_url)
    assert chat.invoke("hi", allow_expensive=True).content
    assert chat.invoke("hi", max_cost_usd=5.0).content


# -- plain stream stop: close only ---------------------------------------------------------------


def test_plain_stream_stop_closes_without_cancel_or_warning(
    emulator_url: str, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[httpx.Request] = []
    caplog.set_level(logging.WARNING, logger="xiaohu")
    with XiaohuClient(api_key=key, base_url=emulator_url, http_client=_recording(sent)) as client:
        stream = client.stream_response(**DR, max_cost_usd=0.3)
        with pytest.raises(BudgetExceededError), stream:
            for _ in stream:
                pass
        assert stream.http_response.is_closed
    assert [r.method for r in sent] == ["POST"]
    assert [r for r in caplog.records if r.name.startswith("xiaohu") and r.levelno >= 30] == []


# -- leaving a background stream early cancels the run ---------------------------------------------


def test_leaving_a_background_stream_cancels_the_run(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url, allow_expensive=True) as client:
        with client.stream_background(**DR) as stream:
            for event in stream.iter_pairs():
                if stream.response_id and event[0].type != "response.created":
                    break
        response_id = stream.response_id
        assert response_id
        assert client.retrieve_response(response_id).status == "cancelled"


async def test_cancelling_an_async_background_task_cancels_the_run(
    paced_url: str, key: str
) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url, allow_expensive=True) as client:
        ids: list[str] = []
        started = asyncio.Event()

        async def read() -> None:
            async with await client.stream_background(**DR) as stream:
                async for _ in stream.iter_pairs():
                    if stream.response_id and not ids:
                        ids.append(stream.response_id)
                        started.set()

        task = asyncio.create_task(read())
        await asyncio.wait_for(started.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert (await client.retrieve_response(ids[0])).status == "cancelled"


# -- one ledger across calls ---------------------------------------------------------------------


def _one_story_cost(url: str, key: str) -> float:
    with XiaohuClient(api_key=key, base_url=url) as client:
        return client.cost_of(client.create_response(model="gpt-5", input=STORY)).total_usd


def test_shared_budget_stops_the_third_call_in_core_and_adapters(
    emulator_url: str, key: str
) -> None:
    # A plain call's hidden reasoning shows only in its bill, so the second call crosses the
    # budget with its last step (its bill) and the third is refused before it is sent.
    cost = _one_story_cost(emulator_url, key)
    assert cost > 0
    budget = Budget(max_usd=1.5 * cost)
    sent: list[httpx.Request] = []
    http = _recording(sent)
    with XiaohuClient(api_key=key, base_url=emulator_url, budget=budget, http_client=http) as c:
        c.create_response(model="gpt-5", input=STORY)
        c.create_response(model="gpt-5", input=STORY)
        with pytest.raises(CostLimitError, match="is spent"):
            c.create_response(model="gpt-5", input=STORY)
    assert len(sent) == 2
    assert budget.max_usd is not None
    assert budget.max_usd < budget.spent_usd
    assert budget.spent_usd == pytest.approx(2 * cost, rel=0.05)
    assert budget.by_model == {"gpt-5": budget.spent_usd}
    assert budget.calls == 2

    lc_budget = Budget(max_usd=1.5 * cost)
    chat = ChatXiaohu(model="gpt-5", api_key=key, base_url=emulator_url, budget=lc_budget)
    chat.invoke(STORY)
    chat.invoke(STORY)
    with pytest.raises(Exception) as lc:
        chat.invoke(STORY)
    assert _caused_by(lc.value, CostLimitError) is not None
    assert lc_budget.calls == 2

    li_budget = Budget(max_usd=1.5 * cost)
    llm = XiaohuResponses(model="gpt-5", api_key=key, api_base=emulator_url)
    msgs = [ChatMessage(role="user", content=STORY)]
    llm.chat(msgs, budget=li_budget)
    llm.chat(msgs, budget=li_budget)
    with pytest.raises(CostLimitError):
        llm.chat(msgs, budget=li_budget)
    llm.close()
    assert li_budget.calls == 2


def test_shared_budget_stops_a_run_mid_stream(emulator_url: str, key: str) -> None:
    budget = Budget(max_usd=0.8)
    client = XiaohuClient(api_key=key, base_url=emulator_url, budget=budget)
    with client, pytest.raises(BudgetExceededError) as info:  # noqa: PT012 (the 3 calls)
        for _ in range(3):
            client.create_response(**DR)
    assert info.value.limit_usd == 0.8
    assert info.value.spent_usd > 0.8
    assert budget.spent_usd < 0.8 + 0.3  # one step (a web search with its input) past it


def test_deep_research_with_a_budget_needs_no_opt_in(emulator_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=emulator_url) as client:
        with pytest.raises(BudgetExceededError):
            client.create_response(**DR, budget=Budget(max_usd=0.3))
        with pytest.raises(CostLimitError, match="expensive"):  # a limitless Budget only counts
            client.create_response(**DR, budget=Budget())


async def test_concurrent_calls_cannot_pass_a_shared_budget_together(
    emulator_url: str, key: str
) -> None:
    budget = Budget(max_usd=0.5)
    async with AsyncXiaohuClient(api_key=key, base_url=emulator_url, budget=budget) as client:
        results = await asyncio.gather(
            *(client.create_response(**DR) for _ in range(4)), return_exceptions=True
        )
    stops = [r for r in results if isinstance(r, BudgetExceededError)]
    assert stops, results
    # Each run is charged as it streams: together they pass the budget by at most one step each.
    assert budget.spent_usd < 0.5 + 4 * 0.2


# -- the property --------------------------------------------------------------------------------

_EVENT = st.one_of(
    st.text(min_size=0, max_size=400).map(lambda t: [TextDelta(t)]),
    st.integers(0, 10_000).map(
        lambda i: [ItemDone(WebSearchCall(id=f"ws_{i}", status="completed"), i)]
    ),
)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(_EVENT, max_size=60),
    limit=st.floats(min_value=1e-6, max_value=2.0, allow_nan=False),
    shared=st.booleans(),
)
def test_no_event_sequence_passes_a_budget_by_more_than_one_step(
    events: list[list[object]], limit: float, shared: bool
) -> None:
    budget = Budget(max_usd=limit) if shared else None
    meter = CostMeter(
        PriceTable(),
        "o3-deep-research",
        input_tokens=100,
        limit_usd=None if shared else limit,
        budgets=[budget] if budget else [],
    )
    before = 0.0  # the input is counted with the first event: it is part of the first step
    for deltas in events:
        stop: BudgetExceededError | None = None
        try:
            meter.observe(deltas)  # type: ignore[arg-type]
        except BudgetExceededError as err:
            stop = err
        if stop is not None:
            assert stop.cost is not None
            step = stop.cost.total_usd - before
            assert stop.spent_usd > limit
            assert stop.spent_usd - limit <= step + 1e-9
            return
        before = meter.running().total_usd
    if events:  # nothing observed is nothing charged
        assert meter.running().total_usd <= limit + 1e-9
    if budget is not None:
        assert budget.spent_usd <= limit + 1e-9


def test_the_response_id_is_on_the_first_chunk_in_both_adapters(paced_url: str, key: str) -> None:
    llm = XiaohuResponses(
        model="o3-deep-research",
        api_key=key,
        api_base=paced_url,
        background=True,
        allow_expensive=True,
        built_in_tools=DR["tools"],
    )
    chunks = llm.stream_chat([ChatMessage(role="user", content="history of tea")])
    first = next(iter(chunks))
    response_id = first.additional_kwargs["response_id"]
    chunks.close()  # leaving early cancels the run
    llm.close()
    chat = ChatXiaohu(
        model="o3-deep-research",
        api_key=key,
        base_url=paced_url,
        background=True,
        allow_expensive=True,
    )
    lc_first = next(iter(chat.stream("history of tea", tools=DR["tools"])))
    assert lc_first.id
    assert lc_first.id.startswith("resp_")
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        assert client.retrieve_response(response_id).status == "cancelled"
