"""Stop sequences, done client-side (the Responses API has none).

`StopText` cuts a text stream before the first stop sequence, even one split across deltas:
it holds back only the tail that could still begin a stop sequence. `StopFilter` applies it
to the chunks of one stream (shared by `_stream` and `_astream`); `cut_message` to a whole
answer. Either way `response_metadata` says `stop_reason="stop_sequence"` and which one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk

from ._messages import PROVIDER

__all__ = ["StopFilter", "StopText", "cut_message", "stop_metadata"]


def stop_metadata(sequence: str) -> dict[str, Any]:
    """The `response_metadata` keys of an answer cut at `sequence`.

    Example:
        >>> stop_metadata("Observation:")["stop_reason"]
        'stop_sequence'
    """
    return {"stop_reason": "stop_sequence", "stop_sequence": sequence}


class StopText:
    """Cut a text, fed in pieces, before the first of some stop sequences.

    Example:
        >>> stop = StopText(["END"])
        >>> stop.feed("one EN"), stop.feed("D two"), stop.hit
        ('one ', '', 'END')
    """

    __slots__ = ("_held", "_longest", "_stops", "hit")

    def __init__(self, stops: Sequence[str]) -> None:
        self._stops = [s for s in dict.fromkeys(stops) if s]
        self._longest = max((len(s) for s in self._stops), default=0)
        self._held = ""
        self.hit: str | None = None
        """The stop sequence found, once found (nothing more is let through)."""

    def feed(self, text: str) -> str:
        """The part of `text` (with what was held back) that is safe to show now."""
        if self.hit is not None:
            return ""
        buffer = self._held + text
        found = [(i, s) for s in self._stops if (i := buffer.find(s)) >= 0]
        if found:
            index, self.hit = min(found, key=lambda pair: pair[0])
            self._held = ""
            return buffer[:index]
        keep = 0
        for size in range(min(self._longest - 1, len(buffer)), 0, -1):
            tail = buffer[-size:]
            if any(s.startswith(tail) for s in self._stops):
                keep = size
                break
        self._held = buffer[len(buffer) - keep :]
        return buffer[: len(buffer) - keep]

    def flush(self) -> str:
        """What was held back (the text ended without a stop sequence)."""
        held, self._held = self._held, ""
        return held


class StopFilter:
    """Apply stop sequences to one stream's chunks.

    Example:
        >>> from langchain_core.messages import AIMessageChunk
        >>> from langchain_core.outputs import ChatGenerationChunk
        >>> def text(t):
        ...     block = {"type": "text", "text": t, "index": 0}
        ...     return ChatGenerationChunk(message=AIMessageChunk(content=[block]))
        >>> stop = StopFilter(["\\nObservation"])
        >>> [c.text for c in stop.filter([text("Act\\nObs"), text("ervation: x")])]
        ['Act', '']
        >>> stop.done
        True
    """

    __slots__ = ("_index", "_metadata", "_text", "done")

    def __init__(self, stops: Sequence[str], *, model: str | None = None) -> None:
        self._text = StopText(stops)
        self._metadata = {"model_provider": PROVIDER, "model_name": model}
        self._index: Any = None
        self.done = False
        """A stop sequence appeared: the last chunk has been given; close the stream."""

    def filter(self, chunks: Sequence[ChatGenerationChunk]) -> list[ChatGenerationChunk]:
        """The chunks to yield in place of `chunks` (the last one closes the answer)."""
        out: list[ChatGenerationChunk] = []
        for chunk in chunks:
            if self.done:
                break
            message = chunk.message
            block = _only_text_block(message)
            if block is None:
                if getattr(message, "chunk_position", None) == "last":
                    out.extend(self._flush())
                out.append(chunk)
                continue
            if block.get("index") != self._index:
                out.extend(self._flush())
                self._index = block.get("index")
            shown = self._text.feed(block["text"])
            if shown or self._text.hit is None:
                out.append(_with_text(chunk, block, shown))
            if self._text.hit is not None:
                self.done = True
                last = AIMessageChunk(
                    content=[],
                    response_metadata={**self._metadata, **stop_metadata(self._text.hit)},
                    chunk_position="last",
                )
                out.append(ChatGenerationChunk(message=last))
        return out

    def _flush(self) -> list[ChatGenerationChunk]:
        held = self._text.flush()
        if not held:
            return []
        block = {"type": "text", "text": held, "index": self._index}
        return [ChatGenerationChunk(message=AIMessageChunk(content=[block]))]


def _only_text_block(message: Any) -> dict[str, Any] | None:
    content = message.content
    if isinstance(content, list) and len(content) == 1 and isinstance(content[0], dict):
        block = content[0]
        is_text = block.get("type") == "text" and isinstance(block.get("text"), str)
        if is_text and not block.get("annotations"):
            return block
    return None


def _with_text(chunk: ChatGenerationChunk, block: dict[str, Any], text: str) -> Any:
    message = chunk.message
    content = [{**block, "text": text}]
    return ChatGenerationChunk(message=message.model_copy(update={"content": content}))


def cut_message(message: AIMessage, stops: Sequence[str]) -> AIMessage:
    """The answer up to the first stop sequence (text after it, and later items, removed).

    Example:
        >>> from langchain_core.messages import AIMessage
        >>> cut = cut_message(
        ...     AIMessage([{"type": "text", "text": "a\\nObservation: b"}]), ["\\nObs"]
        ... )
        >>> cut.text, cut.response_metadata["stop_sequence"]
        ('a', '\\nObs')
    """
    if not isinstance(message.content, list):
        return message
    stop = StopText(stops)
    content: list[Any] = []
    for block in message.content:
        if isinstance(block, dict) and block.get("type") == "text":
            text = stop.feed(block.get("text", "")) + (stop.flush() if stop.hit is None else "")
            content.append({**block, "text": text})
            if stop.hit is not None:
                break
        else:
            content.append(block)
    if stop.hit is None:
        return message
    ids = {b.get("call_id") for b in content if isinstance(b, dict)}
    return message.model_copy(
        update={
            "content": content,
            "tool_calls": [c for c in message.tool_calls if c.get("id") in ids],
            "response_metadata": {**message.response_metadata, **stop_metadata(stop.hit)},
        }
    )
