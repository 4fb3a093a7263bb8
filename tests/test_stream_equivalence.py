"""Property: stream and non-stream give the same final message, for any SDK-valid stream.

Streams are drawn as random sequences of output items (text split at random points, function
and custom tool calls, raw reasoning, images, built-in tool items, shell calls and their
output), framed by `tests.sdk_streams` and validated event by event by the newest `openai` SDK. For each, the
core's fold must rebuild the terminal Response, the LangChain chunks must add up to the
`invoke()` message, and the LlamaIndex stream must end on the `chat()` message.
"""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import AIMessageChunk

from langchain_xiaohu._chunks import ChunkConverter
from langchain_xiaohu._messages import response_to_message
from llama_index_xiaohu._chunks import ChunkBuilder, final_chat_response
from tests import sdk_streams
from xiaohu import Response, ResponseState, parse_event

SETTINGS = settings(
    deadline=None, max_examples=40, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
TEXT = st.text(alphabet='ab 你好,.\n{}"', min_size=1, max_size=24)


@st.composite
def pieces(draw: st.DrawFn, text: str) -> list[str]:
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=4)))
    bounds = [0, *[c for c in cuts if c < len(text)], len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if b > a]


@st.composite
def message(draw: st.DrawFn, n: int) -> Any:
    text = draw(TEXT)
    item, inner = sdk_streams._message(text, draw(pieces(text)))
    item["id"] = f"msg_{n}"
    for event in inner:
        event["item_id"] = f"msg_{n}"
    return item, inner


@st.composite
def function_call(draw: st.DrawFn, n: int) -> Any:
    arguments = json.dumps({"q": draw(TEXT)}, ensure_ascii=False)
    item = {"type": "function_call", "id": f"fc_{n}", "call_id": f"call_f{n}", "name": "lookup",
            "arguments": arguments, "status": "completed"}  # fmt: skip
    inner = [
        {"type": "response.function_call_arguments.delta", "item_id": f"fc_{n}", "delta": p}
        for p in draw(pieces(arguments))
    ]
    inner.append({"type": "response.function_call_arguments.done", "item_id": f"fc_{n}",
                  "arguments": arguments, "name": "lookup"})  # fmt: skip
    return item, inner


@st.composite
def custom_call(draw: st.DrawFn, n: int) -> Any:
    text = draw(TEXT)
    item = {"type": "custom_tool_call", "id": f"ctc_{n}", "call_id": f"call_c{n}",
            "name": "run_sql", "input": text, "status": "completed"}  # fmt: skip
    inner = [
        {"type": "response.custom_tool_call_input.delta", "item_id": f"ctc_{n}", "delta": p}
        for p in draw(pieces(text))
    ]
    return item, inner


@st.composite
def reasoning(draw: st.DrawFn, n: int) -> Any:
    text = draw(TEXT)
    summary = draw(st.one_of(st.none(), TEXT))
    item: dict[str, Any] = {
        "type": "reasoning",
        "id": f"rs_{n}",
        "summary": [{"type": "summary_text", "text": summary}] if summary else [],
        "content": [{"type": "reasoning_text", "text": text}],
    }
    where = {"item_id": f"rs_{n}", "content_index": 0}
    inner: list[dict[str, Any]] = [
        {"type": "response.reasoning_text.delta", **where, "delta": p} for p in draw(pieces(text))
    ]
    if summary:
        inner.append({"type": "response.reasoning_summary_text.delta", "item_id": f"rs_{n}",
                      "summary_index": 0, "delta": summary})  # fmt: skip
    return item, inner


#: Whole items taken from the corpus: (scenario, the item's output index there).
WHOLE = [
    (sdk_streams.image_generation, 0),
    (sdk_streams.built_in_tools, 0),
    (sdk_streams.shell, 0),  # a shell call, its command streamed
    (sdk_streams.shell, 1),  # its output, streamed
]


def whole(build: Any, index: int) -> Any:
    events, final = build()
    return final["output"][index], [
        {k: v for k, v in e.items() if k not in ("output_index", "sequence_number")}
        for e in events
        if e.get("output_index") == index
        and e["type"] not in ("response.output_item.added", "response.output_item.done")
    ]


KINDS = [message, function_call, custom_call, reasoning]


@st.composite
def scenario(draw: st.DrawFn) -> sdk_streams.Scenario:
    count = draw(st.integers(1, 5))
    items = []
    for n in range(count):
        choice = draw(st.integers(0, len(KINDS) + len(WHOLE) - 1))
        if choice < len(KINDS):
            items.append(draw(KINDS[choice](n)))
        else:
            item, inner = whole(*WHOLE[choice - len(KINDS)])
            item = {**item, "id": f"{item['id']}_{n}"}
            inner = [{**e, "item_id": item["id"]} if "item_id" in e else e for e in inner]
            items.append((item, inner))
    return sdk_streams._stream(items)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _strip(v)
            for k, v in value.items()
            if k not in ("index", "status") and not (k == "annotations" and not v)
        }
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


@SETTINGS
@given(scenario())
def test_stream_and_non_stream_give_the_same_final_message(drawn: sdk_streams.Scenario) -> None:
    events, final = drawn
    expected = Response.model_validate(final)
    state = ResponseState()
    converter = ChunkConverter("gpt-5")
    builder = ChunkBuilder()
    merged: AIMessageChunk | None = None
    for raw in events:
        event = parse_event(json.dumps(raw))
        deltas = state.apply(event)
        builder.feed(deltas, event)
        for chunk in converter.convert(event, deltas):
            message = chunk.message
            assert isinstance(message, AIMessageChunk)
            merged = message if merged is None else merged + message
    folded = state.final_response()
    assert folded.to_dict() == expected.to_dict()

    invoked = response_to_message(expected, "gpt-5")
    assert merged is not None
    assert merged.text == invoked.text
    assert merged.tool_calls == invoked.tool_calls
    assert merged.invalid_tool_calls == invoked.invalid_tool_calls
    assert _strip(merged.content) == _strip(invoked.content)

    assert final_chat_response(folded).message == final_chat_response(expected).message
