"""Content and shape of `XiaohuResponses` answers, replayed from cassettes (offline).

Re-record with `pytest tests/llama_index/test_li_cassettes.py --record-mode=rewrite`
(against the emulator, or the live relay when `XIAOHU_API_KEY`/`XIAOHU_BASE_URL` are set).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from llama_index.core.base.llms.types import ChatMessage, CitationBlock, ThinkingBlock
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_xiaohu import XiaohuResponses
from tests.llama_index import helpers

SYNC = [pytest.param(True, id="sync"), pytest.param(False, id="async")]


def get_weather(city: str) -> str:
    """Current weather for a city."""
    return f"Sunny in {city}"


class City(BaseModel):
    """A city and its country."""

    name: str
    country: str


@pytest.fixture
async def relay_llm(relay: dict[str, str]) -> AsyncIterator[XiaohuResponses]:
    llm = XiaohuResponses(
        model="gpt-5-mini", api_key=relay["api_key"], api_base=relay["base_url"], max_retries=0
    )
    yield llm
    llm.close()
    await llm.aclose()


@pytest.mark.vcr
@pytest.mark.parametrize("sync", SYNC)
async def test_chat_answer(relay_llm: XiaohuResponses, sync: bool) -> None:
    messages = [
        ChatMessage(role="system", content="Answer briefly."),
        ChatMessage(content="What is 6 * 7?"),
    ]
    response = await helpers.chat(relay_llm, sync, messages)
    assert "42" in (response.message.content or "")
    assert response.message.role == "assistant"
    assert helpers.raw(response)["usage"]["total_tokens"] > 0


@pytest.mark.vcr
@pytest.mark.parametrize("sync", SYNC)
async def test_stream_complete_answer(relay_llm: XiaohuResponses, sync: bool) -> None:
    chunks = await helpers.stream_complete(relay_llm, sync, "What is 6 * 7?")
    assert "42" in chunks[-1].text
    assert "".join(c.delta or "" for c in chunks) == chunks[-1].text


@pytest.mark.vcr
@pytest.mark.parametrize("sync", SYNC)
async def test_tool_call_round_trip(relay_llm: XiaohuResponses, sync: bool) -> None:
    tool = FunctionTool.from_defaults(fn=get_weather)
    if sync:
        first = relay_llm.chat_with_tools([tool], user_msg="Weather in Oslo?", tool_required=True)
    else:
        first = await relay_llm.achat_with_tools(
            [tool], user_msg="Weather in Oslo?", tool_required=True
        )
    [call] = relay_llm.get_tool_calls_from_response(first)
    assert (call.tool_name, call.tool_kwargs) == ("get_weather", {"city": "Oslo"})
    result = ChatMessage(
        role="tool",
        content=get_weather(**call.tool_kwargs),
        additional_kwargs={"tool_call_id": call.tool_id},
    )
    history = [ChatMessage(content="Weather in Oslo?"), first.message, result]
    final = await helpers.chat(relay_llm, sync, history)
    assert "Sunny in Oslo" in (final.message.content or "")


@pytest.mark.vcr
@pytest.mark.parametrize("sync", SYNC)
async def test_structured_city(relay_llm: XiaohuResponses, sync: bool) -> None:
    prompt = PromptTemplate("Name the city {city} and its country.")
    if sync:
        city = relay_llm.structured_predict(City, prompt, city="Hangzhou")
    else:
        city = await relay_llm.astructured_predict(City, prompt, city="Hangzhou")
    assert isinstance(city, City)
    assert city.name
    assert city.country


@pytest.mark.vcr
@pytest.mark.parametrize("sync", SYNC)
async def test_web_search_with_reasoning(relay_llm: XiaohuResponses, sync: bool) -> None:
    relay_llm.built_in_tools = [{"type": "web_search"}]
    relay_llm.reasoning_options = {"effort": "low", "summary": "auto"}
    messages = [ChatMessage(content="Search the web: what is new at West Lake?")]
    chunks = await helpers.stream_chat(relay_llm, sync, messages)
    final = chunks[-1].message
    assert any(isinstance(b, ThinkingBlock) and b.content for b in final.blocks)
    assert any(isinstance(b, CitationBlock) for b in final.blocks)
    assert final.additional_kwargs["citations"][0]["url"].startswith("http")
    assert final.additional_kwargs["built_in_tool_calls"][0]["type"] == "web_search_call"
    assert any("thinking_delta" in c.additional_kwargs for c in chunks)
