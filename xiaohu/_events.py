"""Stream events of `POST /v1/responses` with `"stream": true`, one class per event type.

`parse_event` turns one SSE `data` payload into its class through a single discriminated
union validated from JSON by pydantic-core (no intermediate dict). An event type this module
does not know becomes an `UnknownEvent` that keeps every field: a newer server never crashes an
older client.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from pydantic import Discriminator, Field, Tag, TypeAdapter, ValidationError

from ._models import Annotation, OutputItem, ReasoningSummary, Response, WireModel

__all__ = [
    "AudioDeltaEvent",
    "AudioDoneEvent",
    "AudioTranscriptDeltaEvent",
    "AudioTranscriptDoneEvent",
    "ContentPartAddedEvent",
    "ContentPartDoneEvent",
    "ErrorEvent",
    "FunctionCallArgumentsDeltaEvent",
    "FunctionCallArgumentsDoneEvent",
    "OutputItemAddedEvent",
    "OutputItemDoneEvent",
    "OutputTextAnnotationAddedEvent",
    "OutputTextDeltaEvent",
    "OutputTextDoneEvent",
    "ReasoningSummaryPartAddedEvent",
    "ReasoningSummaryPartDoneEvent",
    "ReasoningSummaryTextDeltaEvent",
    "ReasoningSummaryTextDoneEvent",
    "ReasoningTextDeltaEvent",
    "ReasoningTextDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
    "ResponseCompletedEvent",
    "ResponseCreatedEvent",
    "ResponseFailedEvent",
    "ResponseInProgressEvent",
    "ResponseIncompleteEvent",
    "ResponseQueuedEvent",
    "ResponseStreamEvent",
    "ShellCallCommandEvent",
    "ShellCallOutputEvent",
    "ToolCallDeltaEvent",
    "ToolCallProgressEvent",
    "UnknownEvent",
    "parse_event",
]


class StreamEvent(WireModel):
    """Base of every stream event.

    Example:
        >>> parse_event('{"type":"x.y","sequence_number":3}').sequence_number
        3
    """

    type: str
    """The event type; equals the SSE `event:` name."""
    sequence_number: int = -1
    """0-based position in the response's stream (-1 when the server sent none)."""


# -- lifecycle ---------------------------------------------------------------------------------


class _LifecycleEvent(StreamEvent):
    response: Response
    """A snapshot of the Response."""


class ResponseCreatedEvent(_LifecycleEvent):
    """First event: the response exists (`status` in_progress, or queued in background).

    Example:
        >>> parse_event('{"type":"response.created","response":{"id":"r"}}').response.id
        'r'
    """

    type: Literal["response.created"] = "response.created"


class ResponseQueuedEvent(_LifecycleEvent):
    """Background mode: the response waits for a worker.

    Example:
        >>> parse_event('{"type":"response.queued","response":{}}').type
        'response.queued'
    """

    type: Literal["response.queued"] = "response.queued"


class ResponseInProgressEvent(_LifecycleEvent):
    """The model started working.

    Example:
        >>> parse_event('{"type":"response.in_progress","response":{}}').type
        'response.in_progress'
    """

    type: Literal["response.in_progress"] = "response.in_progress"


class ResponseCompletedEvent(_LifecycleEvent):
    """Terminal: the response is complete; carries usage.

    Example:
        >>> parse_event(
        ...     '{"type":"response.completed","response":{"status":"completed"}}'
        ... ).response.status
        'completed'
    """

    type: Literal["response.completed"] = "response.completed"


class ResponseIncompleteEvent(_LifecycleEvent):
    """Terminal: the response stopped early (see `response.incomplete_details`).

    Example:
        >>> parse_event('{"type":"response.incomplete","response":{}}').type
        'response.incomplete'
    """

    type: Literal["response.incomplete"] = "response.incomplete"


class ResponseFailedEvent(_LifecycleEvent):
    """Terminal: the response failed (see `response.error`).

    Example:
        >>> parse_event('{"type":"response.failed","response":{}}').type
        'response.failed'
    """

    type: Literal["response.failed"] = "response.failed"


class ErrorEvent(StreamEvent):
    """An error during streaming.

    The real wire nests the details in `error`; the SDK's type declares them at top level.
    Both shapes parse, and `details()` reads either. A bare `{"error": {...}}` frame with no
    `type` (as some relays send) parses as this event too.

    Example:
        >>> ev = parse_event('{"type":"error","error":{"code":"c","message":"m"}}')
        >>> ev.details()
        ('c', 'm')
    """

    type: Literal["error"] = "error"
    code: str | None = None
    """Top-level code (SDK shape)."""
    message: str | None = None
    """Top-level message (SDK shape)."""
    param: str | None = None
    """The offending parameter, if any."""
    error: dict[str, Any] | None = None
    """Nested error object (wire shape)."""

    def details(self) -> tuple[str | None, str]:
        """Return `(code, message)` from whichever shape was sent.

        Example:
            >>> ErrorEvent(message="m").details()
            (None, 'm')
        """
        nested = self.error or {}
        code = self.code or nested.get("code") or nested.get("type")
        message = self.message or nested.get("message") or "stream error"
        return (str(code) if code else None), str(message)


# -- output items and content parts ------------------------------------------------------------


class _ItemEvent(StreamEvent):
    item_id: str = ""
    """The output item this event belongs to."""
    output_index: int = 0
    """The item's position in `Response.output`."""


class _ContentEvent(_ItemEvent):
    content_index: int = 0
    """The content part's position in the item."""


class OutputItemAddedEvent(StreamEvent):
    """An output item starts.

    Example:
        >>> ev = parse_event(
        ...     '{"type":"response.output_item.added","output_index":0,"item":{"type":"x"}}'
        ... )
        >>> ev.item
        {'type': 'x'}
    """

    type: Literal["response.output_item.added"] = "response.output_item.added"
    output_index: int = 0
    """Position in `Response.output`."""
    item: OutputItem
    """The item as it starts (content empty)."""


class OutputItemDoneEvent(StreamEvent):
    """An output item is finished; `item` is its final form.

    Example:
        >>> ev = parse_event(
        ...     '{"type":"response.output_item.done","item":{"type":"function_call","call_id":"c","name":"f"}}'
        ... )
        >>> ev.item.name
        'f'
    """

    type: Literal["response.output_item.done"] = "response.output_item.done"
    output_index: int = 0
    """Position in `Response.output`."""
    item: OutputItem
    """The finished item."""


class ContentPartAddedEvent(_ContentEvent):
    """A content part of a message starts.

    Example:
        >>> parse_event('{"type":"response.content_part.added","part":{"type":"output_text"}}').part
        {'type': 'output_text'}
    """

    type: Literal["response.content_part.added"] = "response.content_part.added"
    part: dict[str, Any] = Field(default_factory=dict)
    """The part as it starts."""


class ContentPartDoneEvent(_ContentEvent):
    """A content part is finished.

    Example:
        >>> parse_event('{"type":"response.content_part.done","part":{"text":"a"}}').part["text"]
        'a'
    """

    type: Literal["response.content_part.done"] = "response.content_part.done"
    part: dict[str, Any] = Field(default_factory=dict)
    """The finished part."""


class OutputTextDeltaEvent(_ContentEvent):
    """A piece of answer text (the hot path: thousands per response).

    Example:
        >>> parse_event('{"type":"response.output_text.delta","delta":"Hel"}').delta
        'Hel'
    """

    type: Literal["response.output_text.delta"] = "response.output_text.delta"
    delta: str = ""
    """The new text."""


class OutputTextDoneEvent(_ContentEvent):
    """A text part is complete.

    Example:
        >>> parse_event('{"type":"response.output_text.done","text":"Hello"}').text
        'Hello'
    """

    type: Literal["response.output_text.done"] = "response.output_text.done"
    text: str = ""
    """The whole text of the part."""


class OutputTextAnnotationAddedEvent(_ContentEvent):
    """A citation was added to a text part.

    Example:
        >>> ev = parse_event(
        ...     '{"type":"response.output_text.annotation.added","annotation":{"type":"url_citation","url":"u"}}'
        ... )
        >>> ev.annotation.url
        'u'
    """

    type: Literal["response.output_text.annotation.added"] = "response.output_text.annotation.added"
    annotation_index: int = 0
    """Position among the part's annotations."""
    annotation: Annotation | None = None
    """The citation."""


class RefusalDeltaEvent(_ContentEvent):
    """A piece of a refusal.

    Example:
        >>> parse_event('{"type":"response.refusal.delta","delta":"No"}').delta
        'No'
    """

    type: Literal["response.refusal.delta"] = "response.refusal.delta"
    delta: str = ""
    """The new refusal text."""


class RefusalDoneEvent(_ContentEvent):
    """A refusal is complete.

    Example:
        >>> parse_event('{"type":"response.refusal.done","refusal":"No"}').refusal
        'No'
    """

    type: Literal["response.refusal.done"] = "response.refusal.done"
    refusal: str = ""
    """The whole refusal."""


class FunctionCallArgumentsDeltaEvent(_ItemEvent):
    """A piece of a function call's JSON arguments.

    Example:
        >>> parse_event('{"type":"response.function_call_arguments.delta","delta":"{"}').delta
        '{'
    """

    type: Literal["response.function_call_arguments.delta"] = (
        "response.function_call_arguments.delta"
    )
    delta: str = ""
    """The new argument text."""


class FunctionCallArgumentsDoneEvent(_ItemEvent):
    """A function call's arguments are complete.

    Example:
        >>> parse_event(
        ...     '{"type":"response.function_call_arguments.done","arguments":"{}"}'
        ... ).arguments
        '{}'
    """

    type: Literal["response.function_call_arguments.done"] = "response.function_call_arguments.done"
    arguments: str = ""
    """The whole arguments string."""


# -- reasoning ---------------------------------------------------------------------------------


class _SummaryEvent(_ItemEvent):
    summary_index: int = 0
    """Which summary part."""


class ReasoningSummaryPartAddedEvent(_SummaryEvent):
    """A reasoning summary part starts.

    Example:
        >>> parse_event('{"type":"response.reasoning_summary_part.added","part":{}}').part.text
        ''
    """

    type: Literal["response.reasoning_summary_part.added"] = "response.reasoning_summary_part.added"
    part: ReasoningSummary = ReasoningSummary()
    """The part as it starts."""


class ReasoningSummaryPartDoneEvent(_SummaryEvent):
    """A reasoning summary part is complete.

    Example:
        >>> parse_event(
        ...     '{"type":"response.reasoning_summary_part.done","part":{"text":"t"}}'
        ... ).part.text
        't'
    """

    type: Literal["response.reasoning_summary_part.done"] = "response.reasoning_summary_part.done"
    part: ReasoningSummary = ReasoningSummary()
    """The finished part."""


class ReasoningSummaryTextDeltaEvent(_SummaryEvent):
    """A piece of a reasoning summary.

    Example:
        >>> parse_event('{"type":"response.reasoning_summary_text.delta","delta":"Th"}').delta
        'Th'
    """

    type: Literal["response.reasoning_summary_text.delta"] = "response.reasoning_summary_text.delta"
    delta: str = ""
    """The new summary text."""


class ReasoningSummaryTextDoneEvent(_SummaryEvent):
    """A reasoning summary part's text is complete.

    Example:
        >>> parse_event('{"type":"response.reasoning_summary_text.done","text":"T"}').text
        'T'
    """

    type: Literal["response.reasoning_summary_text.done"] = "response.reasoning_summary_text.done"
    text: str = ""
    """The whole part text."""


class ReasoningTextDeltaEvent(_ContentEvent):
    """A piece of raw reasoning text (models that expose it).

    Example:
        >>> parse_event('{"type":"response.reasoning_text.delta","delta":"r"}').delta
        'r'
    """

    type: Literal["response.reasoning_text.delta"] = "response.reasoning_text.delta"
    delta: str = ""
    """The new reasoning text."""


class ReasoningTextDoneEvent(_ContentEvent):
    """Raw reasoning text is complete.

    Example:
        >>> parse_event('{"type":"response.reasoning_text.done","text":"r"}').text
        'r'
    """

    type: Literal["response.reasoning_text.done"] = "response.reasoning_text.done"
    text: str = ""
    """The whole reasoning text."""


# -- built-in tools ----------------------------------------------------------------------------

_PROGRESS_TYPES = (
    *(
        f"response.{tool}.{phase}"
        for tool, phases in (
            ("web_search_call", ("in_progress", "searching", "completed")),
            ("file_search_call", ("in_progress", "searching", "completed")),
            ("code_interpreter_call", ("in_progress", "interpreting", "completed")),
            ("image_generation_call", ("in_progress", "generating", "completed", "partial_image")),
            ("mcp_call", ("in_progress", "completed", "failed")),
            ("mcp_list_tools", ("in_progress", "completed", "failed")),
        )
        for phase in phases
    ),
    "response.compaction.compacting",
)

_TOOL_DELTA_TYPES = (
    "response.code_interpreter_call_code.delta",
    "response.code_interpreter_call_code.done",
    "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done",
    "response.custom_tool_call_input.delta",
    "response.custom_tool_call_input.done",
)


class ToolCallProgressEvent(_ItemEvent):
    """Progress of a built-in tool call (web search, file search, code, image, MCP).

    `type` is e.g. `response.web_search_call.searching`; `tool` and `phase` split it.

    Example:
        >>> ev = parse_event('{"type":"response.web_search_call.searching","item_id":"ws_1"}')
        >>> (ev.tool, ev.phase)
        ('web_search_call', 'searching')
    """

    @property
    def tool(self) -> str:
        """The item type, e.g. `web_search_call`.

        Example:
            >>> ToolCallProgressEvent(type="response.mcp_call.failed").tool
            'mcp_call'
        """
        return self.type.split(".")[1]

    @property
    def phase(self) -> str:
        """The phase, e.g. `searching`.

        Example:
            >>> ToolCallProgressEvent(type="response.mcp_call.failed").phase
            'failed'
        """
        return self.type.rsplit(".", 1)[1]


class ToolCallDeltaEvent(_ItemEvent):
    """Code, MCP arguments or custom-tool input of a built-in tool call, streamed.

    Example:
        >>> parse_event('{"type":"response.mcp_call_arguments.delta","delta":"{"}').delta
        '{'
    """

    delta: str | None = None
    """The new piece (`.delta` events)."""


# -- audio and shell ---------------------------------------------------------------------------


class AudioDeltaEvent(StreamEvent):
    """A piece of the spoken answer (base64 audio), for audio-output models.

    Example:
        >>> parse_event('{"type":"response.audio.delta","delta":"UklG"}').delta
        'UklG'
    """

    type: Literal["response.audio.delta"] = "response.audio.delta"
    delta: str = ""
    """Base64-encoded audio bytes."""


class AudioDoneEvent(StreamEvent):
    """The spoken answer is complete.

    Example:
        >>> parse_event('{"type":"response.audio.done"}').type
        'response.audio.done'
    """

    type: Literal["response.audio.done"] = "response.audio.done"


class AudioTranscriptDeltaEvent(StreamEvent):
    """A piece of the spoken answer's transcript.

    Example:
        >>> parse_event('{"type":"response.audio.transcript.delta","delta":"Hi"}').delta
        'Hi'
    """

    type: Literal["response.audio.transcript.delta"] = "response.audio.transcript.delta"
    delta: str = ""
    """The new transcript text."""


class AudioTranscriptDoneEvent(StreamEvent):
    """The transcript is complete.

    Example:
        >>> parse_event('{"type":"response.audio.transcript.done"}').type
        'response.audio.transcript.done'
    """

    type: Literal["response.audio.transcript.done"] = "response.audio.transcript.done"


class ShellCallCommandEvent(StreamEvent):
    """A command of a hosted `shell` call: added, growing (`delta`) or done (`command`).

    Example:
        >>> ev = parse_event('{"type":"response.shell_call_command.delta","delta":"ls"}')
        >>> (type(ev).__name__, ev.delta)
        ('ShellCallCommandEvent', 'ls')
    """

    output_index: int = 0
    """The shell call's position in `Response.output`."""
    command_index: int = 0
    """Which command of the call."""
    command: str | None = None
    """The whole command (`.added`, `.done`)."""
    delta: str | None = None
    """The new piece (`.delta`)."""


class ShellCallOutputEvent(_ItemEvent):
    """Output of a hosted `shell` call's command: a `delta` of stdout/stderr, or the result.

    Example:
        >>> ev = parse_event(
        ...     '{"type":"response.shell_call_output_content.delta","delta":{"stdout":"a"}}'
        ... )
        >>> ev.delta
        {'stdout': 'a'}
    """

    command_index: int = 0
    """Which command of the call."""
    delta: dict[str, Any] | None = None
    """New `stdout` / `stderr` text (`.delta`)."""
    output: list[dict[str, Any]] | None = None
    """The finished outputs (`.done`)."""


_SHELL_TYPES = {
    "response.shell_call_command.added": "shell_command",
    "response.shell_call_command.delta": "shell_command",
    "response.shell_call_command.done": "shell_command",
    "response.shell_call_output_content.delta": "shell_output",
    "response.shell_call_output_content.done": "shell_output",
}


class UnknownEvent(StreamEvent):
    """Any event type this version does not know; every field is kept.

    Example:
        >>> parse_event('{"type":"response.new_thing","x":1}').model_extra
        {'x': 1}
    """


_CLASSES: dict[str, type[StreamEvent]] = {
    cls.model_fields["type"].default: cls
    for cls in (
        ResponseCreatedEvent,
        ResponseQueuedEvent,
        ResponseInProgressEvent,
        ResponseCompletedEvent,
        ResponseIncompleteEvent,
        ResponseFailedEvent,
        ErrorEvent,
        OutputItemAddedEvent,
        OutputItemDoneEvent,
        ContentPartAddedEvent,
        ContentPartDoneEvent,
        OutputTextDeltaEvent,
        OutputTextDoneEvent,
        OutputTextAnnotationAddedEvent,
        RefusalDeltaEvent,
        RefusalDoneEvent,
        FunctionCallArgumentsDeltaEvent,
        FunctionCallArgumentsDoneEvent,
        ReasoningSummaryPartAddedEvent,
        ReasoningSummaryPartDoneEvent,
        ReasoningSummaryTextDeltaEvent,
        ReasoningSummaryTextDoneEvent,
        ReasoningTextDeltaEvent,
        ReasoningTextDoneEvent,
        AudioDeltaEvent,
        AudioDoneEvent,
        AudioTranscriptDeltaEvent,
        AudioTranscriptDoneEvent,
    )
}
_TAGS: dict[str, str] = {name: name for name in _CLASSES}
_TAGS.update(dict.fromkeys(_PROGRESS_TYPES, "progress"))
_TAGS.update(dict.fromkeys(_TOOL_DELTA_TYPES, "tool_delta"))
_TAGS.update(_SHELL_TYPES)


def _event_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        if kind is None and isinstance(value.get("error"), dict):
            return "error"  # a relay's bare `{"error": {...}}` frame: a failure, not garbage
    else:
        kind = getattr(value, "type", None)
    return _TAGS.get(kind, "unknown") if isinstance(kind, str) else "unknown"


ResponseStreamEvent = Annotated[
    Annotated[ResponseCreatedEvent, Tag("response.created")]
    | Annotated[ResponseQueuedEvent, Tag("response.queued")]
    | Annotated[ResponseInProgressEvent, Tag("response.in_progress")]
    | Annotated[ResponseCompletedEvent, Tag("response.completed")]
    | Annotated[ResponseIncompleteEvent, Tag("response.incomplete")]
    | Annotated[ResponseFailedEvent, Tag("response.failed")]
    | Annotated[ErrorEvent, Tag("error")]
    | Annotated[OutputItemAddedEvent, Tag("response.output_item.added")]
    | Annotated[OutputItemDoneEvent, Tag("response.output_item.done")]
    | Annotated[ContentPartAddedEvent, Tag("response.content_part.added")]
    | Annotated[ContentPartDoneEvent, Tag("response.content_part.done")]
    | Annotated[OutputTextDeltaEvent, Tag("response.output_text.delta")]
    | Annotated[OutputTextDoneEvent, Tag("response.output_text.done")]
    | Annotated[OutputTextAnnotationAddedEvent, Tag("response.output_text.annotation.added")]
    | Annotated[RefusalDeltaEvent, Tag("response.refusal.delta")]
    | Annotated[RefusalDoneEvent, Tag("response.refusal.done")]
    | Annotated[FunctionCallArgumentsDeltaEvent, Tag("response.function_call_arguments.delta")]
    | Annotated[FunctionCallArgumentsDoneEvent, Tag("response.function_call_arguments.done")]
    | Annotated[ReasoningSummaryPartAddedEvent, Tag("response.reasoning_summary_part.added")]
    | Annotated[ReasoningSummaryPartDoneEvent, Tag("response.reasoning_summary_part.done")]
    | Annotated[ReasoningSummaryTextDeltaEvent, Tag("response.reasoning_summary_text.delta")]
    | Annotated[ReasoningSummaryTextDoneEvent, Tag("response.reasoning_summary_text.done")]
    | Annotated[ReasoningTextDeltaEvent, Tag("response.reasoning_text.delta")]
    | Annotated[ReasoningTextDoneEvent, Tag("response.reasoning_text.done")]
    | Annotated[AudioDeltaEvent, Tag("response.audio.delta")]
    | Annotated[AudioDoneEvent, Tag("response.audio.done")]
    | Annotated[AudioTranscriptDeltaEvent, Tag("response.audio.transcript.delta")]
    | Annotated[AudioTranscriptDoneEvent, Tag("response.audio.transcript.done")]
    | Annotated[ShellCallCommandEvent, Tag("shell_command")]
    | Annotated[ShellCallOutputEvent, Tag("shell_output")]
    | Annotated[ToolCallProgressEvent, Tag("progress")]
    | Annotated[ToolCallDeltaEvent, Tag("tool_delta")]
    | Annotated[UnknownEvent, Tag("unknown")],
    Discriminator(_event_tag),
]
"""Any stream event; discriminated on `type`, with `UnknownEvent` as the fallback."""

_ADAPTER: TypeAdapter[ResponseStreamEvent] = TypeAdapter(ResponseStreamEvent)

# -- the hot path --------------------------------------------------------------------------------

_HOT_CLASSES: tuple[type[StreamEvent], ...] = (
    OutputTextDeltaEvent,
    ReasoningSummaryTextDeltaEvent,
    ReasoningTextDeltaEvent,
    FunctionCallArgumentsDeltaEvent,
    RefusalDeltaEvent,
)
"""The events that come by the thousand in one response: parsed by `_parse_hot`."""

_HOT: dict[str, Any] = {
    cls.model_fields["type"].default: cls.__pydantic_validator__ for cls in _HOT_CLASSES
}
_TYPE_PREFIX = '{"type":"'


def _sniff_type(data: str | bytes) -> str | None:
    """The `type` of a payload written the usual way (`{"type":"...",`), else `None`.

    Only a guess that picks a validator: the validator itself checks the type.
    """
    if isinstance(data, str) and data.startswith(_TYPE_PREFIX):
        end = data.find('"', 9)
        return data[9:end] if end > 0 else None
    return None


def _parse_hot(data: str | bytes, kind: str | None) -> StreamEvent | None:
    """A hot event through its own class's compiled validator; `None` to let the union decide.

    Measured per event (2 cores, best of 15 x 20k): 1.9 us here, 3.5 us through the
    discriminated union (its callable discriminator makes pydantic-core build a Python dict
    first) and 2.7 us for the same checks written by hand in Python after `from_json`. A
    malformed event returns `None`, so the union raises the very error it always raised.
    """
    validator = _HOT.get(kind) if kind else None
    if validator is None:
        return None
    try:
        event: StreamEvent = validator.validate_json(data)
    except ValidationError:
        return None
    # The class's `type` is a Literal: it is checked; only a payload without one is refused.
    return event if "type" in event.__pydantic_fields_set__ else None


def parse_event(data: str | bytes, hint: str | None = None) -> ResponseStreamEvent:
    """Parse one SSE `data` payload (JSON text) into its event class.

    Dispatch is on the payload's own `type`. `hint`, the SSE `event:` name, only picks a
    faster path: the named class is tried first, and its result is kept only when the payload
    carried that very `type`; anything else goes through the full union, so the answer is the
    same with or without a hint. Text, reasoning and argument deltas (thousands per response)
    take the fastest path even without a hint.

    Args:
        data: The JSON text of one event.
        hint: The SSE `event:` name, if the stream sent one.

    Raises:
        pydantic.ValidationError: The payload is not JSON, or a known event has the wrong
            shape.

    Example:
        >>> type(parse_event('{"type":"response.output_text.delta","delta":"x"}')).__name__
        'OutputTextDeltaEvent'
    """
    hot = _parse_hot(data, hint if hint in _HOT else _sniff_type(data))
    if hot is not None:
        return cast(ResponseStreamEvent, hot)
    cls = _CLASSES.get(hint) if hint and hint not in _HOT else None
    if cls is not None:
        try:
            event = cls.model_validate_json(data)
        except ValidationError:
            pass  # not what the name said: let the union decide (and report)
        else:
            if "type" in event.model_fields_set:
                return cast(ResponseStreamEvent, event)
    return _ADAPTER.validate_json(data)
