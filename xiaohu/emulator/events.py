"""From a finished response to its ordered SSE events, and the SSE framing.

The order follows real captures (protocol reference A.3): ``response.created`` and
``response.in_progress`` (preceded by ``response.queued`` for background jobs), then per output item
``output_item.added``, its content events, ``output_item.done``, and one terminal event
(``response.completed`` / ``.incomplete`` / ``.failed``). Text is streamed in small deltas; an
``output_text.annotation.added`` follows the delta that completes the cited span. Delta events
carry ``obfuscation`` padding; ``output_text`` events and parts carry ``logprobs`` (empty unless
asked for: then each delta has its token's). Raw reasoning (``gpt-oss``) streams as
``reasoning_text`` parts; an image generation call streams its phases and partial images.
"""

from __future__ import annotations

import copy
import json
import random
import re
from typing import Any

from xiaohu.emulator.ids import obfuscation
from xiaohu.emulator.reasoning import encrypted_content

__all__ = ["chunk_text", "failure_events", "frame", "response_events"]

_CHUNK = re.compile(r"\s*[\u3400-\u9fff]{1,2}|\s*[^\s\u3400-\u9fff]{1,6}|\s+")
_TERMINAL = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
}


def chunk_text(text: str) -> list[str]:
    """Split text into token-sized deltas (a word or a few characters, spaces attached in front).

    Example:
        >>> chunk_text("Hello wonderful world")
        ['Hello', ' wonder', 'ful', ' world']
    """
    return _CHUNK.findall(text)


def frame(event: dict[str, Any]) -> bytes:
    """Frame one event as SSE: ``event: <type>``, ``data: <json>``, blank line.

    Example:
        >>> frame({"type": "response.queued", "sequence_number": 1})
        b'event: response.queued\\ndata: {"type":"response.queued","sequence_number":1}\\n\\n'
    """
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


class _Builder:
    def __init__(
        self,
        *,
        obfuscate: bool,
        rng: random.Random,
        partial_images: dict[str, list[str]] | None = None,
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self.obfuscate = obfuscate
        self.rng = rng
        self.partial_images = partial_images or {}

    def emit(self, type_: str, **fields: Any) -> None:
        self.events.append({"type": type_, "sequence_number": len(self.events), **fields})

    def delta(
        self, type_: str, delta: str, logprobs: list[dict[str, Any]] | None = None, **fields: Any
    ) -> None:
        event = {"type": type_, "sequence_number": len(self.events), **fields, "delta": delta}
        if type_ == "response.output_text.delta":
            event["logprobs"] = logprobs or []
        if self.obfuscate:
            event["obfuscation"] = obfuscation(self.rng, delta)
        self.events.append(event)

    def message(self, index: int, item: dict[str, Any]) -> None:
        ids = {"item_id": item["id"], "output_index": index}
        self.emit(
            "response.output_item.added",
            output_index=index,
            item={**item, "status": "in_progress", "content": []},
        )
        for c_index, part in enumerate(item["content"]):
            where = {**ids, "content_index": c_index}
            empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
            self.emit("response.content_part.added", **where, part=empty)
            pending = list(enumerate(part.get("annotations", [])))
            written = 0
            tokens = part.get("logprobs") or []
            for number, piece in enumerate(chunk_text(part["text"])):
                own = tokens[number : number + 1]  # a piece is one token
                self.delta("response.output_text.delta", piece, own, **where)
                written += len(piece)
                while pending and pending[0][1]["end_index"] <= written:
                    a_index, annotation = pending.pop(0)
                    self.emit(
                        "response.output_text.annotation.added",
                        **where,
                        annotation_index=a_index,
                        annotation=annotation,
                    )
            self.emit("response.output_text.done", **where, text=part["text"], logprobs=tokens)
            self.emit("response.content_part.done", **where, part=part)
        self.emit("response.output_item.done", output_index=index, item=item)

    def function_call(self, index: int, item: dict[str, Any]) -> None:
        self.emit(
            "response.output_item.added",
            output_index=index,
            item={**item, "status": "in_progress", "arguments": ""},
        )
        args = item["arguments"]
        for start in range(0, len(args), 6):
            self.delta(
                "response.function_call_arguments.delta",
                args[start : start + 6],
                item_id=item["id"],
                output_index=index,
            )
        self.emit(
            "response.function_call_arguments.done",
            item_id=item["id"],
            name=item["name"],
            output_index=index,
            arguments=args,
        )
        self.emit("response.output_item.done", output_index=index, item=item)

    def reasoning(self, index: int, item: dict[str, Any]) -> None:
        added: dict[str, Any] = {**item, "summary": []}
        if "content" in item:
            added["content"] = []
        if "encrypted_content" in item:
            added["encrypted_content"] = encrypted_content(item["id"] + "/added")
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        for c_index, part in enumerate(item.get("content") or []):  # raw reasoning first
            where = {**ids, "content_index": c_index}
            empty = {"type": "reasoning_text", "text": ""}
            self.emit("response.content_part.added", **where, part=empty)
            for piece in chunk_text(part["text"]):
                self.delta("response.reasoning_text.delta", piece, **where)
            self.emit("response.reasoning_text.done", **where, text=part["text"])
            self.emit("response.content_part.done", **where, part=part)
        for s_index, part in enumerate(item.get("summary", [])):
            where = {**ids, "summary_index": s_index}
            self.emit(
                "response.reasoning_summary_part.added",
                **where,
                part={"type": "summary_text", "text": ""},
            )
            for piece in chunk_text(part["text"]):
                self.delta("response.reasoning_summary_text.delta", piece, **where)
            self.emit("response.reasoning_summary_text.done", **where, text=part["text"])
            self.emit("response.reasoning_summary_part.done", **where, part=part)
        self.emit("response.output_item.done", output_index=index, item=item)

    def web_search(self, index: int, item: dict[str, Any]) -> None:
        action = item.get("action") or {}
        # A search is announced before its query is known; a page action already has its url.
        early = {"type": "search"} if action.get("type", "search") == "search" else action
        added = {**item, "status": "in_progress", "action": early}
        self.emit("response.output_item.added", output_index=index, item=added)
        for stage in ("in_progress", "searching", "completed"):
            self.emit(f"response.web_search_call.{stage}", output_index=index, item_id=item["id"])
        self.emit("response.output_item.done", output_index=index, item=item)

    def code_interpreter(self, index: int, item: dict[str, Any]) -> None:
        added = {**item, "status": "in_progress", "code": "", "outputs": None}
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        self.emit("response.code_interpreter_call.in_progress", **ids)
        for piece in chunk_text(item["code"]):
            self.delta("response.code_interpreter_call_code.delta", piece, **ids)
        self.emit("response.code_interpreter_call_code.done", **ids, code=item["code"])
        self.emit("response.code_interpreter_call.interpreting", **ids)
        self.emit("response.code_interpreter_call.completed", **ids)
        self.emit("response.output_item.done", output_index=index, item=item)

    def mcp_call(self, index: int, item: dict[str, Any]) -> None:
        added = {**item, "status": "in_progress", "arguments": "", "output": None}
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        self.emit("response.mcp_call.in_progress", **ids)
        for piece in chunk_text(item["arguments"]):
            self.delta("response.mcp_call_arguments.delta", piece, **ids)
        self.emit("response.mcp_call_arguments.done", **ids, arguments=item["arguments"])
        self.emit("response.mcp_call.completed", **ids)
        self.emit("response.output_item.done", output_index=index, item=item)

    def image_generation(self, index: int, item: dict[str, Any]) -> None:
        added = {**item, "status": "in_progress", "result": None}
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        self.emit("response.image_generation_call.in_progress", **ids)
        self.emit("response.image_generation_call.generating", **ids)
        looks = {
            k: item[k] for k in ("background", "output_format", "quality", "size") if k in item
        }
        for number, image in enumerate(self.partial_images.get(item["id"], [])):
            self.emit(
                "response.image_generation_call.partial_image",
                **ids,
                partial_image_index=number,
                partial_image_b64=image,
                **looks,
            )
        self.emit("response.image_generation_call.completed", **ids)
        self.emit("response.output_item.done", output_index=index, item=item)

    def mcp_list_tools(self, index: int, item: dict[str, Any]) -> None:
        added = {**item, "tools": []}
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        self.emit("response.mcp_list_tools.in_progress", **ids)
        self.emit("response.mcp_list_tools.completed", **ids)
        self.emit("response.output_item.done", output_index=index, item=item)

    def custom_tool_call(self, index: int, item: dict[str, Any]) -> None:
        added = {**item, "status": "in_progress", "input": ""}
        self.emit("response.output_item.added", output_index=index, item=added)
        ids = {"item_id": item["id"], "output_index": index}
        for piece in chunk_text(item["input"]):
            self.delta("response.custom_tool_call_input.delta", piece, **ids)
        self.emit("response.custom_tool_call_input.done", **ids, input=item["input"])
        self.emit("response.output_item.done", output_index=index, item=item)

    def item(self, index: int, item: dict[str, Any]) -> None:
        handler = {
            "message": self.message,
            "function_call": self.function_call,
            "reasoning": self.reasoning,
            "web_search_call": self.web_search,
            "code_interpreter_call": self.code_interpreter,
            "mcp_call": self.mcp_call,
            "custom_tool_call": self.custom_tool_call,
            "image_generation_call": self.image_generation,
            "mcp_list_tools": self.mcp_list_tools,
        }.get(item["type"])
        if handler is not None:
            handler(index, item)
        else:  # file_search_call, mcp_approval_request: whole items
            self.emit("response.output_item.added", output_index=index, item=item)
            self.emit("response.output_item.done", output_index=index, item=item)


def _opening(final: dict[str, Any], status: str) -> dict[str, Any]:
    start = copy.deepcopy(final)
    start.update(status=status, output=[], usage=None, error=None, incomplete_details=None)
    if start.get("service_tier") == "default":
        start["service_tier"] = "auto"  # the tier actually used is known only at the end
    return start


def _start(builder: _Builder, final: dict[str, Any], *, queued: bool) -> None:
    if queued:
        snapshot = _opening(final, "queued")
        builder.emit("response.created", response=snapshot)
        builder.emit("response.queued", response=snapshot)
    else:
        builder.emit("response.created", response=_opening(final, "in_progress"))
    builder.emit("response.in_progress", response=_opening(final, "in_progress"))


def response_events(
    final: dict[str, Any],
    *,
    queued: bool,
    obfuscate: bool,
    rng: random.Random,
    partial_images: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Return the full event sequence that streams ``final`` (a terminal Response object).

    Args:
        final: the finished response (status ``completed`` or ``incomplete``).
        queued: start like a background job: created (queued), queued, in_progress.
        obfuscate: pad delta events with ``obfuscation``.
        rng: seeds the padding.
        partial_images: image call id → the partial images streamed before its result.

    Example:
        >>> final = {"id": "resp_1", "status": "completed", "output": [], "usage": None}
        >>> [
        ...     e["type"]
        ...     for e in response_events(final, queued=False, obfuscate=False, rng=random.Random(0))
        ... ]
        ['response.created', 'response.in_progress', 'response.completed']
    """
    builder = _Builder(obfuscate=obfuscate, rng=rng, partial_images=partial_images)
    _start(builder, final, queued=queued)
    for index, item in enumerate(final["output"]):
        builder.item(index, item)
    builder.emit(_TERMINAL[final["status"]], response=final)
    return builder.events


def failure_events(
    failed: dict[str, Any], error: dict[str, Any], *, queued: bool
) -> list[dict[str, Any]]:
    """Return created, in_progress, ``error`` (the real nested shape) and ``response.failed``.

    The ``error`` event nests its details under ``error`` as real streams do; the ``openai``
    package's ``ResponseErrorEvent`` declares them at top level instead.

    Example:
        >>> failed = {"id": "resp_1", "status": "failed", "output": [], "usage": None}
        >>> events = failure_events(
        ...     failed, {"type": "tokens", "code": "x", "message": "m"}, queued=False
        ... )
        >>> [(e["type"], e["sequence_number"]) for e in events][2:]
        [('error', 2), ('response.failed', 3)]
    """
    builder = _Builder(obfuscate=False, rng=random.Random(0))
    _start(builder, failed, queued=queued)
    builder.emit("error", error={**error, "param": error.get("param")})
    builder.emit("response.failed", response=failed)
    return builder.events
