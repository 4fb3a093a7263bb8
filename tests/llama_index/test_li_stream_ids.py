"""What mid-stream chunks tell a consumer: only arguments that have arrived, and the response id.

A consumer acting on intermediate tool calls (an agent's UI, an early dispatcher) must never
see a value that does not exist (`{'city': None}`, or `1` of `12`); a consumer that may cancel
a background run needs its id on the first chunk, not the last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from tests.core import wire
from tests.llama_index import helpers

SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
USER = [ChatMessage(role="user", content="Weather in Paris for 12 days?")]
PIECES = ['{"ci', 'ty": "Pa', 'ris", "da', 'ys": 1', "2", ', "units": [', '"metric"', "]}"]
FINAL = {"city": "Paris", "days": 12, "units": ["metric"]}


def _sse(events: list[dict[str, Any]]) -> httpx.MockTransport:
    body = wire.encode(events)
    return httpx.MockTransport(
        lambda request: httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=body
        )
    )


def _call_stream() -> list[dict[str, Any]]:
    arguments = "".join(PIECES)
    return wire.numbered(
        [
            {"type": "response.created", "response": wire.response("in_progress")},
            *wire.call_events(1, 0, "get_weather", PIECES),
            {
                "type": "response.completed",
                "response": wire.response(
                    "completed", [wire.call_item(1, "get_weather", arguments)]
                ),
            },
        ]
    )


@pytest.mark.parametrize("sync", SYNC)
async def test_mid_stream_tool_arguments_hold_only_what_has_arrived(sync: bool) -> None:
    transport = _sse(_call_stream())
    async with (
        httpx.AsyncClient(transport=transport) as ahttp,
    ):
        with httpx.Client(transport=transport) as http:
            llm = XiaohuResponses(
                api_key=TEST_API_KEY,
                api_base="http://relay.invalid/v1",
                http_client=http,
                async_http_client=ahttp,
                max_retries=0,
            )
            chunks = await helpers.stream_chat(llm, sync, USER)
    seen = []
    for chunk in chunks:
        for selection in llm.get_tool_calls_from_response(chunk, error_on_no_tool_call=False):
            seen.append(selection.tool_kwargs)
            for key, value in selection.tool_kwargs.items():
                # A scalar is whole or absent (no None, no "Pa", no 1 of 12); a list still
                # arriving holds the items that have.
                final = FINAL[key]
                assert value == (final[: len(value)] if isinstance(final, list) else final)
    assert seen[-1] == FINAL
    assert {} in seen  # the first pieces hold no complete value
    assert {"city": "Paris"} in seen  # `"days": 1` of 12 is not reported
    assert {"city": "Paris", "days": 12, "units": []} in seen


@pytest.mark.parametrize("sync", SYNC)
async def test_every_chunk_carries_the_response_id_once_known(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    llm = make_llm()
    chunks = await helpers.stream_chat(llm, sync, USER)
    final_id = chunks[-1].additional_kwargs["response_id"]
    assert final_id.startswith("resp_")
    assert {c.additional_kwargs.get("response_id") for c in chunks} == {final_id}
    assert chunks[0].delta  # a foreground stream adds no empty chunk


@pytest.mark.parametrize("sync", SYNC)
async def test_a_background_stream_gives_its_id_on_the_first_chunk(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    llm = make_llm(background=True)
    chunks = await helpers.stream_chat(llm, sync, USER)
    first, final = chunks[0], chunks[-1]
    assert first.delta == ""
    assert first.message.content in (None, "")
    assert first.additional_kwargs["response_id"] == final.additional_kwargs["response_id"]
    assert final.message.content
    completions = await helpers.stream_complete(llm, sync, "Hello")
    assert completions[0].delta == ""
    assert completions[0].additional_kwargs["response_id"].startswith("resp_")
