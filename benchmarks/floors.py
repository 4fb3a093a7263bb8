"""The floors: the least work a client can do to read the same stream.

- `bare_stream` / `bare_create`: httpx + `json.loads`, nothing else (the floor).
- `FloorChatModel`: a minimal LangChain `BaseChatModel` that only parses and yields
  `ChatGenerationChunk`s (the LangChain framework floor).
- `FloorLLM`: a minimal LlamaIndex `CustomLLM` that only parses and yields
  `CompletionResponse`s (the LlamaIndex framework floor).

None of them retries, validates or handles errors: they measure parsing plus framework cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx

BODY = {"model": "gpt-4.1", "input": "hi", "stream": True}
HEADERS = {"Authorization": "Bearer sk-bench"}
DELTA = "response.output_text.delta"
COMPLETED = "response.completed"


def bare_events(client: httpx.Client, base_url: str) -> Iterator[dict[str, Any]]:
    """Yield every event of a stream as a dict."""
    with client.stream("POST", base_url + "/responses", json=BODY, headers=HEADERS) as r:
        for line in r.iter_lines():
            if line.startswith("data: "):
                yield json.loads(line[6:])


def bare_stream(client: httpx.Client, base_url: str) -> Iterator[str]:
    """Yield the text deltas of a stream."""
    for event in bare_events(client, base_url):
        if event["type"] == DELTA:
            yield event["delta"]


async def bare_create(client: httpx.AsyncClient, base_url: str) -> str:
    """One non-stream call; returns the answer text."""
    body = {"model": "gpt-4.1", "input": "hi"}
    r = await client.post(base_url + "/responses", json=body, headers=HEADERS)
    data = json.loads(r.content)
    return "".join(
        part["text"]
        for item in data["output"]
        for part in item.get("content", [])
        if "text" in part
    )


def _text(data: dict[str, Any]) -> str:
    return "".join(
        part["text"]
        for item in data["output"]
        for part in item.get("content", [])
        if "text" in part
    )


def _make_langchain_floor() -> type:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class FloorChatModel(BaseChatModel):
        """Parses the stream with httpx + json and yields chunks; nothing more."""

        base_url: str

        @property
        def _llm_type(self) -> str:
            return "floor"

        def _client(self) -> httpx.Client:
            client = self.__dict__.get("_http")
            if client is None:
                client = self.__dict__["_http"] = httpx.Client()
            return client

        def _aclient(self) -> httpx.AsyncClient:
            client = self.__dict__.get("_ahttp")
            if client is None:
                client = self.__dict__["_ahttp"] = httpx.AsyncClient()
            return client

        def _stream(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> Iterator[ChatGenerationChunk]:
            for event in bare_events(self._client(), self.base_url):
                if event["type"] == DELTA:
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=event["delta"]))
                    if run_manager:
                        run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                    yield chunk
                elif event["type"] == COMPLETED:
                    u = event["response"]["usage"]
                    usage = {
                        "input_tokens": u["input_tokens"],
                        "output_tokens": u["output_tokens"],
                        "total_tokens": u["total_tokens"],
                    }
                    yield ChatGenerationChunk(
                        message=AIMessageChunk(content="", usage_metadata=usage)  # type: ignore[arg-type]
                    )

        def _generate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            body = {"model": "gpt-4.1", "input": "hi"}
            r = self._client().post(self.base_url + "/responses", json=body, headers=HEADERS)
            text = _text(json.loads(r.content))
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        async def _agenerate(
            self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
        ) -> ChatResult:
            text = await bare_create(self._aclient(), self.base_url)
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    return FloorChatModel


def _make_llamaindex_floor() -> type:
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        CompletionResponseGen,
        LLMMetadata,
        MessageRole,
    )
    from llama_index.core.llms.callbacks import llm_completion_callback
    from llama_index.core.llms.custom import CustomLLM

    class FloorLLM(CustomLLM):
        """Parses the stream with httpx + json and yields responses; nothing more."""

        base_url: str

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="gpt-4.1", is_chat_model=True)

        def _client(self) -> httpx.Client:
            client = self.__dict__.get("_http")
            if client is None:
                client = self.__dict__["_http"] = httpx.Client()
            return client

        def _aclient(self) -> httpx.AsyncClient:
            client = self.__dict__.get("_ahttp")
            if client is None:
                client = self.__dict__["_ahttp"] = httpx.AsyncClient()
            return client

        @llm_completion_callback()  # as LlamaIndex's CustomLLM example does: events, callbacks
        def complete(self, prompt: str, formatted: bool = False, **kw: Any) -> CompletionResponse:
            body = {"model": "gpt-4.1", "input": prompt}
            r = self._client().post(self.base_url + "/responses", json=body, headers=HEADERS)
            return CompletionResponse(text=_text(json.loads(r.content)))

        @llm_completion_callback()
        def stream_complete(
            self, prompt: str, formatted: bool = False, **kw: Any
        ) -> CompletionResponseGen:
            def gen() -> CompletionResponseGen:
                text = ""
                for delta in bare_stream(self._client(), self.base_url):
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

            return gen()

        async def achat(self, messages: Any, **kw: Any) -> ChatResponse:
            text = await bare_create(self._aclient(), self.base_url)
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    return FloorLLM


def langchain_floor(base_url: str) -> Any:
    """A `FloorChatModel` reading from base_url."""
    return _make_langchain_floor()(base_url=base_url)


def llamaindex_floor(base_url: str) -> Any:
    """A `FloorLLM` reading from base_url."""
    return _make_llamaindex_floor()(base_url=base_url)
