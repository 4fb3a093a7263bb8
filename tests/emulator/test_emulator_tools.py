"""The deterministic model's tool use: function calls with schema-valid arguments, tool choice,
tool results quoted back, and web search with exact citations."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.emulator.wire import SEARCH, WEATHER, calls_of, check_schema, create, text_of

# --- function calling ----------------------------------------------------------------------------


def test_tool_call_arguments_are_valid_and_drawn_from_the_message(client: httpx.Client) -> None:
    response = create(
        client,
        model="gpt-4.1",
        input="What's the weather in Lisbon in fahrenheit?",
        tools=[WEATHER],
    )
    (call,) = calls_of(response)
    args = json.loads(call["arguments"])
    check_schema(args, WEATHER["parameters"])
    assert args == {"city": "Lisbon", "unit": "fahrenheit"}
    assert call["call_id"].startswith("call_")
    assert call["id"].startswith("fc_")
    assert text_of(response) == ""


def test_parallel_calls_and_parallel_tool_calls_false(client: httpx.Client) -> None:
    question = "What is the weather in Rome, and search news about Rome"
    both = calls_of(create(client, model="gpt-4.1", input=question, tools=[WEATHER, SEARCH]))
    assert sorted(c["name"] for c in both) == ["get_weather", "search_news"]
    one = calls_of(
        create(
            client,
            model="gpt-4.1",
            input=question,
            tools=[WEATHER, SEARCH],
            parallel_tool_calls=False,
        )
    )
    assert len(one) == 1


@pytest.mark.parametrize(
    ("tool_choice", "names"),
    [
        pytest.param("none", [], id="none"),
        pytest.param("auto", [], id="auto-no-fit"),
        pytest.param("required", ["get_weather"], id="required"),
        pytest.param({"type": "function", "name": "search_news"}, ["search_news"], id="forced"),
        pytest.param(
            {
                "type": "allowed_tools",
                "mode": "required",
                "tools": [{"type": "function", "name": "search_news"}],
            },
            ["search_news"],
            id="allowed-tools",
        ),
    ],
)
def test_tool_choice(client: httpx.Client, tool_choice: Any, names: list[str]) -> None:
    response = create(
        client,
        model="gpt-4.1",
        input="Hello there",
        tools=[WEATHER, SEARCH],
        tool_choice=tool_choice,
    )
    assert [c["name"] for c in calls_of(response)] == names
    if not names:
        assert text_of(response)


def test_arguments_satisfy_nested_schemas(client: httpx.Client) -> None:
    tool: dict[str, Any] = {
        "type": "function",
        "name": "book_trip",
        "description": "Book a trip with travellers",
        "parameters": {
            "type": "object",
            "$defs": {
                "Traveller": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "age": {"type": "integer", "minimum": 0},
                    },
                    "required": ["name", "age"],
                }
            },
            "properties": {
                "destination": {"type": "string"},
                "nights": {"type": "integer"},
                "budget": {"type": "number"},
                "refundable": {"type": "boolean"},
                "class_": {"type": "string", "enum": ["economy", "business"]},
                "travellers": {
                    "type": "array",
                    "items": {"$ref": "#/$defs/Traveller"},
                    "minItems": 2,
                },
                "notes": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
            "required": ["destination", "nights", "budget", "refundable", "class_", "travellers"],
        },
    }
    response = create(
        client, model="gpt-4.1", input="Book a business trip to Kyoto for 5 nights", tools=[tool]
    )
    (call,) = calls_of(response)
    args = json.loads(call["arguments"])
    check_schema(args, tool["parameters"])
    assert args["destination"] == "Kyoto"
    assert args["nights"] == 5
    assert args["class_"] == "business"


def test_tool_outputs_are_quoted_in_the_answer(client: httpx.Client) -> None:
    first = create(client, model="gpt-4.1", input="Weather in Paris?", tools=[WEATHER])
    (call,) = calls_of(first)
    follow = create(
        client,
        model="gpt-4.1",
        tools=[WEATHER],
        previous_response_id=first["id"],
        input=[
            {"type": "function_call_output", "call_id": call["call_id"], "output": "21 C, sunny"}
        ],
    )
    assert "21 C, sunny" in text_of(follow)
    assert "get_weather" in text_of(follow)
    assert follow["usage"]["input_tokens_details"]["cached_tokens"] > 0


# --- web search ----------------------------------------------------------------------------------


def test_web_search_citations_have_exact_offsets(client: httpx.Client) -> None:
    response = create(
        client,
        model="gpt-4.1",
        input="Best hiking trails near Denver",
        tools=[{"type": "web_search"}],
        include=["web_search_call.action.sources"],
    )
    search, message = response["output"]
    assert search["type"] == "web_search_call"
    assert search["action"]["type"] == "search"
    assert "denver" in search["action"]["query"]
    assert search["action"]["sources"]
    part = message["content"][0]
    assert part["annotations"]
    for note in part["annotations"]:
        cited = part["text"][note["start_index"] : note["end_index"]]
        assert cited.startswith("([")
        assert cited.endswith("))")
        assert note["url"] in cited
        assert note["url"] in {s["url"] for s in search["action"]["sources"]}
    assert response["tools"][0]["search_context_size"] == "medium"


def test_web_search_without_sources_unless_included(client: httpx.Client) -> None:
    response = create(
        client, model="gpt-4.1", input="Tallest buildings", tools=[{"type": "web_search_preview"}]
    )
    assert "sources" not in response["output"][0]["action"]
