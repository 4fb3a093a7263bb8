"""Every client in the comparison, behind one small interface.

A `Contender` knows how to build its client for a base URL, stream one answer (yielding the text
pieces a user would see), and make k concurrent non-stream calls. Imports happen inside the
builders, so a worker process only imports the libraries of the contender it measures.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from benchmarks.floors import bare_create, bare_stream, langchain_floor, llamaindex_floor

MODEL = "gpt-4.1"
KEY = "sk-bench-not-a-secret"
PROMPT = "hi"


@dataclass(frozen=True)
class Contender:
    """One client under test."""

    name: str
    family: str  # "core", "langchain" or "llamaindex"
    role: str  # "ours", "anchor", "framework floor" or "floor"
    make: Callable[[str], Any]
    stream: Callable[[Any], Iterator[str]]
    concurrent: Callable[[Any, int], Awaitable[list[str]]]


# -- the bare floor ------------------------------------------------------------------------


class _Bare:
    def __init__(self, base_url: str) -> None:
        import httpx

        self.base_url = base_url
        self.sync = httpx.Client()
        self._async: Any = None

    @property
    def aclient(self) -> Any:
        import httpx

        if self._async is None:
            self._async = httpx.AsyncClient()
        return self._async


async def _bare_concurrent(b: _Bare, k: int) -> list[str]:
    return await asyncio.gather(*(bare_create(b.aclient, b.base_url) for _ in range(k)))


# -- our core, no framework --------------------------------------------------------------


class _Core:
    def __init__(self, base_url: str) -> None:
        from xiaohu import XiaohuClient

        self.base_url = base_url
        self.sync = XiaohuClient(api_key=KEY, base_url=base_url)
        self._async: Any = None

    @property
    def aclient(self) -> Any:
        from xiaohu import AsyncXiaohuClient

        if self._async is None:
            self._async = AsyncXiaohuClient(api_key=KEY, base_url=self.base_url)
        return self._async


def _core_stream(c: _Core) -> Iterator[str]:
    from xiaohu import TextDelta

    with c.sync.stream_response(model=MODEL, input=PROMPT) as stream:
        for delta in stream.iter_deltas():
            if type(delta) is TextDelta:
                yield delta.text


async def _core_concurrent(c: _Core, k: int) -> list[str]:
    calls = (c.aclient.create_response(model=MODEL, input=PROMPT) for _ in range(k))
    return [r.output_text for r in await asyncio.gather(*calls)]


# -- LangChain -------------------------------------------------------------------------------


def _lc_ours(base_url: str) -> Any:
    from langchain_xiaohu import ChatXiaohu

    return ChatXiaohu(model=MODEL, api_key=KEY, base_url=base_url)


def _lc_openai(base_url: str) -> Any:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(model=MODEL, use_responses_api=True, base_url=base_url, api_key=KEY)


def _lc_stream(model: Any) -> Iterator[str]:
    for chunk in model.stream(PROMPT):
        yield chunk.text


async def _lc_concurrent(model: Any, k: int) -> list[str]:
    return [m.text for m in await model.abatch([PROMPT] * k)]


# -- LlamaIndex -----------------------------------------------------------------------------


def _li_ours(base_url: str) -> Any:
    from llama_index_xiaohu import XiaohuResponses

    return XiaohuResponses(model=MODEL, api_key=KEY, api_base=base_url)


def _li_openai(base_url: str) -> Any:
    from llama_index.llms.openai import OpenAIResponses

    return OpenAIResponses(model=MODEL, api_base=base_url, api_key=KEY)


def _li_stream(llm: Any) -> Iterator[str]:
    for r in llm.stream_complete(PROMPT):
        yield r.delta or ""


async def _li_concurrent(llm: Any, k: int) -> list[str]:
    from llama_index.core.base.llms.types import ChatMessage

    msgs = [ChatMessage(role="user", content=PROMPT)]
    return [
        r.message.content or "" for r in await asyncio.gather(*(llm.achat(msgs) for _ in range(k)))
    ]


CONTENDERS: dict[str, Contender] = {
    c.name: c
    for c in [
        Contender(
            "httpx+json",
            "core",
            "floor",
            _Bare,
            lambda b: bare_stream(b.sync, b.base_url),
            _bare_concurrent,
        ),
        Contender("xiaohu core", "core", "ours", _Core, _core_stream, _core_concurrent),
        Contender("ChatXiaohu", "langchain", "ours", _lc_ours, _lc_stream, _lc_concurrent),
        Contender("ChatOpenAI", "langchain", "anchor", _lc_openai, _lc_stream, _lc_concurrent),
        Contender(
            "BaseChatModel floor",
            "langchain",
            "framework floor",
            langchain_floor,
            _lc_stream,
            _lc_concurrent,
        ),
        Contender("XiaohuResponses", "llamaindex", "ours", _li_ours, _li_stream, _li_concurrent),
        Contender(
            "OpenAIResponses", "llamaindex", "anchor", _li_openai, _li_stream, _li_concurrent
        ),
        Contender(
            "CustomLLM floor",
            "llamaindex",
            "framework floor",
            llamaindex_floor,
            _li_stream,
            _li_concurrent,
        ),
    ]
}
