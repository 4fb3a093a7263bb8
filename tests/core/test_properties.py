"""Property-based tests: arbitrary bytes and event sequences never crash the core.

The SSE decoder must give the same events however the bytes are chunked, and never raise.
Any sequence of events (well-shaped, half-shaped or garbage) fed through the stream must end
in a `Response` or in a typed xiaohu error: never another exception, never a hang.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.core import wire
from tests.core.wire import sse_events
from xiaohu import Response, ResponseState, ResponseStream, XiaohuError
from xiaohu._events import parse_event

SETTINGS = settings(
    deadline=None,
    max_examples=100,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# -- SSE decoder --------------------------------------------------------------------------------

TOKENS = [
    b"data:",
    b"data: ",
    b"event: ",
    b"id: ",
    b"retry: ",
    b":",
    b" ",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"x",
    b"42",
    b"[DONE]",
    b"\x00",
    b"\xef\xbb\xbf",
    "好".encode(),
    "🌏".encode(),
    b"\xe5\xa5",  # a torn multibyte sequence
    b"\xff",
]

sse_bytes = st.one_of(
    st.binary(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join),
)


def _decoded(chunks: list[bytes]) -> list[tuple[str, str, str, int | None]]:
    return [(e.event, e.data, e.id, e.retry) for e in sse_events(chunks)]


@SETTINGS
@given(raw=sse_bytes, data=st.data())
def test_decoder_never_crashes_and_ignores_chunking(raw: bytes, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(raw)), max_size=12)))
    chunks = [raw[a:b] for a, b in zip([0, *cuts], [*cuts, len(raw)], strict=True)]
    assert _decoded(chunks) == _decoded([raw])
    assert _decoded([raw[i : i + 1] for i in range(len(raw))]) == _decoded([raw])


# -- events through the fold ---------------------------------------------------------------------

small = st.integers(-2, 4)
text = st.text(max_size=8)
ids = st.sampled_from(["", "msg_p", "fc_p", "rs_p", "ws_p", None])

items = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("message")},
        optional={
            "id": ids,
            "content": st.lists(
                st.fixed_dictionaries(
                    {"type": st.sampled_from(["output_text", "refusal", "other"])},
                    optional={"text": text, "refusal": text, "annotations": st.just([])},
                ),
                max_size=2,
            ),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("function_call")},
        optional={"call_id": text, "name": text, "arguments": text, "id": ids},
    ),
    st.fixed_dictionaries(
        {"type": st.just("reasoning")},
        optional={
            "summary": st.lists(st.fixed_dictionaries({"text": text}), max_size=2),
            "encrypted_content": text,
        },
    ),
    st.fixed_dictionaries({"type": st.just("web_search_call")}, optional={"id": ids}),
    st.fixed_dictionaries({"type": st.sampled_from(["mcp_call", "x"])}),
)

responses = st.fixed_dictionaries(
    {"id": st.just(wire.RESP_ID)},
    optional={
        "status": st.sampled_from(["completed", "failed", "incomplete", "in_progress"]),
        "output": st.lists(items, max_size=3),
        "error": st.one_of(st.none(), st.fixed_dictionaries({"code": text, "message": text})),
        "usage": st.one_of(st.none(), st.just(wire.USAGE)),
    },
)

LIFECYCLE = [
    "response.created",
    "response.in_progress",
    "response.completed",
    "response.incomplete",
    "response.failed",
]
ITEM_EVENTS = [
    "response.output_text.delta",
    "response.output_text.done",
    "response.output_text.annotation.added",
    "response.refusal.delta",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.content_part.added",
    "response.web_search_call.searching",
    "response.mcp_call_arguments.delta",
    "response.something_new",
]

well_shaped = st.one_of(
    st.fixed_dictionaries({"type": st.sampled_from(LIFECYCLE), "response": responses}),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["response.output_item.added", "response.output_item.done"])},
        optional={"output_index": small, "item": items},
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(ITEM_EVENTS)},
        optional={
            "output_index": small,
            "content_index": small,
            "summary_index": small,
            "item_id": ids,
            "delta": text,
            "text": text,
            "arguments": text,
            "annotation": st.just(wire.CITATION),
            "sequence_number": st.integers(-1, 50),
        },
    ),
    st.fixed_dictionaries(
        {"type": st.just("error")},
        optional={"error": st.fixed_dictionaries({"code": text, "message": text}), "message": text},
    ),
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
garbage = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"type": st.sampled_from(LIFECYCLE + ITEM_EVENTS + ["error"])},
        optional={
            "response": json_values,
            "item": json_values,
            "delta": json_values,
            "output_index": json_values,
        },
    ),
)

payloads = st.lists(
    st.one_of(well_shaped, well_shaped, garbage).map(json.dumps)
    | st.sampled_from(["[DONE]", "not json", "{", ""]),
    max_size=25,
)


@SETTINGS
@given(payloads=payloads)
def test_fold_ends_in_a_response_or_a_typed_error(payloads: list[str]) -> None:
    state = ResponseState()
    try:
        for payload in payloads:
            try:
                event = parse_event(payload)
            except ValidationError:
                continue  # the stream wraps these (next test); the fold never sees them
            state.apply(event)
        result = state.final_response()
    except XiaohuError:
        return
    assert isinstance(result, Response)
    assert state.done


def _stream(payloads: list[str]) -> ResponseStream:
    raw = "".join(f"data: {p}\n\n" for p in payloads).encode()
    request = httpx.Request("POST", "http://relay.test/v1/responses")
    response = httpx.Response(
        200, content=raw, headers={"content-type": "text/event-stream"}, request=request
    )
    return ResponseStream(response)


@SETTINGS
@given(payloads=payloads)
def test_stream_ends_in_a_response_or_a_typed_error(payloads: list[str]) -> None:
    stream = _stream(payloads)
    try:
        result = stream.get_final_response()
    except XiaohuError:
        assert stream.http_response.is_closed
        return
    assert isinstance(result, Response)
    assert stream.http_response.is_closed


@pytest.mark.parametrize("payload", ["not json", '{"type":"response.completed","response":5}'])
def test_malformed_event_is_a_typed_error(payload: str) -> None:
    from xiaohu import APIResponseValidationError

    with pytest.raises(APIResponseValidationError, match="malformed stream event"):
        _stream([payload]).get_final_response()


def _parsed(payload: str, hint: str | None) -> object:
    try:
        event = parse_event(payload, hint)
    except ValidationError:
        return "invalid"
    return (type(event).__name__, event.model_dump())


@SETTINGS
@given(payload=payloads.flatmap(lambda p: st.sampled_from(p or ["{}"])), hint=st.data())
def test_event_name_hint_never_changes_the_parse(payload: str, hint: st.DataObject) -> None:
    name = hint.draw(st.sampled_from([None, "message", "error", *LIFECYCLE, *ITEM_EVENTS]))
    assert _parsed(payload, name) == _parsed(payload, None)


@pytest.mark.parametrize(
    "payload",
    [
        '{"delta":"x"}',  # no type: the SSE name must not supply one
        '{"type":"response.completed","response":{"id":"r"}}',
        '{"type":"response.output_text.delta","delta":5}',
    ],
)
def test_hint_for_another_type_or_no_type(payload: str) -> None:
    assert _parsed(payload, "response.output_text.delta") == _parsed(payload, None)
