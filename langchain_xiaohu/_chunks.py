"""The fold's deltas as `AIMessageChunk`s: the one converter `_stream` and `_astream` share.

The core's `ResponseState` does all accumulation and repair; this module only maps each
delta to a chunk whose content blocks have the same shape as the non-streamed message
(`_messages.output_blocks`), so `chunk + chunk + ...` equals `invoke()`'s message. The only
state kept here is which LangChain block `index` an output item (and content part) got.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from xiaohu import (
    AnnotationDelta,
    AudioDelta,
    AudioDone,
    CustomToolCall,
    FunctionCall,
    ImageDelta,
    ItemDone,
    OutputMessage,
    OutputText,
    ReasoningDelta,
    ReasoningItem,
    ReasoningTextDelta,
    RefusalDelta,
    ResponseStreamEvent,
    ShellOutputDelta,
    StreamDelta,
    TextDelta,
    ToolCallDelta,
    ToolInputDelta,
    ToolProgress,
    WebSearchCall,
)

from ._messages import PROVIDER, audio_block, response_metadata, usage_to_metadata

__all__ = ["ChunkConverter"]

_METADATA = {"model_provider": PROVIDER}
_TERMINAL = frozenset({"response.completed", "response.incomplete"})
#: The tool names of `server_tool_call_chunk` blocks, by the item type whose input streams.
_SERVER_TOOLS = {
    "code_interpreter_call": "code_interpreter",
    "mcp_call": "mcp",
    "shell_call": "shell",
}


class ChunkConverter:
    """Turn one stream's `(event, deltas)` pairs into LangChain generation chunks.

    Args:
        model: The model asked for (reported when the server names none).
        stream_usage: Put `usage_metadata` on the last chunk.

    Example:
        >>> from xiaohu import TextDelta
        >>> from xiaohu import parse_event
        >>> converter = ChunkConverter("gpt-5")
        >>> event = parse_event('{"type":"response.output_text.delta","delta":"Hi"}')
        >>> [c.message.text for c in converter.convert(event, [TextDelta("Hi")])]
        ['Hi']
    """

    __slots__ = (
        "_announced",
        "_audio",
        "_custom",
        "_indexes",
        "_logprobs",
        "_model",
        "_stream_usage",
    )

    def __init__(self, model: str, *, stream_usage: bool = True) -> None:
        self._model = model
        self._stream_usage = stream_usage
        self._indexes: dict[tuple[int, int], int] = {}
        self._custom: dict[int, int] = {}  # output index -> tool call index of custom calls
        self._logprobs: list[Any] = []
        self._announced: set[int] = set()  # output indexes whose tool input chunks are named
        self._audio: AudioDone | None = None  # the whole audio, shown with the last chunk

    def _index(self, output_index: int, part: int = 0) -> tuple[int, bool]:
        """The block index of an output item's part, and whether it is new."""
        key = (output_index, part)
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = len(self._indexes)
            return index, True
        return index, False

    def convert(
        self, event: ResponseStreamEvent, deltas: Sequence[StreamDelta]
    ) -> list[ChatGenerationChunk]:
        """The chunks for one event and the deltas the fold drew from it.

        Example:
            >>> from xiaohu import parse_event
            >>> ChunkConverter("gpt-5").convert(
            ...     parse_event('{"type":"response.in_progress","response":{"id":"r"}}'), []
            ... )
            []
        """
        chunks: list[ChatGenerationChunk] = []
        for delta in deltas:
            if type(delta) is TextDelta:  # the hot path
                index, new = self._index(delta.output_index, delta.content_index)
                block: dict[str, Any] = {"type": "text", "text": delta.text, "index": index}
                if new and delta.item_id:
                    block["id"] = delta.item_id
                chunks.append(_chunk([block]))
            else:
                chunk = self._other(delta)
                if chunk is not None:
                    chunks.append(chunk)
        kind = event.type
        if kind == "response.created":
            response = getattr(event, "response", None)
            if response is not None and response.id:
                chunks.insert(0, _chunk([], id=response.id))
        elif kind in _TERMINAL:
            chunks.append(self._last(event))
        return chunks

    def _other(self, delta: StreamDelta) -> ChatGenerationChunk | None:
        if isinstance(delta, ToolCallDelta):
            if delta.kind == "custom":
                return self._custom_call(delta)
            return self._tool_call(delta)
        if isinstance(delta, ReasoningTextDelta):
            return self._reasoning_text(delta)
        if isinstance(delta, ToolInputDelta):
            return self._tool_input(delta)
        if isinstance(delta, ImageDelta):
            return _partial_image(delta)
        if isinstance(delta, ReasoningDelta):
            index, _ = self._index(delta.output_index)
            part = {"type": "summary_text", "text": delta.text, "index": delta.summary_index}
            block = {"type": "reasoning", "summary": [part], "index": index}
            if delta.item_id:
                block["id"] = delta.item_id
            return _chunk([block])
        if isinstance(delta, AnnotationDelta):
            index, _ = self._index(delta.output_index, delta.content_index)
            annotation = delta.annotation.to_dict()
            return _chunk(
                [{"type": "text", "text": "", "annotations": [annotation], "index": index}]
            )
        if isinstance(delta, RefusalDelta):
            index, _ = self._index(delta.output_index, -1)
            return _chunk([{"type": "refusal", "refusal": delta.text, "index": index}])
        if isinstance(delta, ToolProgress):
            return self._progress(delta)
        if isinstance(delta, ItemDone):
            return self._item_done(delta)
        if isinstance(delta, ShellOutputDelta):
            return _shell_output(delta)
        if isinstance(delta, AudioDelta):
            return _audio_piece(delta)
        if isinstance(delta, AudioDone):
            self._audio = delta  # in `content` at the end, where `invoke()` has it
        return None

    def _tool_call(self, delta: ToolCallDelta) -> ChatGenerationChunk:
        index, _ = self._index(delta.output_index)
        block: dict[str, Any] = {
            "type": "function_call",
            "arguments": delta.arguments,
            "index": index,
        }
        tool_chunk = ToolCallChunk(
            type="tool_call_chunk", name=None, args=delta.arguments, id=None, index=delta.index
        )
        if delta.call_id is not None:  # the first delta of a call
            block.update(name=delta.name, call_id=delta.call_id)
            if delta.item_id:
                block["id"] = delta.item_id
            tool_chunk["name"], tool_chunk["id"] = delta.name, delta.call_id
        return _chunk([block], tool_call_chunks=[tool_chunk])

    def _custom_call(self, delta: ToolCallDelta) -> ChatGenerationChunk:
        """A custom tool call's block grows with its input; the tool call comes when it is done.

        Its input is free text, not JSON, so a `tool_call_chunk` per piece would make LangChain
        report an invalid call mid-stream; the whole call follows with `ItemDone`.
        """
        index, _ = self._index(delta.output_index)
        block: dict[str, Any] = {
            "type": "custom_tool_call",
            "input": delta.arguments,
            "index": index,
        }
        if delta.call_id is not None:
            self._custom[delta.output_index] = delta.index
            block.update(call_id=delta.call_id, name=delta.name)
            if delta.item_id:
                block["id"] = delta.item_id
        return _chunk([block])

    def _reasoning_text(self, delta: ReasoningTextDelta) -> ChatGenerationChunk:
        index, _ = self._index(delta.output_index)
        part = {"type": "reasoning_text", "text": delta.text, "index": delta.content_index}
        block: dict[str, Any] = {"type": "reasoning", "content": [part], "index": index}
        if delta.item_id:
            block["id"] = delta.item_id
        return _chunk([block])

    def _tool_input(self, delta: ToolInputDelta) -> ChatGenerationChunk:
        """Streamed progress of a built-in tool's input, as a `server_tool_call_chunk` block.

        It lives in `additional_kwargs["server_tool_call_chunks"]`, not in `content`, so the
        final content equals `invoke()`'s (where the finished item carries the whole input).
        """
        index, _ = self._index(delta.output_index)
        block: dict[str, Any] = {
            "type": "server_tool_call_chunk",
            "args": delta.text,
            "index": index,
        }
        if delta.output_index not in self._announced:
            self._announced.add(delta.output_index)
            block.update(name=_SERVER_TOOLS.get(delta.tool, delta.tool), id=delta.item_id)
        message = AIMessageChunk(
            content=[],
            additional_kwargs={"server_tool_call_chunks": [block]},
            response_metadata=_METADATA,
        )
        return ChatGenerationChunk(message=message)

    def _custom_done(
        self, item: CustomToolCall, index: int, output_index: int
    ) -> ChatGenerationChunk:
        block: dict[str, Any] = {"type": "custom_tool_call", "index": index}
        if item.status:
            block["status"] = item.status
        tool_chunk = ToolCallChunk(
            type="tool_call_chunk",
            name=item.name,
            args=json.dumps({"input": item.input}, ensure_ascii=False),
            id=item.call_id,
            index=self._custom.get(output_index, 0),
        )
        return _chunk([block], tool_call_chunks=[tool_chunk])

    def _progress(self, delta: ToolProgress) -> ChatGenerationChunk | None:
        if delta.phase != "added":
            return None  # intermediate phases carry nothing the final item lacks
        index, _ = self._index(delta.output_index)
        block: dict[str, Any] = {"type": delta.tool, "index": index}
        if delta.item_id:
            block["id"] = delta.item_id
        return _chunk([block])

    def _item_done(self, delta: ItemDone) -> ChatGenerationChunk | None:
        item = delta.item
        index, _ = self._index(delta.output_index)
        block: dict[str, Any]
        if isinstance(item, ReasoningItem):
            block = {"type": "reasoning", "summary": [], "index": index}
            if item.id:
                block["id"] = item.id
            if item.encrypted_content:
                block["encrypted_content"] = item.encrypted_content
        elif isinstance(item, WebSearchCall):
            block = item.to_dict()
            block["index"] = index
        elif isinstance(item, dict):
            block = {**item, "index": index}
        elif isinstance(item, CustomToolCall):
            return self._custom_done(item, index, delta.output_index)
        elif isinstance(item, FunctionCall):
            return None  # name and arguments already streamed
        else:
            if isinstance(item, OutputMessage):  # text and annotations already streamed
                self._logprobs.extend(
                    logprob
                    for part in item.content
                    if isinstance(part, OutputText)
                    for logprob in part.logprobs or ()
                )
            return None
        return _chunk([block])

    def _last(self, event: Any) -> ChatGenerationChunk:
        response = event.response
        metadata = response_metadata(response, self._model)
        if self._logprobs and "logprobs" not in metadata:
            metadata["logprobs"] = list(self._logprobs)  # the snapshot lacked them
        usage = usage_to_metadata(response.usage) if self._stream_usage and response.usage else None
        content: list[Any] = []
        if self._audio is not None:
            index, _ = self._index(-1)  # no output item holds audio
            block = audio_block(self._audio.audio, self._audio.transcript)
            content.append({**block, "index": index})
        message = AIMessageChunk(
            content=content,
            id=response.id or None,
            usage_metadata=usage,
            response_metadata=metadata,
            chunk_position="last",
        )
        return ChatGenerationChunk(message=message)


def _partial_image(delta: ImageDelta) -> ChatGenerationChunk:
    """A partial image as a standard `image` block in `additional_kwargs["partial_images"]`.

    Not in `content`: the final image is the `image_generation_call` block (a standard image
    in `content_blocks`), as `invoke()` gives it.
    """
    block: dict[str, Any] = {"type": "image", "base64": delta.base64}
    if delta.output_format:
        block["mime_type"] = f"image/{delta.output_format}"
    if delta.item_id:
        block["id"] = delta.item_id
    block["extras"] = {"partial_image_index": delta.partial_index}
    message = AIMessageChunk(
        content=[], additional_kwargs={"partial_images": [block]}, response_metadata=_METADATA
    )
    return ChatGenerationChunk(message=message)


def _audio_piece(delta: AudioDelta) -> ChatGenerationChunk:
    """A piece of spoken audio, or of its transcript, in `additional_kwargs`.

    Audio pieces are standard `audio` blocks in `audio_chunks`; transcript pieces are text in
    `audio_transcript` (merged chunks add them up). The whole audio comes as one `audio` block in `content` with the last chunk.
    """
    extra: dict[str, Any] = {}
    if delta.audio:
        extra["audio_chunks"] = [{"type": "audio", "base64": delta.audio}]
    if delta.transcript:
        extra["audio_transcript"] = delta.transcript
    message = AIMessageChunk(content=[], additional_kwargs=extra, response_metadata=_METADATA)
    return ChatGenerationChunk(message=message)


def _shell_output(delta: ShellOutputDelta) -> ChatGenerationChunk:
    """A hosted shell command's new output, in `additional_kwargs["server_tool_output_chunks"]`.

    A typed non-standard block (`server_tool_output_chunk`, LangChain has no standard one);
    the finished `shell_call_output` item follows in `content`, as `invoke()` has it.
    """
    block: dict[str, Any] = {
        "type": "server_tool_output_chunk",
        "name": "shell",
        "id": delta.item_id,
        "command_index": delta.command_index,
    }
    if delta.stdout:
        block["stdout"] = delta.stdout
    if delta.stderr:
        block["stderr"] = delta.stderr
    message = AIMessageChunk(
        content=[],
        additional_kwargs={"server_tool_output_chunks": [block]},
        response_metadata=_METADATA,
    )
    return ChatGenerationChunk(message=message)


def _chunk(content: list[Any], **kwargs: Any) -> ChatGenerationChunk:
    message = AIMessageChunk(content=content, response_metadata=_METADATA, **kwargs)
    return ChatGenerationChunk(message=message)
