"""Fidelity: every scenario's events and responses validate against the `openai` types, number
0..n, and come in the order the protocol reference documents (section A.3)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from openai.types.responses import Response

from tests.emulator.wire import SCHEMA, SEARCH, WEATHER, matches, shape, stream, validate_events

START = r"created in_progress "
MSG = (
    r"output_item\.added content_part\.added (output_text\.delta (output_text\.annotation\.added )*)+"
    r"output_text\.done content_part\.done output_item\.done "
)
FC = (
    r"output_item\.added (function_call_arguments\.delta )+function_call_arguments\.done "
    r"output_item\.done "
)
RS = (
    r"output_item\.added (reasoning_summary_part\.added (reasoning_summary_text\.delta )+"
    r"reasoning_summary_text\.done reasoning_summary_part\.done )*output_item\.done "
)
RS_BARE = r"output_item\.added output_item\.done "
WS = (
    r"output_item\.added web_search_call\.in_progress web_search_call\.searching "
    r"web_search_call\.completed output_item\.done "
)

SCENARIOS: list[Any] = [
    pytest.param(
        {"model": "gpt-4.1", "input": "Tell me about the history of tea in China"},
        START + MSG + "completed",
        id="text",
    ),
    pytest.param(
        {"model": "gpt-4.1", "input": "What is the weather in Paris?", "tools": [WEATHER]},
        START + FC + "completed",
        id="tool",
    ),
    pytest.param(
        {
            "model": "gpt-4.1",
            "input": "What is the weather in Paris, and search news about the Paris weather",
            "tools": [WEATHER, SEARCH],
        },
        START + f"({FC}){{2}}" + "completed",
        id="parallel-tools",
    ),
    pytest.param(
        {
            "model": "gpt-4.1",
            "tools": [WEATHER],
            "input": [
                {"role": "user", "content": "What is the weather in Paris?"},
                {
                    "type": "function_call",
                    "call_id": "call_1",
                    "name": "get_weather",
                    "arguments": '{"city":"Paris","unit":"celsius"}',
                },
                {"type": "function_call_output", "call_id": "call_1", "output": "18 C, cloudy"},
            ],
        },
        START + MSG + "completed",
        id="tool-output-follow-up",
    ),
    pytest.param(
        {
            "model": "gpt-4.1",
            "input": "Latest news on fusion energy",
            "tools": [{"type": "web_search_preview"}],
        },
        START + WS + MSG + "completed",
        id="web-search",
    ),
    pytest.param(
        {
            "model": "o4-mini",
            "input": "Latest news on fusion energy",
            "tools": [{"type": "web_search"}],
            "include": ["web_search_call.action.sources"],
        },
        START + RS_BARE + WS + MSG + "completed",
        id="web-search-reasoning",
    ),
    pytest.param(
        {
            "model": "o4-mini",
            "input": "Why is the sky blue?",
            "reasoning": {"effort": "low", "summary": "detailed"},
            "include": ["reasoning.encrypted_content"],
        },
        START + RS + MSG + "completed",
        id="reasoning-summary",
    ),
    pytest.param(
        {
            "model": "gpt-5",
            "input": "Weather in Oslo please",
            "tools": [WEATHER],
            "reasoning": {"summary": "auto"},
        },
        START + RS + FC + "completed",
        id="reasoning-then-tool",
    ),
    pytest.param(
        {
            "model": "gpt-4.1",
            "input": "Describe Paris, population 2100000",
            "text": {"format": {"type": "json_schema", "name": "city", "schema": SCHEMA}},
        },
        START + MSG + "completed",
        id="json-schema",
    ),
    pytest.param(
        {
            "model": "gpt-4.1",
            "input": "Give me JSON about apples",
            "text": {"format": {"type": "json_object"}},
        },
        START + MSG + "completed",
        id="json-object",
    ),
    pytest.param(
        {
            "model": "o4-mini-deep-research",
            "input": "Research the economics of battery recycling",
            "tools": [{"type": "web_search_preview"}],
            "reasoning": {"summary": "auto"},
        },
        START + RS + WS + f"({RS}({WS})+)+" + MSG + "completed",  # searches, then page actions
        id="deep-research",
    ),
    pytest.param(
        {"model": "gpt-4.1", "input": "Explain photosynthesis in detail", "max_output_tokens": 16},
        START + MSG + "incomplete",
        id="incomplete",
    ),
    pytest.param(
        {"model": "gpt-4.1", "input": "hello", "_fault": "error_event"},
        START + "error failed",
        id="error-event",
    ),
]


def _split(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    body = dict(body)
    fault = body.pop("_fault", None)
    return body, ({"X-Emulator-Fault": fault} if fault else {})


@pytest.mark.parametrize(("body", "order"), SCENARIOS)
def test_stream_events_validate_and_follow_the_documented_order(
    client: httpx.Client, body: dict[str, Any], order: str
) -> None:
    body, headers = _split(body)
    events = stream(client, body, **headers)
    validate_events(events)
    assert matches(order, events), shape(events)


@pytest.mark.parametrize(("body", "order"), SCENARIOS)
def test_json_response_validates_and_equals_the_streamed_one(
    client: httpx.Client, body: dict[str, Any], order: str
) -> None:
    body, headers = _split(body)
    plain = client.post("/responses", json=body, headers=headers)
    assert plain.status_code == 200, plain.text
    response = Response.model_validate(plain.json())
    final = stream(client, body, **headers)[-1]["response"]
    assert response.status == final["status"]
    assert [i["type"] for i in plain.json()["output"]] == [i["type"] for i in final["output"]]
    assert response.output_text == Response.model_validate(final).output_text


def test_response_carries_every_top_level_key_of_real_payloads(client: httpx.Client) -> None:
    keys = set(client.post("/responses", json={"model": "gpt-5", "input": "hi"}).json())
    assert {
        "id", "object", "created_at", "status", "background", "error", "incomplete_details",
        "instructions", "max_output_tokens", "max_tool_calls", "model", "output",
        "parallel_tool_calls", "previous_response_id", "prompt_cache_key",
        "prompt_cache_retention", "reasoning", "safety_identifier", "service_tier", "store",
        "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p", "truncation",
        "usage", "user", "metadata",
    } <= keys  # fmt: skip


def test_background_stream_starts_queued_and_validates(client: httpx.Client) -> None:
    events = stream(client, {"model": "gpt-4.1", "input": "Tell me a fact", "background": True})
    validate_events(events)
    assert matches(r"created queued in_progress " + MSG + "completed", events), shape(events)
    assert events[0]["response"]["status"] == "queued"
    assert events[0]["response"]["background"] is True


def test_delta_events_carry_obfuscation_and_logprobs(client: httpx.Client) -> None:
    events = stream(client, {"model": "gpt-4.1", "input": "Tell me about rivers"})
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert len(deltas) > 5
    assert all(e["obfuscation"] and e["logprobs"] == [] for e in deltas)
    assert all(len(e["delta"]) <= 8 for e in deltas)
    done = next(e for e in events if e["type"] == "response.output_text.done")
    assert done["logprobs"] == []
    assert "".join(e["delta"] for e in deltas) == done["text"]


def test_obfuscation_can_be_turned_off(client: httpx.Client) -> None:
    events = stream(
        client,
        {"model": "gpt-4.1", "input": "rivers", "stream_options": {"include_obfuscation": False}},
    )
    assert not any("obfuscation" in e for e in events)


def test_item_events_refer_to_the_item_they_belong_to(client: httpx.Client) -> None:
    events = stream(
        client,
        {
            "model": "gpt-5",
            "input": "Weather in Oslo and search news about Oslo",
            "tools": [WEATHER, SEARCH],
            "reasoning": {"summary": "concise"},
        },
    )
    open_items: dict[int, str] = {}
    for event in events:
        if event["type"] == "response.output_item.added":
            assert event["output_index"] not in open_items
            open_items[event["output_index"]] = event["item"]["id"]
        elif "item_id" in event:
            assert open_items[event["output_index"]] == event["item_id"]
    final = events[-1]["response"]
    assert [i["id"] for i in final["output"]] == [open_items[i] for i in sorted(open_items)]


def test_annotation_follows_the_delta_that_completes_its_span(client: httpx.Client) -> None:
    events = stream(
        client,
        {
            "model": "gpt-4.1",
            "input": "Who won the 2022 world cup?",
            "tools": [{"type": "web_search"}],
        },
    )
    written = 0
    last_delta = ""
    text = next(e for e in events if e["type"] == "response.output_text.done")["text"]
    notes = 0
    for event in events:
        if event["type"] == "response.output_text.delta":
            written += len(event["delta"])
            last_delta = event["delta"]
        elif event["type"] == "response.output_text.annotation.added":
            note = event["annotation"]
            assert note["end_index"] <= written < note["end_index"] + len(last_delta)
            assert event["annotation_index"] == notes
            assert re.fullmatch(
                r"\(\[[^\]]+\]\(https://[^)]+\)\)", text[note["start_index"] : note["end_index"]]
            )
            notes += 1
    assert notes >= 1
