"""Empty or meaningless input is refused before any request, on every path that takes it.

Found by hunting for input accepted silently: an empty string `input` went to the relay (which
answers 500 "input is required"), `XiaohuResponses.complete("")` too, `chat([])` raised a
plain `ValueError` about system prompts, a NaN timeout was kept by the client and failed deep in
the socket layer, and `wait_response` took a NaN interval. Each case asserts the error class,
the words that say what to fix, and that nothing was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from llama_index.core.base.llms.types import ChatMessage

import xiaohu
from llama_index_xiaohu import XiaohuResponses
from xiaohu import ConfigurationError

SENT: list[httpx.Request] = []
URL = "http://relay.test/v1"
KEY = "sk-empty-0123456789abcdef0123"


def _record(request: httpx.Request) -> httpx.Response:
    SENT.append(request)
    return httpx.Response(500, json={"error": {"message": "must not be reached"}})


def _client(**kwargs: object) -> xiaohu.XiaohuClient:
    http = httpx.Client(transport=httpx.MockTransport(_record))
    return xiaohu.XiaohuClient(api_key=KEY, base_url=URL, http_client=http, **kwargs)  # type: ignore[arg-type]


def _aclient() -> xiaohu.AsyncXiaohuClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(_record))
    return xiaohu.AsyncXiaohuClient(api_key=KEY, base_url=URL, http_client=http)


def _li() -> XiaohuResponses:
    http = httpx.Client(transport=httpx.MockTransport(_record))
    return XiaohuResponses(model="gpt-5-mini", api_key=KEY, api_base=URL, http_client=http)


CASES: dict[str, tuple[Callable[[], object], str]] = {
    "create-empty": (lambda: _client().create_response(model="gpt-5", input=""), "input is empty"),
    "create-blank": (
        lambda: _client().create_response(model="gpt-5", input=" \n "),
        "input is empty",
    ),
    "stream-empty": (lambda: _client().stream_response(model="gpt-5", input=""), "input is empty"),
    "async-create-empty": (
        lambda: asyncio.run(_aclient().create_response(model="gpt-5", input="")),
        "input is empty",
    ),
    "background-empty": (
        lambda: _client().run_background(model="gpt-5", input=""),
        "input is empty",
    ),
    "chat-wire-empty": (
        lambda: _client().create_response(model="gpt-5", input="", api="chat"),
        "input is empty",
    ),
    "li-complete-empty": (lambda: _li().complete(""), "input is empty"),
    "li-chat-no-messages": (lambda: _li().chat([]), "no messages were given"),
    "li-stream-no-messages": (lambda: list(_li().stream_chat([])), "no messages were given"),
    "li-only-system": (
        lambda: _li().chat([ChatMessage(role="system", content="Be brief.")]),
        "nothing but system prompts",
    ),
    "client-timeout-nan": (lambda: _client(timeout=float("nan")), "timeout must be a positive"),
    "call-timeout-nan": (
        lambda: _client().create_response(model="gpt-5", input="hi", timeout=float("nan")),
        "timeout must be a positive",
    ),
    "wait-interval-nan": (
        lambda: _client().wait_response("resp_1", interval=float("nan")),
        "need 0 < interval",
    ),
    "wait-max-interval-inf": (
        lambda: _client().wait_response("resp_1", max_interval=float("inf")),
        "need 0 < interval",
    ),
    "wait-deadline-nan": (
        lambda: _client().wait_response("resp_1", deadline=float("nan")),
        "deadline",
    ),
    "async-wait-interval-zero": (
        lambda: asyncio.run(_aclient().wait_response("resp_1", interval=0)),
        "need 0 < interval",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_refused_before_sending(case: str) -> None:
    call, words = CASES[case]
    SENT.clear()
    with pytest.raises(ConfigurationError, match=words):
        call()
    assert SENT == []


def test_wait_response_deadline_inf_means_never_as_none_does() -> None:
    from xiaohu._client import _wait_schedule

    schedule, limit = _wait_schedule(2.0, 30.0, float("inf"))
    assert limit is None
    assert schedule.timeout is None
