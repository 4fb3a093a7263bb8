"""Helpers shared by the LlamaIndex adapter tests: run a call sync or async the same way."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import ChatResponse, CompletionResponse
from llama_index.core.llms import LLM

from llama_index_xiaohu import XiaohuResponses


async def stream_chat(
    llm: XiaohuResponses, sync: bool, messages: Any, **kw: Any
) -> list[ChatResponse]:
    """All chunks of `stream_chat` (sync) or `astream_chat` (async)."""
    if sync:
        return list(llm.stream_chat(messages, **kw))
    return [chunk async for chunk in await llm.astream_chat(messages, **kw)]


async def chat(llm: LLM, sync: bool, messages: Any, **kw: Any) -> ChatResponse:
    """`chat` or `achat` (of any LlamaIndex LLM: ours, or one wrapping it)."""
    response: ChatResponse = llm.chat(messages, **kw) if sync else await llm.achat(messages, **kw)
    return response


async def complete(llm: XiaohuResponses, sync: bool, prompt: str, **kw: Any) -> CompletionResponse:
    """`complete` or `acomplete`."""
    response: CompletionResponse = (
        llm.complete(prompt, **kw) if sync else await llm.acomplete(prompt, **kw)
    )
    return response


def raw(response: ChatResponse | CompletionResponse) -> dict[str, Any]:
    """The relay's answer that a response carries in `raw` (it must be there)."""
    assert isinstance(response.raw, dict), response.raw
    return response.raw


async def stream_complete(
    llm: XiaohuResponses, sync: bool, prompt: str, **kw: Any
) -> list[CompletionResponse]:
    """All chunks of `stream_complete` or `astream_complete`."""
    if sync:
        return list(llm.stream_complete(prompt, **kw))
    return [chunk async for chunk in await llm.astream_complete(prompt, **kw)]
