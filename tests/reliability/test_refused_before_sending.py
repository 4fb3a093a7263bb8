"""Empty input, bad tool schemas and misspelt body fields fail before any request, on every path.

Each case runs the same bad call through every path it applies to (core sync/async,
plain/stream/background, both wires, ChatXiaohu, XiaohuResponses, a Ray row) against an
`httpx.MockTransport` that records requests: the error is a `ConfigurationError` (LangChain's
twin of it for ChatXiaohu) naming what to fix, and nothing was sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import HumanMessage

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses
from xiaohu import AsyncXiaohuClient, ConfigurationError, XiaohuClient
from xiaohu.emulator.errors import openai_error

URL = "http://relay.test/v1"
SENT: list[httpx.Request] = []


def _record(request: httpx.Request) -> httpx.Response:
    SENT.append(request)
    return httpx.Response(500, json={"error": {"message": "must not be reached"}})


def _sync(**kw: Any) -> XiaohuClient:
    return XiaohuClient(
        api_key="sk-x",
        base_url=URL,
        http_client=httpx.Client(transport=httpx.MockTransport(_record)),
    )


def _async() -> AsyncXiaohuClient:
    transport = httpx.MockTransport(_record)
    return AsyncXiaohuClient(
        api_key="sk-x", base_url=URL, http_client=httpx.AsyncClient(transport=transport)
    )


def _core_sync(kind: str, api: str) -> Callable[..., object]:
    def call(**body: Any) -> object:
        client = _sync()
        if kind == "create":
            return client.create_response(api=api, **body)
        if kind == "budget":
            return client.create_response(api=api, max_cost_usd=1.0, **body)
        if kind == "background":
            return client.run_background(**body)
        with client.stream_response(api=api, **body) as stream:
            return stream.get_final_response()

    return call


def _core_async(kind: str, api: str) -> Callable[..., object]:
    async def run(**body: Any) -> object:
        client = _async()
        if kind == "create":
            return await client.create_response(api=api, **body)
        if kind == "background":
            return await client.run_background(**body)
        async with await client.stream_response(api=api, **body) as stream:
            return await stream.get_final_response()

    return lambda **body: asyncio.run(run(**body))


def _lc(kind: str) -> Callable[..., object]:
    def call(**body: Any) -> object:
        http = httpx.Client(transport=httpx.MockTransport(_record))
        llm = ChatXiaohu(
            model=body.pop("model"), api_key="sk-x", base_url=URL, http_client=http, max_retries=0
        )
        prompt = body.pop("input")
        messages = [HumanMessage(content=prompt)] if isinstance(prompt, str) else prompt
        if "tools" in body:
            llm = llm.bind_tools(body.pop("tools"))  # type: ignore[assignment]
        if kind == "stream":
            return list(llm.stream(messages, **body))
        return llm.invoke(messages, **body)

    return call


def _li(kind: str) -> Callable[..., object]:
    def call(**body: Any) -> object:
        http = httpx.Client(transport=httpx.MockTransport(_record))
        llm = XiaohuResponses(
            model=body.pop("model"), api_key="sk-x", base_url=URL, http_client=http, max_retries=0
        )
        prompt = body.pop("input")
        if kind == "stream":
            return list(llm.stream_complete(prompt, **body))
        return llm.complete(prompt, **body)

    return call


PATHS: dict[str, Callable[..., object]] = {
    "core-create-responses": _core_sync("create", "responses"),
    "core-create-chat": _core_sync("create", "chat"),
    "core-create-budget": _core_sync("budget", "responses"),
    "core-stream-responses": _core_sync("stream", "responses"),
    "core-stream-chat": _core_sync("stream", "chat"),
    "core-background": _core_sync("background", "responses"),
    "core-async-create": _core_async("create", "responses"),
    "core-async-stream-chat": _core_async("stream", "chat"),
    "core-async-background": _core_async("background", "responses"),
    "langchain-invoke": _lc("invoke"),
    "langchain-stream": _lc("stream"),
    "llamaindex-complete": _li("complete"),
    "llamaindex-stream": _li("stream"),
}
STRING_PATHS = list(PATHS)
EMPTY_INPUTS = ["", "   \n", [{"role": "user", "content": " "}]]


EMPTY_CASES = [
    pytest.param(path, empty, id=f"{path}-{name}")
    for path in STRING_PATHS
    for name, empty in zip(("empty", "whitespace", "blank-message"), EMPTY_INPUTS, strict=True)
    if isinstance(empty, str) or not path.startswith("llamaindex")  # complete() takes a str
]


@pytest.mark.parametrize(("path", "empty"), EMPTY_CASES)
def test_empty_input_is_refused_before_sending(path: str, empty: Any) -> None:
    if path.startswith("langchain") and not isinstance(empty, str):
        empty = [HumanMessage(content=" ")]
    SENT.clear()
    with pytest.raises(ConfigurationError, match=r"input (is empty|has no content)"):
        PATHS[path](model="gpt-5-mini", input=empty)
    assert SENT == []


def test_a_message_with_an_image_or_a_tool_output_is_content() -> None:
    from xiaohu._params import build_payload
    from xiaohu.adapters import strict_json_schema  # noqa: F401 (public surface imports)

    image = {"type": "input_image", "image_url": "https://x/y.png"}
    build_payload({"model": "m", "input": [{"role": "user", "content": [image]}]})
    output = {"type": "function_call_output", "call_id": "c", "output": ""}
    build_payload({"model": "m", "input": [output]})


BAD_TOOLS = [
    pytest.param(
        [{"type": "function", "name": "f", "parameters": {"type": "string"}}],
        "parameters must be a JSON schema of type 'object'",
        id="function-parameters-string",
    ),
    pytest.param(
        [{"type": "function", "name": "f", "parameters": {"type": "array"}}],
        "parameters must be a JSON schema of type 'object'",
        id="function-parameters-array",
    ),
    pytest.param(
        [{"type": "websearch"}],
        "'websearch' is not a tool type; did you mean 'web_search'",
        id="websearch",
    ),
]


@pytest.mark.parametrize(("tools", "words"), BAD_TOOLS)
@pytest.mark.parametrize("path", STRING_PATHS)
def test_bad_tools_are_refused_before_sending(path: str, tools: Any, words: str) -> None:
    SENT.clear()
    with pytest.raises(ConfigurationError, match=words):
        PATHS[path](model="gpt-5-mini", input="hi", tools=tools)
    assert SENT == []


BAD_FIELDS = [
    pytest.param(
        {"max_tokens": 5},
        "max_tokens is not a Responses API field; use max_output_tokens",
        id="max_tokens",
    ),
    pytest.param(
        {"max_token": 5},
        "'max_token' is not a field; did you mean max_output_tokens",
        id="max_token",
    ),
    pytest.param(
        {"temprature": 0.1},
        "'temprature' is not a field; did you mean temperature",
        id="temprature",
    ),
    pytest.param(
        {"max_cost": 1.0}, r"'max_cost' is neither .* did you mean 'max_cost_usd'", id="max_cost"
    ),
]
CORE_PATHS = [name for name in PATHS if name.startswith("core")]


@pytest.mark.parametrize(("fields", "words"), BAD_FIELDS)
@pytest.mark.parametrize("path", [*CORE_PATHS, "llamaindex-complete"])
def test_misspelt_fields_are_refused_before_sending(
    path: str, fields: dict[str, Any], words: str
) -> None:
    SENT.clear()
    with pytest.raises(ConfigurationError, match=words):
        PATHS[path](model="gpt-5-mini", input="hi", **fields)
    assert SENT == []


def test_a_field_far_from_every_known_name_is_sent() -> None:
    """A newer server feature must work without a release: only near misses are refused."""
    SENT.clear()
    with pytest.raises(Exception, match="must not be reached"):
        _sync().create_response(model="gpt-5-mini", input="hi", brand_new_feature=1, max_retries=0)
    assert len(SENT) == 1


@pytest.mark.parametrize("path", ["langchain-invoke", "langchain-stream"])
def test_langchain_max_tokens_is_still_mapped(path: str) -> None:
    SENT.clear()
    with pytest.raises(Exception, match="must not be reached"):
        PATHS[path](model="gpt-5-mini", input="hi", max_tokens=5)
    assert len(SENT) == 1
    import json

    assert json.loads(SENT[0].content)["max_output_tokens"] == 5


def test_the_relays_invalid_request_500_is_not_retried() -> None:
    """new-api answers its own body check ("input is required") with 500 invalid_request."""
    calls: list[httpx.Request] = []

    def relay(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        error = openai_error(500, "input is required", code="invalid_request")
        return httpx.Response(500, json=error.body)

    client = XiaohuClient(
        api_key="sk-x", base_url=URL, http_client=httpx.Client(transport=httpx.MockTransport(relay))
    )
    with pytest.raises(Exception, match="input is required"):
        client.request("POST", "/responses", json={"model": "gpt-5-mini"})
    assert len(calls) == 1


def test_a_ray_row_with_an_empty_prompt_is_its_own_error() -> None:
    pytest.importorskip("ray", reason="the ray extra")
    from xiaohu.ray import ResponsesBatch

    transport = httpx.MockTransport(_record)
    SENT.clear()
    batch = ResponsesBatch(
        model="gpt-5-mini",
        api_key="sk-x",
        base_url=URL,
        client_options={"http_client": httpx.AsyncClient(transport=transport), "max_retries": 0},
    )
    out = batch({"prompt": ["", "  "]})
    assert list(out["error_type"]) == ["ConfigurationError", "ConfigurationError"]
    assert all("input is empty" in message for message in out["error_message"])
    assert SENT == []
