"""Cost totals in both frameworks: the LangChain callback and the LlamaIndex event handler."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage
from langchain_core.prompts import ChatPromptTemplate
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu.callbacks import get_xiaohu_callback
from llama_index_xiaohu import XiaohuResponses
from llama_index_xiaohu.callbacks import track_xiaohu_usage
from xiaohu import ModelPrice, PriceTable, Usage


def _expected_cost(messages: list[AIMessage], ratio: float = 1.0) -> float:
    table = PriceTable(group_ratio=ratio)
    total = 0.0
    for message in messages:
        meta = message.usage_metadata
        assert meta is not None
        usage = Usage.model_validate(
            {
                "input_tokens": meta["input_tokens"],
                "input_tokens_details": {
                    "cached_tokens": meta.get("input_token_details", {}).get("cache_read", 0)
                },
                "output_tokens": meta["output_tokens"],
                "output_tokens_details": {
                    "reasoning_tokens": meta.get("output_token_details", {}).get("reasoning", 0)
                },
            }
        )
        total += table.cost(message.response_metadata["model_name"], usage).total_usd
    return total


def test_langchain_chain_totals(emulator_url: str, key: str) -> None:
    model = ChatXiaohu(model="gpt-5-mini", api_key=key, base_url=emulator_url)
    chain = ChatPromptTemplate.from_messages([("human", "Tell me about {topic}")]) | model
    with get_xiaohu_callback(group_ratio=0.5) as cb:
        first = chain.invoke({"topic": "green tea"})
        second = model.invoke("And oolong?")
        streamed = None
        for chunk in model.stream("And pu-erh?"):
            streamed = chunk if streamed is None else streamed + chunk
    assert isinstance(streamed, AIMessage)
    messages = [first, second, streamed]
    assert cb.successful_requests == 3
    assert cb.total_tokens == sum(
        m.usage_metadata["total_tokens"] for m in messages if m.usage_metadata
    )
    assert cb.total_cost_usd == pytest.approx(_expected_cost(messages, ratio=0.5))
    assert cb.total_cost_usd > 0
    assert cb.unpriced_models == set()
    assert "requests: 3" in repr(cb)


def test_langchain_callback_outside_the_block_counts_nothing(emulator_url: str, key: str) -> None:
    model = ChatXiaohu(model="gpt-5-mini", api_key=key, base_url=emulator_url)
    with get_xiaohu_callback() as cb:
        pass
    model.invoke("hi")
    assert cb.successful_requests == 0


def test_llama_index_totals_chat_and_stream(emulator_url: str, key: str) -> None:
    llm = XiaohuResponses(model="gpt-5-mini", api_key=key, api_base=emulator_url)
    prices = {"gpt-5-mini": ModelPrice(input=1.0, output=1.0)}
    with track_xiaohu_usage(prices=prices) as usage:
        answer = llm.chat([ChatMessage(role="user", content="Tell me about green tea")])
        chunks = list(llm.stream_chat([ChatMessage(role="user", content="And oolong?")]))
    last = chunks[-1]
    tokens = [
        answer.additional_kwargs["usage"]["total_tokens"],
        last.additional_kwargs["usage"]["total_tokens"],
    ]
    assert usage.successful_requests == 2
    assert usage.total_tokens == sum(tokens)
    # $1 per million tokens either way: the cost is the token count in millionths
    assert usage.total_cost_usd == pytest.approx(sum(tokens) / 1_000_000)
    llm.close()


def test_llama_index_handler_is_removed_after_the_block(emulator_url: str, key: str) -> None:
    llm = XiaohuResponses(model="gpt-5-mini", api_key=key, api_base=emulator_url)
    with track_xiaohu_usage() as usage:
        pass
    llm.complete("hi")
    assert usage.successful_requests == 0
    llm.close()


def test_langchain_handler_uses_the_models_own_bill(emulator_url: str, key: str) -> None:
    model = ChatXiaohu(model="gpt-5-mini", api_key=key, base_url=emulator_url, group_ratio=0.5)
    with get_xiaohu_callback() as cb:
        message = model.invoke("Tell me about black tea")
    cost = message.response_metadata["cost_usd"]
    assert cost == pytest.approx(_expected_cost([message], ratio=0.5))
    assert cb.total_cost_usd == pytest.approx(cost)
