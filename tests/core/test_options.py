"""One options type, split from the body in one place: the core and both adapters use it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.core import wire
from xiaohu import (
    AsyncXiaohuClient,
    Budget,
    ConfigurationError,
    RequestOptions,
    XiaohuClient,
)
from xiaohu.adapters import split_options

KEY = "sk-options-test-0123456789"
COMPLETED = wire.response("completed", [wire.message_item("ok")], usage=wire.USAGE)


class Recorder:
    """A transport that answers every create with one completed response and keeps requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=COMPLETED)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


def test_split_options_separates_body_and_options_without_changing_the_input() -> None:
    budget = Budget(1.0)
    given = {"model": "gpt-5", "input": "hi", "timeout": 3, "budget": budget, "store": False}
    body, options = split_options(given)
    assert body == {"model": "gpt-5", "input": "hi", "store": False}
    assert options == RequestOptions(timeout=3, budget=budget)
    assert "timeout" in given  # the caller's mapping is left as it was


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"background": "yes"}, "background must be True or False"),
        ({"allow_expensive": 1}, "allow_expensive must be True or False"),
        ({"max_resumes": -1}, "max_resumes must be an int >= 0"),
        ({"on_progress": "print"}, "on_progress must be callable"),
        ({"extra_headers": ["X-A"]}, "extra_headers must be a dict"),
    ],
)
def test_bad_options_raise_before_any_request(bad: dict[str, Any], match: str) -> None:
    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    client = XiaohuClient(api_key=KEY, base_url="http://relay/v1", http_client=http)
    with pytest.raises(ConfigurationError, match=match):
        client.create_response(model="gpt-5", input="hi", **bad)
    assert recorder.requests == []


def test_options_configure_the_call_and_never_reach_the_body() -> None:
    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with XiaohuClient(api_key=KEY, base_url="http://relay/v1", http_client=http) as client:
        client.create_response(
            model="gpt-5", input="hi", extra_headers={"X-Call": "1"}, timeout=7, max_retries=0
        )
    (request,) = recorder.requests
    assert request.headers["X-Call"] == "1"
    assert request.extensions["timeout"]["read"] == 7
    assert recorder.bodies == [{"model": "gpt-5", "input": "hi"}]


def test_an_option_a_call_has_no_use_for_is_refused() -> None:
    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with XiaohuClient(api_key=KEY, base_url="http://relay/v1", http_client=http) as client:
        with pytest.raises(ConfigurationError, match="does not take on_progress"):
            client.create_response(model="gpt-5", input="hi", on_progress=print)
        with pytest.raises(ConfigurationError, match="create_embeddings does not take budget"):
            client.create_embeddings(input=["a"], model="text-embedding-3-small", budget=Budget())
        with pytest.raises(ConfigurationError, match="background run needs store=True"):
            client.stream_response(model="gpt-5", input="hi", background=True, store=False)
    assert recorder.requests == []


async def test_async_twin_splits_the_same_way() -> None:
    seen: list[httpx.Request] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=COMPLETED)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = AsyncXiaohuClient(api_key=KEY, base_url="http://relay/v1", http_client=http)
        await client.create_response(
            model="gpt-5", input="hi", extra_headers={"X-Call": "2"}, max_cost_usd=None
        )
        with pytest.raises(ConfigurationError, match="does not take max_resumes"):
            await client.create_response(model="gpt-5", input="hi", max_resumes=2)
    (request,) = seen
    assert request.headers["X-Call"] == "2"
    assert json.loads(request.content) == {"model": "gpt-5", "input": "hi"}


def test_langchain_passes_options_through_to_the_core() -> None:
    from langchain_xiaohu import ChatXiaohu

    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    llm = ChatXiaohu(model="gpt-5", api_key=KEY, base_url="http://relay/v1", http_client=http)
    llm.invoke("hi", extra_headers={"X-Call": "lc"}, timeout=9)
    (request,) = recorder.requests
    assert request.headers["X-Call"] == "lc"
    assert request.extensions["timeout"]["read"] == 9
    assert not {"extra_headers", "timeout", "max_cost_usd", "budget"} & recorder.bodies[0].keys()


def test_llama_index_passes_options_through_to_the_core() -> None:
    from llama_index.core.base.llms.types import ChatMessage

    from llama_index_xiaohu import XiaohuResponses

    recorder = Recorder()
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with XiaohuResponses(
        model="gpt-5", api_key=KEY, api_base="http://relay/v1", http_client=http
    ) as llm:
        llm.chat([ChatMessage(role="user", content="hi")], extra_headers={"X-Call": "li"})
    (request,) = recorder.requests
    assert request.headers["X-Call"] == "li"
    assert not {"extra_headers", "allow_expensive", "budget"} & recorder.bodies[0].keys()
