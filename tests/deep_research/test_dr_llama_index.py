"""XiaohuResponses with deep research: background runs, the guard, cost in the results."""

from __future__ import annotations

import pytest
from llama_index.core.base.llms.types import ChatMessage

from llama_index_xiaohu import XiaohuResponses
from llama_index_xiaohu.callbacks import track_xiaohu_usage
from xiaohu import BudgetExceededError, CostLimitError

TOOLS = [{"type": "web_search_preview"}]
QUESTION = [ChatMessage(role="user", content="Research the history of tea")]


def test_refused_without_opt_in(emulator_url: str, key: str) -> None:
    llm = XiaohuResponses(
        model="o3-deep-research", api_key=key, api_base=emulator_url, built_in_tools=TOOLS
    )
    with pytest.raises(CostLimitError, match="expensive model"):
        llm.chat(QUESTION)
    llm.close()


def test_background_chat_waits_and_is_priced(paced_url: str, key: str) -> None:
    llm = XiaohuResponses(
        model="o4-mini-deep-research",
        api_key=key,
        api_base=paced_url,
        built_in_tools=TOOLS,
        background=True,
        allow_expensive=True,
        max_tool_calls=2,
    )
    with track_xiaohu_usage() as usage:
        answer = llm.chat(QUESTION)
    assert answer.additional_kwargs["status"] == "completed"
    assert answer.additional_kwargs["cost_usd"] > 0
    assert usage.total_cost_usd == pytest.approx(answer.additional_kwargs["cost_usd"])
    assert usage.web_searches == 2
    llm.close()


async def test_background_stream_async_resumes(paced_url: str, key: str) -> None:
    llm = XiaohuResponses(
        model="gpt-5-mini@drop_stream", api_key=key, api_base=paced_url, background=True
    )
    chunks = [chunk async for chunk in await llm.astream_chat(QUESTION)]
    final = chunks[-1]
    assert final.additional_kwargs["cost_usd"] > 0
    assert "".join(c.delta or "" for c in chunks) == final.message.content
    await llm.aclose()
    llm.close()


def test_budget_stops_a_streamed_run(paced_url: str, key: str) -> None:
    llm = XiaohuResponses(
        model="o3-deep-research",
        api_key=key,
        api_base=paced_url,
        built_in_tools=TOOLS,
        background=True,
        max_cost_usd=0.3,
    )
    with pytest.raises(BudgetExceededError):
        for _ in llm.stream_chat(QUESTION):
            pass
    llm.close()
