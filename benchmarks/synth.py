"""A synthetic, realistic Responses stream and Response JSON, built once as bytes.

The shapes follow the current wire (2025-2026): every `response.output_text.delta` carries
`logprobs: []` and an `obfuscation` padding string, parts carry `logprobs`, and the stream ends
with `response.completed` holding the full response with usage. Ids are synthetic. The model is
"gpt-4.1" so that clients which validate model names (llama-index) accept it.
"""

from __future__ import annotations

import json
import random
import string

MODEL = "gpt-4.1"
RESP_ID = "resp_bench" + "0" * 40
MSG_ID = "msg_bench" + "0" * 41

# A mix of English and Chinese tokens, as a relay serving both audiences would stream.
_WORDS = [
    " the",
    " relay",
    " streams",
    " tokens",
    " quickly",
    ",",
    " and",
    " each",
    " delta",
    " is",
    " small",
    ".",
    " 你好",
    "世界",
    "，",
    "这是",
    "一个",
    "测试",
    "。",
    " Responses",
    " API",
    " events",
    " arrive",
    " in",
    " order",
    " with",
    " sequence",
    " numbers",
    "\n",
]


def deltas(n: int, seed: int = 7) -> list[str]:
    """The n text pieces of the synthetic answer (deterministic)."""
    rng = random.Random(seed)
    return [rng.choice(_WORDS) for _ in range(n)]


def _response(status: str, text: str | None, n: int) -> dict[str, object]:
    output: list[dict[str, object]] = []
    usage: dict[str, object] | None = None
    if text is not None:
        output = [
            {
                "id": MSG_ID,
                "type": "message",
                "status": "completed",
                "content": [
                    {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
                ],
                "role": "assistant",
            }
        ]
        usage = {
            "input_tokens": 12,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": n,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 12 + n,
        }
    return {
        "id": RESP_ID,
        "object": "response",
        "created_at": 1764000000,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "model": MODEL + "-2025-04-14",
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": None, "summary": None},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }


def _sse(event: dict[str, object]) -> str:
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False, separators=(',', ':'))}\n\n"


def stream_events(n: int) -> list[dict[str, object]]:
    """The full event sequence for an answer of n text deltas."""
    rng = random.Random(n)
    pieces = deltas(n)
    text = "".join(pieces)
    alphabet = string.ascii_letters + string.digits
    seq = iter(range(n + 100))
    common = {"item_id": MSG_ID, "output_index": 0, "content_index": 0}
    events: list[dict[str, object]] = [
        {
            "type": "response.created",
            "sequence_number": next(seq),
            "response": _response("in_progress", None, n),
        },
        {
            "type": "response.in_progress",
            "sequence_number": next(seq),
            "response": _response("in_progress", None, n),
        },
        {
            "type": "response.output_item.added",
            "sequence_number": next(seq),
            "output_index": 0,
            "item": {
                "id": MSG_ID,
                "type": "message",
                "status": "in_progress",
                "content": [],
                "role": "assistant",
            },
        },
        {
            "type": "response.content_part.added",
            "sequence_number": next(seq),
            **common,
            "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": ""},
        },
    ]
    for piece in pieces:
        pad = "".join(rng.choice(alphabet) for _ in range(rng.randint(2, 14)))
        events.append(
            {
                "type": "response.output_text.delta",
                "sequence_number": next(seq),
                **common,
                "delta": piece,
                "logprobs": [],
                "obfuscation": pad,
            }
        )
    final = _response("completed", text, n)
    item = final["output"][0]  # type: ignore[index]
    events += [
        {
            "type": "response.output_text.done",
            "sequence_number": next(seq),
            **common,
            "text": text,
            "logprobs": [],
        },
        {
            "type": "response.content_part.done",
            "sequence_number": next(seq),
            **common,
            "part": {"type": "output_text", "annotations": [], "logprobs": [], "text": text},
        },
        {
            "type": "response.output_item.done",
            "sequence_number": next(seq),
            "output_index": 0,
            "item": item,
        },
        {"type": "response.completed", "sequence_number": next(seq), "response": final},
    ]
    return events


def stream_body(n: int) -> bytes:
    """The SSE body (UTF-8) for n deltas."""
    return "".join(_sse(e) for e in stream_events(n)).encode()


def response_body() -> bytes:
    """A non-stream Response JSON with a short answer."""
    text = "".join(deltas(40))
    return json.dumps(_response("completed", text, 40), ensure_ascii=False).encode()
