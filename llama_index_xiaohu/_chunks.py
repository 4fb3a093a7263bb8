"""Fold deltas -> LlamaIndex `ChatResponse` chunks, shared by the sync and async streams.

The core's `ResponseState` does the folding; `ChunkBuilder` only translates each batch of
deltas into one chunk carrying the cumulative assistant message (what LlamaIndex consumers
such as `FunctionAgent` and `ReActAgent` read) and the incremental `delta`. The last chunk is
built from the fold's final `Response` with the same function `chat` uses, so the streamed
and the non-streamed message are identical.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from pydantic_core import from_json

from xiaohu import (
    AnnotationDelta,
    AudioDelta,
    AudioDone,
    ImageDelta,
    ItemDone,
    ReasoningDelta,
    ReasoningTextDelta,
    RefusalDelta,
    Response,
    ShellOutputDelta,
    StreamDelta,
    TextDelta,
    ToolCallDelta,
    ToolInputDelta,
)

from ._messages import (
    AUDIO_TRANSCRIPT_KEY,
    CUSTOM_CALLS_KEY,
    RESPONSE_ID_KEY,
    audio_block,
    image_block,
    message_from_response,
    output_logprobs,
    response_extras,
)

__all__ = ["ChunkBuilder", "final_chat_response", "final_completion_response", "partial_arguments"]

log = logging.getLogger("llama_index_xiaohu")

_ASSISTANT = MessageRole.ASSISTANT
#: A number at the very end of partial JSON may still grow (`1` of `12`): not yet arrived.
_TRAILING_NUMBER = re.compile(r"-?[0-9][0-9.eE+-]*\s*$")


def partial_arguments(text: str) -> dict[str, Any]:
    """The tool-call arguments that have fully arrived, from complete or partial JSON.

    A string, number or literal still arriving is left out, never reported as `None` or as a
    prefix of itself; an array or object still arriving holds the items that have.

    Example:
        >>> partial_arguments('{"city": "Par')
        {}
        >>> partial_arguments('{"city": "Paris", "days": 1')
        {'city': 'Paris'}
        >>> partial_arguments('{"city": "Paris", "days": 12}')
        {'city': 'Paris', 'days': 12}
    """
    if not text.strip():
        return {}
    try:
        parsed = from_json(text)
    except ValueError:
        try:
            parsed = from_json(_TRAILING_NUMBER.sub("", text), allow_partial=True)
        except ValueError:
            return {}
    return parsed if isinstance(parsed, dict) else {}


def final_chat_response(response: Response) -> ChatResponse:
    """The `ChatResponse` of a finished response (also the last chunk of a stream).

    `raw` is the wire dict, with `usage` at its top level for `TokenCountingHandler`.

    Example:
        >>> final_chat_response(Response(id="resp_1", status="completed")).raw["id"]
        'resp_1'
    """
    if response.status == "incomplete":
        reason = response.incomplete_details.reason if response.incomplete_details else None
        log.warning("response %s is incomplete (%s); the answer is cut short", response.id, reason)
    return ChatResponse(
        message=message_from_response(response),
        raw=response.to_dict(),
        delta="",
        logprobs=output_logprobs(response) or None,
        additional_kwargs=response_extras(response),
    )


def final_completion_response(response: Response) -> CompletionResponse:
    """The `CompletionResponse` of a finished response (also the last chunk of a stream).

    Example:
        >>> final_completion_response(Response(id="resp_1", status="completed")).text
        ''
    """
    chat = final_chat_response(response)
    return CompletionResponse(
        text=chat.message.content or "",
        delta="",
        raw=chat.raw,
        logprobs=chat.logprobs,
        additional_kwargs={**chat.additional_kwargs, **chat.message.additional_kwargs},
    )


class ChunkBuilder:
    """Turn the deltas of one stream into cumulative `ChatResponse` (or completion) chunks.

    Once the response id is known (from `response.created`), every chunk carries it in
    `additional_kwargs["response_id"]`; with `announce=True` (background runs, which one may
    want to cancel) an empty chunk carrying it is yielded at once, before any content.

    Example:
        >>> builder = ChunkBuilder()
        >>> builder.feed([TextDelta("Hel")], None).delta
        'Hel'
        >>> builder.feed([TextDelta("lo")], None).message.content
        'Hello'
        >>> builder.feed_text([TextDelta("!")], None).text
        'Hello!'
    """

    def __init__(self, *, announce: bool = False) -> None:
        self._announce = announce
        self._response_id: str | None = None
        self._text = ""
        self._thinking: list[str] = []
        self._thinking_key: tuple[int, int] | None = None
        self._calls: list[list[str]] = []  # [call_id, name, *argument pieces]
        self._custom: set[int] = set()  # indexes of custom (freeform) calls in `_calls`
        self._tool_input: dict[str, Any] | None = None
        self._images: dict[int, ImageBlock] = {}  # output index -> latest (partial) image
        self._citations: list[dict[str, Any]] = []
        self._built_in: list[dict[str, Any]] = []
        self._refusal = ""
        self._audio: AudioDone | None = None
        self._audio_delta: AudioDelta | None = None  # reported once, in the chunk's extras

    def feed(self, deltas: Sequence[StreamDelta], raw: Any) -> ChatResponse | None:
        """Apply one event's deltas; return a chat chunk, or `None` if nothing visible changed.

        Example:
            >>> ChunkBuilder().feed([], None) is None
            True
        """
        if not deltas:
            if not self._started(raw):
                return None
            return ChatResponse(
                message=self._message(), delta="", raw=raw, additional_kwargs=self._extras("")
            )
        applied = self._apply(deltas)
        if applied is None:
            return None
        piece, thinking = applied
        extras = self._extras(thinking)
        return ChatResponse(message=self._message(), delta=piece, raw=raw, additional_kwargs=extras)

    def feed_text(self, deltas: Sequence[StreamDelta], raw: Any) -> CompletionResponse | None:
        """Like `feed`, but a completion chunk (text so far, delta), without building a message.

        Example:
            >>> ChunkBuilder().feed_text([TextDelta("Hi")], None).delta
            'Hi'
        """
        if not deltas:
            if not self._started(raw):
                return None
            return CompletionResponse(
                text=self._text, delta="", raw=raw, additional_kwargs=self._extras("")
            )
        applied = self._apply(deltas)
        if applied is None:
            return None
        piece, thinking = applied
        extras = self._extras(thinking)
        return CompletionResponse(text=self._text, delta=piece, raw=raw, additional_kwargs=extras)

    def _started(self, raw: Any) -> bool:
        """Note the response id of a lifecycle event; true if it should be announced now."""
        if self._response_id is not None:
            return False
        response = getattr(raw, "response", None)
        response_id = getattr(response, "id", None)
        if not isinstance(response_id, str) or not response_id:
            return False
        self._response_id = response_id
        return self._announce

    def _extras(self, thinking: str) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if self._response_id is not None:
            extras[RESPONSE_ID_KEY] = self._response_id
        if thinking:
            extras["thinking_delta"] = thinking
        if self._tool_input is not None:
            extras["built_in_tool_delta"] = self._tool_input
            self._tool_input = None
        if self._audio_delta is not None:
            if self._audio_delta.audio:
                extras["audio_delta"] = self._audio_delta.audio
            if self._audio_delta.transcript:
                extras["audio_transcript_delta"] = self._audio_delta.transcript
            self._audio_delta = None
        return extras

    def _apply(self, deltas: Sequence[StreamDelta]) -> tuple[str, str] | None:
        """Fold one event's deltas into the chunk state: `(text piece, thinking piece)`."""
        if len(deltas) == 1 and type(deltas[0]) is TextDelta:  # the hot path
            piece = deltas[0].text
            self._text += piece
            return piece, ""
        text: list[str] = []
        thinking: list[str] = []
        changed = False
        for delta in deltas:
            if isinstance(delta, TextDelta):
                text.append(delta.text)
            elif isinstance(delta, (ReasoningDelta, ReasoningTextDelta)):
                thinking.append(self._add_thinking(delta))
            elif isinstance(delta, ToolInputDelta):
                changed |= self._add_tool_input(delta)
            elif isinstance(delta, ImageDelta):
                mime = f"image/{delta.output_format or 'png'}"
                image = ImageBlock(image=delta.base64.encode(), image_mimetype=mime)
                self._images[delta.output_index] = image
                changed = True
            elif isinstance(delta, ToolCallDelta):
                self._add_call(delta)
                changed = True
            elif isinstance(delta, AnnotationDelta):
                self._citations.append(delta.annotation.to_dict())
            elif isinstance(delta, RefusalDelta):
                self._refusal += delta.text
                changed = True
            elif isinstance(delta, ItemDone):
                changed |= self._item_done(delta)
            elif isinstance(delta, ShellOutputDelta):
                self._tool_input = {"type": "shell_call_output", "id": delta.item_id,
                                    "command_index": delta.command_index,
                                    "stdout": delta.stdout, "stderr": delta.stderr}  # fmt: skip
                changed = True
            elif isinstance(delta, AudioDelta):
                self._audio_delta = delta
                changed = True
            elif isinstance(delta, AudioDone):
                self._audio = delta
                changed = True
        if not (text or thinking or changed):
            return None
        piece = "".join(text)
        self._text += piece
        return piece, "".join(thinking)

    def _add_tool_input(self, delta: ToolInputDelta) -> bool:
        """A built-in tool's input piece, reported once in the chunk's `additional_kwargs`."""
        self._tool_input = {"type": delta.tool, "id": delta.item_id, "delta": delta.text}
        return True

    def _add_thinking(self, delta: ReasoningDelta | ReasoningTextDelta) -> str:
        part = (
            delta.summary_index if isinstance(delta, ReasoningDelta) else -1 - delta.content_index
        )
        key = (delta.output_index, part)
        piece = delta.text
        if self._thinking_key is not None and key != self._thinking_key:
            piece = "\n\n" + piece
        self._thinking_key = key
        self._thinking.append(piece)
        return piece

    def _add_call(self, delta: ToolCallDelta) -> None:
        while len(self._calls) <= delta.index:
            self._calls.append(["", ""])
        call = self._calls[delta.index]
        if delta.kind == "custom":
            self._custom.add(delta.index)
        if delta.call_id:
            call[0] = delta.call_id
        if delta.name:
            call[1] = delta.name
        if delta.arguments:
            call.append(delta.arguments)

    def _item_done(self, delta: ItemDone) -> bool:
        item = delta.item
        item_type = item.get("type") if isinstance(item, dict) else item.type
        if item_type in ("message", "function_call", "custom_tool_call", "reasoning"):
            return False
        if isinstance(item, dict) and item_type == "image_generation_call" and item.get("result"):
            self._images[delta.output_index] = image_block(item)
        self._built_in.append(dict(item) if isinstance(item, dict) else item.to_dict())
        return True

    def _call_blocks(self) -> list[ToolCallBlock]:
        """The tool calls so far; a custom call's `tool_kwargs` is `{"input": text}`."""
        return [
            ToolCallBlock(
                tool_call_id=call[0],
                tool_name=call[1],
                tool_kwargs={"input": "".join(call[2:])}
                if i in self._custom
                else "".join(call[2:]),
            )
            for i, call in enumerate(self._calls)
        ]

    def _message(self) -> ChatMessage:
        blocks: list[Any] = []
        if self._thinking:
            blocks.append(ThinkingBlock(content="".join(self._thinking)))
        if self._text:
            blocks.append(TextBlock(text=self._text))
        if self._images:
            blocks.extend(image for _, image in sorted(self._images.items()))
        if self._audio is not None:
            blocks.append(audio_block(self._audio.audio))
        if self._calls:
            blocks.extend(self._call_blocks())
        extras: dict[str, Any] = {}
        if self._audio is not None and self._audio.transcript:
            extras[AUDIO_TRANSCRIPT_KEY] = self._audio.transcript
        if self._custom:
            extras[CUSTOM_CALLS_KEY] = [self._calls[i][0] for i in sorted(self._custom)]
        if self._citations:
            extras["citations"] = list(self._citations)
        if self._built_in:
            extras["built_in_tool_calls"] = list(self._built_in)
        if self._refusal:
            extras["refusal"] = self._refusal
        return ChatMessage(role=_ASSISTANT, blocks=blocks, additional_kwargs=extras)
