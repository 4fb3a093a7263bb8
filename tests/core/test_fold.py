"""The one fold (`ResponseState`) against streams shaped like the real captures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.core import wire
from xiaohu import (
    AnnotationDelta,
    FunctionCall,
    IncompleteStreamError,
    ItemDone,
    OutputMessage,
    ReasoningDelta,
    ReasoningItem,
    ResponseFailedError,
    ResponseState,
    TextDelta,
    ToolCallDelta,
    ToolProgress,
    WebSearchCall,
)
from xiaohu._events import UnknownEvent, parse_event


def fold(events: list[dict[str, Any]]) -> tuple[ResponseState, list[Any]]:
    state = ResponseState()
    deltas: list[Any] = []
    for event in events:
        deltas += state.apply(parse_event(json.dumps(event)))
    return state, deltas


def of(kind: type, deltas: list[Any]) -> list[Any]:
    return [d for d in deltas if isinstance(d, kind)]


def test_plain_text() -> None:
    pieces = ["你好", "，", "world", "!"]
    state, deltas = fold(wire.plain_text(pieces))
    response = state.final_response()
    assert [d.text for d in of(TextDelta, deltas)] == pieces  # each piece once, no repeats
    assert response.output_text == "".join(pieces)
    assert response.status == "completed"
    assert response.id == wire.RESP_ID
    assert response.usage is not None
    assert (response.usage.total_tokens, response.usage.cached_tokens) == (42, 4)
    assert response.usage.reasoning_tokens == 8
    assert state.last_sequence_number == len(wire.plain_text(pieces)) - 1


def test_two_parallel_function_calls() -> None:
    state, deltas = fold(wire.two_calls())
    calls = of(ToolCallDelta, deltas)
    starts = [d for d in calls if d.call_id]
    assert [(d.index, d.call_id, d.name) for d in starts] == [
        (0, "call_core_1", "get_weather"),
        (1, "call_core_2", "search"),
    ]
    by_index: dict[int, str] = {}
    for d in calls:
        by_index[d.index] = by_index.get(d.index, "") + d.arguments
    assert by_index == {0: '{"city":"杭州"}', 1: '{"query": "tea"}'}
    response = state.final_response()
    assert [c.parsed_arguments() for c in response.function_calls] == [
        {"city": "杭州"},
        {"query": "tea"},
    ]
    assert response.output_text == ""


def test_reasoning_summary_then_function_call() -> None:
    state, deltas = fold(wire.reasoning_then_call())
    reasoning = of(ReasoningDelta, deltas)
    assert "".join(d.text for d in reasoning if d.summary_index == 0) == (
        "**Plan**\n\nLook up the weather."
    )
    assert "".join(d.text for d in reasoning if d.summary_index == 1) == "Then answer."
    done = [d.item for d in of(ItemDone, deltas)]
    assert isinstance(done[0], ReasoningItem)
    assert done[0].encrypted_content == "enc-b"  # the final form wins over output_item.added
    response = state.final_response()
    assert response.reasoning[0].summary_text == "**Plan**\n\nLook up the weather.\n\nThen answer."
    assert response.function_calls[0].arguments == '{"city":"Paris"}'
    assert of(ToolCallDelta, deltas)[0].index == 0


def test_error_event_then_response_failed_raises_with_code_and_message() -> None:
    events = wire.error_then_failed("rate_limit_exceeded", "请求过大，请减少输入")
    with pytest.raises(ResponseFailedError) as info:
        fold(events)
    assert info.value.code == "rate_limit_exceeded"
    assert info.value.response_id == wire.RESP_ID
    assert str(info.value) == "rate_limit_exceeded: 请求过大，请减少输入"


def test_error_event_alone_then_end_raises_failed_not_incomplete() -> None:
    events = wire.error_then_failed("server_error", "boom")[:-1]
    state, _ = fold(events)
    with pytest.raises(ResponseFailedError, match="server_error: boom"):
        state.final_response()


def test_error_event_in_sdk_shape() -> None:
    state, _ = fold([{"type": "error", "code": "c1", "message": "m1", "sequence_number": 0}])
    with pytest.raises(ResponseFailedError, match="c1: m1"):
        state.final_response()


def test_web_search_with_annotations() -> None:
    state, deltas = fold(wire.web_search())
    progress = [(d.tool, d.phase) for d in of(ToolProgress, deltas)]
    assert progress == [
        ("web_search_call", "added"),
        ("web_search_call", "in_progress"),
        ("web_search_call", "searching"),
        ("web_search_call", "completed"),
    ]
    annotations = of(AnnotationDelta, deltas)
    assert len(annotations) == 1  # not repeated by output_item.done or response.completed
    assert annotations[0].annotation.url == wire.CITATION["url"]
    assert annotations[0].output_index == 1
    response = state.final_response()
    assert [c.url for c in response.citations] == [wire.CITATION["url"]]
    assert isinstance(response.output[0], WebSearchCall)
    assert response.web_search_calls[0].query == "龙井 tea"
    assert response.output_text == "Longjing is a green tea."


def test_incomplete_is_terminal_and_keeps_reason() -> None:
    state, deltas = fold(wire.incomplete(["Once upon", " a"]))
    response = state.final_response()
    assert state.done
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert "".join(d.text for d in of(TextDelta, deltas)) == "Once upon a"


def _without(events: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [e for e in events if e["type"] not in types]


def test_text_only_in_output_item_done_is_emitted_once() -> None:
    events = _without(
        wire.plain_text(["Hello", " there"]),
        "response.output_text.delta",
        "response.output_text.done",
    )
    state, deltas = fold(events)
    assert [d.text for d in of(TextDelta, deltas)] == ["Hello there"]
    assert state.final_response().output_text == "Hello there"


def test_text_only_in_response_completed_is_emitted_once() -> None:
    events = [e for e in wire.plain_text(["Hi", "!"]) if not e["type"].startswith("response.o")]
    events = _without(events, "response.content_part.added", "response.content_part.done")
    state, deltas = fold(events)
    assert [d.text for d in of(TextDelta, deltas)] == ["Hi!"]
    assert state.final_response().output_text == "Hi!"


def test_partially_streamed_text_gets_only_the_missing_suffix() -> None:
    events = wire.plain_text(["Hello", " there", " friend"])
    # Drop the last delta and the .done: the rest arrives in output_item.done.
    last = max(i for i, e in enumerate(events) if e["type"] == "response.output_text.delta")
    del events[last]
    events = _without(events, "response.output_text.done")
    _, deltas = fold(events)
    assert [d.text for d in of(TextDelta, deltas)] == ["Hello", " there", " friend"]


def test_arguments_only_in_output_item_done() -> None:
    events = _without(
        wire.two_calls(),
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
    )
    state, deltas = fold(events)
    args = [(d.index, d.arguments) for d in of(ToolCallDelta, deltas) if d.arguments]
    assert args == [(0, '{"city":"杭州"}'), (1, '{"query": "tea"}')]
    assert len(state.final_response().function_calls) == 2


def test_function_call_only_in_response_completed() -> None:
    events = [
        e for e in wire.two_calls() if e["type"] in ("response.created", "response.completed")
    ]
    state, deltas = fold(events)
    starts = [(d.index, d.call_id, d.name) for d in of(ToolCallDelta, deltas) if d.call_id]
    assert starts == [(0, "call_core_1", "get_weather"), (1, "call_core_2", "search")]
    assert state.final_response().function_calls[1].name == "search"


def test_reasoning_only_in_output_item_done() -> None:
    events = _without(
        wire.reasoning_then_call(),
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
    )
    _, deltas = fold(events)
    assert [(d.summary_index, d.text) for d in of(ReasoningDelta, deltas)] == [
        (0, "**Plan**\n\nLook up the weather."),
        (1, "Then answer."),
    ]


def test_streamed_items_missing_from_terminal_snapshot_are_kept() -> None:
    events = wire.plain_text(["kept"])
    events[-1]["response"]["output"] = []  # some relays send an empty output
    state, _ = fold(events)
    response = state.final_response()
    assert response.output_text == "kept"
    assert isinstance(response.output[0], OutputMessage)


def test_streamed_text_kept_when_item_done_has_no_content() -> None:
    events = wire.plain_text(["a", "b"])
    for event in events:
        if event["type"] == "response.output_item.done":
            event["item"]["content"] = []
    events[-1]["response"]["output"] = []
    state, _ = fold(events)
    assert state.final_response().output_text == "ab"


def test_unknown_event_types_pass_through() -> None:
    events = wire.plain_text(["x"])
    events.insert(3, {"type": "response.brand_new.thing", "sequence_number": 99, "extra": [1]})
    state = ResponseState()
    parsed = [parse_event(json.dumps(e)) for e in events]
    unknown = [e for e in parsed if isinstance(e, UnknownEvent)]
    assert len(unknown) == 1
    assert unknown[0].model_extra == {"extra": [1]}
    for event in parsed:
        state.apply(event)
    assert state.final_response().output_text == "x"


def test_unknown_item_types_are_kept_as_dicts() -> None:
    item = {"type": "image_generation_call", "id": "ig_1", "result": "aGVsbG8="}
    events = wire.numbered(
        [
            {"type": "response.created", "response": wire.response("in_progress")},
            {"type": "response.output_item.added", "output_index": 0, "item": item},
            {"type": "response.image_generation_call.generating", "item_id": "ig_1"},
            {"type": "response.output_item.done", "output_index": 0, "item": item},
            {"type": "response.completed", "response": wire.response("completed", [item])},
        ]
    )
    state, deltas = fold(events)
    assert [(d.tool, d.phase) for d in of(ToolProgress, deltas)] == [
        ("image_generation_call", "generating")
    ]
    assert state.final_response().output == [item]


def test_stream_without_terminal_event_raises_incomplete_with_partial_text() -> None:
    events = wire.plain_text(["Hel", "lo"])
    cut = [e for e in events if e["type"] != "response.completed"]
    cut = [e for e in cut if e["type"] not in ("response.output_item.done",)]
    state, _ = fold(cut)
    assert not state.done
    with pytest.raises(IncompleteStreamError) as info:
        state.final_response()
    assert info.value.partial_text == "Hello"
    assert "terminal event" in str(info.value)


def test_arguments_delta_before_its_item_still_gets_a_call_index() -> None:
    events: list[dict[str, Any]] = [
        {"type": "response.function_call_arguments.delta", "item_id": "fc_x", "delta": "{}"},
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": wire.call_item(9, "f", "{}"),
        },
        {"type": "response.completed", "response": wire.response("completed")},
    ]
    state, deltas = fold(events)
    assert all(d.index >= 0 for d in of(ToolCallDelta, deltas))
    assert isinstance(state.final_response().output[0], FunctionCall)


def test_text_deltas_before_their_item_are_not_lost() -> None:
    events = wire.plain_text(["early", " bird"])
    added = next(i for i, e in enumerate(events) if e["type"] == "response.output_item.added")
    first = next(i for i, e in enumerate(events) if e["type"] == "response.output_text.delta")
    events.insert(added, events.pop(first))  # a delta overtakes its output_item.added
    state, deltas = fold(events)
    assert [d.text for d in of(TextDelta, deltas)] == ["early", " bird"]
    assert state.final_response().output_text == "early bird"
