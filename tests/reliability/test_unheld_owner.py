"""A client or model that nobody holds still finishes the stream it opened.

A client made for one call (`XiaohuClient(...).stream_response(...)`) or a framework model used
inline (`XiaohuResponses(...).stream_chat(...)`) is collected once the call returns; collecting
a client closes its pool. The stream holds the client that opened it, so the answer still comes
whole. Before this, the LlamaIndex stream broke at once with `IncompleteStreamError` (EBADF).
"""

from __future__ import annotations

import gc

import pytest
from langchain_core.messages import AIMessageChunk
from llama_index.core.llms import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from xiaohu import AsyncXiaohuClient, XiaohuClient

MODEL = "gpt-5-mini"
MESSAGES = [ChatMessage(role="user", content="hi")]


def test_a_core_client_nobody_holds_finishes_its_stream(emulator_url: str) -> None:
    stream = XiaohuClient(base_url=emulator_url, api_key=TEST_API_KEY).stream_response(
        model=MODEL, input="hi"
    )
    gc.collect()
    with stream:
        assert stream.get_final_response().output_text.startswith("Hello")


async def test_an_async_core_client_nobody_holds_finishes_its_stream(emulator_url: str) -> None:
    stream = await AsyncXiaohuClient(base_url=emulator_url, api_key=TEST_API_KEY).stream_response(
        model=MODEL, input="hi"
    )
    gc.collect()
    async with stream:
        assert (await stream.get_final_response()).output_text.startswith("Hello")


def test_an_inline_llama_index_model_finishes_its_stream(emulator_url: str) -> None:
    chunks = XiaohuResponses(model=MODEL, api_base=emulator_url, api_key=TEST_API_KEY).stream_chat(
        MESSAGES
    )
    gc.collect()
    text = "".join(chunk.delta or "" for chunk in chunks)
    assert text.startswith("Hello")


async def test_an_inline_async_llama_index_model_finishes_its_stream(emulator_url: str) -> None:
    llm = XiaohuResponses(model=MODEL, api_base=emulator_url, api_key=TEST_API_KEY)
    chunks = await llm.astream_chat(MESSAGES)
    del llm
    gc.collect()
    text = "".join([chunk.delta or "" async for chunk in chunks])
    assert text.startswith("Hello")


@pytest.mark.parametrize("collect", [False, True])
def test_an_inline_chat_model_finishes_its_stream(emulator_url: str, collect: bool) -> None:
    chunks = ChatXiaohu(model=MODEL, base_url=emulator_url, api_key=TEST_API_KEY).stream("hi")
    if collect:
        gc.collect()
    parts = list(chunks)
    assert all(isinstance(part, AIMessageChunk) for part in parts)
    assert "".join(part.text for part in parts).startswith("Hello")
