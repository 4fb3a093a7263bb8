"""The core against the emulator's relay habits (issue 15), sync and async.

After the terminal event a stream returns at once (a connection held open costs nothing) yet a
well-behaved server's connection is reused; an overall `deadline` bounds a stream, a background
run and a wait, keep-alives or not; a resumed background stream never repeats text, with or
without sequence numbers.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.core import loopback
from xiaohu import (
    AsyncXiaohuClient,
    ConfigurationError,
    DeadlineExceededError,
    Response,
    TextDelta,
    XiaohuClient,
)

KEY = "sk-habits-0123456789abcdef"
MODEL = "gpt-4.1-mini"
PROMPT = "Tell me about the history of tea in China in a few sentences."
both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def fault(spec: str) -> dict[str, str]:
    """The fault header, each part made this test's own (its `times` counter too)."""
    tag = uuid.uuid4().hex
    return {"X-Emulator-Fault": "+".join(f"{p};id={tag}" for p in spec.split("+"))}


def stream_text(sync: bool, url: str, headers: dict[str, str], **kwargs: Any) -> str:
    """Stream PROMPT through the core; return the text of its deltas."""

    def pieces(deltas: object) -> str:
        return "".join(d.text for d in deltas if isinstance(d, TextDelta))  # type: ignore[attr-defined]

    if sync:
        with (
            XiaohuClient(api_key=KEY, base_url=url) as client,
            client.stream_response(
                model=MODEL, input=PROMPT, extra_headers=headers, **kwargs
            ) as stream,
        ):
            return pieces(stream.iter_deltas())

    async def run() -> str:
        async with AsyncXiaohuClient(api_key=KEY, base_url=url) as client:
            stream = await client.stream_response(
                model=MODEL, input=PROMPT, extra_headers=headers, **kwargs
            )
            async with stream:
                return pieces([d async for d in stream.iter_deltas()])

    return asyncio.run(run())


# -- after the terminal event ------------------------------------------------------------------


def test_the_emulator_really_holds_the_connection(emulator_url: str) -> None:
    start = time.monotonic()
    with httpx.stream(
        "POST",
        emulator_url + "/responses",
        json={"model": MODEL, "input": PROMPT, "stream": True},
        headers={"Authorization": f"Bearer {KEY}", **fault("linger;seconds=1")},
    ) as response:
        body = response.read()
    assert b"response.completed" in body
    assert time.monotonic() - start >= 0.9


@both
def test_a_lingering_server_does_not_hold_the_stream(sync: bool, emulator_url: str) -> None:
    start = time.monotonic()
    text = stream_text(sync, emulator_url, fault("linger;seconds=5"))
    assert text
    assert time.monotonic() - start < 0.5 + 0.2


@pytest.fixture
def server() -> Iterator[tuple[str, loopback.Server]]:
    with loopback.serve() as served:
        yield served


@both
def test_a_well_behaved_servers_connection_is_reused(
    sync: bool, server: tuple[str, loopback.Server]
) -> None:
    url, state = server

    def two() -> None:
        if sync:
            with XiaohuClient(api_key=KEY, base_url=url) as client:
                for _ in range(2):
                    with client.stream_response(model=MODEL, input="hi") as stream:
                        assert stream.get_final_response().output_text == "你好, world"
            return

        async def run() -> None:
            async with AsyncXiaohuClient(api_key=KEY, base_url=url) as client:
                for _ in range(2):
                    stream = await client.stream_response(model=MODEL, input="hi")
                    async with stream:
                        assert (await stream.get_final_response()).output_text == "你好, world"

        asyncio.run(run())

    two()
    assert len(state.peers) == 2
    assert len(set(state.peers)) == 1  # one connection, counted at the server


# -- the overall deadline ----------------------------------------------------------------------


@both
def test_endless_keepalives_end_at_the_deadline(sync: bool, emulator_url: str) -> None:
    start = time.monotonic()
    with pytest.raises(DeadlineExceededError) as info:
        stream_text(sync, emulator_url, fault("keepalive_forever"), deadline=0.4, timeout=30)
    took = time.monotonic() - start
    assert 0.4 <= took < 0.4 + 0.6
    assert info.value.deadline_s == 0.4
    assert info.value.partial_text  # the first half arrived; it is kept, not passed off


@both
def test_a_silent_server_ends_at_the_deadline_not_the_read_timeout(
    sync: bool, emulator_url: str
) -> None:
    start = time.monotonic()
    with pytest.raises(DeadlineExceededError):
        stream_text(sync, emulator_url, {"X-Emulator-Delay": "2"}, deadline=0.3, timeout=30)
    assert time.monotonic() - start < 0.3 + 0.6


@both
def test_a_background_run_ends_at_its_deadline_without_resuming(
    sync: bool, emulator_url: str
) -> None:
    headers = fault("keepalive_forever")
    start = time.monotonic()
    if sync:
        with (
            XiaohuClient(api_key=KEY, base_url=emulator_url) as client,
            pytest.raises(DeadlineExceededError) as info,
        ):
            client.run_background(model=MODEL, input=PROMPT, extra_headers=headers, deadline=0.4)
    else:

        async def run() -> None:
            async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
                await client.run_background(
                    model=MODEL, input=PROMPT, extra_headers=headers, deadline=0.4
                )

        with pytest.raises(DeadlineExceededError) as info:
            asyncio.run(run())
    assert time.monotonic() - start < 0.4 + 0.6
    assert info.value.response_id


@both
def test_a_background_wait_ends_at_its_deadline(sync: bool, emulator_url: str) -> None:
    slow = {"X-Emulator-Delay": "0.5"}
    if sync:
        with XiaohuClient(api_key=KEY, base_url=emulator_url) as client:
            queued = client.create_response(
                model=MODEL, input=PROMPT, background=True, extra_headers=slow
            )
            with pytest.raises(DeadlineExceededError):
                client.wait_response(queued, interval=0.05, max_interval=0.05, deadline=0.3)
            client.cancel_response(queued.id)
        return

    async def run() -> None:
        async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
            queued = await client.create_response(
                model=MODEL, input=PROMPT, background=True, extra_headers=slow
            )
            with pytest.raises(DeadlineExceededError):
                await client.wait_response(queued, interval=0.05, max_interval=0.05, deadline=0.3)
            await client.cancel_response(queued.id)

    asyncio.run(run())


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "10", True])
def test_a_bad_deadline_is_refused_before_sending(bad: object) -> None:
    with XiaohuClient(api_key=KEY, base_url="http://127.0.0.1:9/v1") as client:
        with pytest.raises(ConfigurationError, match="deadline"):
            client.stream_response(model=MODEL, input="hi", deadline=bad)
        with pytest.raises(ConfigurationError, match="deadline"):
            client.stream_background(model=MODEL, input="hi", deadline=bad)


def test_wait_response_takes_deadline_or_its_older_name_not_both() -> None:
    with (
        XiaohuClient(api_key=KEY, base_url="http://127.0.0.1:9/v1") as client,
        pytest.raises(ConfigurationError, match="not both"),
    ):
        client.wait_response("resp_1", deadline=5.0, timeout=5.0)


# -- resuming without duplicates ---------------------------------------------------------------


@both
@pytest.mark.parametrize(
    "habits",
    ["drop_stream;times=1+no_sequence", "drop_stream;times=1+replay_from_start"],
    ids=["no-sequence-numbers", "replay-from-start"],
)
def test_a_resumed_background_stream_repeats_no_text(
    sync: bool, habits: str, emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("WARNING", logger="xiaohu")
    headers = fault(habits)
    if sync:
        with XiaohuClient(api_key=KEY, base_url=emulator_url) as client:
            whole = client.create_response(model=MODEL, input=PROMPT).output_text
            with client.stream_background(model=MODEL, input=PROMPT, extra_headers=headers) as s:
                streamed = "".join(d.text for d in s.iter_deltas() if isinstance(d, TextDelta))
                final = s.get_final_response()
    else:

        async def run() -> tuple[str, str, Response]:
            async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
                whole = (await client.create_response(model=MODEL, input=PROMPT)).output_text
                s = await client.stream_background(model=MODEL, input=PROMPT, extra_headers=headers)
                async with s:
                    texts = [d.text async for d in s.iter_deltas() if isinstance(d, TextDelta)]
                    return whole, "".join(texts), await s.get_final_response()

        whole, streamed, final = asyncio.run(run())
    assert "resuming" in caplog.text  # the stream did drop, and was resumed
    assert streamed == whole
    assert final.output_text == whole


# -- real traffic's shape ----------------------------------------------------------------------


@both
def test_real_traffic_shapes_with_web_search_fold_like_clean_ones(
    sync: bool, emulator_url: str
) -> None:
    ask: dict[str, Any] = {
        "model": "gpt-4.1",
        "input": "Search the news about the Paris weather",
        "tools": [{"type": "web_search_preview"}],
    }

    def answers(headers: dict[str, str]) -> tuple[Response, Response]:
        if sync:
            with XiaohuClient(api_key=KEY, base_url=emulator_url) as client:
                with client.stream_response(extra_headers=headers, **ask) as stream:
                    streamed = stream.get_final_response()
                return streamed, client.create_response(extra_headers=headers, **ask)

        async def run() -> tuple[Response, Response]:
            async with AsyncXiaohuClient(api_key=KEY, base_url=emulator_url) as client:
                stream = await client.stream_response(extra_headers=headers, **ask)
                async with stream:
                    streamed = await stream.get_final_response()
                return streamed, await client.create_response(extra_headers=headers, **ask)

        return asyncio.run(run())

    clean = answers({})
    real = answers(fault("real_traffic"))
    for got, want in zip(real, clean, strict=True):
        assert want.web_search_calls
        assert got.output_text == want.output_text
        assert [c.query for c in got.web_search_calls] == [c.query for c in want.web_search_calls]
        assert got.usage is not None
        assert got.usage.input_tokens == want.usage.input_tokens  # type: ignore[union-attr]
