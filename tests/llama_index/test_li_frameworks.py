"""`XiaohuResponses` inside LlamaIndex: RAG, chat engine, agents, structured output, callbacks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import (
    AgentStream,
    FunctionAgent,
    ReActAgent,
    ToolCallResult,
)
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.base.response.schema import AsyncStreamingResponse, StreamingResponse
from llama_index.core.callbacks import CallbackManager, TokenCountingHandler
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, Field

from llama_index_xiaohu import XiaohuResponses
from tests.llama_index import helpers

pytestmark = [
    # Third-party noise we cannot fix: llama-index workflows reads pydantic's deprecated
    # attributes through inspect.getmembers.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]
SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]
DOCS = [
    Document(text="The relay is called Xiaohu. It speaks the OpenAI Responses API."),
    Document(text="West Lake is in Hangzhou."),
]


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


WEATHER = FunctionTool.from_defaults(fn=get_weather)


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str
    population: int


PROMPT = PromptTemplate("Describe the city {city}.")


class Recorder(BaseEventHandler):
    """Collects instrumentation event class names."""

    events: list[str] = Field(default_factory=list)

    @classmethod
    def class_name(cls) -> str:
        return "Recorder"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(type(event).__name__)


def memory() -> ChatMemoryBuffer:
    """A plain in-process memory (the agents' default opens an aiosqlite engine it never closes)."""
    return ChatMemoryBuffer.from_defaults()


@pytest.fixture
def events() -> Iterator[list[str]]:
    dispatcher = get_dispatcher()
    recorder = Recorder(events=[])
    dispatcher.add_event_handler(recorder)
    yield recorder.events
    dispatcher.event_handlers.remove(recorder)


@pytest.mark.parametrize("sync", SYNC)
async def test_streaming_query_engine(llm: XiaohuResponses, sync: bool) -> None:
    index = VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))
    engine = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=2)
    if sync:
        response = engine.query("What is the relay called?")
        assert isinstance(response, StreamingResponse)
        tokens = list(response.response_gen)
    else:
        response = await engine.aquery("What is the relay called?")
        assert isinstance(response, AsyncStreamingResponse)
        tokens = [t async for t in response.async_response_gen()]
    assert len(tokens) > 3
    assert "".join(tokens).strip()
    assert len(response.source_nodes) == 2


@pytest.mark.parametrize("sync", SYNC)
async def test_chat_engine_keeps_history(llm: XiaohuResponses, sync: bool) -> None:
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory())
    if sync:
        first = engine.chat("Tell me about Hangzhou")
        streamed = engine.stream_chat("And its food?")
        tokens = list(streamed.response_gen)
    else:
        first = await engine.achat("Tell me about Hangzhou")
        streamed = await engine.astream_chat("And its food?")
        tokens = [t async for t in streamed.async_response_gen()]
    assert str(first)
    assert "".join(tokens) == str(streamed)
    assert len(engine.chat_history) == 4


@pytest.mark.parametrize("streaming", [True, False])
async def test_function_agent_calls_the_tool(llm: XiaohuResponses, streaming: bool) -> None:
    agent = FunctionAgent(tools=[WEATHER], llm=llm, system_prompt="Use tools.", streaming=streaming)
    handler = agent.run(user_msg="What is the weather in Oslo?", memory=memory())
    calls, deltas = [], []
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            calls.append((event.tool_name, event.tool_kwargs, event.tool_output.content))
        elif isinstance(event, AgentStream):
            deltas.append(event.delta)
    result = await handler
    assert calls == [("get_weather", {"city": "Oslo"}, "Sunny in Oslo")]
    assert "Sunny in Oslo" in str(result)
    if streaming:
        assert len(deltas) > 3


async def test_function_agent_streams_thinking(make_llm: Callable[..., XiaohuResponses]) -> None:
    llm = make_llm(
        model="gpt-5", reasoning_options={"effort": "low", "summary": "auto"}, store=False
    )
    agent = FunctionAgent(tools=[WEATHER], llm=llm)
    handler = agent.run(user_msg="What is the weather in Oslo?", memory=memory())
    thinking = [
        e.thinking_delta
        async for e in handler.stream_events()
        if isinstance(e, AgentStream) and e.thinking_delta
    ]
    result = await handler
    assert thinking
    assert "Sunny in Oslo" in str(result)


async def test_react_agent_runs(llm: XiaohuResponses) -> None:
    agent = ReActAgent(tools=[WEATHER], llm=llm)
    result = await agent.run(user_msg="What is the weather in Oslo?", memory=memory())
    # The emulator does not speak ReAct's Thought/Action format, so the agent takes its reply
    # as the final answer; what matters here is that the agent loop runs on this LLM.
    assert str(result).strip()


@pytest.mark.parametrize("sync", SYNC)
async def test_structured_predict(llm: XiaohuResponses, sync: bool, events: list[str]) -> None:
    if sync:
        city = llm.structured_predict(City, PROMPT, city="Hangzhou")
    else:
        city = await llm.astructured_predict(City, PROMPT, city="Hangzhou")
    assert isinstance(city, City)
    assert city.name
    assert "LLMStructuredPredictStartEvent" in events
    assert "LLMStructuredPredictEndEvent" in events


async def test_structured_output_goes_through_text_format(
    make_llm: Callable[..., XiaohuResponses], emulator_url: str
) -> None:
    import json

    import httpx

    bodies: list[dict[str, Any]] = []
    with httpx.Client(
        event_hooks={"request": [lambda r: bodies.append(json.loads(r.content))]}
    ) as http:
        llm = make_llm(http_client=http)
        llm.structured_predict(City, PROMPT, city="Hangzhou")
    fmt = bodies[0]["text"]["format"]
    assert fmt["type"] == "json_schema"
    assert fmt["name"] == "City"
    assert fmt["schema"] == City.model_json_schema()
    assert "tools" not in bodies[0]


@pytest.mark.parametrize("sync", SYNC)
async def test_stream_structured_predict(llm: XiaohuResponses, sync: bool) -> None:
    if sync:
        parts = list(llm.stream_structured_predict(City, PROMPT, city="Hangzhou"))
    else:
        parts = [
            p async for p in await llm.astream_structured_predict(City, PROMPT, city="Hangzhou")
        ]
    assert len(parts) > 2
    assert isinstance(parts[-1], City)
    assert parts[-1].name


@pytest.mark.parametrize("sync", SYNC)
async def test_as_structured_llm(llm: XiaohuResponses, sync: bool) -> None:
    structured = llm.as_structured_llm(City)
    messages = [ChatMessage(content="Describe the city Hangzhou.")]
    response = await helpers.chat(structured, sync, messages)
    assert isinstance(response.raw, City)
    assert City.model_validate_json(response.message.content or "") == response.raw


@pytest.mark.parametrize("sync", SYNC)
@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
async def test_token_counting_handler_reads_usage(
    make_llm: Callable[..., XiaohuResponses], sync: bool, stream: bool
) -> None:
    counter = TokenCountingHandler()
    llm = make_llm(callback_manager=CallbackManager([counter]))
    messages = [ChatMessage(content="Tell me about the history of Hangzhou")]
    if stream:
        final = (await helpers.stream_chat(llm, sync, messages))[-1]
    else:
        final = await helpers.chat(llm, sync, messages)
    usage = helpers.raw(final)["usage"]
    assert counter.prompt_llm_token_count == usage["input_tokens"]
    assert counter.completion_llm_token_count == usage["output_tokens"]
    counter.reset_counts()
    done = await helpers.complete(llm, sync, "What is 6 * 7?")
    assert counter.completion_llm_token_count == helpers.raw(done)["usage"]["output_tokens"]


@pytest.mark.parametrize("sync", SYNC)
async def test_instrumentation_events(llm: XiaohuResponses, sync: bool, events: list[str]) -> None:
    messages = [ChatMessage(content="Tell me about Hangzhou")]
    await helpers.chat(llm, sync, messages)
    assert events == ["LLMChatStartEvent", "LLMChatEndEvent"]
    events.clear()
    chunks = await helpers.stream_chat(llm, sync, messages)
    assert events[0] == "LLMChatStartEvent"
    assert events[-1] == "LLMChatEndEvent"
    assert events.count("LLMChatInProgressEvent") == len(chunks)
    events.clear()
    await helpers.complete(llm, sync, "Hi")
    assert events == ["LLMCompletionStartEvent", "LLMCompletionEndEvent"]
    events.clear()
    parts = await helpers.stream_complete(llm, sync, "Hi")
    assert events.count("LLMCompletionInProgressEvent") == len(parts)
    assert events[-1] == "LLMCompletionEndEvent"


@pytest.mark.parametrize("sync", SYNC)
async def test_exception_event_on_stream_failure(
    make_llm: Callable[..., XiaohuResponses], sync: bool, events: list[str]
) -> None:
    from xiaohu import ResponseFailedError

    llm = make_llm(default_headers={"X-Emulator-Fault": "error_event"}, max_retries=0)
    with pytest.raises(ResponseFailedError):
        await helpers.stream_chat(llm, sync, [ChatMessage(content="Hi")])
    assert "ExceptionEvent" in events
