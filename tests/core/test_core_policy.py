"""Policy decided in the core, seen through both adapters: background or plain, stateless include.

`stream_response(background=True)` is the resumable background stream itself and
`run_response` runs a background call to its end, so neither adapter picks a path; the
`reasoning.encrypted_content` rule for `store=False` is the payload builder's, so both get it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from tests.core import wire
from xiaohu import (
    AsyncBackgroundStream,
    AsyncXiaohuClient,
    BackgroundStream,
    GuardedResponseStream,
    XiaohuClient,
)

KEY = "sk-policy-test-0123456789"
URL = "http://relay/v1"
HI: dict[str, Any] = {"model": "gpt-5", "input": "hi"}
ENCRYPTED = "reasoning.encrypted_content"


class Relay:
    """Answers a streamed create with SSE and a plain one with JSON; keeps the bodies."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        if body.get("stream"):
            events = wire.plain_text(["o", "k"])
            for event in events:  # a relay that honours background says so on each snapshot
                if "response" in event:
                    event["response"]["background"] = body.get("background")
            sse = wire.encode(events)
            return httpx.Response(200, content=sse, headers={"content-type": "text/event-stream"})
        done = wire.response("completed", [wire.message_item("ok")], usage=wire.USAGE)
        return httpx.Response(200, json=done)

    def http(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def _background(body: dict[str, Any]) -> bool:
    return body.get("background") is True and body.get("store") is True and body["stream"]


def test_stream_response_with_background_is_the_resumable_stream() -> None:
    relay = Relay()
    with XiaohuClient(api_key=KEY, base_url=URL, http_client=relay.http()) as client:
        with client.stream_response(**HI, background=True) as stream:
            assert isinstance(stream, BackgroundStream)
            assert stream.get_final_response().output_text == "ok"
        with client.stream_response(**HI) as plain:
            assert isinstance(plain, GuardedResponseStream)
            plain.get_final_response()
        assert client.run_response(**HI, background=True).output_text == "ok"
    assert [_background(b) for b in relay.bodies] == [True, False, True]


async def test_async_stream_response_with_background_is_the_resumable_stream() -> None:
    relay = Relay()

    async def handler(request: httpx.Request) -> httpx.Response:
        return relay(request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = AsyncXiaohuClient(api_key=KEY, base_url=URL, http_client=http)
        stream = await client.stream_response(**HI, background=True)
        assert isinstance(stream, AsyncBackgroundStream)
        async with stream:
            assert (await stream.get_final_response()).output_text == "ok"
        assert (await client.run_response(**HI)).output_text == "ok"
    assert [_background(b) for b in relay.bodies] == [True, False]
    assert "stream" not in relay.bodies[1]  # a plain create stays plain


@pytest.mark.parametrize("streamed", [False, True])
def test_langchain_background_runs_through_the_core(streamed: bool) -> None:
    relay = Relay()
    llm = ChatXiaohu(
        model="gpt-5", api_key=KEY, base_url=URL, http_client=relay.http(), background=True
    )
    text = "".join(chunk.text for chunk in llm.stream("hi")) if streamed else llm.invoke("hi").text
    assert text == "ok"
    assert [_background(b) for b in relay.bodies] == [True]


@pytest.mark.parametrize("streamed", [False, True])
def test_llama_index_background_runs_through_the_core(streamed: bool) -> None:
    relay = Relay()
    messages = [ChatMessage(role="user", content="hi")]
    with XiaohuResponses(
        model="gpt-5", api_key=KEY, api_base=URL, http_client=relay.http(), background=True
    ) as llm:
        if streamed:
            *_, last = llm.stream_chat(messages)
        else:
            last = llm.chat(messages)
    assert last.message.content == "ok"
    assert [_background(b) for b in relay.bodies] == [True]


def test_both_adapters_ask_for_encrypted_reasoning_when_nothing_is_stored() -> None:
    relay = Relay()
    ChatXiaohu(
        model="gpt-5",
        api_key=KEY,
        base_url=URL,
        http_client=relay.http(),
        store=False,
        reasoning={"effort": "low"},
    ).invoke([HumanMessage("hi")])
    with XiaohuResponses(
        model="gpt-5",
        api_key=KEY,
        api_base=URL,
        http_client=relay.http(),
        store=False,
        reasoning_options={"effort": "low"},
    ) as llm:
        llm.chat([ChatMessage(role="user", content="hi")])
    assert [b.get("include") for b in relay.bodies] == [[ENCRYPTED], [ENCRYPTED]]
