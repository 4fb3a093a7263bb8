"""Custom (freeform) tools on the emulator: SDK-valid events, and an agent in each framework runs one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from langchain_core.tools import tool
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.tools import FunctionTool

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from tests.emulator.wire import stream, validate_events

pytestmark = [
    # Third-party noise: llama-index workflows reads pydantic's deprecated attributes.
    pytest.mark.filterwarnings("ignore::pydantic.warnings.PydanticDeprecationWarning"),
]
GRAMMAR = {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}
CUSTOM = {"type": "custom", "name": "run_sql", "description": "Run a SQL query", "format": GRAMMAR}
QUESTION = "run_sql: how many users signed up today?"


def test_custom_tool_call_events_validate(client: httpx.Client) -> None:
    events = stream(client, {"model": "gpt-5", "input": QUESTION, "tools": [CUSTOM]})
    validate_events(events)
    kinds = [e["type"] for e in events]
    assert "response.custom_tool_call_input.delta" in kinds
    [done] = [
        e["item"]
        for e in events
        if e["type"] == "response.output_item.done" and e["item"]["type"] != "reasoning"
    ]
    assert (done["type"], done["name"], done["input"]) == ("custom_tool_call", "run_sql", QUESTION)


@pytest.mark.parametrize("streaming", [True, False])
def test_langchain_agent_runs_a_custom_tool(emulator_url: str, streaming: bool) -> None:
    from langchain.agents import create_agent

    ran: list[str] = []

    @tool("run_sql", description="Run a SQL query")
    def run_sql(input: str) -> str:
        ran.append(input)
        return "42 users"

    run_sql.metadata = {"type": "custom_tool", "format": GRAMMAR}
    llm = ChatXiaohu(
        model="gpt-5", api_key=TEST_API_KEY, base_url=emulator_url, streaming=streaming
    )
    agent = create_agent(llm, tools=[run_sql])
    result = agent.invoke({"messages": [HumanMessage(QUESTION)]})
    assert ran == [QUESTION]
    assert "42 users" in result["messages"][-1].text


@pytest.mark.parametrize("streaming", [True, False])
async def test_llama_index_agent_runs_a_custom_tool(emulator_url: str, streaming: bool) -> None:
    ran: list[str] = []

    def run_sql(input: str) -> str:
        """Run a SQL query."""
        ran.append(input)
        return "42 users"

    llm = XiaohuResponses(
        model="gpt-5", api_key=TEST_API_KEY, api_base=emulator_url, built_in_tools=[CUSTOM]
    )
    try:
        agent = FunctionAgent(
            tools=[FunctionTool.from_defaults(fn=run_sql)], llm=llm, streaming=streaming
        )
        handler = agent.run(user_msg=QUESTION, memory=ChatMemoryBuffer.from_defaults())
        results: list[Any] = [
            e async for e in handler.stream_events() if isinstance(e, ToolCallResult)
        ]
        final = await handler
    finally:
        llm.close()
        await llm.aclose()
    assert ran == [QUESTION]
    assert [(r.tool_name, r.tool_kwargs) for r in results] == [("run_sql", {"input": QUESTION})]
    assert "42 users" in str(final)
