"""Helpers for the emulator tests: SSE parsing, the `openai` type oracle, a tiny schema check."""

from __future__ import annotations

import json
import re
import typing
from typing import Any

import httpx
import pydantic
from openai.types.responses import Response, ResponseStreamEvent

KEY = "sk-emulator-tests"
AUTH = {"Authorization": f"Bearer {KEY}"}

#: Tools and a schema shared by the scenario tests.
WEATHER: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
}
SEARCH: dict[str, Any] = {
    "type": "function",
    "name": "search_news",
    "description": "Search recent news articles about a topic",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "city": {"type": "string"},
        "population": {"type": "integer"},
        "landmarks": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["city", "population", "landmarks"],
    "additionalProperties": False,
}


_EVENT = pydantic.TypeAdapter(ResponseStreamEvent)


def _event_classes() -> dict[str, type[pydantic.BaseModel]]:
    union = typing.get_args(ResponseStreamEvent)[0]  # Annotated[Union[...], PropertyInfo]
    classes = {}
    for cls in typing.get_args(union):
        (name,) = typing.get_args(cls.model_fields["type"].annotation)
        classes[name] = cls
    return classes


#: event type -> its `openai` class, so a failure names the one class that should have matched
EVENT_CLASSES = _event_classes()


def parse_sse(raw: str) -> list[tuple[str, dict[str, Any]]]:
    """Split an SSE body into (event name, decoded data) pairs; every data line must be JSON."""
    frames = []
    for block in raw.split("\n\n"):
        if not block.strip():
            continue
        name, data = "", []
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        frames.append((name, json.loads("\n".join(data))))
    return frames


def stream(client: httpx.Client, body: dict[str, Any], **headers: str) -> list[dict[str, Any]]:
    """POST a streaming create and return its events, checking framing on the way."""
    response = client.post("/responses", json={**body, "stream": True}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "[DONE]" not in response.text
    frames = parse_sse(response.text)
    for name, data in frames:
        assert name == data["type"]
    return [data for _, data in frames]


def validate_error_event(event: dict[str, Any]) -> None:
    """Check the real nested `error` event shape.

    Deliberate deviation: the `openai` package's `ResponseErrorEvent` declares code/message at top
    level, but real streams nest them under `error` (protocol reference A.3), and the emulator
    follows the wire.
    """
    assert set(event) == {"type", "sequence_number", "error"}
    assert event["type"] == "error"
    error = event["error"]
    assert set(error) == {"type", "code", "message", "param"}
    assert isinstance(error["message"], str)
    assert error["message"]


def validate_events(events: list[dict[str, Any]]) -> None:
    """Every event parses as an `openai` stream event; responses parse as `Response`."""
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    for event in events:
        if event["type"] == "error":
            validate_error_event(event)
            continue
        EVENT_CLASSES[event["type"]].model_validate(event)
        _EVENT.validate_python(event)
        if "response" in event:
            Response.model_validate(event["response"])


def types(events: list[dict[str, Any]]) -> list[str]:
    """The event type names, in order."""
    return [e["type"] for e in events]


def shape(events: list[dict[str, Any]]) -> str:
    """The event types joined by spaces, with `response.` dropped, for order regexes."""
    return " ".join(t.removeprefix("response.") for t in types(events))


def matches(pattern: str, events: list[dict[str, Any]]) -> bool:
    """Whether the whole event order matches a regex over `shape(events)`."""
    return re.fullmatch(pattern, shape(events)) is not None


def check_schema(value: Any, schema: dict[str, Any], root: dict[str, Any] | None = None) -> None:
    """Assert ``value`` is valid against the JSON-schema subset the emulator generates for."""
    root = root or schema
    while "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        schema = target
    for key in ("anyOf", "oneOf"):
        if key in schema:
            errors = 0
            for option in schema[key]:
                try:
                    check_schema(value, option, root)
                except AssertionError:
                    errors += 1
            assert errors < len(schema[key]), f"{value!r} fits no option of {schema[key]}"
            return
    if "enum" in schema:
        assert value in schema["enum"]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    python: dict[str, Any] = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "object": dict,
        "array": list,
        "null": type(None),
    }
    if kinds:
        assert any(isinstance(value, python[k]) for k in kinds), (value, kinds)
        if isinstance(value, bool):
            assert "boolean" in kinds
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            assert name in value, f"missing {name}"
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(props)
        for name, sub in props.items():
            if name in value:
                check_schema(value[name], sub, root)
    if isinstance(value, list):
        assert len(value) >= schema.get("minItems", 0)
        for item in value:
            check_schema(item, schema.get("items", {}), root)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema:
            assert value >= schema["minimum"]
        if "maximum" in schema:
            assert value <= schema["maximum"]


def create(client: httpx.Client, **body: Any) -> dict[str, Any]:
    """POST a (non-streaming) create and return the Response JSON, asserting a 200."""
    response = client.post("/responses", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def text_of(response: dict[str, Any]) -> str:
    """The text of every message in a Response JSON."""
    return "".join(
        part["text"]
        for item in response["output"]
        if item["type"] == "message"
        for part in item["content"]
    )


def calls_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The function_call items of a Response JSON."""
    return [item for item in response["output"] if item["type"] == "function_call"]
