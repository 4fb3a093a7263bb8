"""`deadline=` bounds every call path, streamed or not, in the core and both adapters.

A relay that sends keep-alive comments forever (the emulator's `keepalive_forever`) never trips a
read timeout; the deadline stops the call anyway. A plain (non-streamed) call given a deadline is
run as a stream folded into the same Response, as a budget does. Every path runs on both
wires (Responses, and Chat Completions with keep-alives between chunks).
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
from tests.wires import over_wires
from xiaohu import ConfigurationError, DeadlineExceededError, XiaohuClient

STALLED = "@keepalive_forever"
DEADLINE = 0.5
MESSAGES = [ChatMessage(role="user", content="hi")]
#: How each wire says where its stream stalled (after half of it, or before anything on a
#: busy machine).
WHERE = {
    "responses": ("after sequence number", "before any event"),
    "chat": ("after chunk", "before any chunk"),
}


def _chat_model(url: str, model: str, api: str) -> BaseChatModel:
    return ChatXiaohu(model=model + STALLED, base_url=url, api_key=TEST_API_KEY, api=api)


def _llm(url: str, model: str, api: str) -> XiaohuResponses:
    return XiaohuResponses(model=model + STALLED, api_base=url, api_key=TEST_API_KEY, api=api)


def _core(url: str, model: str, api: str) -> Any:
    with XiaohuClient(base_url=url, api_key=TEST_API_KEY, api=api) as client:
        return client.create_response(model=model + STALLED, input="hi", deadline=DEADLINE)


CALLS: dict[str, Callable[[str, str, str], Any]] = {
    "core create": _core,
    "langchain invoke": lambda url, m, a: _chat_model(url, m, a).invoke("hi", deadline=DEADLINE),
    "langchain stream": lambda url, m, a: list(
        _chat_model(url, m, a).stream("hi", deadline=DEADLINE)
    ),
    "llama_index chat": lambda url, m, a: _llm(url, m, a).chat(MESSAGES, deadline=DEADLINE),
    "llama_index stream_chat": lambda url, m, a: list(
        _llm(url, m, a).stream_chat(MESSAGES, deadline=DEADLINE)
    ),
}


@over_wires
@pytest.mark.parametrize("path", sorted(CALLS))
def test_a_deadline_stops_a_stalled_call_on_every_path(
    emulator_url: str, path: str, model: str, api: str
) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceededError) as caught:
        CALLS[path](emulator_url, model, api)
    elapsed = time.monotonic() - started
    assert DEADLINE <= elapsed < DEADLINE + 2.0, elapsed
    assert TEST_API_KEY not in str(caught.value)
    assert any(words in str(caught.value) for words in WHERE[api]), caught.value
    assert api == "responses" or "sequence number" not in str(caught.value)


def test_a_deadline_on_a_queued_background_create_is_refused_before_sending() -> None:
    client = XiaohuClient(api_key=TEST_API_KEY, base_url="http://127.0.0.1:9/v1")
    with client, pytest.raises(ConfigurationError, match="wait_response"):
        client.create_response(model="gpt-5", input="hi", background=True, deadline=5)
