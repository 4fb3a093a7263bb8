"""Synthetic Responses streams, each event and the final Response validated by `openai`'s types.

Every scenario is a list of wire events ending in `response.completed`, and the `Response` a
non-stream call returns for it. The SDK (the schema oracle) validates each, so the shapes are
the ones the newest `openai` release documents. Shared by the core, LangChain and LlamaIndex
tests: a MockTransport (`transport`) answers a stream request with the events and a plain
request with the final Response.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
from openai.types import responses as sdk
from pydantic import TypeAdapter

_EVENT = TypeAdapter(sdk.ResponseStreamEvent)

Scenario = tuple[list[dict[str, Any]], dict[str, Any]]


def _response(status: str, output: list[dict[str, Any]]) -> dict[str, Any]:
    response: dict[str, Any] = {
        "id": "resp_synth",
        "object": "response",
        "created_at": 1_760_000_000,
        "status": status,
        "model": "gpt-5-2025-08-07",
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
    }
    if status == "completed":
        response["usage"] = {
            "input_tokens": 10,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 20,
            "output_tokens_details": {"reasoning_tokens": 5},
            "total_tokens": 30,
        }
    sdk.Response.model_validate(response)
    return response


def _stream(items: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> Scenario:
    """Frame items (each with the events streamed between its added and done) as a stream."""
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": _response("in_progress", [])}
    ]
    for index, (item, inner) in enumerate(items):
        started = _started(item)
        events.append(
            {"type": "response.output_item.added", "output_index": index, "item": started}
        )
        events.extend({"output_index": index, **event} for event in inner)
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    final = _response("completed", [item for item, _ in items])
    events.append({"type": "response.completed", "response": final})
    for number, event in enumerate(events):
        event["sequence_number"] = number
        _EVENT.validate_python(event)
    return events, final


def _started(item: dict[str, Any]) -> dict[str, Any]:
    started = dict(item)
    for key, empty in (("input", ""), ("arguments", ""), ("code", ""), ("content", [])):
        if key in started:
            started[key] = empty
    if "status" in started:
        started["status"] = "in_progress"
    return started


def _message(text: str, pieces: list[str], logprobs: list[dict[str, Any]] | None = None) -> Any:
    part: dict[str, Any] = {"type": "output_text", "text": text, "annotations": []}
    part["logprobs"] = logprobs or []
    item = {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [part],
    }
    where = {"item_id": "msg_1", "content_index": 0}
    inner: list[dict[str, Any]] = [
        {
            "type": "response.content_part.added",
            **where,
            "part": {**part, "text": "", "logprobs": []},
        }
    ]
    for number, piece in enumerate(pieces):
        own = [logprobs[number]] if logprobs else []
        inner.append(
            {"type": "response.output_text.delta", **where, "delta": piece, "logprobs": own}
        )
    inner.append(
        {"type": "response.output_text.done", **where, "text": text, "logprobs": logprobs or []}
    )
    inner.append({"type": "response.content_part.done", **where, "part": part})
    return item, inner


def custom_tool_call() -> Scenario:
    """A gpt-5 freeform tool call: its input (SQL) streams as `custom_tool_call_input.delta`."""
    sql = "SELECT name FROM users WHERE id = 1;"
    item = {
        "type": "custom_tool_call",
        "id": "ctc_1",
        "call_id": "call_sql",
        "name": "run_sql",
        "input": sql,
        "status": "completed",
    }
    pieces = [sql[:10], sql[10:]]
    inner: list[dict[str, Any]] = [
        {"type": "response.custom_tool_call_input.delta", "item_id": "ctc_1", "delta": p}
        for p in pieces
    ]
    inner.append({"type": "response.custom_tool_call_input.done", "item_id": "ctc_1", "input": sql})
    return _stream([(item, inner)])


def reasoning_text() -> Scenario:
    """Raw reasoning `content` streamed as `reasoning_text.delta`, then the answer."""
    thought = "The user greets me; answer briefly."
    reasoning = {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [],
        "content": [{"type": "reasoning_text", "text": thought}],
    }
    where = {"item_id": "rs_1", "content_index": 0}
    inner = [
        {"type": "response.reasoning_text.delta", **where, "delta": thought[:12]},
        {"type": "response.reasoning_text.delta", **where, "delta": thought[12:]},
        {"type": "response.reasoning_text.done", **where, "text": thought},
    ]
    return _stream([(reasoning, inner), _message("Hello!", ["Hel", "lo!"])])


def logprobs() -> Scenario:
    """Output text with token logprobs (`top_logprobs` asked for)."""
    tokens = [
        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105], "top_logprobs": []},
        {"token": "!", "logprob": -0.2, "bytes": [33], "top_logprobs": []},
    ]
    return _stream([_message("Hi!", ["Hi", "!"], tokens)])


def built_in_tools() -> Scenario:
    """Code interpreter code and MCP call arguments streamed, then the finished items."""
    code = "print(6 * 7)"
    interpreter = {
        "type": "code_interpreter_call",
        "id": "ci_1",
        "container_id": "cntr_1",
        "code": code,
        "outputs": [{"type": "logs", "logs": "42\n"}],
        "status": "completed",
    }
    code_inner: list[dict[str, Any]] = [
        {"type": "response.code_interpreter_call.in_progress", "item_id": "ci_1"},
        {"type": "response.code_interpreter_call_code.delta", "item_id": "ci_1", "delta": code[:6]},
        {"type": "response.code_interpreter_call_code.delta", "item_id": "ci_1", "delta": code[6:]},
        {"type": "response.code_interpreter_call_code.done", "item_id": "ci_1", "code": code},
        {"type": "response.code_interpreter_call.completed", "item_id": "ci_1"},
    ]
    arguments = '{"repo": "xiaohu"}'
    mcp = {
        "type": "mcp_call",
        "id": "mcp_1",
        "name": "list_issues",
        "server_label": "github",
        "arguments": arguments,
        "output": "[]",
        "status": "completed",
    }
    mcp_inner: list[dict[str, Any]] = [
        {"type": "response.mcp_call_arguments.delta", "item_id": "mcp_1", "delta": arguments[:5]},
        {"type": "response.mcp_call_arguments.delta", "item_id": "mcp_1", "delta": arguments[5:]},
        {"type": "response.mcp_call_arguments.done", "item_id": "mcp_1", "arguments": arguments},
        {"type": "response.mcp_call.completed", "item_id": "mcp_1"},
    ]
    listed = {
        "type": "mcp_list_tools",
        "id": "mcpl_1",
        "server_label": "github",
        "tools": [{"name": "list_issues", "input_schema": {"type": "object"}}],
    }
    approval = {
        "type": "mcp_approval_request",
        "id": "mcpr_1",
        "name": "close_issue",
        "server_label": "github",
        "arguments": '{"number": 1}',
    }
    return _stream(
        [
            (listed, []),
            (interpreter, code_inner),
            (mcp, mcp_inner),
            (approval, []),
            _message("Done.", ["Done."]),
        ]
    )


#: A 1x1 PNG, base64: the partial and the final image of `image_generation`.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def image_generation() -> Scenario:
    """An image generation call with two partial images, then the final one, then text."""
    item = {
        "type": "image_generation_call",
        "id": "ig_1",
        "status": "completed",
        "result": PNG,
        "output_format": "png",
        "revised_prompt": "a red dot",
    }
    ids = {"item_id": "ig_1"}
    inner: list[dict[str, Any]] = [
        {"type": "response.image_generation_call.in_progress", **ids},
        {"type": "response.image_generation_call.generating", **ids},
        *(
            {
                "type": "response.image_generation_call.partial_image",
                **ids,
                "partial_image_index": n,
                "partial_image_b64": PNG,
                "output_format": "png",
            }
            for n in range(2)
        ),
        {"type": "response.image_generation_call.completed", **ids},
    ]
    return _stream([(item, inner), _message("Here it is.", ["Here", " it is."])])


def file_citations() -> Scenario:
    """Text citing an uploaded file and a container file."""
    text = "Revenue grew 12%. See the chart."
    annotations = [
        {"type": "file_citation", "file_id": "file_1", "filename": "report.pdf", "index": 17},
        {
            "type": "container_file_citation",
            "container_id": "cntr_1",
            "file_id": "cfile_1",
            "filename": "chart.png",
            "start_index": 18,
            "end_index": 32,
        },
    ]
    item, inner = _message(text, [text[:17], text[17:]])
    item["content"][0]["annotations"] = annotations
    where = {"item_id": "msg_1", "content_index": 0}
    added = [
        {
            "type": "response.output_text.annotation.added",
            **where,
            "annotation_index": number,
            "annotation": annotation,
        }
        for number, annotation in enumerate(annotations)
    ]
    # content_part.added, the deltas, the annotations, output_text.done, content_part.done
    inner = [*inner[:-2], *added, inner[-2], {**inner[-1], "part": item["content"][0]}]
    return _stream([(item, inner)])


def shell() -> Scenario:
    """A hosted shell call: its command streams, then its output, then the answer."""
    command = "ls -la /data"
    call = {
        "type": "shell_call",
        "id": "sh_1",
        "call_id": "call_sh",
        "action": {"commands": [command], "timeout_ms": 10_000},
        "status": "completed",
    }
    where = {"command_index": 0}
    call_inner: list[dict[str, Any]] = [
        {"type": "response.shell_call_command.added", **where, "command": ""},
        {"type": "response.shell_call_command.delta", **where, "delta": command[:3]},
        {"type": "response.shell_call_command.delta", **where, "delta": command[3:]},
        {"type": "response.shell_call_command.done", **where, "command": command},
    ]
    result = {"stdout": "a.csv\nb.csv\n", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}}
    output = {
        "type": "shell_call_output",
        "id": "sho_1",
        "call_id": "call_sh",
        "output": [result],
        "status": "completed",
    }
    ids = {"item_id": "sho_1", "command_index": 0}
    output_inner: list[dict[str, Any]] = [
        {"type": "response.shell_call_output_content.delta", **ids, "delta": {"stdout": "a.csv\n"}},
        {"type": "response.shell_call_output_content.delta", **ids, "delta": {"stdout": "b.csv\n"}},
        {"type": "response.shell_call_output_content.done", **ids, "output": [result]},
    ]
    return _stream(
        [(call, call_inner), (output, output_inner), _message("Two files.", ["Two files."])]
    )


#: A short "spoken" answer: two independently base64-encoded pieces of audio bytes.
AUDIO_PIECES = [b"RIFF\x00\x01", b"WAVEfmt "]


def audio() -> Scenario:
    """A spoken answer: audio and transcript deltas (they belong to no output item), then text.

    The non-streamed Response has no audio (the API returns it only as stream events).
    """
    events, final = _stream([_message("Hello!", ["Hello!"])])
    spoken: list[dict[str, Any]] = [
        {"type": "response.audio.transcript.delta", "delta": "Hel"},
        {"type": "response.audio.transcript.delta", "delta": "lo!"},
        *(
            {"type": "response.audio.delta", "delta": base64.b64encode(piece).decode()}
            for piece in AUDIO_PIECES
        ),
        {"type": "response.audio.transcript.done"},
        {"type": "response.audio.done"},
    ]
    events = [events[0], *spoken, *events[1:]]
    for number, event in enumerate(events):
        event["sequence_number"] = number
        _EVENT.validate_python(event)
    return events, final


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "image_generation": image_generation,
    "file_citations": file_citations,
    "custom_tool_call": custom_tool_call,
    "reasoning_text": reasoning_text,
    "logprobs": logprobs,
    "built_in_tools": built_in_tools,
    "shell": shell,
}
"""Streams whose non-streamed Response holds the same content (stream == invoke holds)."""


def sse(events: list[dict[str, Any]]) -> bytes:
    """The events as an SSE body."""
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def transport(scenario: Scenario, seen: list[dict[str, Any]] | None = None) -> httpx.MockTransport:
    """Answer stream requests with the scenario's events, others with its final Response."""
    events, final = scenario

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if seen is not None:
            seen.append(body)
        if body.get("stream"):
            headers = {"content-type": "text/event-stream"}
            return httpx.Response(200, content=sse(events), headers=headers)
        return httpx.Response(200, json=final)

    return httpx.MockTransport(handler)
