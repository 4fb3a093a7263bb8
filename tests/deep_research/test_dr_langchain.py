"""ChatXiaohu with deep research: background runs, the guard, the budget, cost in metadata."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk

from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu.callbacks import get_xiaohu_callback
from xiaohu import BudgetExceededError, CostLimitError

TOOLS = [{"type": "web_search_preview"}]


def _model(url: str, key: str, **kwargs: object) -> ChatXiaohu:
    return ChatXiaohu(model="o4-mini-deep-research", api_key=key, base_url=url, **kwargs)


def test_refused_without_opt_in(emulator_url: str, key: str) -> None:
    llm = _model(emulator_url, key).bind_tools(TOOLS)
    with pytest.raises(CostLimitError, match="expensive model"):
        llm.invoke("history of tea")


def test_background_invoke_waits_transparently(paced_url: str, key: str) -> None:
    llm = _model(paced_url, key, background=True, allow_expensive=True, max_tool_calls=2)
    with get_xiaohu_callback() as cb:
        message = llm.bind_tools(TOOLS).invoke("history of tea")
    assert isinstance(message, AIMessage)
    assert message.response_metadata["status"] == "completed"
    assert message.response_metadata["cost_usd"] > 0
    assert cb.total_cost_usd == pytest.approx(message.response_metadata["cost_usd"])


def test_background_stream_resumes_and_carries_the_bill(paced_url: str, key: str) -> None:
    llm = ChatXiaohu(
        model="gpt-5-mini@drop_stream", api_key=key, base_url=paced_url, background=True
    )
    whole: AIMessageChunk | None = None
    for chunk in llm.stream("Explain white tea"):
        whole = chunk if whole is None else whole + chunk
    assert whole is not None
    assert whole.response_metadata["cost_usd"] > 0
    assert whole.usage_metadata is not None


async def test_async_background_and_budget_stop(paced_url: str, key: str) -> None:
    llm = ChatXiaohu(
        model="o3-deep-research", api_key=key, base_url=paced_url, background=True, max_cost_usd=0.3
    )
    with pytest.raises(BudgetExceededError):
        await llm.bind_tools(TOOLS).ainvoke("history of tea")
