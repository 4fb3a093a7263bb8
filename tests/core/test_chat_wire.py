"""The Chat Completions wire: translation, what it refuses, the wire choice, and the guard,
retries, typed errors and secret rules on it (sync and async, over `httpx.MockTransport`)."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.core.clock import record_sleeps
from xiaohu import (
    AsyncXiaohuClient,
    BudgetExceededError,
    DeadlineExceededError,
    IncompleteStreamError,
    InsufficientQuotaError,
    InternalServerError,
    ReasoningDelta,
    ResponseFailedError,
    TextDelta,
    ToolCallDelta,
    WireUnsupportedError,
    XiaohuClient,
)
from xiaohu._chat_wire import (
    STRUCTURED_TOOL,
    ChatChunkTranslator,
    WireChoice,
    chat_payload,
    chat_response,
)
from xiaohu._fold import ResponseState

KEY = "sk-SECRET-chat-wire-0123456789abcdef"
Handler = Callable[[httpx.Request], httpx.Response]
both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def sse(chunks: list[dict[str, Any]], *, done: bool = True) -> bytes:
    frames = [f"data: {json.dumps(c)}\n\n" for c in chunks]
    return ("".join(frames) + ("data: [DONE]\n\n" if done else "")).encode()


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return {"id": "chatcmpl-1", "model": "claude-sonnet-4-5", "choices": [choice], **extra}


USAGE = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "model": "claude-sonnet-4-5",
    "choices": [{"index": 0, "message": {"content": "Hello"}, "finish_reason": "stop"}],
    "usage": USAGE,
}


def wire_of(response: Any) -> dict[str, str]:
    """The `xiaohu_wire` entry the chat wire puts on a Response."""
    extra: dict[str, Any] = response.model_extra or {}
    wire: dict[str, str] = extra["xiaohu_wire"]
    return wire


def run(sync: bool, handle: Handler, call: str, **params: Any) -> Any:
    """`call` on a client over `handle`; a stream is read to its final Response."""
    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test/v1"}
    settings["max_retries"] = params.pop("max_retries", 2)
    if sync:
        with (
            httpx.Client(transport=httpx.MockTransport(handle)) as http,
            XiaohuClient(http_client=http, **settings) as client,
        ):
            if call == "stream":
                with client.stream_response(**params) as stream:
                    deltas = list(stream.iter_deltas())
                    return stream.get_final_response(), deltas
            return client.create_response(**params), []

    async def main() -> Any:
        async with (
            httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http,
            AsyncXiaohuClient(http_client=http, **settings) as client,
        ):
            if call == "stream":
                stream = await client.stream_response(**params)
                async with stream:
                    deltas = [d async for d in stream.iter_deltas()]
                    return await stream.get_final_response(), deltas
            return await client.create_response(**params), []

    return asyncio.run(main())


# -- translation ----------------------------------------------------------------------------


def test_a_conversation_translates_to_chat_messages() -> None:
    image = {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "low"}
    pdf = {
        "type": "input_file",
        "file_data": "data:application/pdf;base64,JVBE",
        "filename": "a.pdf",
    }
    body = chat_payload(
        {
            "model": "claude-sonnet-4-5",
            "instructions": "Be brief.",
            "input": [
                {"role": "developer", "content": "Answer in English."},
                {"role": "user", "content": [{"type": "input_text", "text": "Look"}, image, pdf]},
                {"role": "assistant", "content": [{"type": "output_text", "text": "Checking."}]},
                {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "{}"},
                {"type": "function_call", "call_id": "c2", "name": "g", "arguments": '{"a":1}'},
                {"type": "function_call_output", "call_id": "c1", "output": "one"},
                {"type": "function_call_output", "call_id": "c2", "output": "two"},
            ],
        },
        stream=False,
    )
    assert body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "system", "content": "Answer in English."},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Look"},
                {"type": "image_url", "image_url": {"url": image["image_url"], "detail": "low"}},
                {"type": "file", "file": {"file_data": pdf["file_data"], "filename": "a.pdf"}},
            ],
        },
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"id": "c2", "type": "function", "function": {"name": "g", "arguments": '{"a":1}'}},
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "one"},
        {"role": "tool", "tool_call_id": "c2", "content": "two"},
    ]


_FN = {"type": "function", "name": "f", "parameters": {"type": "object"}}
_SCHEMA = {"type": "json_schema", "name": "Person", "schema": {"type": "object"}}


def test_claude_gets_structured_output_as_a_forced_tool_and_its_quirks_met() -> None:
    # new-api's Claude adaptor drops response_format: the schema goes as a forced tool.
    params = {
        "model": "claude-sonnet-4-5",
        "input": [
            {"role": "user", "content": "hi"},
            {"type": "function_call", "call_id": "c1", "name": "f", "arguments": ""},
            {"type": "function_call_output", "call_id": "c1", "output": "ok"},
        ],
        "text": {"format": _SCHEMA},
        "reasoning": {"effort": "none"},
    }
    body = chat_payload(params, stream=False)
    assert "response_format" not in body
    assert "reasoning_effort" not in body  # "none": no thinking, which is Claude's default
    assert body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": STRUCTURED_TOOL,
                "description": "Give the answer as Person.",
                "parameters": {"type": "object"},
            },
        }
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": STRUCTURED_TOOL}}
    # a call without arguments goes as {} (the relay drops a tool call that is not an object)
    assert body["messages"][1]["tool_calls"][0]["function"]["arguments"] == "{}"
    hinted = chat_payload({**params, "text": {"format": {"type": "json_object"}}}, stream=False)
    assert hinted["messages"][-1]["role"] == "system"
    assert "JSON object" in hinted["messages"][-1]["content"]
    assert "tools" not in hinted
    # other channels keep response_format
    assert "response_format" in chat_payload({**params, "model": "deepseek-chat"}, stream=False)
    # effort within the relay's budgets, with room above it, passes
    ok = chat_payload(
        {"model": "claude-sonnet-4-5", "input": "hi", "reasoning": {"effort": "high"},
         "max_output_tokens": 8000, "temperature": 1},
        stream=False,
    )  # fmt: skip
    assert ok["reasoning_effort"] == "high"


def test_the_forced_tool_comes_back_as_the_answer_text_whole_or_streamed() -> None:
    arguments = '{"name": "Ada", "born": 1815}'
    call = {"id": "t1", "type": "function", "function": {"name": STRUCTURED_TOOL,
                                                          "arguments": arguments}}  # fmt: skip
    whole = chat_response(
        {"id": "c", "model": "claude-sonnet-4-5", "choices": [
            {"message": {"content": None, "tool_calls": [call]}, "finish_reason": "tool_calls"}
        ]},
        WireChoice("chat", "test"),
    )  # fmt: skip
    assert whole.output_text == arguments
    assert whole.status == "completed"
    assert [type(item).__name__ for item in whole.output] == ["OutputMessage"]
    first = {"index": 0, "id": "t1", "type": "function",
             "function": {"name": STRUCTURED_TOOL, "arguments": ""}}  # fmt: skip
    pieces = [chunk({"tool_calls": [first]})] + [
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": arguments[i : i + 7]}}]})
        for i in range(0, len(arguments), 7)
    ]
    state, deltas = _fold([*pieces, chunk({}, "tool_calls", usage=USAGE)])
    final = state.final_response()
    assert final.output_text == arguments
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == arguments
    assert not [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert final.status == "completed"


def test_tools_format_limits_and_effort_translate() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    params = {
        "model": "deepseek-chat",
        "input": "hi",
        "tools": [{"type": "function", "name": "f", "parameters": schema, "strict": True}],
        "tool_choice": {"type": "function", "name": "f"},
        "parallel_tool_calls": False,
        "text": {"format": {"type": "json_schema", "name": "A", "schema": schema}},
        "max_output_tokens": 50,
        "reasoning": {"effort": "low"},
        "temperature": 0.5,
    }
    body = chat_payload(params, stream=True)
    assert body["tools"] == [
        {"type": "function", "function": {"name": "f", "parameters": schema, "strict": True}}
    ]
    assert body["tool_choice"] == {"type": "function", "function": {"name": "f"}}
    assert body["parallel_tool_calls"] is False
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "A", "schema": schema},
    }
    assert body["max_tokens"] == 50
    assert "max_completion_tokens" not in body
    assert body["reasoning_effort"] == "low"
    assert body["temperature"] == 0.5
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "input" not in body
    assert "text" not in body
    assert "reasoning" not in body
    gpt = chat_payload({**params, "model": "gpt-5-mini"}, stream=False)
    assert gpt["max_completion_tokens"] == 50
    assert "max_tokens" not in gpt
    assert "stream" not in gpt


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"tools": [{"type": "web_search"}]}, "'web_search' tool"),
        ({"include": ["reasoning.encrypted_content"]}, "encrypted reasoning"),
        ({"background": True}, "background"),
        ({"previous_response_id": "resp_1"}, "previous_response_id"),
        ({"truncation": "auto"}, "truncation"),
        ({"tool_choice": {"type": "web_search_preview"}}, "tool_choice"),
        (
            {"input": [{"type": "reasoning", "id": "rs_1", "encrypted_content": "gAAA"}]},
            "encrypted reasoning",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
            "file_id",
        ),
        # What new-api's Claude adaptor would drop or Anthropic refuse (README: the wires).
        ({"reasoning": {"effort": "minimal"}}, "only 'low', 'medium' and 'high'"),
        ({"top_logprobs": 2}, "logprobs (the relay's Claude adaptor drops it)"),
        ({"seed": 7}, "seed (the relay's Claude adaptor drops it)"),
        ({"reasoning": {"effort": "low"}, "temperature": 0.2}, "temperature other than 1"),
        ({"reasoning": {"effort": "low"}, "top_p": 0.5}, "top_p with thinking"),
        ({"reasoning": {"effort": "high"}, "max_output_tokens": 4096}, "thinking budget"),
        (
            {"tools": [_FN], "tool_choice": {"type": "allowed_tools", "tools": [_FN]}},
            "allowed_tools",
        ),
        ({"tools": [_FN], "text": {"format": _SCHEMA}}, "structured output with tools"),
        ({"reasoning": {"effort": "low"}, "text": {"format": _SCHEMA}}, "with thinking on"),
        (
            {"input": [{"role": "user", "content": [
                {"type": "input_file", "filename": "a.docx", "file_data": "data:;base64,AA"}
            ]}]},
            "not a PDF",
        ),
        (
            {"input": [
                {"type": "function_call", "call_id": "c1", "name": "f", "arguments": "[1]"},
                {"type": "function_call_output", "call_id": "c1", "output": "ok"},
            ]},
            "not a JSON object",
        ),
    ],
)  # fmt: skip
@both
def test_what_chat_cannot_carry_is_refused_before_any_request(
    sync: bool, extra: dict[str, Any], says: str
) -> None:
    calls: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, json=COMPLETION)

    params = {"model": "claude-sonnet-4-5", "input": "hi", "api": "chat", **extra}
    with pytest.raises(WireUnsupportedError) as caught:
        run(sync, handle, "create", **params)
    assert says in str(caught.value)
    assert caught.value.model == "claude-sonnet-4-5"
    assert caught.value.wire == "chat"
    assert "claude-sonnet-4-5" in str(caught.value)
    assert "chat" in str(caught.value)
    assert calls == []


# -- the stream translator --------------------------------------------------------------------


def _fold(chunks: list[dict[str, Any]], *, done: bool = True) -> tuple[ResponseState, list[Any]]:
    state = ResponseState()
    translator = ChatChunkTranslator(WireChoice("chat", "test"))
    deltas: list[Any] = []
    for c in chunks:
        for event in translator.chunk(c):
            deltas.extend(state.apply(event))
    if done:
        for event in translator.done():
            deltas.extend(state.apply(event))
    return state, deltas


def test_reasoning_text_and_tool_calls_fold_into_the_usual_deltas() -> None:
    state, deltas = _fold(
        [
            chunk({"role": "assistant", "content": ""}),
            chunk({"reasoning_content": "Think"}),
            chunk({"reasoning_content": "ing."}),
            chunk({"content": "Let me "}),
            chunk({"content": "check."}),
            chunk({"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "f"}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"x":'}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": "1}"}}]}),
            chunk({}, "tool_calls"),
            {"id": "chatcmpl-1", "choices": [], "usage": USAGE},
        ]
    )
    assert [d.text for d in deltas if isinstance(d, ReasoningDelta)] == ["Think", "ing."]
    assert [d.text for d in deltas if isinstance(d, TextDelta)] == ["Let me ", "check."]
    calls = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert (calls[0].call_id, calls[0].name) == ("call_a", "f")
    assert "".join(d.arguments for d in calls) == '{"x":1}'
    final = state.final_response()
    assert final.output_text == "Let me check."
    assert final.function_calls[0].arguments == '{"x":1}'
    assert final.usage is not None
    assert final.usage.total_tokens == 10
    assert final.status == "completed"
    assert [type(item).__name__ for item in final.output] == [
        "ReasoningItem",
        "OutputMessage",
        "FunctionCall",
    ]


def test_the_terminal_event_comes_once_finish_reason_and_usage_are_in() -> None:
    state, _ = _fold(
        [chunk({"content": "Hi"}), chunk({}, "length", usage=USAGE)], done=False
    )  # no [DONE] needed when both arrived
    final = state.final_response()
    assert final.status == "incomplete"
    assert final.incomplete_details is not None
    assert final.incomplete_details.reason == "max_output_tokens"


# -- over HTTP: the client ------------------------------------------------------------------


class Frames(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body delivered one SSE frame per read, as a network would."""

    def __init__(self, body: bytes) -> None:
        self.frames = [frame + b"\n\n" for frame in body.split(b"\n\n") if frame]

    def __iter__(self) -> Any:
        yield from self.frames

    async def __aiter__(self) -> Any:
        for frame in self.frames:
            yield frame


def _stream_answer(chunks: list[dict[str, Any]], *, done: bool = True) -> httpx.Response:
    return httpx.Response(
        200, stream=Frames(sse(chunks, done=done)), headers={"content-type": "text/event-stream"}
    )


@both
@pytest.mark.parametrize("call", ["create", "stream"])
def test_a_refusal_on_responses_moves_the_model_to_chat_once_and_is_remembered(
    sync: bool, call: str, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    caplog.set_level(logging.DEBUG, logger="xiaohu")
    paths: list[str] = []
    refusal = {
        "error": {
            "message": "not implemented (request id: 1)",
            "type": "new_api_error",
            "param": "",
            "code": "convert_request_failed",
        }
    }

    def handle(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path.endswith("/responses"):
            return httpx.Response(500, json=refusal)
        body = json.loads(request.content)
        assert body["messages"] == [{"role": "user", "content": "hi"}]
        if body.get("stream"):
            assert body["stream_options"] == {"include_usage": True}
            return _stream_answer([chunk({"content": "Hello"}), chunk({}, "stop", usage=USAGE)])
        return httpx.Response(200, json=COMPLETION)

    # An alias the relay maps to Claude: not read from the model list, refused, then chat.
    response, _ = run(sync, handle, call, model="sonnet-alias", input="hi")
    assert response.output_text == "Hello"
    assert wire_of(response)["api"] == "chat"
    assert "refused" in wire_of(response)["reason"]
    assert paths == ["/v1/responses", "/v1/chat/completions"]  # the 500 was not retried
    assert any("sonnet-alias -> chat" in r.getMessage() for r in caplog.records)


def test_the_learned_wire_holds_for_the_next_call(monkeypatch: pytest.MonkeyPatch) -> None:
    record_sleeps(monkeypatch)
    paths: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path.endswith("/responses"):
            return httpx.Response(500, json={"error": {"message": "not implemented", "code": ""}})
        return httpx.Response(200, json=COMPLETION)

    with (
        httpx.Client(transport=httpx.MockTransport(handle)) as http,
        XiaohuClient(api_key=KEY, base_url="http://relay.test/v1", http_client=http) as client,
    ):
        client.create_response(model="alias", input="hi")
        client.create_response(model="alias", input="hi")
    assert paths == ["/v1/responses", "/v1/chat/completions", "/v1/chat/completions"]


@both
def test_an_explicit_responses_wire_raises_the_refusal(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    paths: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return httpx.Response(
            500, json={"error": {"message": "not implemented", "code": "convert_request_failed"}}
        )

    with pytest.raises(InternalServerError, match="convert_request_failed"):
        run(sync, handle, "create", model="claude-sonnet-4-5", input="hi", api="responses")
    assert paths == ["/v1/responses"]


@both
def test_the_model_list_decides_for_other_vendors_names(sync: bool) -> None:
    paths: list[str] = []
    models = {
        "object": "list",
        "data": [{"id": "qwen-plus", "supported_endpoint_types": ["openai"]}],
    }

    def handle(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        if request.url.path.endswith("/models"):
            return httpx.Response(200, json=models)
        return httpx.Response(200, json=COMPLETION)

    response, _ = run(sync, handle, "create", model="qwen-plus", input="hi")
    assert paths == ["/v1/models", "/v1/chat/completions"]
    assert "openai-response" in wire_of(response)["reason"]


@both
def test_a_chat_stream_is_retried_before_it_starts_and_typed_after(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, json={"error": {"message": "busy", "code": ""}})
        return _stream_answer([chunk({"content": "Hel"}), chunk({"content": "lo"})], done=False)

    with pytest.raises(IncompleteStreamError) as caught:
        run(sync, handle, "stream", model="deepseek-chat", input="hi", api="chat")
    assert calls == 2
    assert caught.value.partial_text == "Hello"


@both
def test_quota_errors_are_typed_and_not_retried_on_chat(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        body = {"error": {"message": "用户额度不足, 剩余额度: ＄0.000000", "code": ""}}
        return httpx.Response(403, json=body)

    with pytest.raises(InsufficientQuotaError) as caught:
        run(sync, handle, "create", model="deepseek-chat", input="hi", api="chat")
    assert calls == 1
    assert KEY not in repr(caught.value.__dict__)
    assert KEY[3:] not in str(caught.value)
    request = caught.value.request
    assert request is not None
    assert KEY not in str(request.headers)


@both
def test_a_budget_stops_a_chat_stream(sync: bool) -> None:
    words = [chunk({"content": "word " * 20}) for _ in range(200)]

    def handle(request: httpx.Request) -> httpx.Response:
        return _stream_answer([*words, chunk({}, "stop", usage=USAGE)])

    with pytest.raises(BudgetExceededError):
        run(sync, handle, "stream", model="claude-sonnet-4-5", input="hi", api="chat",
            max_cost_usd=0.001)  # fmt: skip


@both
def test_a_chat_call_is_charged_to_the_client(sync: bool) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=COMPLETION)

    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test/v1"}
    if sync:
        with (
            httpx.Client(transport=httpx.MockTransport(handle)) as http,
            XiaohuClient(http_client=http, api="chat", **settings) as client,
        ):
            response = client.create_response(model="claude-sonnet-4-5", input="hi")
            spent = client.spent_usd
    else:

        async def main() -> tuple[Any, float]:
            async with (
                httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http,
                AsyncXiaohuClient(http_client=http, api="chat", **settings) as client,
            ):
                answer = await client.create_response(model="claude-sonnet-4-5", input="hi")
                return answer, client.spent_usd

        response, spent = asyncio.run(main())
    # claude-sonnet-4-5 list price: $3 / $15 per million tokens
    assert spent == pytest.approx((7 * 3.0 + 3 * 15.0) / 1e6)
    assert wire_of(response) == {"api": "chat", "reason": "set by api='chat'"}


def test_a_bad_api_setting_is_refused() -> None:
    from xiaohu import ConfigurationError

    with pytest.raises(ConfigurationError, match="api must be"):
        XiaohuClient(api_key=KEY, base_url="http://relay.test/v1", api="grpc")


# -- how a chat stream ends -------------------------------------------------------------------


@both
def test_done_without_a_finish_reason_is_a_cut_answer_not_a_whole_one(sync: bool) -> None:
    # new-api sends its usage chunk and [DONE] even after an upstream that broke off.
    cut = [chunk({"content": "Hel"}), chunk({"content": "lo"}), {**chunk({}), "choices": []}]
    cut[-1]["usage"] = USAGE

    def handle(request: httpx.Request) -> httpx.Response:
        return _stream_answer(cut)

    with pytest.raises(IncompleteStreamError, match=r"\[DONE\].*no finish_reason") as caught:
        run(sync, handle, "stream", model="claude-sonnet-4-5", input="hi", api="chat")
    assert caught.value.partial_text == "Hello"
    assert "after chunk 3" in str(caught.value)


@both
def test_a_finish_reason_without_usage_or_done_is_whole_and_charged_an_estimate(
    sync: bool,
) -> None:
    answer = [chunk({"content": "Hello " * 50}), chunk({}, "stop")]

    def handle(request: httpx.Request) -> httpx.Response:
        return _stream_answer(answer, done=False)

    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test/v1", "api": "chat"}
    params: dict[str, Any] = {"model": "claude-sonnet-4-5", "input": "hi"}
    if sync:
        with (
            httpx.Client(transport=httpx.MockTransport(handle)) as http,
            XiaohuClient(http_client=http, **settings) as client,
            client.stream_response(**params) as stream,
        ):
            response = stream.get_final_response()
            spent = client.spent_usd
    else:

        async def main() -> tuple[Any, float]:
            async with (
                httpx.AsyncClient(transport=httpx.MockTransport(handle)) as http,
                AsyncXiaohuClient(http_client=http, **settings) as client,
            ):
                stream = await client.stream_response(**params)
                async with stream:
                    return await stream.get_final_response(), client.spent_usd

        response, spent = asyncio.run(main())
    assert response.status == "completed"
    assert response.output_text == "Hello " * 50
    assert response.usage is None
    # No usage came: the bill is the running estimate (50 words of output at $15/M), not $0.
    assert spent > 50 * 15.0 / 1e6


@both
@pytest.mark.parametrize(
    ("error", "kind"),
    [
        ({"code": "rate_limit_exceeded", "type": "tokens", "message": "slow down"},
         ResponseFailedError),
        ({"code": "insufficient_quota", "type": "insufficient_quota", "message": "no money"},
         InsufficientQuotaError),
    ],
    ids=["failed", "quota"],
)  # fmt: skip
def test_an_error_chunk_mid_stream_is_a_failed_run(
    sync: bool, error: dict[str, str], kind: type[Exception]
) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return _stream_answer([chunk({"content": "Hel"}), {"error": error}])

    with pytest.raises(kind, match=error["message"]):
        run(sync, handle, "stream", model="deepseek-chat", input="hi", api="chat")


class Pings(Frames):
    """Some frames, then keep-alive comments for ever (well, 3 s), one every 20 ms."""

    def __iter__(self) -> Any:
        yield from self.frames
        for _ in range(150):
            time.sleep(0.02)
            yield b": ping\n\n"

    async def __aiter__(self) -> Any:
        for frame in self.frames:
            yield frame
        for _ in range(150):
            await asyncio.sleep(0.02)
            yield b": ping\n\n"


@both
@pytest.mark.parametrize(
    ("api", "sent", "where"),
    [
        ("responses", 0, "before any event"),
        ("chat", 0, "before any chunk"),
        ("responses", 1, "after sequence number 0"),
        ("chat", 1, "after chunk 1"),
    ],
)
def test_a_deadline_message_says_how_far_the_stream_got_on_its_wire(
    sync: bool, api: str, sent: int, where: str
) -> None:
    created = {"type": "response.created", "sequence_number": 0,
               "response": {"id": "resp_1", "status": "in_progress", "model": "gpt-5-mini"}}  # fmt: skip
    first = chunk({"content": "Hel"}) if api == "chat" else created
    body = sse([first][:sent], done=False)

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, stream=Pings(body), headers=headers)

    with pytest.raises(DeadlineExceededError) as caught:
        run(sync, handle, "stream", model="deepseek-chat", input="hi", api=api, deadline=0.1)
    message = str(caught.value)
    assert where in message
    assert ("sequence number" in message) == (api == "responses" and sent > 0)
