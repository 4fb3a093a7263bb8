"""`xiaohu_wire` (the wire and why) is on every answer, Responses wire included, stream or not."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessageChunk, BaseMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from xiaohu import AsyncXiaohuClient, XiaohuClient

CASES = [("gpt-5-mini", "responses"), ("deepseek-chat", "chat")]


def _core(url: str, model: str, kind: str) -> dict[str, Any]:
    with XiaohuClient(api_key=TEST_API_KEY, base_url=url) as client:
        if kind == "create":
            response = client.create_response(model=model, input="hi")
        elif kind == "budget":
            response = client.create_response(model=model, input="hi", max_cost_usd=1.0)
        else:
            with client.stream_response(model=model, input="hi") as stream:
                response = stream.get_final_response()
    return dict(response.model_extra or {})


def _core_async(url: str, model: str, kind: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        async with AsyncXiaohuClient(api_key=TEST_API_KEY, base_url=url) as client:
            if kind == "create":
                response = await client.create_response(model=model, input="hi")
            else:
                async with await client.stream_response(model=model, input="hi") as stream:
                    response = await stream.get_final_response()
        return dict(response.model_extra or {})

    return asyncio.run(run())


def _lc(url: str, model: str, kind: str) -> dict[str, Any]:
    llm = ChatXiaohu(model=model, api_key=TEST_API_KEY, base_url=url)
    message: BaseMessage
    if kind == "create":
        message = llm.invoke("hi")
    else:
        chunks = list(llm.stream("hi"))
        total: AIMessageChunk = chunks[0]
        for chunk in chunks[1:]:
            total = total + chunk
        message = total
    return dict(message.response_metadata)


def _li(url: str, model: str, kind: str) -> dict[str, Any]:
    with XiaohuResponses(model=model, api_key=TEST_API_KEY, base_url=url) as llm:
        messages = [ChatMessage(role="user", content="hi")]
        answer = llm.chat(messages) if kind == "create" else list(llm.stream_chat(messages))[-1]
    assert isinstance(answer.raw, dict)
    return dict(answer.raw)


PATHS: dict[str, tuple[Callable[[str, str, str], dict[str, Any]], str]] = {
    "core-create": (_core, "create"),
    "core-create-budget": (_core, "budget"),
    "core-stream": (_core, "stream"),
    "core-async-create": (_core_async, "create"),
    "core-async-stream": (_core_async, "stream"),
    "langchain-invoke": (_lc, "create"),
    "langchain-stream": (_lc, "stream"),
    "llamaindex-chat": (_li, "create"),
    "llamaindex-stream": (_li, "stream"),
}


@pytest.mark.parametrize(("model", "api"), CASES)
@pytest.mark.parametrize("path", list(PATHS))
def test_every_answer_says_its_wire_and_why(
    emulator_url: str, path: str, model: str, api: str
) -> None:
    run, kind = PATHS[path]
    wire = run(emulator_url, model, kind).get("xiaohu_wire")
    assert isinstance(wire, dict)
    assert wire["api"] == api
    assert wire["reason"]


def test_a_background_stream_says_its_wire(emulator_url: str) -> None:
    with XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        stream = client.stream_response(model="gpt-5-mini", input="hi", background=True)
        with stream:
            response = stream.get_final_response()
    assert (response.model_extra or {})["xiaohu_wire"]["api"] == "responses"
