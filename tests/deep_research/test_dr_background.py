"""Background runs against the loopback emulator: progress, resume, cancel, wait, fallback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.core.clock import fake_clock, record_sleeps
from xiaohu import (
    APITimeoutError,
    AsyncXiaohuClient,
    BackgroundUnsupportedError,
    BudgetExceededError,
    NotFoundError,
    Progress,
    StreamError,
    TextDelta,
    XiaohuClient,
)

DR: dict[str, Any] = {
    "model": "o4-mini-deep-research",
    "input": "Research the history of tea in China",
    "tools": [{"type": "web_search_preview"}],
    "allow_expensive": True,
}


def test_full_deep_research_run_with_progress(paced_url: str, key: str) -> None:
    reports: list[Progress] = []
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        final = client.run_background(**DR, max_tool_calls=3, on_progress=reports.append)
        stored = client.retrieve_response(final.id)
    assert final.status == "completed"
    assert final.background is True
    assert final.output_text == stored.output_text
    assert len(final.web_search_calls) == 3
    assert final.citations
    statuses = [p.status for p in reports]
    assert statuses[0] == "queued"
    assert statuses[-1] == "completed"
    assert "in_progress" in statuses
    searches = [p.web_searches for p in reports]
    assert searches == sorted(searches)
    assert searches[-1] == 3
    assert reports[-1].cost.estimated is False
    assert reports[-1].cost.total_usd == pytest.approx(client.cost_of(final).total_usd)
    assert client.spent_usd == pytest.approx(reports[-1].cost.total_usd)


async def test_full_deep_research_run_async(paced_url: str, key: str) -> None:
    reports: list[Progress] = []
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        final = await client.run_background(**DR, max_tool_calls=2, on_progress=reports.append)
        stored = await client.retrieve_response(final.id)
    assert final.status == "completed"
    assert final.output_text == stored.output_text
    assert reports[-1].web_searches == 2


def test_resume_after_dropped_stream_duplicates_nothing(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        final = client.run_background(model="gpt-5-mini@drop_stream", input="Explain green tea")
        stored = client.retrieve_response(final.id)
    assert final.status == "completed"
    assert final.output_text == stored.output_text
    assert final.output_text.count(stored.output_text[:40]) == 1


async def test_resume_async_feeds_the_same_fold(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        final = await client.run_background(
            model="o4-mini-deep-research@drop_stream", input="tea", tools=DR["tools"],
            allow_expensive=True, max_tool_calls=2,
        )  # fmt: skip
        stored = await client.retrieve_response(final.id)
    assert final.output_text == stored.output_text
    assert [c.id for c in final.web_search_calls] == [c.id for c in stored.web_search_calls]


def test_resumed_events_already_seen_are_skipped(key: str) -> None:
    """A relay that ignores `starting_after` and replays everything still yields one copy."""
    events = [
        '{"type":"response.created","sequence_number":0,"response":{"id":"resp_r","status":"queued","background":true}}',
        '{"type":"response.queued","sequence_number":1,"response":{"id":"resp_r","status":"queued","background":true}}',
        '{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"m"}}',
        '{"type":"response.output_text.delta","sequence_number":3,"output_index":0,"item_id":"m","delta":"Hello "}',
        '{"type":"response.output_text.delta","sequence_number":4,"output_index":0,"item_id":"m","delta":"world"}',
        '{"type":"response.completed","sequence_number":5,"response":{"id":"resp_r","status":"completed","background":true,"model":"gpt-5"}}',
    ]

    def sse(lines: list[str]) -> bytes:
        return "".join(f"data: {line}\n\n" for line in lines).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        if request.method == "POST":
            return httpx.Response(200, content=sse(events[:4]), headers=headers)
        assert request.url.params["starting_after"] == "3"
        return httpx.Response(200, content=sse(events), headers=headers)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = XiaohuClient(api_key=key, base_url="http://relay/v1", http_client=http)
    final = client.run_background(model="gpt-5", input="hi")
    assert final.output_text == "Hello world"


def test_cancel_a_running_background_response(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        queued = client.create_response(**DR, background=True)
        assert queued.status in ("queued", "in_progress")
        cancelled = client.cancel_response(queued.id)
        assert cancelled.status == "cancelled"
        assert client.wait_response(queued.id, interval=0.01).status == "cancelled"


def test_wait_polls_with_progress_until_done(paced_url: str, key: str) -> None:
    reports: list[Progress] = []
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        queued = client.create_response(**DR, background=True, max_tool_calls=2)
        final = client.wait_response(queued, on_progress=reports.append, interval=0.05)
    assert final.status == "completed"
    assert reports
    assert all(p.status in ("queued", "in_progress") for p in reports)
    assert all(p.response_id == queued.id for p in reports)


async def test_wait_async(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        queued = await client.create_response(**DR, background=True, max_tool_calls=1)
        final = await client.wait_response(queued.id, interval=0.05)
    assert final.status == "completed"
    assert final.output_text


def test_wait_gives_up_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = fake_clock(monkeypatch)
    polls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        polls.append(clock.now)
        return httpx.Response(200, json={"id": "resp_q", "status": "in_progress"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = XiaohuClient(api_key="sk-x", base_url="http://relay/v1", http_client=http)
    with pytest.raises(APITimeoutError, match="gave up waiting after 20 s"):
        client.wait_response("resp_q", interval=1.0, max_interval=4.0, timeout=20.0)
    # The interval grows by 1.5 up to its cap; the last wait is cut to end at the timeout.
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 4.0, 4.0, 3.875]
    assert polls == [0.0, 1.0, 2.5, 4.75, 8.125, 12.125, 16.125, 20.0]


async def test_wait_async_gives_up_on_the_same_schedule(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = fake_clock(monkeypatch)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "resp_q", "status": "queued"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = AsyncXiaohuClient(api_key="sk-x", base_url="http://relay/v1", http_client=http)
        with pytest.raises(APITimeoutError):
            await client.wait_response("resp_q", interval=1.0, max_interval=4.0, timeout=20.0)
    assert clock.sleeps == [1.0, 1.5, 2.25, 3.375, 4.0, 4.0, 3.875]


def test_new_api_relay_falls_back_to_a_plain_stream(new_api_url: str, key: str) -> None:
    with (
        XiaohuClient(api_key=key, base_url=new_api_url) as client,
        pytest.warns(UserWarning, match="ignored background=True"),
    ):
        final = client.run_background(**DR, max_tool_calls=2)
    assert final.status == "completed"
    assert final.background is False
    assert final.output_text


async def test_drop_background_fault_falls_back_async(emulator_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=emulator_url) as client:
        with pytest.warns(UserWarning, match="ignored background=True"):
            final = await client.run_background(model="gpt-5-mini@drop_background", input="hi")
    assert final.status == "completed"


def test_new_api_synchronous_answer_and_unroutable_poll(
    new_api_url: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with XiaohuClient(api_key=key, base_url=new_api_url) as client:
        answer = client.create_response(model="gpt-5-mini", input="hi", background=True)
        assert answer.status == "completed"
        with pytest.warns(UserWarning, match="answered synchronously"):
            assert client.wait_response(answer) is answer
        sleeps = record_sleeps(monkeypatch)
        with pytest.raises(BackgroundUnsupportedError, match="Invalid URL"):
            client.wait_response(answer.id)
        assert sleeps == []  # no poll loop: the first 404 answers it


def test_dropped_stream_on_a_relay_without_resume_is_a_clear_error(key: str) -> None:
    events = [
        '{"type":"response.created","sequence_number":0,"response":{"id":"resp_d","status":"queued","background":true}}',
        '{"type":"response.queued","sequence_number":1,"response":{"id":"resp_d","status":"queued","background":true}}',
        '{"type":"response.output_text.delta","sequence_number":2,"output_index":0,"item_id":"m","delta":"Hal"}',
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = "".join(f"data: {e}\n\n" for e in events).encode()
            return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})
        message = f"Invalid URL (GET {request.url.path})"
        return httpx.Response(
            404, json={"error": {"message": message, "type": "invalid_request_error"}}
        )

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = XiaohuClient(api_key=key, base_url="http://relay/v1", http_client=http)
    with pytest.raises(BackgroundUnsupportedError, match="3 characters were received"):
        client.run_background(model="gpt-5", input="hi")


def test_progress_stream_deltas_match_final_text(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        with client.stream_response(model="gpt-5-mini", input="hi", background=True) as stream:
            text = "".join(d.text for d in stream.iter_deltas() if isinstance(d, TextDelta))
        assert text == stream.response.output_text if stream.response else False


def test_stream_background_resumes_without_duplicate_chunks(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        stream = client.stream_background(model="gpt-5-mini@drop_stream", input="Explain oolong")
        with stream:
            numbers = []
            pieces: list[str] = []
            for event, deltas in stream.iter_pairs():
                numbers.append(event.sequence_number)
                pieces.extend(d.text for d in deltas if isinstance(d, TextDelta))
        final = stream.get_final_response()
    assert numbers == sorted(set(numbers))
    assert "".join(pieces) == final.output_text
    assert stream.cost.estimated is False


async def test_stream_background_async_deltas(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        stream = await client.stream_background(
            model="gpt-5-mini@drop_stream", input="Explain pu-erh"
        )
        pieces = [d.text async for d in stream.iter_deltas() if isinstance(d, TextDelta)]
        final = await stream.get_final_response()
    assert "".join(pieces) == final.output_text


def test_wait_with_a_budget_cancels_the_run(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        queued = client.create_response(
            model="o3-deep-research", input="history of tea", tools=DR["tools"],
            background=True, allow_expensive=True,
        )  # fmt: skip
        with pytest.raises(BudgetExceededError) as info:
            client.wait_response(queued.id, interval=0.02, max_cost_usd=0.3)
        assert info.value.response_id == queued.id
        assert client.retrieve_response(queued.id).status == "cancelled"


async def test_wait_async_with_a_budget_cancels_the_run(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        queued = await client.create_response(
            model="o3-deep-research", input="history of tea", tools=DR["tools"],
            background=True, allow_expensive=True,
        )  # fmt: skip
        with pytest.raises(BudgetExceededError) as info:
            await client.wait_response(queued.id, interval=0.02, max_cost_usd=0.3)
        assert info.value.response_id == queued.id
        assert (await client.retrieve_response(queued.id)).status == "cancelled"


def _always_dropping(key: str) -> httpx.MockTransport:
    """A relay whose every stream of `resp_d` breaks after one text delta."""
    created = '{"type":"response.created","sequence_number":0,"response":{"id":"resp_d","status":"queued","background":true}}'
    queued = '{"type":"response.queued","sequence_number":1,"response":{"id":"resp_d","status":"queued","background":true}}'
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        n = len(requests)
        delta = (
            f'{{"type":"response.output_text.delta","sequence_number":{n + 1},'
            '"output_index":0,"item_id":"m","delta":"x"}'
        )
        lines = [created, queued, delta] if request.method == "POST" else [delta]
        body = "".join(f"data: {line}\n\n" for line in lines).encode()
        return httpx.Response(200, content=body, headers={"content-type": "text/event-stream"})

    transport = httpx.MockTransport(handler)
    transport.requests = requests  # type: ignore[attr-defined]
    return transport


def test_max_resumes_running_out_is_a_stream_error(key: str) -> None:
    transport = _always_dropping(key)
    client = XiaohuClient(
        api_key=key, base_url="http://relay/v1", http_client=httpx.Client(transport=transport)
    )
    with pytest.raises(StreamError, match="gave up after 2 resumes of resp_d"):
        client.run_background(model="gpt-5", input="hi", max_resumes=2)
    requests = transport.requests  # type: ignore[attr-defined]
    assert [r.method for r in requests] == ["POST", "GET", "GET"]
    assert [r.url.params.get("starting_after") for r in requests[1:]] == ["2", "3"]


async def test_max_resumes_running_out_async(key: str) -> None:
    transport = _always_dropping(key)
    async with httpx.AsyncClient(transport=transport) as http:
        client = AsyncXiaohuClient(api_key=key, base_url="http://relay/v1", http_client=http)
        with pytest.raises(StreamError, match="gave up after 1 resumes"):
            await client.run_background(model="gpt-5", input="hi", max_resumes=1)


def test_resume_stream_and_delete_response(paced_url: str, key: str) -> None:
    with XiaohuClient(api_key=key, base_url=paced_url) as client:
        final = client.run_background(model="gpt-5-mini", input="Explain white tea")
        with client.resume_stream(final.id, starting_after=2) as stream:
            numbers = [event.sequence_number for event in stream]
        assert numbers[0] == 3
        assert stream.get_final_response().output_text == final.output_text
        client.delete_response(final.id)
        with pytest.raises(NotFoundError):
            client.retrieve_response(final.id)


async def test_resume_stream_and_delete_response_async(paced_url: str, key: str) -> None:
    async with AsyncXiaohuClient(api_key=key, base_url=paced_url) as client:
        final = await client.run_background(model="gpt-5-mini", input="Explain green tea")
        async with await client.resume_stream(final.id) as stream:
            numbers = [event.sequence_number async for event in stream]
        assert numbers[0] == 0
        assert (await stream.get_final_response()).output_text == final.output_text
        await client.delete_response(final.id)
        with pytest.raises(NotFoundError):
            await client.retrieve_response(final.id)
