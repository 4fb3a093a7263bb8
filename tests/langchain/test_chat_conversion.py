"""ChatXiaohu's pure conversions and its MockTransport-level stream handling (no sockets)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel

from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu._messages import convert_tool_choice, convert_tools, messages_to_input

KEY = "sk-test-0123456789abcdef0123456789abcdef"
URL = "http://relay.test/v1"


def sse(*events: dict[str, Any]) -> bytes:
    return b"".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n".encode() for e in events)


def done_only_stream() -> bytes:
    """A relay that drops every delta: content arrives only in output_item.done."""
    message = {
        "type": "message",
        "id": "msg_1",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": "你好，世界", "annotations": []}],
    }
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "lookup",
        "arguments": '{"q": "小胡"}',
        "status": "completed",
    }
    response = {"id": "resp_1", "status": "in_progress", "model": "gpt-5-mini-2025-08-07"}
    usage = {
        "input_tokens": 12,
        "output_tokens": 8,
        "total_tokens": 20,
        "input_tokens_details": {"cached_tokens": 4},
        "output_tokens_details": {"reasoning_tokens": 2},
    }
    final = {**response, "status": "completed", "output": [message, call], "usage": usage}
    return sse(
        {"type": "response.created", "sequence_number": 0, "response": response},
        {
            "type": "response.output_item.done",
            "sequence_number": 1,
            "output_index": 0,
            "item": message,
        },
        {
            "type": "response.output_item.done",
            "sequence_number": 2,
            "output_index": 1,
            "item": call,
        },
        {"type": "response.completed", "sequence_number": 3, "response": final},
    )


def completed_only_stream() -> bytes:
    """A relay that sends only the terminal event: the whole answer is in response.completed."""
    message = {
        "type": "message",
        "id": "msg_1",
        "content": [{"type": "output_text", "text": "only at the end"}],
    }
    final = {"id": "resp_2", "status": "completed", "model": "gpt-5", "output": [message]}
    return sse({"type": "response.completed", "sequence_number": 0, "response": final})


def transport(body: Callable[[], bytes], seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=body(), headers={"content-type": "text/event-stream"})

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("sync", [True, False])
async def test_stream_whose_content_arrives_only_in_output_item_done(sync: bool) -> None:
    seen: list[httpx.Request] = []
    mock = transport(done_only_stream, seen)
    llm = ChatXiaohu(
        model="gpt-5-mini",
        api_key=KEY,
        base_url=URL,
        http_client=httpx.Client(transport=mock),
        http_async_client=httpx.AsyncClient(transport=mock),
    )
    chunks: list[AIMessageChunk] = []
    chunks = list(llm.stream("hi")) if sync else [c async for c in llm.astream("hi")]
    full = chunks[0]
    for chunk in chunks[1:]:
        full = full + chunk
    assert full.text == "你好，世界"
    assert full.tool_calls == [
        {"name": "lookup", "args": {"q": "小胡"}, "id": "call_1", "type": "tool_call"}
    ]
    assert full.usage_metadata == {
        "input_tokens": 12,
        "output_tokens": 8,
        "total_tokens": 20,
        "input_token_details": {"cache_read": 4},
        "output_token_details": {"reasoning": 2},
    }
    assert chunks[-1].chunk_position == "last"
    assert full.response_metadata["model_name"] == "gpt-5-mini-2025-08-07"
    assert full.response_metadata["id"] == "resp_1"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    await llm.http_async_client.aclose()  # type: ignore[union-attr]
    llm.http_client.close()  # type: ignore[union-attr]


def test_stream_with_only_the_terminal_event_and_per_call_stream_usage() -> None:
    seen: list[httpx.Request] = []
    with httpx.Client(transport=transport(completed_only_stream, seen)) as http:
        llm = ChatXiaohu(model="gpt-5", api_key=KEY, base_url=URL, http_client=http)
        chunks = list(llm.stream("hi", stream_usage=False))
    assert "".join(c.text for c in chunks) == "only at the end"
    assert all(c.usage_metadata is None for c in chunks)
    assert "stream_usage" not in json.loads(seen[0].content)


def test_invoke_and_stream_give_the_same_message() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if json.loads(request.content).get("stream"):
            return httpx.Response(
                200, content=done_only_stream(), headers={"content-type": "text/event-stream"}
            )
        final = json.loads(done_only_stream().split(b"data: ")[-1])["response"]
        return httpx.Response(200, json=final)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        llm = ChatXiaohu(model="gpt-5-mini", api_key=KEY, base_url=URL, http_client=http)
        invoked = llm.invoke("hi")
        streamed = None
        for chunk in llm.stream("hi"):
            streamed = chunk if streamed is None else streamed + chunk
    assert streamed is not None
    assert invoked.text == streamed.text
    assert invoked.tool_calls == streamed.tool_calls
    assert invoked.usage_metadata == streamed.usage_metadata
    assert [b["type"] for b in invoked.content_blocks] == [
        b["type"] for b in streamed.content_blocks
    ]


def test_request_body_from_fields_and_per_call_overrides() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"id": "r", "status": "completed", "model": "m", "output": []}
        )

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        llm = ChatXiaohu(
            model="gpt-5",
            api_key=KEY,
            base_url=URL,
            http_client=http,
            max_tokens=50,
            reasoning_effort="low",
            verbosity="low",
            store=False,
            truncation="auto",
            service_tier="flex",
            model_kwargs={"metadata": {"app": "t"}},
        )
        llm.invoke(
            [SystemMessage("Be brief."), HumanMessage("hi")], model="gpt-5-nano", max_tokens=7
        )
    body = json.loads(seen[0].content)
    assert body["model"] == "gpt-5-nano"
    assert body["max_output_tokens"] == 7
    assert body["reasoning"] == {"effort": "low"}
    assert body["text"] == {"verbosity": "low"}
    assert body["store"] is False
    assert body["truncation"] == "auto"
    assert body["service_tier"] == "flex"
    assert body["metadata"] == {"app": "t"}
    assert body["input"][0] == {"type": "message", "role": "system", "content": "Be brief."}
    assert "temperature" not in body


def test_bad_input_fails_before_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("nothing may be sent")

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        llm = ChatXiaohu(model="gpt-5", api_key=KEY, base_url=URL, http_client=http)
        with pytest.raises(TypeError, match="stop must be"):
            llm.invoke("hi", stop=[None])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="response_format"):
            llm.invoke("hi", response_format={"type": "yaml"})
        with pytest.raises(ValueError, match="temperature"):
            llm.invoke("hi", temperature=5)
        with pytest.raises(ValueError, match="names none of the bound tools"):
            llm.bind_tools([{"type": "web_search"}], tool_choice="nope")
        with pytest.raises(ValueError, match=r"messages\[0\]"):
            llm.invoke([HumanMessage([{"type": "hologram"}])])


def test_missing_base_url_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOHU_BASE_URL", raising=False)
    with pytest.raises(ValueError, match="XIAOHU_BASE_URL"):
        ChatXiaohu(model="gpt-5", api_key=KEY)


def test_key_never_in_repr_str_or_serialized() -> None:
    llm = ChatXiaohu(model="gpt-5", api_key=KEY, base_url=URL)
    assert KEY not in repr(llm)
    assert KEY not in str(llm)
    assert KEY not in llm.model_dump_json()
    assert KEY not in json.dumps(llm.to_json())
    assert KEY not in repr(llm._client)


def test_ls_params() -> None:
    llm = ChatXiaohu(model="gpt-5", api_key=KEY, base_url=URL, temperature=0.3, max_tokens=9)
    assert llm._get_ls_params(model="o3") == {
        "ls_provider": "xiaohu",
        "ls_model_name": "o3",
        "ls_model_type": "chat",
        "ls_temperature": 0.3,
        "ls_max_tokens": 9,
    }


class Weather(BaseModel):
    """Get the weather."""

    city: str


def test_tools_and_tool_choice() -> None:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    tools = convert_tools(
        [
            add,
            Weather,
            {
                "type": "web_search",
                "search_context_size": "high",
                "user_location": {"type": "approximate", "country": "CN"},
            },
            {"type": "mcp", "server_label": "x", "server_url": "https://m"},
        ],
        strict=True,
    )
    assert [t["type"] for t in tools] == ["function", "function", "web_search", "mcp"]
    assert tools[0]["name"] == "add"
    assert tools[0]["strict"] is True
    assert tools[0]["parameters"]["additionalProperties"] is False
    assert tools[2]["search_context_size"] == "high"
    assert convert_tool_choice(True, tools) == "required"
    assert convert_tool_choice("none", tools) == "none"
    assert convert_tool_choice("Weather", tools) == {"type": "function", "name": "Weather"}
    assert convert_tool_choice("web_search", tools) == {"type": "web_search"}
    assert convert_tool_choice({"type": "function", "function": {"name": "add"}}, tools) == {
        "type": "function",
        "name": "add",
    }


def test_messages_to_input_replays_assistant_items_in_order() -> None:
    ai = AIMessage(
        content=[
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": "t", "index": 0}],
                "encrypted_content": "enc",
                "index": 0,
            },
            {
                "type": "web_search_call",
                "id": "ws_1",
                "status": "completed",
                "action": {"type": "search", "query": "q"},
                "index": 1,
            },
            {"type": "reasoning", "id": "rs_2", "summary": [], "index": 2},
            {
                "type": "text",
                "text": "answer",
                "annotations": [
                    {
                        "type": "url_citation",
                        "url": "u",
                        "title": "t",
                        "start_index": 0,
                        "end_index": 2,
                    }
                ],
                "id": "msg_1",
                "index": 3,
            },
            {
                "type": "function_call",
                "call_id": "c1",
                "name": "f",
                "arguments": "{}",
                "id": "fc_1",
                "index": 4,
            },
        ],
        tool_calls=[{"name": "f", "args": {}, "id": "c1", "type": "tool_call"}],
    )
    stored = messages_to_input([ai], store=None)
    assert [i["type"] for i in stored] == [
        "reasoning",
        "web_search_call",
        "reasoning",
        "message",
        "function_call",
    ]
    assert stored[3]["id"] == "msg_1"
    assert stored[3]["content"][0]["annotations"][0]["url"] == "u"
    stateless = messages_to_input([ai], store=False)
    # rs_2 has no encrypted content: nothing the server could resolve, so it is not sent.
    assert [i["type"] for i in stateless] == [
        "reasoning",
        "web_search_call",
        "message",
        "function_call",
    ]
    assert "id" not in stateless[2]
    assert "id" not in stateless[3]


def test_v1_content_blocks_replay_as_items() -> None:
    ai = AIMessage(
        content=[
            {
                "type": "reasoning",
                "reasoning": "a",
                "id": "rs_1",
                "extras": {"encrypted_content": "enc"},
            },
            {"type": "reasoning", "reasoning": "b", "id": "rs_1"},
            {"type": "tool_call", "name": "f", "args": {"x": "你好"}, "id": "c1"},
        ],
        tool_calls=[{"name": "f", "args": {"x": "你好"}, "id": "c1", "type": "tool_call"}],
    )
    items = messages_to_input([ai], store=False)
    assert items[0] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "a"}, {"type": "summary_text", "text": "b"}],
        "encrypted_content": "enc",
    }
    assert items[1] == {
        "type": "function_call",
        "call_id": "c1",
        "name": "f",
        "arguments": '{"x": "你好"}',
    }


def test_tool_messages_keep_lists_and_error_status() -> None:
    items = messages_to_input(
        [
            ToolMessage("boom", tool_call_id="c1", status="error"),
            ToolMessage(
                [
                    {"type": "text", "text": "see"},
                    {"type": "image", "base64": "AAAA", "mime_type": "image/png"},
                ],
                tool_call_id="c2",
            ),
        ],
        store=None,
    )
    assert items[0] == {
        "type": "function_call_output",
        "call_id": "c1",
        "output": "[tool error] boom",
    }
    assert items[1]["output"] == [
        {"type": "input_text", "text": "see"},
        {"type": "input_image", "detail": "auto", "image_url": "data:image/png;base64,AAAA"},
    ]


def test_core_errors_convert_to_static_classes() -> None:
    from langchain_core.exceptions import ModelAPIError, ModelRateLimitError

    import xiaohu
    from langchain_xiaohu._errors import (
        XiaohuBackgroundUnsupportedError,
        XiaohuRateLimitError,
        to_langchain_error,
    )

    rate = to_langchain_error(
        xiaohu.RateLimitError("slow", response=httpx.Response(429), code="rl")
    )
    assert type(rate) is XiaohuRateLimitError
    assert isinstance(rate, ModelRateLimitError)
    assert rate.code == "rl"
    assert rate.status_code == 429
    background = to_langchain_error(xiaohu.BackgroundUnsupportedError("no background here"))
    assert type(background) is XiaohuBackgroundUnsupportedError
    assert isinstance(background, xiaohu.BackgroundUnsupportedError)
    assert isinstance(background, ModelAPIError)
    assert str(background) == "no background here"
    plain = ValueError("x")
    assert to_langchain_error(plain) is plain


def test_converted_errors_pickle_and_are_caught_by_name() -> None:
    import pickle

    import xiaohu
    from langchain_xiaohu._errors import XiaohuRateLimitError, XiaohuStreamError, to_langchain_error

    request = httpx.Request("POST", "http://relay/v1/responses")
    rate = to_langchain_error(
        xiaohu.RateLimitError(
            "slow", response=httpx.Response(429, request=request), code="rl", request_id="r1"
        )
    )
    again = pickle.loads(pickle.dumps(rate))  # noqa: S301 - our own bytes, just made
    assert type(again) is XiaohuRateLimitError
    assert (str(again), again.code, again.status_code, again.request_id) == (
        str(rate), "rl", 429, "r1",
    )  # fmt: skip
    with pytest.raises(XiaohuStreamError, match="gave up"):
        raise to_langchain_error(xiaohu.StreamError("gave up after 5 resumes"))


def test_every_core_relay_error_has_a_static_langchain_class() -> None:
    import xiaohu
    from langchain_xiaohu import _errors

    relay_errors = {
        value
        for name in xiaohu.__all__
        if isinstance(value := getattr(xiaohu, name), type) and issubclass(value, xiaohu.APIError)
    }
    assert relay_errors == set(_errors._BY_CORE)
    for core, target in _errors._BY_CORE.items():
        assert issubclass(target, core)
        assert target.__module__ == "langchain_xiaohu._errors"
        assert getattr(_errors, target.__name__) is target


def test_edited_tool_call_arguments_win_over_the_recorded_block() -> None:
    ai = AIMessage(
        content=[
            {
                "type": "function_call",
                "call_id": "c1",
                "name": "f",
                "arguments": '{"x": 1}',
                "id": "fc_1",
            }
        ],
        tool_calls=[{"name": "f", "args": {"x": 2}, "id": "c1", "type": "tool_call"}],
    )
    [item] = messages_to_input([ai], store=None)
    assert item == {
        "type": "function_call",
        "call_id": "c1",
        "name": "f",
        "arguments": '{"x": 2}',
        "id": "fc_1",
    }


def test_a_passed_deadline_is_a_langchain_timeout_that_keeps_its_details() -> None:
    import pickle

    from langchain_core.exceptions import ModelTimeoutError

    import xiaohu
    from langchain_xiaohu._errors import XiaohuDeadlineExceededError, to_langchain_error

    core = xiaohu.DeadlineExceededError(
        "deadline passed", deadline_s=5.0, response_id="resp_1", partial_text="Hel"
    )
    converted = to_langchain_error(core)
    assert isinstance(converted, XiaohuDeadlineExceededError)
    assert isinstance(converted, ModelTimeoutError)
    assert isinstance(converted, xiaohu.APITimeoutError)
    again = pickle.loads(pickle.dumps(converted))  # noqa: S301 - our own bytes
    assert (again.deadline_s, again.response_id, again.partial_text) == (5.0, "resp_1", "Hel")
