"""ChatXiaohu surfaces every streamed item kind: stream == invoke on SDK-validated streams."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import tool

from langchain_xiaohu import ChatXiaohu
from tests import sdk_streams

SQL = "SELECT name FROM users WHERE id = 1;"
KEY = "sk-test-0123456789abcdef0123456789abcdef"
URL = "http://relay.test/v1"


def _llm(mock: httpx.MockTransport, **kwargs: Any) -> ChatXiaohu:
    return ChatXiaohu(
        model="gpt-5",
        api_key=KEY,
        base_url=URL,
        http_client=httpx.Client(transport=mock),
        http_async_client=httpx.AsyncClient(transport=mock),
        **kwargs,
    )


def _without_index(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_index(v) for k, v in value.items() if k != "index"}
    if isinstance(value, list):
        return [_without_index(v) for v in value]
    return value


async def _both(llm: ChatXiaohu, sync: bool) -> tuple[AIMessage, AIMessageChunk]:
    if sync:
        invoked = llm.invoke("hi")
        chunks = list(llm.stream("hi"))
    else:
        invoked = await llm.ainvoke("hi")
        chunks = [c async for c in llm.astream("hi")]
    streamed = chunks[0]
    for chunk in chunks[1:]:
        streamed = streamed + chunk
    return invoked, streamed


def _comparable(blocks: list[Any]) -> list[Any]:
    # The stream learns an item's `status` only when it is done, and its text blocks carry
    # `annotations` only once one arrives; the rest must match exactly.
    return [
        {k: v for k, v in b.items() if k != "status" and not (k == "annotations" and not v)}
        for b in _without_index(blocks)
    ]


@pytest.mark.parametrize("name", sorted(sdk_streams.SCENARIOS))
@pytest.mark.parametrize("sync", [True, False])
async def test_stream_equals_invoke(name: str, sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.SCENARIOS[name]()))
    invoked, streamed = await _both(llm, sync)
    assert streamed.text == invoked.text
    assert streamed.tool_calls == invoked.tool_calls
    assert streamed.invalid_tool_calls == invoked.invalid_tool_calls == []
    assert _comparable(streamed.content) == _comparable(invoked.content)  # type: ignore[arg-type]
    assert streamed.response_metadata.get("logprobs") == invoked.response_metadata.get("logprobs")
    assert streamed.usage_metadata == invoked.usage_metadata


@pytest.mark.parametrize("sync", [True, False])
async def test_custom_tool_call_is_a_tool_call(sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.custom_tool_call()))
    invoked, streamed = await _both(llm, sync)
    expected = [
        {
            "name": "run_sql",
            "args": {"input": "SELECT name FROM users WHERE id = 1;"},
            "id": "call_sql",
            "type": "tool_call",
        }
    ]
    assert invoked.tool_calls == streamed.tool_calls == expected
    for message in (invoked, streamed):
        [block] = message.content_blocks
        assert block["type"] == "tool_call"
        assert (block["id"], block["name"], block["args"]) == (
            "call_sql",
            "run_sql",
            {"input": SQL},
        )


async def test_custom_tool_input_streams_as_block_pieces() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.custom_tool_call()))
    pieces = [
        block.get("input")
        for chunk in llm.stream("hi")
        for block in chunk.content
        if isinstance(block, dict)
        and block.get("type") == "custom_tool_call"
        and block.get("input")
    ]
    assert pieces == ["SELECT nam", "e FROM users WHERE id = 1;"]


def test_reasoning_content_is_streamed_and_kept() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.reasoning_text()))
    chunks = list(llm.stream("hi"))
    texts = [
        part["text"]
        for chunk in chunks
        for block in chunk.content
        if isinstance(block, dict) and block.get("type") == "reasoning"
        for part in block.get("content", ())
    ]
    assert "".join(texts) == "The user greets me; answer briefly."
    assert len(texts) == 2  # streamed as it came, not only at the end
    invoked = llm.invoke("hi")
    reasoning = [b for b in invoked.content if isinstance(b, dict) and b["type"] == "reasoning"]
    assert reasoning[0]["content"] == [
        {"type": "reasoning_text", "text": "The user greets me; answer briefly."}
    ]


def test_logprobs_in_response_metadata() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(sdk_streams.transport(sdk_streams.logprobs(), seen), top_logprobs=2)
    invoked = llm.invoke("hi")
    assert [t["token"] for t in invoked.response_metadata["logprobs"]] == ["Hi", "!"]
    assert seen[0]["top_logprobs"] == 2
    assert "message.output_text.logprobs" in seen[0]["include"]


def test_no_logprobs_key_when_none_came() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.reasoning_text()))
    assert "logprobs" not in llm.invoke("hi").response_metadata


def test_built_in_tool_input_streams_as_server_tool_call_chunks() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.built_in_tools()))
    full: AIMessageChunk | None = None
    for chunk in llm.stream("hi"):
        full = chunk if full is None else full + chunk
    assert full is not None
    progress = _without_index(full.additional_kwargs["server_tool_call_chunks"])
    assert progress == [
        {
            "type": "server_tool_call_chunk",
            "name": "code_interpreter",
            "args": "print(6 * 7)",
            "id": "ci_1",
        },
        {
            "type": "server_tool_call_chunk",
            "name": "mcp",
            "args": '{"repo": "xiaohu"}',
            "id": "mcp_1",
        },
    ]
    kinds = [b["type"] for b in full.content if isinstance(b, dict)]
    assert kinds == [
        "mcp_list_tools",
        "code_interpreter_call",
        "mcp_call",
        "mcp_approval_request",
        "text",
    ]


def _two_turns(first: sdk_streams.Scenario, seen: list[dict[str, Any]]) -> httpx.MockTransport:
    """First request: the scenario's Response; later ones: a plain text answer."""
    _, answer = sdk_streams.logprobs()
    answer = {**answer, "id": "resp_answer"}  # a new turn: LangGraph replaces same-id messages

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=first[1] if len(seen) == 1 else answer)

    return httpx.MockTransport(handler)


def test_custom_tool_answer_goes_back_as_custom_tool_call_output() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.custom_tool_call(), seen))
    first = llm.invoke("who is user 1?")
    call = first.tool_calls[0]
    llm.invoke([HumanMessage("who is user 1?"), first, ToolMessage("Ada", tool_call_id=call["id"])])
    replay = seen[1]["input"]
    assert {"type": "custom_tool_call_output", "call_id": "call_sql", "output": "Ada"} in replay
    replayed_calls = [i for i in replay if i.get("type") in ("custom_tool_call", "function_call")]
    assert [(i["type"], i["call_id"]) for i in replayed_calls] == [("custom_tool_call", "call_sql")]


def test_binding_a_custom_tool_and_an_agent_running_it() -> None:
    from langchain.agents import create_agent

    ran: list[str] = []
    grammar = {"type": "grammar", "syntax": "lark", "definition": 'start: "SELECT" /.+/'}

    @tool("run_sql", description="Run one SQL query.")
    def run_sql(input: str) -> str:
        ran.append(input)
        return "Ada"

    run_sql.metadata = {"type": "custom_tool", "format": grammar}
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.custom_tool_call(), seen))
    agent = create_agent(llm, tools=[run_sql])
    result = agent.invoke({"messages": [HumanMessage("who is user 1?")]})
    assert ran == ["SELECT name FROM users WHERE id = 1;"]
    spec = {"type": "custom", "name": "run_sql", "description": "Run one SQL query."}
    assert seen[0]["tools"] == [{**spec, "format": grammar}]
    outputs = [i for i in seen[1]["input"] if i.get("type") == "custom_tool_call_output"]
    assert outputs == [{"type": "custom_tool_call_output", "call_id": "call_sql", "output": "Ada"}]
    assert [type(m).__name__ for m in result["messages"]] == [
        "HumanMessage",
        "AIMessage",
        "ToolMessage",
        "AIMessage",
    ]
    assert result["messages"][-1].text == "Hi!"


def test_mcp_approval_answer_is_an_input_item() -> None:
    seen: list[dict[str, Any]] = []
    llm = _llm(_two_turns(sdk_streams.built_in_tools(), seen))
    first = llm.invoke("close issue 1")
    request = next(
        b for b in first.content if isinstance(b, dict) and b["type"] == "mcp_approval_request"
    )
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    llm.invoke([HumanMessage("close issue 1"), first, HumanMessage([answer])])
    replay = seen[1]["input"]
    assert answer in replay
    assert [i["type"] for i in replay if i["type"].startswith("mcp")] == [
        "mcp_list_tools",
        "mcp_call",
        "mcp_approval_request",
        "mcp_approval_response",
    ]


def test_partial_and_final_images_are_standard_image_blocks() -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.image_generation()))
    partial = [
        image
        for chunk in llm.stream("draw a red dot")
        for image in chunk.additional_kwargs.get("partial_images", ())
    ]
    assert [(p["type"], p["base64"], p["mime_type"]) for p in partial] == [
        ("image", sdk_streams.PNG, "image/png")
    ] * 2
    assert [p["extras"]["partial_image_index"] for p in partial] == [0, 1]
    images = [b for b in llm.invoke("draw").content_blocks if b["type"] == "image"]
    assert [(b.get("base64"), b.get("mime_type")) for b in images] == [
        (sdk_streams.PNG, "image/png")
    ]


@pytest.mark.parametrize("sync", [True, False])
async def test_file_and_container_file_citations_are_standard_citations(sync: bool) -> None:
    llm = _llm(sdk_streams.transport(sdk_streams.file_citations()))
    for message in await _both(llm, sync):
        [text] = [b for b in message.content_blocks if b["type"] == "text"]
        citations = text.get("annotations") or []
        assert [(c["type"], c.get("title")) for c in citations] == [
            ("citation", "report.pdf"),
            ("citation", "chart.png"),
        ]
        assert citations[1].get("extras", {})["container_id"] == "cntr_1"
