"""Streaming and non-streaming calls of `XiaohuResponses` against the loopback emulator."""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool

from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from tests.llama_index import helpers

SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
USER = [ChatMessage(role="user", content="Tell me about the history of Hangzhou")]


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


WEATHER = FunctionTool.from_defaults(fn=get_weather)


@pytest.mark.parametrize("sync", SYNC)
async def test_stream_chat_chunks_are_cumulative_with_deltas(
    llm: XiaohuResponses, sync: bool
) -> None:
    chunks = await helpers.stream_chat(llm, sync, USER)
    assert len(chunks) > 5
    running = ""
    for chunk in chunks[:-1]:
        running += chunk.delta or ""
        assert chunk.message.content == running
        assert chunk.message.role == "assistant"
    final = chunks[-1]
    assert final.delta == ""
    assert final.message.content == running
    assert [type(b) for b in final.message.blocks] == [TextBlock]
    usage = helpers.raw(final)["usage"]
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    assert final.additional_kwargs["usage"] == usage
    assert final.additional_kwargs["status"] == "completed"
    assert final.message.additional_kwargs["response_id"].startswith("resp_")
    # No chunk shares its additional_kwargs dict with another (the anchor's bug).
    assert len({id(c.additional_kwargs) for c in chunks}) == len(chunks)


@pytest.mark.parametrize("sync", SYNC)
async def test_chat_equals_streamed_final_message(llm: XiaohuResponses, sync: bool) -> None:
    whole = await helpers.chat(llm, sync, USER)
    chunks = await helpers.stream_chat(llm, sync, USER)
    assert whole.message.content
    assert whole.message.content == chunks[-1].message.content
    assert helpers.raw(whole)["usage"] == helpers.raw(chunks[-1])["usage"]


@pytest.mark.parametrize("sync", SYNC)
async def test_complete_and_stream_complete(llm: XiaohuResponses, sync: bool) -> None:
    whole = await helpers.complete(llm, sync, "What is 6 * 7?")
    assert "42" in whole.text
    assert helpers.raw(whole)["usage"]["output_tokens"] > 0
    chunks = await helpers.stream_complete(llm, sync, "What is 6 * 7?")
    assert "".join(c.delta or "" for c in chunks) == whole.text
    assert chunks[-1].text == whole.text


@pytest.mark.parametrize("sync", SYNC)
async def test_reasoning_summaries_stream_as_thinking_deltas(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    llm = make_llm(
        model="gpt-5", reasoning_options={"effort": "low", "summary": "auto"}, store=False
    )
    chunks = await helpers.stream_chat(llm, sync, USER)
    thinking = [
        c.additional_kwargs["thinking_delta"]
        for c in chunks
        if "thinking_delta" in c.additional_kwargs
    ]
    assert len(thinking) > 3
    final = chunks[-1].message
    [block] = [b for b in final.blocks if isinstance(b, ThinkingBlock)]
    assert block.content == "".join(thinking)
    assert block.additional_information["encrypted_content"]
    assert (
        block.num_tokens
        == helpers.raw(chunks[-1])["usage"]["output_tokens_details"]["reasoning_tokens"]
    )
    # Intermediate chunks carry the thinking so far too.
    assert isinstance(chunks[len(thinking) // 2].message.blocks[0], ThinkingBlock)
    # Stateless multi-turn: the encrypted reasoning goes back as a reasoning item.
    again = await helpers.chat(llm, sync, [*USER, final, ChatMessage(content="And its food?")])
    assert again.message.content


async def test_encrypted_reasoning_is_replayed_in_the_request(
    make_llm: Callable[..., XiaohuResponses], emulator_url: str
) -> None:
    bodies: list[dict[str, Any]] = []

    def spy(request: httpx.Request) -> None:
        if request.method == "POST":
            bodies.append(json.loads(request.content))

    with httpx.Client(event_hooks={"request": [spy]}) as http:
        llm = make_llm(model="gpt-5", reasoning_effort="low", store=False, http_client=http)
        first = llm.chat(USER)
        llm.chat([*USER, first.message, ChatMessage(content="More?")])
    assert bodies[0]["include"] == ["reasoning.encrypted_content"]
    replayed = bodies[1]["input"][1]
    assert replayed["type"] == "reasoning"
    assert (
        replayed["encrypted_content"]
        == first.message.blocks[0].additional_information["encrypted_content"]
    )


@pytest.mark.parametrize("sync", SYNC)
async def test_web_search_citations_and_calls(
    make_llm: Callable[..., XiaohuResponses], sync: bool
) -> None:
    llm = make_llm(built_in_tools=[{"type": "web_search"}])
    question = [ChatMessage(content="Search the web for the latest news about West Lake")]
    chunks = await helpers.stream_chat(llm, sync, question)
    whole = await helpers.chat(llm, sync, question)
    for message in (chunks[-1].message, whole.message):
        citations = message.additional_kwargs["citations"]
        assert citations
        assert all(type(c) is dict and c["type"] == "url_citation" for c in citations)
        blocks = [b for b in message.blocks if isinstance(b, CitationBlock)]
        assert [b.source for b in blocks] == [c["url"] for c in citations]
        text = message.content or ""
        for block, citation in zip(blocks, citations, strict=True):
            assert isinstance(block.cited_content, TextBlock)
            assert block.cited_content.text == text[citation["start_index"] : citation["end_index"]]
        [search] = message.additional_kwargs["built_in_tool_calls"]
        assert type(search) is dict
        assert search["type"] == "web_search_call"
        assert search["action"]["query"]
        json.dumps(message.additional_kwargs)  # plain data: memory and Context can serialise it
    # Citations and the search call appear in chunks before the last one, too.
    assert "citations" in chunks[-2].message.additional_kwargs
    assert "built_in_tool_calls" in chunks[-2].message.additional_kwargs


@pytest.mark.parametrize("sync", SYNC)
async def test_streamed_tool_calls(llm: XiaohuResponses, sync: bool) -> None:
    history = [ChatMessage(content="hi")]
    if sync:
        chunks = list(
            llm.stream_chat_with_tools([WEATHER], user_msg="Weather in Oslo?", chat_history=history)
        )
    else:
        gen = await llm.astream_chat_with_tools(
            [WEATHER], user_msg="Weather in Oslo?", chat_history=history
        )
        chunks = [c async for c in gen]
    assert len(history) == 1
    final = chunks[-1]
    [block] = [b for b in final.message.blocks if isinstance(b, ToolCallBlock)]
    assert (block.tool_call_id or "").startswith("call_")
    [selection] = llm.get_tool_calls_from_response(final)
    assert selection.tool_id == block.tool_call_id
    assert selection.tool_kwargs == {"city": "Oslo"}
    # Every intermediate chunk parses (partial arguments give partial or empty kwargs).
    for chunk in chunks:
        llm.get_tool_calls_from_response(chunk, error_on_no_tool_call=False)


@pytest.mark.parametrize("sync", SYNC)
async def test_predict_and_call(llm: XiaohuResponses, sync: bool) -> None:
    if sync:
        output = llm.predict_and_call([WEATHER], "Weather in Oslo?")
    else:
        output = await llm.apredict_and_call([WEATHER], "Weather in Oslo?")
    assert str(output) == "Sunny in Oslo"


@pytest.mark.parametrize("sync", SYNC)
async def test_incomplete_response_is_marked_not_hidden(
    make_llm: Callable[..., XiaohuResponses], sync: bool, caplog: pytest.LogCaptureFixture
) -> None:
    llm = make_llm(default_headers={"X-Emulator-Fault": "incomplete"})
    with caplog.at_level(logging.WARNING, logger="llama_index_xiaohu"):
        chunks = await helpers.stream_chat(llm, sync, USER)
    assert chunks[-1].additional_kwargs["status"] == "incomplete"
    assert chunks[-1].additional_kwargs["incomplete_reason"] == "max_output_tokens"
    assert "incomplete" in caplog.text


async def test_concurrent_conversations_keep_their_own_previous_response_id() -> None:
    bodies: list[dict[str, Any]] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        await asyncio.sleep(0.01)
        rid = f"resp_after_{body.get('previous_response_id')}"
        return httpx.Response(200, json={"id": rid, "status": "completed", "output": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        llm = XiaohuResponses(
            api_key=TEST_API_KEY,
            api_base="http://relay.invalid/v1",
            async_http_client=http,
            track_previous_responses=True,
        )
        conversations = [
            [
                ChatMessage(content="a"),
                ChatMessage(
                    role="assistant", content="x", additional_kwargs={"response_id": f"resp_{n}"}
                ),
                ChatMessage(content=f"next {n}"),
            ]
            for n in range(8)
        ]
        results = await asyncio.gather(*(llm.achat(c) for c in conversations))
    assert sorted(b["previous_response_id"] for b in bodies) == sorted(
        f"resp_{n}" for n in range(8)
    )
    for n, result in enumerate(results):
        assert result.message.additional_kwargs["response_id"] == f"resp_after_resp_{n}"
    for body in bodies:
        assert body["input"] == f"next {body['previous_response_id'][5:]}"


def test_async_calls_from_successive_event_loops(
    make_llm_sync: Callable[..., XiaohuResponses],
) -> None:
    # Notebooks and LlamaIndex's sync wrappers run each call in a fresh loop: a pooled
    # connection from a closed loop must not be reused, and each loop's pool closes with it
    # (no aclose() needed; it would close the object for good).
    llm = make_llm_sync()

    async def ask() -> str:
        response = await llm.achat([ChatMessage(content="What is 6 * 7?")])
        chunks = [c async for c in await llm.astream_chat(USER)]
        assert chunks[-1].message.content
        return response.message.content or ""

    answers = [asyncio.run(ask()) for _ in range(3)]
    assert all("42" in answer for answer in answers)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    assert [
        w
        for w in caught
        if issubclass(w.category, ResourceWarning) and "event loop" not in str(w.message)
    ] == []
