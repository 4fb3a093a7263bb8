"""Images, raw reasoning, logprobs and MCP approvals end to end on the loopback emulator.

Both adapters, sync and async, streamed and not: each feature reaches the framework's own
types (LangChain content blocks, `response_metadata`; LlamaIndex `ImageBlock`, `ThinkingBlock`,
`ChatResponse.logprobs`, `additional_kwargs`), a stream ends on the message a plain call gives,
and an MCP approval request is answered in each framework's way.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ImageBlock, ThinkingBlock

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY

IMAGE_TOOL = {"type": "image_generation", "partial_images": 2}
MCP = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example/sse"}
QUESTION = {"image": "Draw a red dot", "reasoning": "Why is the sky blue?", "logprobs": "Say hi"}
MODELS = {"image": "gpt-5-mini", "reasoning": "gpt-oss-120b", "logprobs": "gpt-4.1"}
SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
_FRESH = frozenset({"id", "call_id", "approval_request_id", "response_id", "encrypted_content"})


def _masked(value: Any) -> Any:
    """A message as comparable across two calls: fresh ids masked, stream-only keys dropped."""
    if isinstance(value, dict):
        return {
            k: "-" if k in _FRESH else _masked(v)
            for k, v in value.items()
            if k not in ("index", "status") and not (k == "annotations" and not v)
        }
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


# -- LangChain ----------------------------------------------------------------------------------


def _chat(url: str, feature: str) -> Any:
    llm = ChatXiaohu(
        model=MODELS[feature],
        api_key=TEST_API_KEY,
        base_url=url,
        max_retries=0,
        top_logprobs=2 if feature == "logprobs" else None,
    )
    return llm.bind_tools([IMAGE_TOOL]) if feature == "image" else llm


async def _lc(llm: Any, messages: Any, *, sync: bool, stream: bool) -> AIMessage:
    if not stream:
        result = llm.invoke(messages) if sync else await llm.ainvoke(messages)
        assert isinstance(result, AIMessage)
        return result
    chunks = list(llm.stream(messages)) if sync else [c async for c in llm.astream(messages)]
    full: AIMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


@pytest.mark.parametrize("feature", sorted(QUESTION))
@pytest.mark.parametrize("sync", SYNC)
async def test_langchain_stream_ends_on_the_invoke_message(
    emulator_url: str, feature: str, sync: bool
) -> None:
    llm = _chat(emulator_url, feature)
    invoked = await _lc(llm, QUESTION[feature], sync=sync, stream=False)
    streamed = await _lc(llm, QUESTION[feature], sync=sync, stream=True)
    assert streamed.text == invoked.text
    assert _masked(streamed.content) == _masked(invoked.content)
    assert streamed.response_metadata.get("logprobs") == invoked.response_metadata.get("logprobs")
    for message in (invoked, streamed):
        blocks = message.content_blocks
        if feature == "image":
            [image] = [b for b in blocks if b["type"] == "image"]
            assert base64.b64decode(image["base64"]).startswith(b"\x89PNG")
            assert image.get("mime_type") == "image/png"
        elif feature == "reasoning":
            [raw] = [b for b in message.content if isinstance(b, dict) and b["type"] == "reasoning"]
            assert raw["content"][0]["type"] == "reasoning_text"
            assert "sky" in raw["content"][0]["text"]
        else:
            tokens = message.response_metadata["logprobs"]
            assert "".join(t["token"] for t in tokens) == message.text
            assert all(len(t["top_logprobs"]) == 2 for t in tokens)
    if feature == "image":
        assert len(streamed.additional_kwargs["partial_images"]) == 2


async def test_langchain_raw_reasoning_streams_in_pieces(emulator_url: str) -> None:
    llm = _chat(emulator_url, "reasoning")
    pieces = [
        part["text"]
        async for chunk in llm.astream(QUESTION["reasoning"])
        for block in chunk.content
        if isinstance(block, dict) and block.get("type") == "reasoning"
        for part in block.get("content", ())
    ]
    assert len(pieces) > 2


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize("stream", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("approve", [True, False], ids=["approved", "declined"])
async def test_langchain_answers_an_mcp_approval(
    emulator_url: str, sync: bool, stream: bool, approve: bool
) -> None:
    llm = ChatXiaohu(
        model="gpt-4.1", api_key=TEST_API_KEY, base_url=emulator_url, max_retries=0
    ).bind_tools([MCP])
    ask = HumanMessage("Find the tea guide")
    first = await _lc(llm, [ask], sync=sync, stream=stream)
    kinds = [b["type"] for b in first.content if isinstance(b, dict)]
    assert kinds == ["mcp_list_tools", "mcp_approval_request"]
    request = first.content[-1]
    assert isinstance(request, dict)
    answer = {"type": "mcp_approval_response", "approval_request_id": request["id"],
              "approve": approve}  # fmt: skip
    second = await _lc(llm, [ask, first, HumanMessage([answer])], sync=sync, stream=stream)
    calls = [b for b in second.content_blocks if b["type"] == "server_tool_call"]
    if approve:
        assert [c.get("name") for c in calls] == ["remote_mcp"]
        assert calls[0].get("args") == {"query": "Find the tea guide"}
        assert "search returned" in second.text
    else:
        assert calls == []
        assert "not approved" in second.text


# -- LlamaIndex ---------------------------------------------------------------------------------


def _li(url: str, feature: str, **kwargs: Any) -> XiaohuResponses:
    return XiaohuResponses(
        model=MODELS.get(feature, "gpt-4.1"),
        api_key=TEST_API_KEY,
        api_base=url,
        max_retries=0,
        built_in_tools=[IMAGE_TOOL] if feature == "image" else kwargs.pop("built_in_tools", None),
        top_logprobs=2 if feature == "logprobs" else None,
        **kwargs,
    )


async def _li_call(
    llm: XiaohuResponses, messages: list[ChatMessage], *, sync: bool, stream: bool
) -> tuple[ChatResponse, list[ChatResponse]]:
    if not stream:
        return (llm.chat(messages) if sync else await llm.achat(messages)), []
    if sync:
        chunks = list(llm.stream_chat(messages))
    else:
        chunks = [c async for c in await llm.astream_chat(messages)]
    return chunks[-1], chunks


@pytest.mark.parametrize("feature", sorted(QUESTION))
@pytest.mark.parametrize("sync", SYNC)
async def test_llama_index_stream_ends_on_the_chat_message(
    emulator_url: str, feature: str, sync: bool
) -> None:
    llm = _li(emulator_url, feature)
    ask = [ChatMessage(role="user", content=QUESTION[feature])]
    try:
        chatted, _ = await _li_call(llm, ask, sync=sync, stream=False)
        last, chunks = await _li_call(llm, ask, sync=sync, stream=True)
    finally:
        llm.close()
        await llm.aclose()
    assert _masked(last.message.model_dump()) == _masked(chatted.message.model_dump())
    assert last.logprobs == chatted.logprobs
    for response in (chatted, last):
        blocks = response.message.blocks
        if feature == "image":
            [image] = [b for b in blocks if isinstance(b, ImageBlock)]
            assert image.image_mimetype == "image/png"
            assert isinstance(image.image, bytes)
            assert base64.b64decode(image.image).startswith(b"\x89PNG")
        elif feature == "reasoning":
            [thinking] = [b for b in blocks if isinstance(b, ThinkingBlock)]
            assert "sky" in (thinking.content or "")
        else:
            assert response.logprobs is not None
            assert all(len(options) == 2 for options in response.logprobs)
            tokens = "".join(options[0].token for options in response.logprobs)
            assert tokens == response.message.content
    if feature == "image":  # partial images show before the final one
        partial = [
            c for c in chunks[:-1] if any(isinstance(b, ImageBlock) for b in c.message.blocks)
        ]
        assert partial
    if feature == "reasoning":
        thought = [c.additional_kwargs.get("thinking_delta") for c in chunks]
        assert len([t for t in thought if t]) > 2


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize("stream", [False, True], ids=["chat", "stream"])
@pytest.mark.parametrize("approve", [True, False], ids=["approved", "declined"])
async def test_llama_index_answers_an_mcp_approval(
    emulator_url: str, sync: bool, stream: bool, approve: bool
) -> None:
    llm = _li(emulator_url, "mcp", built_in_tools=[MCP], track_previous_responses=True)
    ask = ChatMessage(role="user", content="Find the tea guide")
    try:
        first, _ = await _li_call(llm, [ask], sync=sync, stream=stream)
        items = first.message.additional_kwargs["built_in_tool_calls"]
        assert [i["type"] for i in items] == ["mcp_list_tools", "mcp_approval_request"]
        answer = {"type": "mcp_approval_response", "approval_request_id": items[-1]["id"],
                  "approve": approve}  # fmt: skip
        reply = ChatMessage(role="user", blocks=[], additional_kwargs={"input_items": [answer]})
        second, _ = await _li_call(llm, [ask, first.message, reply], sync=sync, stream=stream)
    finally:
        llm.close()
        await llm.aclose()
    made = [
        i
        for i in second.message.additional_kwargs.get("built_in_tool_calls", ())
        if i["type"] == "mcp_call"
    ]
    if approve:
        assert [(m["name"], m["approval_request_id"]) for m in made] == [
            ("search", items[-1]["id"])
        ]
        assert "search returned" in (second.message.content or "")
    else:
        assert made == []
        assert "not approved" in (second.message.content or "")
