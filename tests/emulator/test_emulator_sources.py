"""Deep research over file search, MCP and code on the emulator: SDK-valid, surfaced by both adapters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage
from openai.types.responses import Response

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from tests.emulator.wire import stream, validate_events

MODEL = "o4-mini-deep-research"
TOOLS: list[dict[str, Any]] = [
    {"type": "file_search", "vector_store_ids": ["vs_1"]},
    {"type": "mcp", "server_label": "notes", "server_url": "https://mcp.example/sse",
     "require_approval": "never"},
    {"type": "code_interpreter", "container": {"type": "auto"}},
]  # fmt: skip
BODY = {"model": MODEL, "input": "Research battery recycling", "tools": TOOLS}
KINDS = ["file_search_call", "mcp_list_tools", "mcp_call", "code_interpreter_call", "message"]


def test_stream_validates_and_carries_every_source(client: httpx.Client) -> None:
    events = stream(client, BODY)
    validate_events(events)
    done = [e["item"]["type"] for e in events if e["type"] == "response.output_item.done"]
    assert [kind for kind in done if kind != "reasoning"] == KINDS
    kinds = {e["type"] for e in events}
    assert {
        "response.code_interpreter_call_code.delta",
        "response.mcp_call_arguments.delta",
    } <= kinds
    plain = client.post("/responses", json=BODY)
    output = Response.model_validate(plain.json()).output
    assert [i.type for i in output if i.type != "reasoning"] == KINDS


@pytest.mark.parametrize("sync", [True, False])
async def test_langchain_streams_the_sources(emulator_url: str, sync: bool) -> None:
    llm = ChatXiaohu(
        model=MODEL, api_key=TEST_API_KEY, base_url=emulator_url, allow_expensive=True
    ).bind_tools(TOOLS)
    chunks = (
        list(llm.stream("Research battery recycling"))
        if sync
        else [c async for c in llm.astream("Research battery recycling")]
    )
    pieces = [c for c in chunks if isinstance(c, AIMessageChunk)]
    assert len(pieces) == len(chunks)
    full = pieces[0]
    for chunk in pieces[1:]:
        full = full + chunk
    kinds = [b["type"] for b in full.content if isinstance(b, dict) and b["type"] != "reasoning"]
    assert kinds == [*KINDS[:-1], "text"]
    progress = full.additional_kwargs["server_tool_call_chunks"]
    assert [p["name"] for p in progress] == ["mcp", "code_interpreter"]
    assert '"query"' in progress[0]["args"]
    assert progress[1]["args"].startswith("print(")


@pytest.mark.parametrize("sync", [True, False])
async def test_llama_index_keeps_the_sources(emulator_url: str, sync: bool) -> None:
    llm = XiaohuResponses(
        model=MODEL, api_key=TEST_API_KEY, api_base=emulator_url, allow_expensive=True,
        built_in_tools=TOOLS,
    )  # fmt: skip
    messages = [ChatMessage(role="user", content="Research battery recycling")]
    try:
        if sync:
            chunks = list(llm.stream_chat(messages))
        else:
            chunks = [c async for c in await llm.astream_chat(messages)]
    finally:
        llm.close()
        await llm.aclose()
    kept = [i["type"] for i in chunks[-1].message.additional_kwargs["built_in_tool_calls"]]
    assert kept == KINDS[:-1]
    progress = [
        c.additional_kwargs["built_in_tool_delta"]["type"]
        for c in chunks
        if "built_in_tool_delta" in c.additional_kwargs
    ]
    assert set(progress) == {"mcp_call", "code_interpreter_call"}
    assert chunks[-1].message.content
