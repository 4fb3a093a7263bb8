"""The one fold: stream events in, the final Response (and normalised deltas) out.

`ResponseState` is I/O-free and shared by every consumer: the sync and async streams of the
core, the LangChain adapter and the LlamaIndex adapter. Each `apply(event)` returns the new
content that event brought, as small framework-neutral deltas (`TextDelta`, `ToolCallDelta`,
...). The adapters only translate those deltas into their framework's chunk types.

The fold also repairs what relays and proxies do to streams: content that arrives only in
`response.output_item.done` or only in `response.completed` (no deltas) is still emitted once,
as the missing suffix; and a stream that ends without a terminal event raises
`IncompleteStreamError` rather than pass a truncated answer off as whole.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from ._events import ErrorEvent, OutputTextDeltaEvent, ResponseStreamEvent, ToolCallProgressEvent
from ._exceptions import APIError, IncompleteStreamError, error_for
from ._models import (
    Annotation,
    CustomToolCall,
    FunctionCall,
    OutputItem,
    OutputMessage,
    OutputRefusal,
    OutputText,
    ReasoningItem,
    ReasoningSummary,
    Response,
    WebSearchCall,
)

__all__ = [
    "QUIET_EVENTS",
    "AnnotationDelta",
    "AudioDelta",
    "AudioDone",
    "ImageDelta",
    "ItemDone",
    "ReasoningDelta",
    "ReasoningTextDelta",
    "RefusalDelta",
    "ResponseState",
    "ShellOutputDelta",
    "StreamDelta",
    "TextDelta",
    "ToolCallDelta",
    "ToolInputDelta",
    "ToolProgress",
]


@dataclass(slots=True)
class TextDelta:
    """New answer text.

    Example:
        >>> TextDelta("Hel", output_index=0).text
        'Hel'
    """

    text: str
    output_index: int = 0
    content_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class RefusalDelta:
    """New refusal text.

    Example:
        >>> RefusalDelta("I can't").text
        "I can't"
    """

    text: str
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class ReasoningDelta:
    """New reasoning-summary text; `summary_index` starts a new part when it changes.

    Example:
        >>> ReasoningDelta("Thinking", summary_index=0).summary_index
        0
    """

    text: str
    summary_index: int = 0
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class ReasoningTextDelta:
    """New raw reasoning text (`reasoning_text.delta`, models that expose their reasoning).

    Unlike `ReasoningDelta` (the summary), this is the reasoning item's `content`;
    `content_index` starts a new part when it changes.

    Example:
        >>> ReasoningTextDelta("Let me", content_index=0).text
        'Let me'
    """

    text: str
    content_index: int = 0
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class ToolCallDelta:
    """A tool call of the caller's starting (`call_id` and `name` set) or its input growing.

    `kind` is `"function"` (JSON `arguments`) or `"custom"` (a freeform tool: `arguments`
    carries pieces of its plain-text `input`). `index` counts the caller's tool calls from 0 in
    output order (what chat frameworks call the tool call index), `output_index` is the item's
    place in `Response.output`.

    Example:
        >>> ToolCallDelta(index=0, call_id="call_1", name="f", arguments="").name
        'f'
    """

    index: int
    call_id: str | None = None
    name: str | None = None
    arguments: str = ""
    output_index: int = 0
    item_id: str | None = None
    kind: str = "function"


@dataclass(slots=True)
class ToolInputDelta:
    """A built-in tool call's input growing: code interpreter code, MCP call arguments.

    `tool` is the item type (`code_interpreter_call`, `mcp_call` or `shell_call`, whose
    commands stream); the finished item follows as `ItemDone`.

    Example:
        >>> ToolInputDelta("code_interpreter_call", "print(1)").text
        'print(1)'
    """

    tool: str
    text: str
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class AnnotationDelta:
    """A citation added to the answer text.

    Example:
        >>> AnnotationDelta(Annotation(type="url_citation", url="u")).annotation.url
        'u'
    """

    annotation: Annotation
    output_index: int = 0
    content_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class ToolProgress:
    """A built-in tool call (e.g. a web search) changed phase.

    Example:
        >>> ToolProgress(tool="web_search_call", phase="searching", item_id="ws_1").phase
        'searching'
    """

    tool: str
    phase: str
    item_id: str | None = None
    output_index: int = 0


@dataclass(slots=True)
class ImageDelta:
    """A partial image of an image generation call (`partial_images` asked for), base64.

    The final image is the `image_generation_call` item's `result`, reported by `ItemDone`.

    Example:
        >>> ImageDelta("iVBORw0", partial_index=0, output_format="png").partial_index
        0
    """

    base64: str
    partial_index: int = 0
    output_format: str | None = None
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class AudioDelta:
    """A piece of the spoken answer (`audio`, base64) or of its transcript (`transcript`).

    Audio events belong to no output item; the whole audio follows as `AudioDone`, and the
    final `Response` carries it in `audio` (`{"data", "transcript"}`).

    Example:
        >>> AudioDelta(audio="UklG").transcript
        ''
    """

    audio: str = ""
    transcript: str = ""


@dataclass(slots=True)
class AudioDone:
    """The spoken answer is complete: all of its audio (base64) and its transcript so far.

    Example:
        >>> AudioDone("UklGRg==", "Hi").transcript
        'Hi'
    """

    audio: str
    transcript: str = ""


@dataclass(slots=True)
class ShellOutputDelta:
    """New output of a hosted shell command (`shell_call_output_content.delta`).

    The finished `shell_call_output` item follows as `ItemDone`.

    Example:
        >>> ShellOutputDelta(stdout="a.txt", command_index=0).stdout
        'a.txt'
    """

    stdout: str = ""
    stderr: str = ""
    command_index: int = 0
    output_index: int = 0
    item_id: str | None = None


@dataclass(slots=True)
class ItemDone:
    """An output item is final (reasoning with encrypted content, a web search with its query).

    Example:
        >>> ItemDone(item={"type": "x"}, output_index=2).output_index
        2
    """

    item: OutputItem
    output_index: int = 0


StreamDelta = Union[
    TextDelta,
    RefusalDelta,
    ReasoningDelta,
    ReasoningTextDelta,
    ToolCallDelta,
    ToolInputDelta,
    AnnotationDelta,
    ToolProgress,
    ImageDelta,
    AudioDelta,
    AudioDone,
    ShellOutputDelta,
    ItemDone,
]
"""Anything `ResponseState.apply` can report."""

_NONE: tuple[StreamDelta, ...] = ()


@dataclass(slots=True)
class _Slot:
    """What has been seen so far of one output item."""

    item: OutputItem
    text: dict[int, list[str]] = field(default_factory=dict)
    summary: dict[int, list[str]] = field(default_factory=dict)
    reasoning_text: dict[int, list[str]] = field(default_factory=dict)
    arguments: list[str] = field(default_factory=list)
    annotations: dict[int, list[Annotation]] = field(default_factory=dict)
    refusal: list[str] = field(default_factory=list)
    tool_index: int = -1
    done: bool = False


def _joined(parts: dict[int, list[str]], index: int) -> str:
    chunks = parts.get(index)
    return "".join(chunks) if chunks else ""


def _joined_base64(pieces: list[str]) -> str:
    """Base64 pieces (each encoded on its own) as one base64 string of all their bytes.

    Example:
        >>> _joined_base64(["aGk=", "IQ=="])
        'aGkh'
    """
    try:
        return base64.b64encode(b"".join(base64.b64decode(p) for p in pieces)).decode()
    except (binascii.Error, ValueError):
        return "".join(pieces)  # not base64 after all: keep what came, as it came


def _catch_up(parts: dict[int, list[str]], index: int, text: str) -> str:
    """The end of `text` not yet streamed into `parts[index]`, recorded there ("" if none).

    A `*.done` event or a finished item may carry more than its deltas did; the rest is
    streamed as one more delta. Text that does not extend what streamed is left alone.

    Example:
        >>> parts = {0: ["Hel"]}
        >>> _catch_up(parts, 0, "Hello"), _catch_up(parts, 0, "Hello"), parts
        ('lo', '', {0: ['Hel', 'lo']})
    """
    seen = _joined(parts, index)
    if len(text) > len(seen) and text.startswith(seen):
        missing = text[len(seen) :]
        parts.setdefault(index, []).append(missing)
        return missing
    return ""


class ResponseState:
    """Fold stream events into the final `Response`.

    Example:
        >>> from xiaohu._events import parse_event
        >>> state = ResponseState()
        >>> for raw in (
        ...     '{"type":"response.created","response":{"id":"r","status":"in_progress"}}',
        ...     '{"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"m"}}',
        ...     '{"type":"response.output_text.delta","item_id":"m","delta":"Hi"}',
        ...     '{"type":"response.completed","response":{"id":"r","status":"completed"}}',
        ... ):
        ...     _ = state.apply(parse_event(raw))
        >>> state.final_response().output_text
        'Hi'
    """

    def __init__(self) -> None:
        self.snapshot: Response | None = None
        """The latest Response snapshot from a lifecycle event."""
        self.terminal: Response | None = None
        """The terminal Response, once one arrived."""
        self.last_sequence_number = -1
        """The highest sequence number seen (for resuming a dropped stream)."""
        self.error: ErrorEvent | None = None
        """An `error` event, if one arrived."""
        self._slots: dict[int, _Slot] = {}
        self._tool_calls = 0
        self._audio: list[str] = []
        self._transcript: list[str] = []

    @property
    def done(self) -> bool:
        """Whether a terminal event arrived.

        Example:
            >>> ResponseState().done
            False
        """
        return self.terminal is not None

    @property
    def text(self) -> str:
        """The answer text folded so far (useful when a stream broke).

        Example:
            >>> ResponseState().text
            ''
        """
        return "".join(
            _joined(slot.text, index)
            for _, slot in sorted(self._slots.items())
            for index in sorted(slot.text)
        )

    # -- applying events ---------------------------------------------------------------------

    def apply(self, event: ResponseStreamEvent) -> Sequence[StreamDelta]:
        """Fold one event in; return the new content it carried.

        Raises:
            ResponseFailedError: On `response.failed`.

        Example:
            >>> from xiaohu._events import parse_event
            >>> ResponseState().apply(
            ...     parse_event('{"type":"response.output_text.delta","delta":"a"}')
            ... )
            (TextDelta(text='a', output_index=0, content_index=0, item_id=''),)
        """
        if event.sequence_number > self.last_sequence_number:
            self.last_sequence_number = event.sequence_number
        if isinstance(event, OutputTextDeltaEvent):  # the hot path first
            slot = self._slot(event.output_index, event.item_id)
            chunks = slot.text.get(event.content_index)
            if chunks is None:
                slot.text[event.content_index] = [event.delta]
            else:
                chunks.append(event.delta)
            return (TextDelta(event.delta, event.output_index, event.content_index, event.item_id),)
        handler = _HANDLERS.get(event.type)
        if handler is not None:
            deltas: Sequence[StreamDelta] = handler(self, event)
            return deltas
        if isinstance(event, ToolCallProgressEvent):
            return (ToolProgress(event.tool, event.phase, event.item_id, event.output_index),)
        return _NONE

    def _slot(self, output_index: int, item_id: str | None = None) -> _Slot:
        slot = self._slots.get(output_index)
        if slot is None:
            # A delta before its item: tolerate, and assume a message.
            slot = self._slots[output_index] = _Slot(OutputMessage(id=item_id or None))
        return slot

    def _lifecycle(self, event: Any) -> Sequence[StreamDelta]:
        self.snapshot = event.response
        return _NONE

    def _terminal(self, event: Any) -> Sequence[StreamDelta]:
        response: Response = event.response
        self.snapshot = response
        if response.status == "failed":  # some relays send a failed run as `completed`
            raise self._failure(response)
        deltas = self._backfill_from(response)
        self.terminal = response
        return deltas

    def _failed(self, event: Any) -> Sequence[StreamDelta]:
        response: Response = event.response
        self.snapshot = response
        raise self._failure(response)

    def _failure(self, response: Response | None) -> APIError:
        code: str | None = None
        message = "the response failed"
        if response is not None and response.error is not None:
            code, message = response.error.code, response.error.message or message
        elif self.error is not None:
            code, message = self.error.details()
        return error_for(
            code, message, body=self.error, response_id=response.id if response else None
        )

    def _error(self, event: Any) -> Sequence[StreamDelta]:
        self.error = event
        return _NONE

    def _item_added(self, event: Any) -> Sequence[StreamDelta]:
        item = event.item
        slot = self._slots.get(event.output_index)
        if slot is None or slot.done:
            slot = self._slots[event.output_index] = _Slot(item)
        else:
            slot.item = item  # deltas arrived before their item: keep what they carried
        if isinstance(item, FunctionCall):
            if item.arguments and not slot.arguments:
                slot.arguments.append(item.arguments)
            return (
                ToolCallDelta(
                    self._tool_index(slot),
                    item.call_id,
                    item.name,
                    item.arguments,
                    event.output_index,
                    item.id,
                ),
            )
        if isinstance(item, CustomToolCall):
            if item.input and not slot.arguments:
                slot.arguments.append(item.input)
            index = self._tool_index(slot)
            return (
                ToolCallDelta(
                    index,
                    item.call_id,
                    item.name,
                    item.input,
                    event.output_index,
                    item.id,
                    "custom",
                ),
            )
        if isinstance(item, WebSearchCall):
            return (ToolProgress("web_search_call", "added", item.id, event.output_index),)
        return _NONE

    def _item_done(self, event: Any) -> Sequence[StreamDelta]:
        return self._finish_item(event.output_index, event.item)

    def _finish_item(self, output_index: int, item: OutputItem) -> Sequence[StreamDelta]:
        """Record the final form of an item; emit whatever of it was never streamed."""
        slot = self._slots.get(output_index)
        fresh = slot is None
        if slot is None:
            slot = self._slots[output_index] = _Slot(item)
        if slot.done:
            return _NONE
        deltas: list[StreamDelta] = []
        if isinstance(item, OutputMessage):
            for index, part in enumerate(item.content):
                if isinstance(part, OutputText):
                    missing = _catch_up(slot.text, index, part.text)
                    if missing:
                        deltas.append(TextDelta(missing, output_index, index, item.id))
                    known = len(slot.annotations.get(index, ()))
                    deltas.extend(
                        AnnotationDelta(a, output_index, index, item.id)
                        for a in part.annotations[known:]
                    )
                elif isinstance(part, OutputRefusal) and not slot.refusal and part.refusal:
                    deltas.append(RefusalDelta(part.refusal, output_index, item.id))
        elif isinstance(item, FunctionCall):
            if fresh or not isinstance(slot.item, FunctionCall):
                # Never announced by output_item.added: name it now, under its own index.
                deltas.append(
                    ToolCallDelta(
                        self._tool_index(slot), item.call_id, item.name, "", output_index, item.id
                    )
                )
            seen = "".join(slot.arguments)
            if len(item.arguments) > len(seen) and item.arguments.startswith(seen):
                missing = item.arguments[len(seen) :]
                slot.arguments.append(missing)
                deltas.append(
                    ToolCallDelta(
                        slot.tool_index,
                        arguments=missing,
                        output_index=output_index,
                        item_id=item.id,
                    )
                )
        elif isinstance(item, CustomToolCall):
            deltas.extend(self._finish_custom(slot, fresh, item, output_index))
        elif isinstance(item, ReasoningItem):
            deltas.extend(self._finish_reasoning_text(slot, item, output_index))
            for index, summary in enumerate(item.summary):
                missing = _catch_up(slot.summary, index, summary.text)
                if missing:
                    deltas.append(ReasoningDelta(missing, index, output_index, item.id))
        slot.item = self._merged(slot, item)
        slot.done = True
        deltas.append(ItemDone(slot.item, output_index))
        return deltas

    def _finish_custom(
        self, slot: _Slot, fresh: bool, item: CustomToolCall, output_index: int
    ) -> list[StreamDelta]:
        """A custom tool call's name (if never announced) and the input never streamed."""
        deltas: list[StreamDelta] = []
        if fresh or not isinstance(slot.item, CustomToolCall):
            index = self._tool_index(slot)
            deltas.append(
                ToolCallDelta(index, item.call_id, item.name, "", output_index, item.id, "custom")
            )
        seen = "".join(slot.arguments)
        if len(item.input) > len(seen) and item.input.startswith(seen):
            missing = item.input[len(seen) :]
            slot.arguments.append(missing)
            deltas.append(
                ToolCallDelta(
                    slot.tool_index,
                    arguments=missing,
                    output_index=output_index,
                    item_id=item.id,
                    kind="custom",
                )
            )
        return deltas

    def _finish_reasoning_text(
        self, slot: _Slot, item: ReasoningItem, output_index: int
    ) -> list[StreamDelta]:
        """The raw reasoning text (`content`) of a finished reasoning item never streamed."""
        deltas: list[StreamDelta] = []
        for index, part in enumerate(item.content or ()):
            text = part.get("text")
            if not isinstance(text, str):
                continue
            missing = _catch_up(slot.reasoning_text, index, text)
            if missing:
                deltas.append(ReasoningTextDelta(missing, index, output_index, item.id))
        return deltas

    def _merged(self, slot: _Slot, item: OutputItem) -> OutputItem:
        """The item's final form: the server's, with streamed content where it sent none."""
        if isinstance(item, OutputMessage) and not item.content and slot.text:
            parts: list[Any] = [
                OutputText(text=_joined(slot.text, i), annotations=slot.annotations.get(i, []))
                for i in sorted(slot.text)
            ]
            return item.model_copy(update={"content": parts})
        if isinstance(item, FunctionCall) and not item.arguments and slot.arguments:
            return item.model_copy(update={"arguments": "".join(slot.arguments)})
        if isinstance(item, CustomToolCall) and not item.input and slot.arguments:
            return item.model_copy(update={"input": "".join(slot.arguments)})
        if isinstance(item, ReasoningItem):
            update: dict[str, Any] = {}
            if not item.summary and slot.summary:
                update["summary"] = [
                    ReasoningSummary(text=_joined(slot.summary, i)) for i in sorted(slot.summary)
                ]
            if not item.content and slot.reasoning_text:
                update["content"] = [
                    {"type": "reasoning_text", "text": _joined(slot.reasoning_text, i)}
                    for i in sorted(slot.reasoning_text)
                ]
            return item.model_copy(update=update) if update else item
        return item

    def _backfill_from(self, response: Response) -> Sequence[StreamDelta]:
        """At the terminal event: emit items the stream never delivered, keep the rest."""
        deltas: list[StreamDelta] = []
        for index, item in enumerate(response.output):
            deltas.extend(self._finish_item(index, item))
        # Items that were streamed but are missing from the terminal snapshot stay.
        return deltas

    def _text_done(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        missing = _catch_up(slot.text, event.content_index, event.text)
        if missing:
            return (TextDelta(missing, event.output_index, event.content_index, event.item_id),)
        return _NONE

    def _annotation(self, event: Any) -> Sequence[StreamDelta]:
        if event.annotation is None:
            return _NONE
        slot = self._slot(event.output_index, event.item_id)
        slot.annotations.setdefault(event.content_index, []).append(event.annotation)
        return (
            AnnotationDelta(
                event.annotation, event.output_index, event.content_index, event.item_id
            ),
        )

    def _refusal(self, event: Any) -> Sequence[StreamDelta]:
        self._slot(event.output_index, event.item_id).refusal.append(event.delta)
        return (RefusalDelta(event.delta, event.output_index, event.item_id),)

    def _tool_index(self, slot: _Slot) -> int:
        """The slot's function-call ordinal, given on first use (0, 1, ... in arrival order)."""
        if slot.tool_index < 0:
            slot.tool_index = self._tool_calls
            self._tool_calls += 1
        return slot.tool_index

    def _arguments(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        slot.arguments.append(event.delta)
        return (
            ToolCallDelta(
                self._tool_index(slot),
                arguments=event.delta,
                output_index=event.output_index,
                item_id=event.item_id,
            ),
        )

    def _arguments_done(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        seen = "".join(slot.arguments)
        arguments: str = event.arguments
        if len(arguments) > len(seen) and arguments.startswith(seen):
            missing = arguments[len(seen) :]
            slot.arguments.append(missing)
            return (
                ToolCallDelta(
                    self._tool_index(slot),
                    arguments=missing,
                    output_index=event.output_index,
                    item_id=event.item_id,
                ),
            )
        return _NONE

    def _summary(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        slot.summary.setdefault(event.summary_index, []).append(event.delta)
        return (
            ReasoningDelta(event.delta, event.summary_index, event.output_index, event.item_id),
        )

    def _summary_done(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        missing = _catch_up(slot.summary, event.summary_index, event.text)
        if missing:
            return (
                ReasoningDelta(missing, event.summary_index, event.output_index, event.item_id),
            )
        return _NONE

    def _reasoning_text(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        slot.reasoning_text.setdefault(event.content_index, []).append(event.delta)
        return (
            ReasoningTextDelta(event.delta, event.content_index, event.output_index, event.item_id),
        )

    def _reasoning_text_done(self, event: Any) -> Sequence[StreamDelta]:
        slot = self._slot(event.output_index, event.item_id)
        missing = _catch_up(slot.reasoning_text, event.content_index, event.text)
        if missing:
            return (
                ReasoningTextDelta(missing, event.content_index, event.output_index, event.item_id),
            )
        return _NONE

    def _custom_input(self, event: Any) -> Sequence[StreamDelta]:
        if not event.delta:
            return _NONE
        slot = self._slot(event.output_index, event.item_id)
        slot.arguments.append(event.delta)
        index = self._tool_index(slot)
        return (
            ToolCallDelta(
                index,
                arguments=event.delta,
                output_index=event.output_index,
                item_id=event.item_id,
                kind="custom",
            ),
        )

    def _partial_image(self, event: Any) -> Sequence[StreamDelta]:
        extra = event.model_extra or {}
        progress = ToolProgress(event.tool, event.phase, event.item_id, event.output_index)
        b64 = extra.get("partial_image_b64")
        if not isinstance(b64, str) or not b64:
            return (progress,)
        index = extra.get("partial_image_index")
        fmt = extra.get("output_format")
        image = ImageDelta(
            b64,
            index if isinstance(index, int) else 0,
            fmt if isinstance(fmt, str) else None,
            event.output_index,
            event.item_id,
        )
        return (progress, image)

    def _tool_input(self, event: Any) -> Sequence[StreamDelta]:
        if not event.delta:
            return _NONE
        tool = event.type.split(".")[1].rsplit("_", 1)[0]  # code_interpreter_call, mcp_call
        return (ToolInputDelta(tool, event.delta, event.output_index, event.item_id),)

    def _shell_command(self, event: Any) -> Sequence[StreamDelta]:
        if not event.delta:
            return _NONE
        slot = self._slots.get(event.output_index)
        item = slot.item if slot is not None else None
        item_id = item.get("id") if isinstance(item, dict) else None
        return (ToolInputDelta("shell_call", event.delta, event.output_index, item_id),)

    def _shell_output(self, event: Any) -> Sequence[StreamDelta]:
        delta = event.delta or {}
        stdout, stderr = delta.get("stdout") or "", delta.get("stderr") or ""
        if not (stdout or stderr):
            return _NONE
        return (
            ShellOutputDelta(
                stdout, stderr, event.command_index, event.output_index, event.item_id
            ),
        )

    def _audio_piece(self, event: Any) -> Sequence[StreamDelta]:
        if not event.delta:
            return _NONE
        self._audio.append(event.delta)
        return (AudioDelta(audio=event.delta),)

    def _transcript_piece(self, event: Any) -> Sequence[StreamDelta]:
        if not event.delta:
            return _NONE
        self._transcript.append(event.delta)
        return (AudioDelta(transcript=event.delta),)

    def _audio_done(self, event: Any) -> Sequence[StreamDelta]:
        if not (self._audio or self._transcript):
            return _NONE
        return (AudioDone(_joined_base64(self._audio), "".join(self._transcript)),)

    # -- the result ---------------------------------------------------------------------------

    def final_response(self) -> Response:
        """The final Response, with every streamed item in it.

        Raises:
            ResponseFailedError: An `error` event arrived and the stream then ended.
            IncompleteStreamError: The stream ended without a terminal event.

        Example:
            >>> ResponseState().final_response()
            Traceback (most recent call last):
            ...
            xiaohu._exceptions.IncompleteStreamError: the stream ended before its terminal event ...
        """
        if self.terminal is None:
            if self.error is not None:
                raise self._failure(None)
            seen = self.last_sequence_number
            where = "no event came" if seen < 0 else f"last sequence number {seen}"
            raise IncompleteStreamError(
                "the stream ended before its terminal event (response.completed, "
                ".incomplete or .failed); the answer so far is incomplete "
                f"({len(self.text)} characters, {where})",
                partial_text=self.text,
            )
        output = [
            slot.item if slot.done else self._merged(slot, slot.item)
            for _, slot in sorted(self._slots.items())
        ]
        update: dict[str, Any] = {"output": output}
        if self._audio or self._transcript:  # streamed audio belongs to no output item
            update["audio"] = {
                "data": _joined_base64(self._audio),
                "transcript": "".join(self._transcript),
            }
        return self.terminal.model_copy(update=update)


QUIET_EVENTS: dict[str, str] = {
    "response.content_part.added": "an empty part; its text comes as deltas",
    "response.content_part.done": "repeats streamed text; the item's done event repairs gaps",
    "response.refusal.done": "repeats the streamed refusal; the item's done event repairs gaps",
    "response.reasoning_summary_part.added": "an empty part; its text comes as deltas",
    "response.reasoning_summary_part.done": "repeats the streamed summary part",
    "response.custom_tool_call_input.done": "repeats the input; the item's done event repairs gaps",
    "response.code_interpreter_call_code.done": "repeats the code; the finished item carries it",
    "response.mcp_call_arguments.done": "repeats the arguments; the finished item carries them",
    "response.shell_call_command.added": "names a command; its text streams as deltas",
    "response.shell_call_command.done": "repeats the command; the finished item carries it",
    "response.shell_call_output_content.done": "the shell's output; the finished item has it",
    "response.audio.transcript.done": "repeats the streamed transcript (AudioDone carries it)",
}
"""Event types the fold draws no delta from, each with the reason (a test checks that every
stream event type of the newest `openai` SDK is folded, a tool's progress, or listed here)."""

_HANDLERS: dict[str, Any] = {
    "response.created": ResponseState._lifecycle,
    "response.queued": ResponseState._lifecycle,
    "response.in_progress": ResponseState._lifecycle,
    "response.completed": ResponseState._terminal,
    "response.incomplete": ResponseState._terminal,
    "response.failed": ResponseState._failed,
    "error": ResponseState._error,
    "response.output_item.added": ResponseState._item_added,
    "response.output_item.done": ResponseState._item_done,
    "response.output_text.done": ResponseState._text_done,
    "response.output_text.annotation.added": ResponseState._annotation,
    "response.refusal.delta": ResponseState._refusal,
    "response.function_call_arguments.delta": ResponseState._arguments,
    "response.function_call_arguments.done": ResponseState._arguments_done,
    "response.reasoning_summary_text.delta": ResponseState._summary,
    "response.reasoning_summary_text.done": ResponseState._summary_done,
    "response.reasoning_text.delta": ResponseState._reasoning_text,
    "response.reasoning_text.done": ResponseState._reasoning_text_done,
    "response.custom_tool_call_input.delta": ResponseState._custom_input,
    "response.code_interpreter_call_code.delta": ResponseState._tool_input,
    "response.mcp_call_arguments.delta": ResponseState._tool_input,
    "response.image_generation_call.partial_image": ResponseState._partial_image,
    "response.shell_call_command.delta": ResponseState._shell_command,
    "response.shell_call_output_content.delta": ResponseState._shell_output,
    "response.audio.delta": ResponseState._audio_piece,
    "response.audio.transcript.delta": ResponseState._transcript_piece,
    "response.audio.done": ResponseState._audio_done,
}
