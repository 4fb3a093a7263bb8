"""XiaohuResponses surfaces every streamed item kind: stream == chat on SDK-validated streams."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.tools import FunctionTool

from llama_index_xiaohu import XiaohuResponses
from tests import sdk_streams
from tests.conftest import TEST_API_KEY
from tests.llama_index import helpers

pytestmark = [
    # Third-party noise: llama-index workflows reads pydantic's deprecated attributes.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]
SQL = "SELECT name FROM users WHERE id = 1;"
HI = [ChatMessage(role="user", content="hi")]


def _llm(mock: httpx.MockTransport, **kwargs: Any) -> XiaohuResponses:
    return XiaohuResponses(
        model="gpt-5",
        api_key=TEST_API_KEY,
        api_base="http://relay.invalid/v1",
        http_client=httpx.Client(transport=mock),
        async_http_client=httpx.AsyncClient(transport=mock),
        max_retries=0,
        **kwargs,
    )


@pytest.mark.parametrize("name", sorted(sdk_streams.SCENARIOS))
@pytest.mark.parametrize("sync", [True, False])
async def test_stream_equals_chat(name: str, sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.SCENARIOS[name]()))
    chatted = await helpers.chat(llm, sync, HI)
    chunks = await helpers.stream_chat(llm, sync, HI)
    last = chunks[-1]
    assert last.message == chatted.message
    assert last.logprobs == chatted.logprobs
    assert "".join(c.delta or "" for c in chunks) == (chatted.message.content or "")


@pytest.mark.parametrize("sync", [True, False])
async def test_custom_tool_call_is_a_tool_selection(sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.custom_tool_call()))
    chatted = await helpers.chat(llm, sync, HI)
    [selection] = llm.get_tool_calls_from_response(chatted)
    assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == (
        "call_sql",
        "run_sql",
        {"input": SQL},
    )
    chunks = await helpers.stream_chat(llm, sync, HI)
    growing = [
        b.tool_kwargs for c in chunks[:-1] for b in c.message.blocks if isinstance(b, ToolCallBlock)
    ]
    assert growing[-1] == {"input": SQL}
    assert {"input": SQL[:10]} in growing  # the input streamed as it came
    assert chatted.message.additional_kwargs["custom_tool_calls"] == ["call_sql"]


@pytest.mark.parametrize("sync", [True, False])
async def test_reasoning_content_is_streamed_and_kept(sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.reasoning_text()))
    chatted = await helpers.chat(llm, sync, HI)
    [thinking] = [b for b in chatted.message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking.content == "The user greets me; answer briefly."
    chunks = await helpers.stream_chat(llm, sync, HI)
    deltas = [
        c.additional_kwargs["thinking_delta"]
        for c in chunks
        if "thinking_delta" in c.additional_kwargs
    ]
    assert deltas == ["The user gre", "ets me; answer briefly."]


async def test_logprobs_on_the_chat_response() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(sdk_streams.transport(sdk_streams.logprobs(), seen), top_logprobs=2)
    chatted = llm.chat(HI)
    assert chatted.logprobs is not None
    assert [[p.token for p in token] for token in chatted.logprobs] == [["Hi"], ["!"]]
    assert "message.output_text.logprobs" in seen[0]["include"]
    assert llm.complete("hi").logprobs == chatted.logprobs


async def test_no_logprobs_when_none_came() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.reasoning_text()))
    assert llm.chat(HI).logprobs is None


def test_built_in_items_are_kept_and_their_input_streams() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.built_in_tools()))
    chunks = list(llm.stream_chat(HI))
    progress = [
        c.additional_kwargs["built_in_tool_delta"]
        for c in chunks
        if "built_in_tool_delta" in c.additional_kwargs
    ]
    assert [(p["type"], p["delta"]) for p in progress] == [
        ("code_interpreter_call", "print("),
        ("code_interpreter_call", "6 * 7)"),
        ("mcp_call", '{"rep'),
        ("mcp_call", 'o": "xiaohu"}'),
    ]
    kept = [i["type"] for i in chunks[-1].message.additional_kwargs["built_in_tool_calls"]]
    assert kept == ["mcp_list_tools", "code_interpreter_call", "mcp_call", "mcp_approval_request"]


def _two_turns(first: sdk_streams.Scenario, seen: list[dict[str, Any]]) -> httpx.MockTransport:
    _, answer = sdk_streams.logprobs()
    answer = {**answer, "id": "resp_answer"}

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        seen.append(body)
        final = first[1] if len(seen) == 1 else answer
        if body.get("stream"):
            events = first[0] if len(seen) == 1 else sdk_streams.logprobs()[0]
            headers = {"content-type": "text/event-stream"}
            return httpx.Response(200, content=sdk_streams.sse(events), headers=headers)
        return httpx.Response(200, json=final)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("streaming", [True, False])
async def test_function_agent_runs_a_bound_custom_tool(streaming: bool) -> None:
    ran: list[str] = []

    def run_sql(input: str) -> str:
        """Run one SQL query."""
        ran.append(input)
        return "Ada"

    grammar = {"type": "grammar", "syntax": "lark", "definition": 'start: "SELECT" /.+/'}
    custom = {"type": "custom", "name": "run_sql", "description": "Run SQL.", "format": grammar}
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.custom_tool_call(), seen), built_in_tools=[custom])
    agent = FunctionAgent(
        tools=[FunctionTool.from_defaults(fn=run_sql)], llm=llm, streaming=streaming
    )
    handler = agent.run(user_msg="who is user 1?", memory=ChatMemoryBuffer.from_defaults())
    results = [e async for e in handler.stream_events() if isinstance(e, ToolCallResult)]
    final = await handler
    assert ran == [SQL]
    assert [(r.tool_name, r.tool_kwargs) for r in results] == [("run_sql", {"input": SQL})]
    assert seen[0]["tools"] == [custom]  # the FunctionTool's function spec is not sent too
    replay = seen[1]["input"]
    assert {"type": "custom_tool_call_output", "call_id": "call_sql", "output": "Ada"} in replay
    calls = [i for i in replay if i.get("type") == "custom_tool_call"]
    assert [(c["call_id"], c["input"]) for c in calls] == [("call_sql", SQL)]
    assert "Hi!" in str(final)


def test_mcp_approval_answer_is_an_input_item() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.built_in_tools(), seen), track_previous_responses=True)
    first = llm.chat([ChatMessage(role="user", content="close issue 1")])
    [request] = [
        i
        for i in first.message.additional_kwargs["built_in_tool_calls"]
        if i["type"] == "mcp_approval_request"
    ]
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    reply = ChatMessage(role="user", blocks=[], additional_kwargs={"input_items": [answer]})
    llm.chat([ChatMessage(role="user", content="close issue 1"), first.message, reply])
    assert seen[1]["previous_response_id"] == "resp_synth"  # the server holds the request
    assert seen[1]["input"] == [answer]


@pytest.mark.parametrize("sync", [True, False])
async def test_partial_and_final_images_are_image_blocks(sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.image_generation()))
    chunks = await helpers.stream_chat(llm, sync, HI)
    with_image = [c for c in chunks if any(isinstance(b, ImageBlock) for b in c.message.blocks)]
    before_text = [c for c in with_image if not c.message.content]
    assert before_text  # a partial image shows before the final item and the answer
    chatted = await helpers.chat(llm, sync, HI)
    [image] = [b for b in chatted.message.blocks if isinstance(b, ImageBlock)]
    assert (image.image, image.image_mimetype) == (sdk_streams.PNG.encode(), "image/png")
    assert chunks[-1].message == chatted.message


def test_a_generated_image_is_not_replayed_as_input() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.image_generation(), seen))
    first = llm.chat(HI)
    llm.chat([*HI, first.message, ChatMessage(role="user", content="thanks")])
    assert [i["type"] for i in seen[1]["input"]] == ["message", "message", "message"]


def test_file_and_container_file_citations_are_citation_blocks() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.file_citations()))
    for message in (llm.chat(HI).message, list(llm.stream_chat(HI))[-1].message):
        citations = [b for b in message.blocks if isinstance(b, CitationBlock)]
        assert [(c.source, c.title) for c in citations] == [
            ("file_1", "report.pdf"),
            ("cfile_1", "chart.png"),
        ]
        assert citations[0].additional_location_info == {"index": 17}
        cited = citations[1].cited_content
        assert isinstance(cited, TextBlock)
        assert cited.text == "See the chart."
        assert message.additional_kwargs["citations"][1]["container_id"] == "cntr_1"
