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


def _chat(url: str, **body: object) -> httpx.Response:
    body.setdefault("messages", [{"role": "user", "content": "What is 2+2?"}])
    return httpx.post(f"{url}/chat/completions", headers=HEADERS, json=body)


def test_claude_thinking_as_new_apis_claude_adaptor_does(emulator_url: str) -> None:
    suffixed = _chat(emulator_url, model="claude-sonnet-4-5-thinking").json()
    assert suffixed["model"] == "claude-sonnet-4-5"  # the suffix only turns thinking on
    assert suffixed["choices"][0]["message"]["reasoning_content"]
    effort = _chat(emulator_url, model="claude-sonnet-4-5", reasoning_effort="low").json()
    assert effort["choices"][0]["message"]["reasoning_content"]
    dropped = _chat(emulator_url, model="claude-sonnet-4-5", reasoning_effort="minimal").json()
    assert "reasoning_content" not in dropped["choices"][0]["message"]
    hot = _chat(emulator_url, model="claude-sonnet-4-5", reasoning_effort="low", temperature=0.3)
    assert hot.status_code == 400
    assert "temperature may only be set to 1" in hot.json()["error"]["message"]
    short = _chat(emulator_url, model="claude-sonnet-4-5", reasoning_effort="high", max_tokens=4096)
    assert short.status_code == 400
    assert "budget_tokens" in short.json()["error"]["message"]


def test_claude_drops_response_format_other_channels_keep_it(emulator_url: str) -> None:
    fmt = {"type": "json_object"}
    claude = _chat(emulator_url, model="claude-sonnet-4-5", response_format=fmt).json()
    deepseek = _chat(emulator_url, model="deepseek-chat", response_format=fmt).json()
    assert claude["choices"][0]["message"]["content"] == "2 + 2 = 4."
    assert json.loads(deepseek["choices"][0]["message"]["content"])


def _frames(url: str, fault: str) -> list[str]:
    body = {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "Tell me about the history of tea."}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    headers = {**HEADERS, "X-Emulator-Fault": fault}
    with httpx.stream("POST", f"{url}/chat/completions", headers=headers, json=body) as answer:
        return [line[6:] for line in answer.iter_lines() if line.startswith("data: ")]


def _finish(lines: list[str]) -> list[object]:
    chunks = [json.loads(line) for line in lines if line != "[DONE]"]
    return [c["choices"][0]["finish_reason"] for c in chunks if c.get("choices")]


def test_chat_faults_take_the_chat_wires_shape(emulator_url: str) -> None:
    cut = _frames(emulator_url, "drop_stream")
    assert cut[-1] == "[DONE]"  # new-api ends every chat stream with its usage and [DONE]
    assert json.loads(cut[-2])["usage"]["total_tokens"] > 0
    assert not any(_finish(cut))  # only the missing finish_reason shows the cut
    failed = _frames(emulator_url, "error_event")
    assert json.loads(failed[-2])["error"]["code"] == "rate_limit_exceeded"
    assert failed[-1] == "[DONE]"
    assert _frames(emulator_url, "no_done")[-1] != "[DONE]"
    unbilled = _frames(emulator_url, "no_usage")
    assert "stop" in _finish(unbilled)
    assert not any("usage" in json.loads(line) for line in unbilled if line != "[DONE]")
    broken = _frames(emulator_url, "malformed_sse")
    assert any(not line.endswith("}") for line in broken if line != "[DONE]")
