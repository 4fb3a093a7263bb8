"""Hand-written Responses streams for the core tests, shaped like real captures.

The event order of each scenario follows the real recordings described in the protocol
reference (plain text; two parallel function calls; reasoning summary then a function call;
an `error` event then `response.failed`), but every id, text and number here is our own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from xiaohu._sse import ServerSentEvent, SSEDecoder

RESP_ID = "resp_core_test_0001"
MSG_ID = "msg_core_test_0001"


def encode(events: Iterable[dict[str, Any]], *, newline: str = "\n") -> bytes:
    """SSE bytes for these event dicts (`event:` + `data:` + blank line each)."""
    out = []
    for event in events:
        out.append(f"event: {event['type']}{newline}data: {json.dumps(event, ensure_ascii=False)}")
        out.append(newline + newline)
    return "".join(out).encode()


def numbered(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each event its `sequence_number`, 0-based."""
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def response(status: str, output: list[Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A Response snapshot."""
    body: dict[str, Any] = {
        "id": RESP_ID,
        "object": "response",
        "created_at": 1_760_000_000,
        "status": status,
        "model": "gpt-test-2026",
        "output": output or [],
        "usage": None,
    }
    body.update(extra)
    return body


USAGE = {
    "input_tokens": 12,
    "input_tokens_details": {"cached_tokens": 4},
    "output_tokens": 30,
    "output_tokens_details": {"reasoning_tokens": 8},
    "total_tokens": 42,
}


def _start() -> list[dict[str, Any]]:
    return [
        {"type": "response.created", "response": response("in_progress")},
        {"type": "response.in_progress", "response": response("in_progress")},
    ]


def message_item(text: str, status: str = "completed", annotations: Any = ()) -> dict[str, Any]:
    """A finished assistant message with one text part."""
    return {
        "id": MSG_ID,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": list(annotations)}],
    }


def message_events(
    pieces: list[str], output_index: int = 0, annotations: Any = ()
) -> Iterator[dict[str, Any]]:
    """The events of one streamed message: added, part, deltas, done."""
    text = "".join(pieces)
    where = {"item_id": MSG_ID, "output_index": output_index, "content_index": 0}
    yield {
        "type": "response.output_item.added",
        "output_index": output_index,
        "item": {"id": MSG_ID, "type": "message", "status": "in_progress", "content": []},
    }
    yield {
        "type": "response.content_part.added",
        **where,
        "part": {"type": "output_text", "text": "", "annotations": []},
    }
    for piece in pieces:
        yield {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": []}
    for n, annotation in enumerate(annotations):
        yield {
            "type": "response.output_text.annotation.added",
            **where,
            "annotation_index": n,
            "annotation": annotation,
        }
    yield {"type": "response.output_text.done", **where, "text": text, "logprobs": []}
    yield {
        "type": "response.content_part.done",
        **where,
        "part": {"type": "output_text", "text": text, "annotations": list(annotations)},
    }
    yield {
        "type": "response.output_item.done",
        "output_index": output_index,
        "item": message_item(text, annotations=annotations),
    }


def plain_text(pieces: list[str]) -> list[dict[str, Any]]:
    """Scenario (a): one message streamed in pieces, then `response.completed`."""
    text = "".join(pieces)
    return numbered(
        [
            *_start(),
            *message_events(pieces),
            {
                "type": "response.completed",
                "response": response("completed", [message_item(text)], usage=USAGE),
            },
        ]
    )


def call_item(n: int, name: str, arguments: str, status: str = "completed") -> dict[str, Any]:
    """A function call item."""
    return {
        "id": f"fc_core_{n}",
        "type": "function_call",
        "status": status,
        "call_id": f"call_core_{n}",
        "name": name,
        "arguments": arguments,
    }


def call_events(
    n: int, output_index: int, name: str, pieces: list[str]
) -> Iterator[dict[str, Any]]:
    """The events of one streamed function call."""
    where = {"item_id": f"fc_core_{n}", "output_index": output_index}
    yield {
        "type": "response.output_item.added",
        "output_index": output_index,
        "item": call_item(n, name, "", status="in_progress"),
    }
    for piece in pieces:
        yield {"type": "response.function_call_arguments.delta", **where, "delta": piece}
    arguments = "".join(pieces)
    yield {"type": "response.function_call_arguments.done", **where, "arguments": arguments}
    yield {
        "type": "response.output_item.done",
        "output_index": output_index,
        "item": call_item(n, name, arguments),
    }


def two_calls() -> list[dict[str, Any]]:
    """Scenario (b): two parallel function calls, no message."""
    first = ['{"', "city", '":"', "杭州", '"}']
    second = ['{"q', 'uery":', ' "tea"}']
    return numbered(
        [
            *_start(),
            *call_events(1, 0, "get_weather", first),
            *call_events(2, 1, "search", second),
            {
                "type": "response.completed",
                "response": response(
                    "completed",
                    [
                        call_item(1, "get_weather", "".join(first)),
                        call_item(2, "search", "".join(second)),
                    ],
                    usage=USAGE,
                ),
            },
        ]
    )


REASONING_ID = "rs_core_test_0001"


def reasoning_item(parts: list[str], encrypted: str | None = None) -> dict[str, Any]:
    """A finished reasoning item."""
    item: dict[str, Any] = {
        "id": REASONING_ID,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": p} for p in parts],
    }
    if encrypted is not None:
        item["encrypted_content"] = encrypted
    return item


def reasoning_then_call() -> list[dict[str, Any]]:
    """Scenario (d): two reasoning summary parts, then a function call."""
    parts = [["**Plan**\n\n", "Look up ", "the weather."], ["Then ", "answer."]]
    events: list[dict[str, Any]] = [
        *_start(),
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {
                "id": REASONING_ID,
                "type": "reasoning",
                "summary": [],
                "encrypted_content": "enc-a",
            },
        },
    ]
    for index, pieces in enumerate(parts):
        where = {"item_id": REASONING_ID, "output_index": 0, "summary_index": index}
        events.append(
            {
                "type": "response.reasoning_summary_part.added",
                **where,
                "part": {"type": "summary_text", "text": ""},
            }
        )
        events += [
            {"type": "response.reasoning_summary_text.delta", **where, "delta": p} for p in pieces
        ]
        text = "".join(pieces)
        events.append({"type": "response.reasoning_summary_text.done", **where, "text": text})
        events.append(
            {
                "type": "response.reasoning_summary_part.done",
                **where,
                "part": {"type": "summary_text", "text": text},
            }
        )
    full = ["".join(p) for p in parts]
    events.append(
        {
            "type": "response.output_item.done",
            "output_index": 0,
            "item": reasoning_item(full, encrypted="enc-b"),
        }
    )
    events += call_events(1, 1, "get_weather", ['{"city":', '"Paris"}'])
    events.append(
        {
            "type": "response.completed",
            "response": response(
                "completed",
                [reasoning_item(full, "enc-b"), call_item(1, "get_weather", '{"city":"Paris"}')],
                usage=USAGE,
            ),
        }
    )
    return numbered(events)


def error_then_failed(
    code: str = "rate_limit_exceeded", message: str = "请求过大"
) -> list[dict[str, Any]]:
    """Scenario (e): an `error` event (nested wire shape), then `response.failed`."""
    return numbered(
        [
            *_start(),
            {
                "type": "error",
                "error": {"type": "tokens", "code": code, "message": message, "param": None},
            },
            {
                "type": "response.failed",
                "response": response("failed", error={"code": code, "message": message}),
            },
        ]
    )


CITATION = {
    "type": "url_citation",
    "start_index": 0,
    "end_index": 8,
    "title": "Example",
    "url": "https://example.org/tea",
}


def web_search() -> list[dict[str, Any]]:
    """Scenario (c): a web search call, then a message with a url_citation."""
    ws = "ws_core_test_0001"
    search_done = {
        "id": ws,
        "type": "web_search_call",
        "status": "completed",
        "action": {"type": "search", "query": "龙井 tea"},
    }
    pieces = ["Longjing", " is a green tea."]
    text = "".join(pieces)
    return numbered(
        [
            *_start(),
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"id": ws, "type": "web_search_call", "status": "in_progress"},
            },
            *(
                {"type": f"response.web_search_call.{phase}", "item_id": ws, "output_index": 0}
                for phase in ("in_progress", "searching", "completed")
            ),
            {"type": "response.output_item.done", "output_index": 0, "item": search_done},
            *message_events(pieces, output_index=1, annotations=[CITATION]),
            {
                "type": "response.completed",
                "response": response(
                    "completed",
                    [search_done, message_item(text, annotations=[CITATION])],
                    usage=USAGE,
                ),
            },
        ]
    )


def incomplete(pieces: list[str]) -> list[dict[str, Any]]:
    """A message cut by `max_output_tokens`, ending in `response.incomplete`."""
    text = "".join(pieces)
    events = list(message_events(pieces))
    events[-1]["item"]["status"] = "incomplete"
    return numbered(
        [
            *_start(),
            *events,
            {
                "type": "response.incomplete",
                "response": response(
                    "incomplete",
                    [message_item(text, status="incomplete")],
                    incomplete_details={"reason": "max_output_tokens"},
                    usage=USAGE,
                ),
            },
        ]
    )


def sse_events(chunks: Iterable[bytes]) -> list[ServerSentEvent]:
    """Decode byte chunks as a stream does: one `SSEDecoder`, then its end-of-stream flush."""
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.decode(chunk)]
    return events + decoder.flush()
