"""Deep research's data sources beside web search: MCP (no approvals), file search; both adapters."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests import sdk_streams
from xiaohu import ConfigurationError, XiaohuClient

MODEL = "o4-mini-deep-research"
MCP = {
    "type": "mcp",
    "server_label": "notes",
    "server_url": "https://mcp.example/sse",
    "require_approval": "never",
}
FILES = {"type": "file_search", "vector_store_ids": ["vs_1"]}
CODE = {"type": "code_interpreter", "container": {"type": "auto"}}


def _recording() -> tuple[httpx.MockTransport, list[dict[str, Any]]]:
    bodies: list[dict[str, Any]] = []
    _, final = sdk_streams.logprobs()

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=final)

    return httpx.MockTransport(handler), bodies


@pytest.mark.parametrize(
    "tools",
    [[MCP], [FILES], [FILES, CODE], [MCP, CODE]],
    ids=["mcp", "files", "files+code", "mcp+code"],
)
def test_each_documented_data_source_is_accepted(tools: list[dict[str, Any]]) -> None:
    mock, bodies = _recording()
    with httpx.Client(transport=mock) as http:
        client = XiaohuClient(
            api_key="sk-x", base_url="http://relay/v1", http_client=http, allow_expensive=True
        )
        assert client.create_response(model=MODEL, input="research", tools=tools).output_text
    assert bodies[0]["tools"] == tools


@pytest.mark.parametrize(
    ("tools", "match"),
    [
        ([CODE], "data-source tool"),
        ([{**MCP, "require_approval": "always"}], "require_approval"),
        ([{key: v for key, v in MCP.items() if key != "require_approval"}], "require_approval"),
    ],
    ids=["code-alone", "mcp-always", "mcp-default"],
)
def test_a_source_the_api_refuses_is_refused_before_sending(
    tools: list[dict[str, Any]], match: str
) -> None:
    mock, bodies = _recording()
    with httpx.Client(transport=mock) as http:
        client = XiaohuClient(
            api_key="sk-x", base_url="http://relay/v1", http_client=http, allow_expensive=True
        )
        with pytest.raises(ConfigurationError, match=match):
            client.create_response(model=MODEL, input="research", tools=tools)
    assert bodies == []


def test_both_adapters_bind_the_sources() -> None:
    mock, bodies = _recording()
    with httpx.Client(transport=mock) as http:
        chat = ChatXiaohu(
            model=MODEL,
            api_key="sk-x",
            base_url="http://relay/v1",
            http_client=http,
            allow_expensive=True,
        ).bind_tools([MCP, FILES, CODE])
        chat.invoke([HumanMessage("research")])
        llm = XiaohuResponses(
            model=MODEL,
            api_key="sk-x",
            api_base="http://relay/v1",
            http_client=http,
            allow_expensive=True,
            built_in_tools=[MCP, FILES, CODE],
        )
        llm.chat([ChatMessage(role="user", content="research")])
    assert [b["tools"] for b in bodies] == [[MCP, FILES, CODE], [MCP, FILES, CODE]]
