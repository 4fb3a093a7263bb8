"""Image generation, raw reasoning, logprobs and MCP approvals on the emulator.

Every event is validated by the `openai` 3.x types (the schema oracle), the event order is the
real one, the non-streamed Response has the same output as the streamed one's terminal event,
and bad input gets the API's 400.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.responses import Response

from tests.emulator.wire import create, matches, stream, validate_events

IMAGE_TOOL = {"type": "image_generation", "partial_images": 2}
MCP = {"type": "mcp", "server_label": "docs", "server_url": "https://mcp.example/sse"}
LOGPROBS = ["message.output_text.logprobs"]


def _without_ids(value: Any) -> Any:
    """The output with fresh ids (new on every call, as on the real service) masked."""
    if isinstance(value, dict):
        return {k: "-" if k in ("id", "approval_request_id") else _without_ids(v)
                for k, v in value.items() if k != "encrypted_content"}  # fmt: skip
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _both(client: httpx.Client, body: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    events = stream(client, body)
    validate_events(events)
    final = create(client, **body)
    Response.model_validate(final)
    assert _without_ids(events[-1]["response"]["output"]) == _without_ids(final["output"])
    return events, final


def test_image_generation_streams_its_phases_and_partial_images(client: httpx.Client) -> None:
    body = {"model": "gpt-5-mini", "input": "Draw a red dot", "tools": [IMAGE_TOOL]}
    events, final = _both(client, body)
    image = (
        r"output_item\.added image_generation_call\.in_progress image_generation_call\.generating"
        r"( image_generation_call\.partial_image){2} image_generation_call\.completed"
        r" output_item\.done"
    )
    assert matches(
        rf"created in_progress (output_item\.added .*?output_item\.done )?{image} .*", events
    )
    partials = [e for e in events if e["type"].endswith("partial_image")]
    assert [p["partial_image_index"] for p in partials] == [0, 1]
    [item] = [i for i in final["output"] if i["type"] == "image_generation_call"]
    for b64 in [item["result"], *(p["partial_image_b64"] for p in partials)]:
        assert base64.b64decode(b64).startswith(b"\x89PNG\r\n\x1a\n")
    assert len({item["result"], *(p["partial_image_b64"] for p in partials)}) == 3
    assert final["output"][-1]["type"] == "message"


@pytest.mark.parametrize("partial_images", [0, 3])
def test_partial_images_is_honoured(client: httpx.Client, partial_images: int) -> None:
    tool = {**IMAGE_TOOL, "partial_images": partial_images}
    events = stream(client, {"model": "gpt-4.1", "input": "Draw a cat", "tools": [tool]})
    validate_events(events)
    assert sum(e["type"].endswith("partial_image") for e in events) == partial_images


def test_raw_reasoning_of_gpt_oss(client: httpx.Client) -> None:
    events, final = _both(client, {"model": "gpt-oss-120b", "input": "Why is the sky blue?"})
    reasoning = (
        r"output_item\.added content_part\.added( reasoning_text\.delta)+ reasoning_text\.done"
        r" content_part\.done output_item\.done"
    )
    assert matches(rf"created in_progress {reasoning} output_item\.added .*", events)
    [item] = [i for i in final["output"] if i["type"] == "reasoning"]
    [part] = item["content"]
    streamed = "".join(e["delta"] for e in events if e["type"] == "response.reasoning_text.delta")
    assert part["type"] == "reasoning_text"
    assert streamed == part["text"]
    assert "sky" in part["text"]


def test_openai_reasoning_models_keep_their_reasoning_hidden(client: httpx.Client) -> None:
    final = create(client, model="gpt-5-mini", input="Why is the sky blue?")
    [item] = [i for i in final["output"] if i["type"] == "reasoning"]
    assert "content" not in item


@pytest.mark.parametrize("top", [0, 3])
def test_logprobs_on_deltas_done_and_the_part(client: httpx.Client, top: int) -> None:
    body = {"model": "gpt-4.1", "input": "Say hello", "include": LOGPROBS, "top_logprobs": top}
    events, final = _both(client, body)
    [part] = final["output"][-1]["content"]
    deltas = [e for e in events if e["type"] == "response.output_text.delta"]
    assert [d["logprobs"][0]["token"] for d in deltas] == [d["delta"] for d in deltas]
    assert [t for d in deltas for t in d["logprobs"]] == part["logprobs"]
    [done] = [e for e in events if e["type"] == "response.output_text.done"]
    assert done["logprobs"] == part["logprobs"]
    assert "".join(t["token"] for t in part["logprobs"]) == part["text"]
    for token in part["logprobs"]:
        assert token["logprob"] < 0
        assert len(token["top_logprobs"]) == top
        assert bytes(token["bytes"]).decode() == token["token"]
    assert final["top_logprobs"] == top


def test_no_logprobs_unless_included(client: httpx.Client) -> None:
    events = stream(client, {"model": "gpt-4.1", "input": "Say hello", "top_logprobs": 2})
    assert all(e["logprobs"] == [] for e in events if e["type"] == "response.output_text.delta")


def test_mcp_approval_then_approved_call(client: httpx.Client) -> None:
    body = {"model": "gpt-4.1", "input": "Find the tea guide", "tools": [MCP]}
    events, first = _both(client, body)
    listed = (
        r"output_item\.added mcp_list_tools\.in_progress mcp_list_tools\.completed"
        r" output_item\.done"
    )
    assert matches(
        rf"created in_progress {listed} output_item\.added output_item\.done completed", events
    )
    assert first["status"] == "completed"
    request = first["output"][-1]
    assert (request["type"], request["name"], request["server_label"]) == (
        "mcp_approval_request", "search", "docs",
    )  # fmt: skip
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": True,
    }
    follow = {
        "model": "gpt-4.1",
        "tools": [MCP],
        "previous_response_id": first["id"],
        "input": [answer],
    }
    events, second = _both(client, follow)
    call = (
        r"output_item\.added mcp_call\.in_progress( mcp_call_arguments\.delta)+"
        r" mcp_call_arguments\.done mcp_call\.completed output_item\.done"
    )
    assert matches(rf"created in_progress {call} output_item\.added .* completed", events)
    [made] = [i for i in second["output"] if i["type"] == "mcp_call"]
    assert made["approval_request_id"] == request["id"]
    assert json.loads(made["arguments"]) == {"query": "Find the tea guide"}
    assert "mcp_list_tools" not in [i["type"] for i in second["output"]]
    assert second["output"][-1]["type"] == "message"


def test_mcp_declined_with_the_whole_conversation(client: httpx.Client) -> None:
    first = create(client, model="gpt-4.1", input="Find the tea guide", tools=[MCP], store=False)
    request = first["output"][-1]
    answer = {
        "type": "mcp_approval_response",
        "approval_request_id": request["id"],
        "approve": False,
    }
    conversation = [{"role": "user", "content": "Find the tea guide"}, *first["output"], answer]
    _, second = _both(client, {"model": "gpt-4.1", "tools": [MCP], "input": conversation})
    assert [i["type"] for i in second["output"]] == ["message"]
    assert "not approved" in second["output"][0]["content"][0]["text"]


@pytest.mark.parametrize(
    "approval", ["never", {"never": {"tool_names": ["search"]}}, {"never": {"read_only": True}}]
)
def test_mcp_without_approval_calls_at_once(client: httpx.Client, approval: Any) -> None:
    tool = {**MCP, "require_approval": approval}
    final = create(client, model="gpt-4.1", input="Find the tea guide", tools=[tool])
    assert [i["type"] for i in final["output"]] == ["mcp_list_tools", "mcp_call", "message"]


BAD: list[tuple[dict[str, Any], str, str]] = [
    ({"top_logprobs": 21}, "top_logprobs", "integer_above_max_value"),
    ({"top_logprobs": -1}, "top_logprobs", "integer_below_min_value"),
    ({"include": ["message.output_text.logprob"]}, "include[0]", "invalid_value"),
    ({"tools": [{**IMAGE_TOOL, "partial_images": 4}]}, "tools[0].partial_images", "integer_above_max_value"),
    ({"tools": [{**IMAGE_TOOL, "partial_images": "2"}]}, "tools[0].partial_images", "invalid_type"),
    ({"tools": [{**IMAGE_TOOL, "output_format": "bmp"}]}, "tools[0].output_format", "invalid_value"),
    ({"tools": [{"type": "image_generation", "output_format": "gif", "partial_images": 1}]},
     "tools[0].partial_images", "invalid_value"),
    ({"tools": [{"type": "mcp", "server_url": "https://x.example"}]}, "tools[0].server_label",
     "missing_required_parameter"),
    ({"tools": [{"type": "mcp", "server_label": "x"}]}, "tools[0].server_url", "missing_required_parameter"),
    ({"tools": [{**MCP, "require_approval": "sometimes"}]}, "tools[0].require_approval", "invalid_value"),
    ({"input": [{"type": "mcp_approval_response", "approval_request_id": "mcpr_1"}]}, "input[0].approve",
     "missing_required_parameter"),
    ({"tools": [MCP], "input": [{"type": "mcp_approval_response", "approval_request_id": "mcpr_x",
      "approve": True}]}, "input", "invalid_value"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "param", "code"), BAD)
def test_bad_input_gets_the_apis_400(
    client: httpx.Client, extra: dict[str, Any], param: str, code: str
) -> None:
    answer = client.post("/responses", json={"model": "gpt-4.1", "input": "Draw it", **extra})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert error["message"]


@pytest.mark.parametrize("top", [None, 2])
def test_chat_completions_logprobs(client: httpx.Client, top: int | None) -> None:
    body: dict[str, Any] = {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "Say hello"}],
        "logprobs": True,
    }
    if top is not None:
        body["top_logprobs"] = top
    whole = ChatCompletion.model_validate(client.post("/chat/completions", json=body).json())
    choice = whole.choices[0]
    assert choice.logprobs is not None
    tokens = choice.logprobs.content or []
    assert "".join(t.token for t in tokens) == choice.message.content
    assert all(len(t.top_logprobs) == (top or 0) for t in tokens)
    raw = client.post("/chat/completions", json={**body, "stream": True}).text
    chunks = [
        ChatCompletionChunk.model_validate_json(line[len("data: ") :])
        for line in raw.splitlines()
        if line.startswith("data: {")
    ]
    streamed = [
        t for c in chunks for ch in c.choices if ch.logprobs for t in ch.logprobs.content or ()
    ]
    assert streamed == tokens


def test_chat_completions_top_logprobs_needs_logprobs(client: httpx.Client) -> None:
    body = {
        "model": "deepseek-chat",
        "messages": [{"role": "user", "content": "hi"}],
        "top_logprobs": 2,
    }
    answer = client.post("/chat/completions", json=body)
    assert answer.status_code == 400
    assert answer.json()["error"]["param"] == "top_logprobs"
