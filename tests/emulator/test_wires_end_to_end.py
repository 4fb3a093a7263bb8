"""Done-when of the Chat Completions wire: the README's agent, RAG query and structured output
run unchanged with an OpenAI, a Claude and a DeepSeek model, streamed and not, sync and async.

`gpt-5-mini` goes on the Responses API, `claude-sonnet-4-5` and `deepseek-chat` on Chat
Completions (the emulator lists them without `openai-response`, and refuses Claude on
`/v1/responses` as new-api does).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, ToolMessage
from llama_index.core import Document, VectorStoreIndex
from pydantic import BaseModel

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses

MODELS = ["gpt-5-mini", "claude-sonnet-4-5", "deepseek-chat"]
WIRE = {"gpt-5-mini": "responses", "claude-sonnet-4-5": "chat", "deepseek-chat": "chat"}


def get_weather(city: str) -> str:
    """Get the weather for a city."""
    return f"It is sunny in {city}."


class Person(BaseModel):
    name: str
    born: int


def _llm(url: str, model: str, streaming: bool) -> ChatXiaohu:
    return ChatXiaohu(model=model, api_key="sk-test", base_url=url, streaming=streaming)


def _check_agent_run(messages: list[object], model: str) -> None:
    calls = [m for m in messages if isinstance(m, AIMessage) and m.tool_calls]
    assert calls
    assert calls[0].tool_calls[0]["name"] == "get_weather"
    assert calls[0].tool_calls[0]["args"] == {"city": "Paris"}
    assert any(isinstance(m, ToolMessage) and "sunny" in str(m.content) for m in messages)
    final = messages[-1]
    assert isinstance(final, AIMessage)
    assert final.text
    assert not final.tool_calls
    wire = final.response_metadata.get("xiaohu_wire", {}).get("api")
    assert wire == WIRE[model]
    assert final.usage_metadata is not None
    assert final.usage_metadata["output_tokens"] > 0


@pytest.mark.parametrize("streaming", [False, True], ids=["invoke", "stream"])
@pytest.mark.parametrize("model", MODELS)
def test_the_readme_agent_runs_on_every_wire(
    emulator_url: str, model: str, streaming: bool
) -> None:
    agent = create_agent(_llm(emulator_url, model, streaming), tools=[get_weather])
    ask: Any = {"messages": [{"role": "user", "content": "What's the weather in Paris?"}]}
    _check_agent_run(agent.invoke(ask)["messages"], model)


@pytest.mark.parametrize("streaming", [False, True], ids=["ainvoke", "astream"])
@pytest.mark.parametrize("model", MODELS)
def test_the_readme_agent_runs_async_on_every_wire(
    emulator_url: str, model: str, streaming: bool
) -> None:
    agent = create_agent(_llm(emulator_url, model, streaming), tools=[get_weather])
    ask: Any = {"messages": [{"role": "user", "content": "What's the weather in Paris?"}]}
    _check_agent_run(asyncio.run(agent.ainvoke(ask))["messages"], model)


@pytest.mark.parametrize("model", MODELS)
def test_structured_output_runs_on_every_wire(emulator_url: str, model: str) -> None:
    llm = _llm(emulator_url, model, False).with_structured_output(Person)
    person = llm.invoke("Ada Lovelace was born in 1815.")
    assert isinstance(person, Person)
    assert person.born == 1815
    assert "Lovelace" in person.name
    again = asyncio.run(llm.ainvoke("Ada Lovelace was born in 1815."))
    assert again == person


@pytest.mark.parametrize("model", MODELS)
def test_streamed_text_is_the_invoked_text_on_every_wire(emulator_url: str, model: str) -> None:
    llm = _llm(emulator_url, model, False)
    whole = llm.invoke("What is 2+2?")
    chunks = list(llm.stream("What is 2+2?"))
    assert "".join(c.text for c in chunks) == whole.text == "2 + 2 = 4."


def _index(url: str) -> VectorStoreIndex:
    documents = [
        Document(text="The relay deducts each call's cost from the key's quota."),
        Document(text="Deep research models need a web search tool."),
    ]
    embed = XiaohuEmbedding(model="text-embedding-3-small", api_key="sk-test", base_url=url)
    return VectorStoreIndex.from_documents(documents, embed_model=embed)


@pytest.mark.parametrize("model", MODELS)
def test_the_readme_rag_query_runs_on_every_wire(emulator_url: str, model: str) -> None:
    index = _index(emulator_url)
    llm = XiaohuResponses(model=model, api_key="sk-test", api_base=emulator_url)
    streamed = index.as_query_engine(llm=llm, streaming=True).query(
        "What do deep research models need?"
    )
    text = "".join(streamed.response_gen)  # type: ignore[arg-type, union-attr]
    assert "web search" in text.lower()
    assert "Deep research" in streamed.source_nodes[0].node.get_content()
    whole = index.as_query_engine(llm=llm).query("What do deep research models need?")
    assert str(whole) == text
    answer = asyncio.run(
        index.as_query_engine(llm=llm).aquery("What do deep research models need?")
    )
    assert str(answer) == text


@pytest.mark.parametrize("model", ["claude-sonnet-4-5", "deepseek-chat"])
def test_llama_index_raw_names_the_chat_wire(emulator_url: str, model: str) -> None:
    from llama_index.core.llms import ChatMessage

    llm = XiaohuResponses(model=model, api_key="sk-test", api_base=emulator_url)
    answer = llm.chat([ChatMessage(role="user", content="What is 2+2?")])
    assert answer.message.content == "2 + 2 = 4."
    assert answer.raw["xiaohu_wire"]["api"] == "chat"
    streamed = list(llm.stream_chat([ChatMessage(role="user", content="What is 2+2?")]))
    assert streamed[-1].message.content == "2 + 2 = 4."
