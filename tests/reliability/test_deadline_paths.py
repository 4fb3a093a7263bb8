"""`deadline=` bounds every call path, streamed or not, in the core and both adapters.

A relay that sends keep-alive comments forever (the emulator's `keepalive_forever`) never trips a
read timeout; the deadline stops the call anyway. A plain (non-streamed) call given a deadline is
run as a stream folded into the same Response, as a budget does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from llama_index.core.llms import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY
from xiaohu import ConfigurationError, DeadlineExceededError, XiaohuClient

STALLED = "gpt-5-mini@keepalive_forever"
DEADLINE = 0.5
MESSAGES = [ChatMessage(role="user", content="hi")]


def _chat_model(url: str) -> BaseChatModel:
    return ChatXiaohu(model=STALLED, base_url=url, api_key=TEST_API_KEY)


def _llm(url: str) -> XiaohuResponses:
    return XiaohuResponses(model=STALLED, api_base=url, api_key=TEST_API_KEY)


CALLS: dict[str, Callable[[str], Any]] = {
    "core create": lambda url: XiaohuClient(base_url=url, api_key=TEST_API_KEY).create_response(
        model=STALLED, input="hi", deadline=DEADLINE
    ),
    "langchain invoke": lambda url: _chat_model(url).invoke("hi", deadline=DEADLINE),
    "langchain stream": lambda url: list(_chat_model(url).stream("hi", deadline=DEADLINE)),
    "llama_index chat": lambda url: _llm(url).chat(MESSAGES, deadline=DEADLINE),
    "llama_index stream_chat": lambda url: list(_llm(url).stream_chat(MESSAGES, deadline=DEADLINE)),
}


@pytest.mark.parametrize("path", sorted(CALLS))
def test_a_deadline_stops_a_stalled_call_on_every_path(emulator_url: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as caught:
        CALLS[path](emulator_url)
    elapsed = time.monotonic() - started
    assert DEADLINE <= elapsed < DEADLINE + 2.0, elapsed
    assert TEST_API_KEY not in str(caught.value)


def test_a_deadline_on_a_queued_background_create_is_refused_before_sending() -> None:
    client = XiaohuClient(api_key=TEST_API_KEY, base_url="http://127.0.0.1:9/v1")
    with client, pytest.raises(ConfigurationError, match="wait_response"):
        client.create_response(model="gpt-5", input="hi", background=True, deadline=5)
