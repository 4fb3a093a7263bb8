"""The emulator's Chat Completions endpoint, its per-model endpoint types, and the relay's
refusal of the Responses API for Claude-family models."""

from __future__ import annotations

import json

import httpx

HEADERS = {"Authorization": "Bearer sk-test"}
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def test_models_list_their_endpoint_types(emulator_url: str) -> None:
    data = httpx.get(f"{emulator_url}/models", headers=HEADERS).json()["data"]
    types = {m["id"]: m["supported_endpoint_types"] for m in data}
    assert "openai-response" in types["gpt-5-mini"]
    assert types["claude-sonnet-4-5"] == ["anthropic", "openai"]
    assert types["deepseek-chat"] == ["openai"]
    assert types["qwen-plus"] == ["openai"]


def test_responses_for_claude_is_the_relays_convert_request_failed(emulator_url: str) -> None:
    answer = httpx.post(
        f"{emulator_url}/responses",
        headers=HEADERS,
        json={"model": "claude-sonnet-4-5", "input": "hi"},
    )
    assert answer.status_code == 500
    error = answer.json()["error"]
    assert error["code"] == "convert_request_failed"
    assert error["type"] == "new_api_error"
    assert error["message"].startswith("not implemented (request id: ")


def test_chat_completions_json_with_tools_and_usage(emulator_url: str) -> None:
    body = {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [WEATHER],
    }
    answer = httpx.post(f"{emulator_url}/chat/completions", headers=HEADERS, json=body).json()
    choice = answer["choices"][0]
    assert answer["object"] == "chat.completion"
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Paris"}
    usage = answer["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_chat_completions_sse_ends_with_usage_then_done(emulator_url: str) -> None:
    body = {
        "model": "deepseek-reasoner",
        "messages": [{"role": "user", "content": "What is 2+2?"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    with httpx.stream(
        "POST", f"{emulator_url}/chat/completions", headers=HEADERS, json=body
    ) as answer:
        assert answer.headers["content-type"].startswith("text/event-stream")
        lines = [line[6:] for line in answer.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    thought = "".join(
        c["choices"][0]["delta"].get("reasoning_content") or "" for c in chunks if c["choices"]
    )
    assert text == "2 + 2 = 4."
    assert thought  # a reasoner's channel passes reasoning_content
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"]["completion_tokens"] > 0
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
