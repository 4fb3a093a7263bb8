"""Every request body the adapters send is a valid `ResponseCreateParams` of the `openai` package.

The bodies are captured on the wire (an httpx request hook) while both adapters run real
conversations against the emulator: plain, system prompts, images, reasoning with encrypted
content and stateless replay, function tools with their results, built-in web search,
structured output, streaming. Each is validated with the openai package's own TypedDicts, and
no top-level key may fall outside them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openai.types.responses import response_create_params as oa
from pydantic import BaseModel, TypeAdapter

KEY = "sk-test-bodies-0123456789"
_STREAMING = TypeAdapter(oa.ResponseCreateParamsStreaming)
_NON_STREAMING = TypeAdapter(oa.ResponseCreateParamsNonStreaming)
_KNOWN_KEYS = set(oa.ResponseCreateParamsBase.__annotations__) | {"stream"}
_PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def _force(value: Any) -> Any:
    """Consume the lazily validated iterables pydantic returns for `Iterable[...]` fields."""
    if isinstance(value, dict):
        return {key: _force(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_force(item) for item in value]
    if type(value).__name__ == "ValidatorIterator":
        return [_force(item) for item in value]
    return value


def _validate(body: dict[str, Any]) -> None:
    unknown = set(body) - _KNOWN_KEYS
    assert not unknown, f"keys outside ResponseCreateParams: {unknown}"
    adapter = _STREAMING if body.get("stream") else _NON_STREAMING
    _force(adapter.validate_python(body))


@pytest.fixture
def bodies() -> list[dict[str, Any]]:
    return []


def _hooked(bodies: list[dict[str, Any]]) -> httpx.Client:
    def capture(request: httpx.Request) -> None:
        if request.method == "POST" and request.url.path.endswith("/responses"):
            bodies.append(json.loads(request.content))

    return httpx.Client(event_hooks={"request": [capture]})


@pytest.fixture
def http(bodies: list[dict[str, Any]]) -> Iterator[httpx.Client]:
    with _hooked(bodies) as client:
        yield client


def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"sunny in {city}"


class Answer(BaseModel):
    """A short answer."""

    value: str


def test_langchain_bodies_are_valid_openai_params(
    emulator_url: str, http: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

    from langchain_xiaohu import ChatXiaohu

    llm = ChatXiaohu(model="gpt-5-mini", api_key=KEY, base_url=emulator_url, http_client=http)
    llm.invoke("Hello there")
    llm.invoke(
        [
            SystemMessage("Be brief."),
            HumanMessage(
                content=[
                    {"type": "text", "text": "What is in this image?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{_PNG}"}},
                ]
            ),
        ]
    )
    thinker = ChatXiaohu(
        model="o4-mini",
        api_key=KEY,
        base_url=emulator_url,
        http_client=http,
        reasoning={"effort": "low", "summary": "auto"},
        store=False,
        include=["reasoning.encrypted_content"],
        max_tokens=2000,
    ).bind_tools([get_weather, {"type": "web_search_preview"}], tool_choice="auto")
    history: list[Any] = [HumanMessage("What is the weather in Paris? Use get_weather.")]
    first = thinker.invoke(history)
    assert first.tool_calls
    history += [first] + [
        ToolMessage(get_weather(**call["args"]), tool_call_id=call["id"])
        for call in first.tool_calls
    ]
    thinker.invoke(history)
    llm.with_structured_output(Answer).invoke("Give a one-word answer: sky colour?")
    list(llm.stream("Count to three", max_tokens=50))
    assert len(bodies) == 6
    for body in bodies:
        _validate(body)
    replay = bodies[3]["input"]
    assert any(item.get("type") == "function_call_output" for item in replay)
    assert any(item.get("type") == "reasoning" for item in replay)


def test_llama_index_bodies_are_valid_openai_params(
    emulator_url: str, http: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.prompts import PromptTemplate
    from llama_index.core.tools import FunctionTool

    from llama_index_xiaohu import XiaohuResponses

    llm = XiaohuResponses(
        model="gpt-5-mini",
        api_key=KEY,
        api_base=emulator_url,
        http_client=http,
        reasoning_options={"effort": "low", "summary": "auto"},
        store=False,
    )
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Hello there"),
    ]
    reply = llm.chat(messages)
    llm.chat([*messages, reply.message, ChatMessage(role="user", content="And again?")])
    list(llm.stream_chat(messages))
    tool = FunctionTool.from_defaults(fn=get_weather)
    llm.predict_and_call([tool], "What is the weather in Paris?")
    llm.structured_predict(Answer, PromptTemplate("Sky colour, one word: {q}"), q="?")
    llm.complete("Say hi")
    assert len(bodies) >= 6
    for body in bodies:
        _validate(body)
    assert any(
        item.get("type") == "reasoning" for item in bodies[1]["input"] if isinstance(item, dict)
    )
