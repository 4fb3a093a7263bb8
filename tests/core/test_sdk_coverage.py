"""Every Responses stream event and output item type of the newest `openai` SDK is handled.

The SDK is the schema oracle: its `ResponseStreamEvent` and `ResponseOutputItem` unions are
enumerated, and each type must be typed by the core (a class of its own, not `UnknownEvent`;
a model, not a dict) or listed in `KEPT_WHOLE` with the reason it is kept whole. A new SDK
release that adds a type fails here until it is handled.
"""

from __future__ import annotations

import json
import typing

import openai
import pytest
from openai.types import responses as sdk

from xiaohu import CustomToolCall, Response, parse_event
from xiaohu._events import _TAGS, UnknownEvent
from xiaohu._models import _ITEM_TYPES, KEPT_WHOLE


def _literal_types(union: object) -> list[str]:
    members = typing.get_args(typing.get_args(union)[0])
    kinds = [typing.get_args(m.model_fields["type"].annotation)[0] for m in members]
    return sorted(kinds)


SDK_EVENTS = _literal_types(sdk.ResponseStreamEvent)
SDK_ITEMS = _literal_types(sdk.ResponseOutputItem)


def test_the_oracle_is_openai_3() -> None:
    assert int(openai.__version__.split(".")[0]) >= 3
    assert len(SDK_EVENTS) >= 59
    assert len(SDK_ITEMS) >= 28


@pytest.mark.parametrize("kind", SDK_EVENTS)
def test_every_sdk_event_type_parses_to_its_own_class(kind: str) -> None:
    assert _TAGS.get(kind, "unknown") != "unknown", f"{kind} would parse as UnknownEvent"


def test_an_unknown_event_still_parses_whole() -> None:
    event = parse_event('{"type":"response.brand_new","x":1}')
    assert isinstance(event, UnknownEvent)
    assert event.model_extra == {"x": 1}


@pytest.mark.parametrize("kind", SDK_ITEMS)
def test_every_sdk_output_item_type_is_modelled_or_kept_whole_for_a_reason(kind: str) -> None:
    modelled = kind in _ITEM_TYPES
    kept = bool(KEPT_WHOLE.get(kind))
    assert modelled != kept, f"{kind}: modelled={modelled}, kept whole={kept} (need exactly one)"


def test_kept_whole_lists_no_stale_types() -> None:
    assert set(KEPT_WHOLE) <= set(SDK_ITEMS)


def test_an_sdk_custom_tool_call_parses_into_the_model() -> None:
    sdk_item = sdk.ResponseCustomToolCall(
        type="custom_tool_call", call_id="call_1", name="run_sql", input="SELECT 1", id="ctc_1"
    )
    response = Response.model_validate({"output": [sdk_item.model_dump(mode="json")]})
    [call] = response.custom_tool_calls
    assert isinstance(call, CustomToolCall)
    assert (call.id, call.call_id, call.name, call.input) == (
        "ctc_1",
        "call_1",
        "run_sql",
        "SELECT 1",
    )


def test_shell_commands_stream_as_tool_input() -> None:
    from xiaohu import ResponseState, ToolInputDelta

    state = ResponseState()
    added = {
        "type": "response.output_item.added",
        "output_index": 0,
        "item": {"type": "shell_call", "id": "sh_1", "call_id": "c", "status": "in_progress"},
    }
    state.apply(parse_event(json.dumps(added)))
    deltas = [
        d
        for piece in ("ls ", "-la")
        for d in state.apply(
            parse_event(
                json.dumps(
                    {
                        "type": "response.shell_call_command.delta",
                        "output_index": 0,
                        "command_index": 0,
                        "delta": piece,
                        "sequence_number": 1,
                    }
                )
            )
        )
    ]
    assert deltas == [
        ToolInputDelta("shell_call", "ls ", 0, "sh_1"),
        ToolInputDelta("shell_call", "-la", 0, "sh_1"),
    ]


@pytest.mark.parametrize("kind", SDK_EVENTS)
def test_every_sdk_event_type_is_folded_or_quiet_for_a_reason(kind: str) -> None:
    from xiaohu._events import _PROGRESS_TYPES
    from xiaohu._fold import _HANDLERS, QUIET_EVENTS

    folded = kind in _HANDLERS or kind == "response.output_text.delta"  # the hot path
    progress = kind in _PROGRESS_TYPES
    quiet = bool(QUIET_EVENTS.get(kind))
    assert [folded or progress, quiet].count(True) == 1, (kind, folded, progress, quiet)
