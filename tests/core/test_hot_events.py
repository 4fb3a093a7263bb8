"""The hot-event fast path gives exactly what the full discriminated union gives.

Text, reasoning, refusal and argument deltas (thousands per response) skip the union and go
through their own class's compiled validator (`xiaohu._events._parse_hot`). Every other event,
and every malformed hot event, still goes through the union: same classes, same fields, same
`pydantic.ValidationError` (and, in a stream, the same `APIResponseValidationError`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from xiaohu import APIResponseValidationError, ResponseStream
from xiaohu._events import _ADAPTER, _HOT, _parse_hot, _sniff_type, parse_event

SETTINGS = settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
HOT_TYPES = sorted(_HOT)


def _outcome(parse: Any, payload: str) -> tuple[str, Any]:
    """What a parser makes of a payload: the event's full state, or the error it raised."""
    try:
        event = parse(payload)
    except ValidationError as exc:
        return "ValidationError", exc.errors(include_url=False)
    return type(event).__name__, (
        event.__dict__,
        event.__pydantic_extra__,
        event.__pydantic_fields_set__,
    )


def _union(payload: str) -> Any:
    """The parse every event had before the fast path: the discriminated union alone."""
    return _ADAPTER.validate_json(payload)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)
hot_payloads = st.fixed_dictionaries(
    {"type": st.sampled_from([*HOT_TYPES, "response.output_text.done", "response.completed"])},
    optional={
        "sequence_number": st.integers(-3, 2**70) | json_values,
        "item_id": st.text(max_size=5) | json_values,
        "output_index": st.integers(-2, 5) | json_values,
        "content_index": st.integers(-2, 5) | st.just("3") | json_values,
        "summary_index": st.integers(-2, 5) | json_values,
        "delta": st.text(max_size=8) | json_values,
        "logprobs": st.just([]) | json_values,
        "obfuscation": st.text(max_size=8),
    },
)


@SETTINGS
@given(payload=hot_payloads, compact=st.booleans(), hinted=st.booleans())
def test_fast_path_equals_the_union(payload: dict[str, Any], compact: bool, hinted: bool) -> None:
    # Compact JSON is what the sniffing fast path reads; spaced JSON takes the hint (or none).
    text = json.dumps(payload, separators=(",", ":") if compact else None, ensure_ascii=False)
    hint = payload["type"] if hinted else None
    assert _outcome(lambda p: parse_event(p, hint), text) == _outcome(_union, text)


@pytest.mark.parametrize("kind", HOT_TYPES)
@pytest.mark.parametrize(
    "fields",
    [
        {"delta": 5},
        {"delta": None},
        {"delta": ["a"]},
        {"output_index": "zero"},
        {"output_index": 1.5},
        {"sequence_number": {"n": 1}},
        {"item_id": 7},
    ],
)
@pytest.mark.parametrize("hint", [True, False])
def test_malformed_hot_events_raise_what_they_always_raised(
    kind: str, fields: dict[str, Any], hint: bool
) -> None:
    text = json.dumps({"type": kind, **fields}, separators=(",", ":"))
    with pytest.raises(ValidationError) as fast:
        parse_event(text, kind if hint else None)
    with pytest.raises(ValidationError) as full:
        _union(text)
    assert type(fast.value) is type(full.value)
    assert fast.value.title == full.value.title
    assert fast.value.errors(include_url=False) == full.value.errors(include_url=False)


@pytest.mark.parametrize(
    "text",
    [
        '{"type":"response.output_text.delta","delta":',  # torn JSON
        '{"type":"response.output_text.delta","delta":"a"',  # no closing brace
        '{"type":"response.output_text.delta","delta":"a"} trailing',
        '{"type":"response.output_text.delta"',
    ],
)
def test_broken_json_of_a_hot_event_raises_what_it_always_raised(text: str) -> None:
    assert _outcome(lambda p: parse_event(p, "response.output_text.delta"), text) == _outcome(
        _union, text
    )
    assert _outcome(parse_event, text) == _outcome(_union, text)


def test_a_malformed_hot_event_in_a_stream_is_the_typed_stream_error() -> None:
    raw = (
        b"event: response.output_text.delta\n"
        b'data: {"type":"response.output_text.delta","sequence_number":1,"delta":5}\n\n'
    )
    request = httpx.Request("POST", "http://relay.test/v1/responses")
    response = httpx.Response(
        200, content=raw, headers={"content-type": "text/event-stream"}, request=request
    )
    with pytest.raises(APIResponseValidationError, match="malformed stream event") as info:
        ResponseStream(response).get_final_response()
    assert isinstance(info.value.__cause__, ValidationError)


def test_a_hot_payload_named_otherwise_is_parsed_by_its_own_type() -> None:
    text = '{"type":"response.output_text.delta","delta":"x"}'
    event = parse_event(text, "response.completed")
    assert type(event).__name__ == "OutputTextDeltaEvent"
    assert event.model_dump() == _union(text).model_dump()


def test_every_hot_type_takes_the_fast_path() -> None:
    for kind in HOT_TYPES:
        text = json.dumps({"type": kind, "delta": "d", "obfuscation": "x"}, separators=(",", ":"))
        assert _sniff_type(text) == kind
        event = _parse_hot(text, kind)
        assert event is not None
        assert event.type == kind
        assert event.model_dump() == _union(text).model_dump()
