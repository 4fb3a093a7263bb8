"""ChatXiaohu end to end against the loopback emulator (real sockets), sync and async."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
)
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from pydantic import BaseModel
from typing_extensions import TypedDict

import xiaohu
from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu import _errors as errors
from tests.langchain.test_chat_standard_integration import PDF, _png

KEY = "sk-test-0123456789abcdef0123456789abcdef"


@tool
def get_weather(city: str) -> str:
    """Return the weather of a city."""
    return f"{city}: sunny, 23°C"


def make(url: str, **kwargs: Any) -> ChatXiaohu:
    return ChatXiaohu(
        api_key=KEY, base_url=url, **{"model": "gpt-5-mini", "max_retries": 0, **kwargs}
    )


async def run(llm: Any, messages: Any, *, sync: bool, stream: bool, **kwargs: Any) -> AIMessage:
    if not stream:
        result = llm.invoke(messages, **kwargs) if sync else await llm.ainvoke(messages, **kwargs)
        assert isinstance(result, AIMessage)
        return result
    full: AIMessageChunk | None = None
    if sync:
        for chunk in llm.stream(messages, **kwargs):
            full = chunk if full is None else full + chunk
    else:
        async for chunk in llm.astream(messages, **kwargs):
            full = chunk if full is None else full + chunk
    assert full is not None
    assert full.chunk_position == "last"
    return full


MODES = [
    pytest.param(True, False, id="invoke"),
    pytest.param(False, False, id="ainvoke"),
    pytest.param(True, True, id="stream"),
    pytest.param(False, True, id="astream"),
]


@pytest.mark.parametrize(("sync", "stream"), MODES)
async def test_web_search_gives_citations_and_server_tool_blocks(
    emulator_url: str, sync: bool, stream: bool
) -> None:
    llm = make(emulator_url, model="gpt-5").bind_tools(
        [{"type": "web_search", "search_context_size": "low"}]
    )
    message = await run(llm, "What is new in the OpenAI Responses API?", sync=sync, stream=stream)
    kinds = [b["type"] for b in message.content_blocks]
    assert "server_tool_call" in kinds
    assert "server_tool_result" in kinds
    call = next(b for b in message.content_blocks if b["type"] == "server_tool_call")
    assert call["name"] == "web_search"
    assert call["args"]["query"]
    texts = [b for b in message.content_blocks if b["type"] == "text"]
    assert len(texts) == 1
    citations = texts[0].get("annotations") or []
    assert citations
    assert all(c["type"] == "citation" and c["url"].startswith("http") for c in citations)
    text = texts[0]["text"]
    assert all(0 <= c["start_index"] < c["end_index"] <= len(text) for c in citations)


@pytest.mark.parametrize(("sync", "stream"), MODES)
async def test_reasoning_summary_and_effort(
    emulator_url: str,
    sync: bool,
    stream: bool,
    recording: httpx.Client,
    bodies: list[dict[str, Any]],
) -> None:
    seen = bodies
    kwargs: dict[str, Any] = {"reasoning": {"summary": "auto"}, "reasoning_effort": "high"}
    if sync:
        kwargs["http_client"] = recording
    llm = make(emulator_url, model="gpt-5", **kwargs)
    message = await run(llm, "Why is the sky blue? Think first.", sync=sync, stream=stream)
    reasoning = [b for b in message.content_blocks if b["type"] == "reasoning"]
    assert reasoning
    assert any(b.get("reasoning") for b in reasoning)
    assert message.usage_metadata is not None
    assert message.usage_metadata["output_token_details"]["reasoning"] > 0
    assert message.text
    if sync:
        assert seen[0]["reasoning"] == {"summary": "auto", "effort": "high"}


@pytest.fixture
def bodies() -> list[dict[str, Any]]:
    """Request bodies seen by the `recording` client."""
    return []


@pytest.fixture
def recording(bodies: list[dict[str, Any]]) -> Iterator[httpx.Client]:
    """An `httpx.Client` that notes every request body (the caller owns and closes it)."""
    with httpx.Client(
        event_hooks={"request": [lambda r: bodies.append(json.loads(r.content))]}
    ) as client:
        yield client


def test_stateless_reasoning_with_tools_replays_items_in_order(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    llm = make(
        emulator_url,
        model="gpt-5",
        store=False,
        include=["reasoning.encrypted_content"],
        reasoning={"effort": "low", "summary": "auto"},
        http_client=recording,
    ).bind_tools([get_weather])
    history: list[BaseMessage] = [HumanMessage("What's the weather in Paris? Use the tool.")]
    first = llm.invoke(history)
    assert isinstance(first, AIMessage)
    assert first.tool_calls
    assert first.tool_calls[0]["name"] == "get_weather"
    history += [
        first,
        ToolMessage(
            get_weather.invoke(first.tool_calls[0]["args"]), tool_call_id=first.tool_calls[0]["id"]
        ),
    ]
    second = llm.invoke(history)
    assert second.text
    replayed = [item["type"] for item in bodies[1]["input"]]
    assert replayed[-3:] == ["reasoning", "function_call", "function_call_output"]
    reasoning = bodies[1]["input"][1]
    assert reasoning["encrypted_content"]
    assert "index" not in reasoning
    assert "id" not in bodies[1]["input"][2]  # store=False: no server ids to refer to
    assert bodies[1]["store"] is False


async def test_previous_response_id_sends_only_new_messages(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    llm = make(emulator_url, model="gpt-5", use_previous_response_id=True).bind_tools([get_weather])
    history: list[BaseMessage] = [HumanMessage("What's the weather in Paris? Use the tool.")]
    first = await llm.ainvoke(history)
    assert isinstance(first, AIMessage)
    assert first.tool_calls
    history += [first, ToolMessage("Paris: sunny", tool_call_id=first.tool_calls[0]["id"])]
    sync_llm = make(
        emulator_url,
        model="gpt-5",
        use_previous_response_id=True,
        http_client=recording,
    ).bind_tools([get_weather])
    second = sync_llm.invoke(history)
    assert second.text
    assert bodies[0]["previous_response_id"] == first.response_metadata["id"]
    assert [i["type"] for i in bodies[0]["input"]] == ["function_call_output"]


class _Tokens(BaseCallbackHandler):
    def __init__(self) -> None:
        self.chunks: list[Any] = []

    def on_llm_new_token(self, token: Any, *, chunk: Any = None, **kwargs: Any) -> None:
        self.chunks.append(chunk)


@pytest.mark.parametrize("sync", [True, False])
async def test_streaming_callbacks_get_every_text_delta(emulator_url: str, sync: bool) -> None:
    handler = _Tokens()
    llm = make(emulator_url, streaming=True)
    config: RunnableConfig = {"callbacks": [handler]}
    message = (
        llm.invoke("Tell me a story", config=config)
        if sync
        else await llm.ainvoke("Tell me a story", config=config)
    )
    texts = [c.message.text for c in handler.chunks if c is not None and c.message.text]
    assert len(texts) > 3
    assert "".join(texts) == message.text


def test_create_agent_calls_a_tool(emulator_url: str) -> None:
    from langchain.agents import create_agent

    agent = create_agent(make(emulator_url, model="gpt-5"), tools=[get_weather])
    result = agent.invoke(
        {"messages": [HumanMessage("What's the weather in Paris? Use the tool.")]}
    )
    kinds = [type(m).__name__ for m in result["messages"]]
    assert "ToolMessage" in kinds
    tool_message = next(m for m in result["messages"] if isinstance(m, ToolMessage))
    assert "sunny" in tool_message.text
    assert isinstance(result["messages"][-1], AIMessage)
    assert result["messages"][-1].text


async def test_lcel_chain(emulator_url: str) -> None:
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Answer in {language}."), ("human", "{question}")]
    )
    chain = prompt | make(emulator_url) | StrOutputParser()
    answer = await chain.ainvoke({"language": "中文", "question": "你好吗？"})
    assert isinstance(answer, str)
    assert answer
    assert [piece async for piece in chain.astream({"language": "English", "question": "hi"})]


@pytest.mark.parametrize("sync", [True, False])
async def test_deep_research_stream(emulator_url: str, sync: bool) -> None:
    llm = make(emulator_url, model="o3-deep-research").bind_tools([{"type": "web_search_preview"}])
    message = await run(
        llm,
        "Research how LLM relays bill web searches.",
        sync=sync,
        stream=True,
        allow_expensive=True,
    )
    kinds = [b["type"] for b in message.content_blocks]
    assert kinds.count("server_tool_call") >= 1
    assert message.text
    assert message.response_metadata["status"] == "completed"
    text_block = next(b for b in message.content_blocks if b["type"] == "text")
    assert text_block.get("annotations")


ERRORS = [
    pytest.param(
        "invalid_key", errors.XiaohuAuthenticationError, ModelAuthenticationError, id="401"
    ),
    pytest.param(
        "quota", errors.XiaohuInsufficientQuotaError, ModelPermissionDeniedError, id="quota"
    ),
    pytest.param(
        "no_channel", errors.XiaohuModelUnavailableError, ModelNotFoundError, id="no-channel"
    ),
    pytest.param("rate_limit", errors.XiaohuRateLimitError, ModelRateLimitError, id="429"),
    pytest.param("server_error", errors.XiaohuInternalServerError, ModelAPIError, id="500"),
    pytest.param("bad_gateway", errors.XiaohuInternalServerError, ModelAPIError, id="502"),
    pytest.param("error_event", errors.XiaohuResponseFailedError, ModelAPIError, id="error-event"),
    pytest.param("drop_stream", errors.XiaohuIncompleteStreamError, ModelAPIError, id="dropped"),
]


@pytest.mark.parametrize(("fault", "cls", "lc_cls"), ERRORS)
@pytest.mark.parametrize("sync", [True, False])
async def test_each_error_class(
    emulator_url: str, fault: str, cls: type, lc_cls: type, sync: bool
) -> None:
    llm = make(emulator_url, default_headers={"X-Emulator-Fault": fault})
    with pytest.raises(cls) as caught:
        await run(llm, "hi", sync=sync, stream=True)
    assert isinstance(caught.value, lc_cls)
    assert isinstance(caught.value, xiaohu.XiaohuError)
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)


def test_incomplete_response_is_reported(emulator_url: str) -> None:
    message = make(emulator_url, default_headers={"X-Emulator-Fault": "incomplete"}).invoke("hi")
    assert message.response_metadata["status"] == "incomplete"
    assert message.response_metadata["incomplete_details"]["reason"]


@pytest.mark.parametrize("sync", [True, False])
async def test_image_and_pdf_inputs(emulator_url: str, sync: bool) -> None:

    png = base64.b64encode(_png()).decode()
    pdf = base64.b64encode(PDF).decode()
    message = HumanMessage(
        [
            {"type": "text", "text": "Describe these."},
            {"type": "image", "base64": png, "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": "https://example.org/cat.png"}},
            {"type": "file", "base64": pdf, "mime_type": "application/pdf", "filename": "a.pdf"},
        ]
    )
    answer = await run(make(emulator_url), [message], sync=sync, stream=False)
    assert answer.text


class Answer(BaseModel):
    """An answer with its confidence."""

    answer: str
    confidence: float


class AnswerDict(TypedDict):
    """An answer."""

    answer: str


@pytest.mark.parametrize("method", ["json_schema", "function_calling"])
@pytest.mark.parametrize("sync", [True, False])
async def test_structured_output_methods(emulator_url: str, method: str, sync: bool) -> None:
    llm = make(emulator_url).with_structured_output(Answer, method=method)  # type: ignore[arg-type]
    result = llm.invoke("Is water wet?") if sync else await llm.ainvoke("Is water wet?")
    assert isinstance(result, Answer)
    assert result.answer


async def test_structured_output_include_raw_and_typeddict(emulator_url: str) -> None:
    llm = make(emulator_url).with_structured_output(AnswerDict, include_raw=True)
    result = await llm.ainvoke("Is water wet?")
    assert isinstance(result["raw"], AIMessage)
    assert result["parsing_error"] is None
    assert isinstance(result["parsed"]["answer"], str)


def test_json_mode_returns_a_dict(emulator_url: str) -> None:
    result = make(emulator_url).with_structured_output(method="json_mode").invoke("Reply in JSON.")
    assert isinstance(result, dict)
    assert result


def test_strict_tools_and_tool_choice_reach_the_relay(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    llm = make(emulator_url, http_client=recording).bind_tools(
        [get_weather, {"type": "web_search_preview"}],
        tool_choice="get_weather",
        strict=True,
        parallel_tool_calls=False,
    )
    message = llm.invoke("Weather in 北京?")
    assert message.tool_calls[0]["name"] == "get_weather"
    body = bodies[0]
    assert body["tool_choice"] == {"type": "function", "name": "get_weather"}
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["strict"] is True
    assert body["tools"][1] == {"type": "web_search_preview"}


@pytest.mark.parametrize("sync", [True, False])
async def test_batch(emulator_url: str, sync: bool) -> None:
    llm = make(emulator_url)
    inputs: list[Any] = ["one", "two", "three"]
    results = llm.batch(inputs) if sync else await llm.abatch(inputs)
    assert len(results) == 3
    assert all(r.text for r in results)


def test_streamed_incomplete_response_is_reported(emulator_url: str) -> None:
    llm = make(emulator_url, default_headers={"X-Emulator-Fault": "incomplete"})
    chunks = list(llm.stream("hi"))
    assert chunks[-1].response_metadata["status"] == "incomplete"
    assert chunks[-1].response_metadata["incomplete_details"]["reason"]
