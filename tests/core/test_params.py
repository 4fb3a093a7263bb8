"""Request parameters are checked before anything is sent; errors name the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xiaohu import ConfigurationError, XiaohuClient, build_payload
from xiaohu._config import resolve_base_url, resolve_timeout

BASE = {"model": "gpt-5", "input": "hi"}

BAD = [
    pytest.param({"temperature": 2.5}, "temperature", id="temperature-range"),
    pytest.param({"temperature": "0.5"}, "temperature", id="temperature-string"),
    pytest.param({"top_p": -0.1}, "top_p", id="top-p-range"),
    pytest.param({"max_output_tokens": 0}, "max_output_tokens", id="max-tokens-zero"),
    pytest.param({"max_output_tokens": True}, "max_output_tokens", id="max-tokens-bool"),
    pytest.param({"max_output_tokens": 10.0}, "max_output_tokens", id="max-tokens-float"),
    pytest.param({"top_logprobs": 21}, "top_logprobs", id="top-logprobs"),
    pytest.param({"parallel_tool_calls": "yes"}, "parallel_tool_calls", id="bool-string"),
    pytest.param({"stream": "true"}, "stream", id="stream-string"),
    pytest.param({"reasoning": {"effort": "ultra"}}, "reasoning.effort", id="effort"),
    pytest.param({"reasoning": {"summary": "long"}}, "reasoning.summary", id="summary"),
    pytest.param({"model": ""}, "model", id="empty-model"),
    pytest.param({"model": None}, "model", id="no-model"),
    pytest.param({"input": []}, "input must not be an empty list", id="empty-input"),
    pytest.param({"input": [{"content": "x"}]}, "input[0]", id="input-item-without-role"),
    pytest.param({"input": None}, "input", id="no-input"),
    pytest.param({"tools": [{"name": "f"}]}, "tools[0] has no 'type'", id="tool-without-type"),
    pytest.param({"tools": [{"type": "function"}]}, "tools[0]", id="function-without-name"),
    pytest.param(
        {"tools": [{"type": "function", "name": "f", "parameters": "{}"}]},
        "tools[0].parameters",
        id="parameters-not-object",
    ),
    pytest.param({"tools": ["f"]}, "tools[0]", id="tool-not-object"),
    pytest.param(
        {"text": {"format": {"type": "json_schema", "schema": {}}}},
        "json_schema needs a 'name'",
        id="json-schema-without-name",
    ),
    pytest.param({"metadata": {"a": 1}}, "metadata.a", id="metadata-value"),
    pytest.param({"truncation": "sometimes"}, "truncation", id="truncation"),
]


@pytest.mark.parametrize(("params", "names"), BAD)
def test_bad_params_raise_naming_the_field(params: dict[str, Any], names: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        build_payload({**BASE, **params})
    assert isinstance(info.value, ValueError)
    assert names in str(info.value)
    assert str(info.value).startswith("invalid request: ")


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as info:
        build_payload({**BASE, "temperature": 9, "top_p": 9})
    assert "temperature" in str(info.value)
    assert "top_p" in str(info.value)


def test_good_params_pass_unchanged_and_nulls_are_dropped() -> None:
    params = {
        **BASE,
        "temperature": 1,  # an int is a fine float, and is sent as given
        "reasoning": {"effort": "low", "summary": "auto"},
        "tools": [{"type": "web_search"}, {"type": "function", "name": "f", "parameters": {}}],
        "text": {"format": {"type": "json_schema", "name": "n", "schema": {"type": "object"}}},
        "previous_response_id": None,
        "brand_new_option": {"x": [1]},  # unknown fields pass through
    }
    body = build_payload(params)
    assert "previous_response_id" not in body
    assert body["brand_new_option"] == {"x": [1]}
    assert body["temperature"] == 1
    assert body["reasoning"] == {"effort": "low", "summary": "auto"}


def test_invalid_params_send_nothing() -> None:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    client = XiaohuClient(
        api_key="sk-params-0123456789",
        base_url="http://relay.test",
        http_client=httpx.Client(transport=httpx.MockTransport(handle)),
    )
    with pytest.raises(ConfigurationError, match="temperature"):
        client.create_response(model="gpt-5", input="hi", temperature=5)
    with pytest.raises(ConfigurationError, match="input"):
        client.stream_response(model="gpt-5", input=[])
    with pytest.raises(ConfigurationError, match="invalid response id"):
        client.retrieve_response("../admin")
    assert sent == []


def test_missing_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    monkeypatch.delenv("XIAOHU_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="XIAOHU_API_KEY"):
        XiaohuClient(base_url="http://relay.test")
    with pytest.raises(ConfigurationError, match="XIAOHU_BASE_URL"):
        XiaohuClient(api_key="sk-x")
    monkeypatch.setenv("XIAOHU_API_KEY", "sk-from-env-0123456789")
    monkeypatch.setenv("XIAOHU_BASE_URL", "https://relay.example")
    assert XiaohuClient().base_url == "https://relay.example/v1"


@pytest.mark.parametrize("url", ["relay.example", "ftp://relay.example", "http://"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        resolve_base_url(url)


@pytest.mark.parametrize("timeout", [0, -1, True, "10"])
def test_bad_timeout(timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        resolve_timeout(timeout)


def test_default_timeout_waits_long_but_connects_fast() -> None:
    timeout = resolve_timeout(None)
    assert timeout.read is not None
    assert timeout.connect is not None
    assert timeout.read >= 600
    assert timeout.connect <= 10


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        pytest.param({"new_option": float("inf")}, "not JSON", id="inf"),
        pytest.param({"new_option": {1, 2}}, "not JSON", id="set"),
        pytest.param({"input": [{"role": "user", "content": object()}]}, "not JSON", id="object"),
    ],
)
def test_body_that_is_not_json_is_a_configuration_error(extra: dict[str, Any], words: str) -> None:
    sent: list[httpx.Request] = []
    client = XiaohuClient(
        api_key="sk-params-0123456789",
        base_url="http://relay.test",
        http_client=httpx.Client(transport=httpx.MockTransport(sent.append)),  # type: ignore[arg-type]
    )
    with pytest.raises(ConfigurationError, match=words):
        client.create_response(**{**BASE, **extra})
    assert sent == []


def test_header_that_http_cannot_carry_is_a_configuration_error() -> None:
    client = XiaohuClient(api_key="sk-params-0123456789", base_url="http://relay.test")
    with pytest.raises(ConfigurationError, match="extra_headers") as info:
        client.create_response(model="gpt-5", input="hi", extra_headers={"X-Note": "你好"})
    assert info.value.__cause__ is None
    assert "你好" not in str(info.value)


@pytest.mark.parametrize(
    ("params", "include"),
    [
        ({"store": False, "reasoning": {"effort": "low"}}, ["reasoning.encrypted_content"]),
        (
            {"store": False, "reasoning": {"effort": "low"}, "include": ["x"]},
            ["x", "reasoning.encrypted_content"],
        ),
        (
            {"store": False, "reasoning": {}, "include": ["reasoning.encrypted_content"]},
            ["reasoning.encrypted_content"],
        ),
        ({"store": True, "reasoning": {"effort": "low"}}, None),
        ({"store": False}, None),
        ({"reasoning": {"effort": "low"}}, None),
    ],
)
def test_stateless_reasoning_asks_for_encrypted_content(
    params: dict[str, Any], include: list[str] | None
) -> None:
    body = build_payload({"model": "gpt-5", "input": "hi", **params})
    assert body.get("include") == include
