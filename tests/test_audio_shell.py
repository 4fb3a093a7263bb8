"""Spoken audio (`response.audio.*`) and hosted shell output, in the core and both adapters.

The streams are synthetic and validated event by event by the newest `openai` SDK
(`tests.sdk_streams`). Audio belongs to no output item and never comes in a non-streamed
Response: the fold keeps it on the folded Response, so a stream ends on one audio block / one
`AudioBlock` with its transcript. Shell output streams as it comes, then the finished items.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from llama_index.core.base.llms.types import AudioBlock, ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests import sdk_streams
from tests.conftest import TEST_API_KEY
from tests.llama_index import helpers
from xiaohu import AudioDelta, AudioDone, ResponseState, ShellOutputDelta, parse_event

WHOLE = base64.b64encode(b"".join(sdk_streams.AUDIO_PIECES)).decode()
SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
HI = [ChatMessage(role="user", content="hi")]


def _fold(scenario: sdk_streams.Scenario) -> tuple[ResponseState, list[Any]]:
    state = ResponseState()
    deltas = [d for raw in scenario[0] for d in state.apply(parse_event(json.dumps(raw)))]
    return state, deltas


def test_the_fold_yields_audio_and_keeps_it_on_the_response() -> None:
    state, deltas = _fold(sdk_streams.audio())
    pieces = [d for d in deltas if isinstance(d, AudioDelta)]
    assert [p.transcript for p in pieces if p.transcript] == ["Hel", "lo!"]
    assert [base64.b64decode(p.audio) for p in pieces if p.audio] == sdk_streams.AUDIO_PIECES
    assert [d for d in deltas if isinstance(d, AudioDone)] == [AudioDone(WHOLE, "Hello!")]
    assert (state.final_response().model_extra or {})["audio"] == {
        "data": WHOLE,
        "transcript": "Hello!",
    }


def test_the_fold_yields_shell_output() -> None:
    _, deltas = _fold(sdk_streams.shell())
    output = [d for d in deltas if isinstance(d, ShellOutputDelta)]
    assert output == [ShellOutputDelta("a.csv\n", "", 0, 1, "sho_1"),
                      ShellOutputDelta("b.csv\n", "", 0, 1, "sho_1")]  # fmt: skip


def test_no_audio_key_without_audio() -> None:
    state, _ = _fold(sdk_streams.logprobs())
    assert "audio" not in (state.final_response().model_extra or {})


# -- LangChain ----------------------------------------------------------------------------------


def _chat(scenario: sdk_streams.Scenario, seen: list[dict[str, Any]] | None = None) -> ChatXiaohu:
    mock = sdk_streams.transport(scenario, seen)
    return ChatXiaohu(
        model="gpt-5",
        api_key=TEST_API_KEY,
        base_url="http://relay.invalid/v1",
        http_client=httpx.Client(transport=mock),
        http_async_client=httpx.AsyncClient(transport=mock),
    )


async def _streamed(llm: ChatXiaohu, sync: bool) -> AIMessageChunk:
    chunks = list(llm.stream("hi")) if sync else [c async for c in llm.astream("hi")]
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    return full


@pytest.mark.parametrize("sync", SYNC)
async def test_langchain_audio_streams_then_is_one_standard_block(sync: bool) -> None:
    full = await _streamed(_chat(sdk_streams.audio()), sync)
    pieces = [base64.b64decode(b["base64"]) for b in full.additional_kwargs["audio_chunks"]]
    assert pieces == sdk_streams.AUDIO_PIECES
    assert full.additional_kwargs["audio_transcript"] == "Hello!"
    [audio] = [b for b in full.content_blocks if b["type"] == "audio"]
    assert (audio.get("base64"), audio.get("extras")) == (WHOLE, {"transcript": "Hello!"})
    assert [b["type"] for b in full.content_blocks] == ["text", "audio"]


def test_langchain_audio_goes_back_as_its_transcript() -> None:
    seen: list[dict[str, Any]] = []
    llm = _chat(sdk_streams.audio(), seen)
    spoken = AIMessage([{"type": "audio", "base64": WHOLE, "extras": {"transcript": "Hello!"}}])
    llm.invoke([HumanMessage("hi"), spoken, HumanMessage("again")])
    assert seen[0]["input"][1] == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Hello!", "annotations": []}],
    }


@pytest.mark.parametrize("sync", SYNC)
async def test_langchain_shell_output_streams_and_is_standard(sync: bool) -> None:
    llm = _chat(sdk_streams.shell())
    full = await _streamed(llm, sync)
    output = full.additional_kwargs["server_tool_output_chunks"]
    assert [(o["name"], o["id"], o["stdout"]) for o in output] == [
        ("shell", "sho_1", "a.csv\n"),
        ("shell", "sho_1", "b.csv\n"),
    ]
    commands = full.additional_kwargs["server_tool_call_chunks"]
    assert "".join(c["args"] for c in commands) == "ls -la /data"
    invoked = llm.invoke("hi") if sync else await llm.ainvoke("hi")
    for message in (full, invoked):
        call, result, text = message.content_blocks
        assert (call["type"], call.get("name"), call.get("args")) == (
            "server_tool_call", "shell", {"commands": ["ls -la /data"], "timeout_ms": 10_000},
        )  # fmt: skip
        assert (result["type"], result.get("tool_call_id"), result.get("status")) == (
            "server_tool_result", call["id"], "success",
        )  # fmt: skip
        output = result.get("output")
        assert isinstance(output, list)
        assert output[0]["stdout"] == "a.csv\nb.csv\n"
        assert text["type"] == "text"


def test_langchain_replays_shell_items() -> None:
    seen: list[dict[str, Any]] = []
    llm = _chat(sdk_streams.shell(), seen)
    first = llm.invoke("hi")
    llm.invoke([HumanMessage("hi"), first, HumanMessage("and now?")])
    kinds = [i["type"] for i in seen[1]["input"] if i["type"].startswith("shell")]
    assert kinds == ["shell_call", "shell_call_output"]


# -- LlamaIndex ---------------------------------------------------------------------------------


def _li(scenario: sdk_streams.Scenario, seen: list[dict[str, Any]] | None = None) -> Any:
    mock = sdk_streams.transport(scenario, seen)
    return XiaohuResponses(
        model="gpt-5",
        api_key=TEST_API_KEY,
        api_base="http://relay.invalid/v1",
        http_client=httpx.Client(transport=mock),
        async_http_client=httpx.AsyncClient(transport=mock),
        max_retries=0,
    )


@pytest.mark.parametrize("sync", SYNC)
async def test_llama_index_audio_streams_then_is_an_audio_block(sync: bool) -> None:
    chunks = await helpers.stream_chat(_li(sdk_streams.audio()), sync, HI)
    pieces = [
        c.additional_kwargs["audio_delta"] for c in chunks if "audio_delta" in c.additional_kwargs
    ]
    assert [base64.b64decode(p) for p in pieces] == sdk_streams.AUDIO_PIECES
    said = [c.additional_kwargs.get("audio_transcript_delta") for c in chunks]
    assert "".join(s for s in said if s) == "Hello!"
    last = chunks[-1].message
    [audio] = [b for b in last.blocks if isinstance(b, AudioBlock)]
    assert audio.audio == WHOLE.encode()
    assert last.additional_kwargs["audio_transcript"] == "Hello!"
    before = [c for c in chunks[:-1] if any(isinstance(b, AudioBlock) for b in c.message.blocks)]
    assert before  # the stream shows the audio before its end, the same one
    assert before[-1].message.blocks == last.blocks


def test_llama_index_audio_goes_back_as_its_transcript() -> None:
    seen: list[dict[str, Any]] = []
    llm = _li(sdk_streams.audio(), seen)
    last = list(llm.stream_chat(HI))[-1].message
    llm.chat([*HI, last, ChatMessage(role="user", content="again")])
    assert {"type": "message", "role": "assistant", "content": "Hello!"} in seen[1]["input"]


@pytest.mark.parametrize("sync", SYNC)
async def test_llama_index_shell_output_streams_then_the_items(sync: bool) -> None:
    llm = _li(sdk_streams.shell())
    chunks = await helpers.stream_chat(llm, sync, HI)
    deltas = [c.additional_kwargs.get("built_in_tool_delta") for c in chunks]
    output = [d for d in deltas if d and d["type"] == "shell_call_output"]
    assert [(d["id"], d["stdout"]) for d in output] == [("sho_1", "a.csv\n"), ("sho_1", "b.csv\n")]
    commands = [d["delta"] for d in deltas if d and d["type"] == "shell_call"]
    assert "".join(commands) == "ls -la /data"
    chatted = await helpers.chat(llm, sync, HI)
    for message in (chunks[-1].message, chatted.message):
        items = message.additional_kwargs["built_in_tool_calls"]
        assert [i["type"] for i in items] == ["shell_call", "shell_call_output"]
