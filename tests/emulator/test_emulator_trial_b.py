"""The emulator refuses models as the relay does, and JSON mode follows the prompt's keys.

A name the relay does not list answers new-api's 503 `model_not_found` "无可用渠道" on both
endpoints (so `xiaohu chat -m gpt-9` fails in one line); `/v1/responses` for a model whose
channel has no Responses conversion (Claude, DeepSeek, Qwen) answers 500
`convert_request_failed`; `/v1/chat/completions` for a Responses-only model answers 404. In
JSON mode (`json_object`) the answer has the keys the prompt names, so LangChain's
`with_structured_output(..., method="json_mode")` parses on both wires.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, Field
from typer.testing import CliRunner

from tests.conftest import TEST_API_KEY
from xiaohu import APIStatusError, XiaohuClient
from xiaohu.cli import app
from xiaohu.emulator.catalog import MODELS
from xiaohu.emulator.schema import schema_in_text

_CHAT_BODY = {"messages": [{"role": "user", "content": "hi"}]}


def _post(client: httpx.Client, path: str, model: str, lang: str = "en") -> httpx.Response:
    body: dict[str, Any] = (
        {"model": model, **_CHAT_BODY}
        if path == "/chat/completions"
        else {"model": model, "input": "hi"}
    )
    return client.post(path, json=body, headers={"Accept-Language": lang})


@pytest.mark.parametrize("path", ["/responses", "/chat/completions"])
def test_an_unlisted_model_has_no_channel(client: httpx.Client, path: str) -> None:
    response = _post(client, path, "gpt-9")
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "new_api_error"
    assert error["code"] == "model_not_found"
    assert error["message"].startswith(
        "No available channel for model gpt-9 under group default (distributor) (request id: "
    )
    zh = _post(client, path, "gpt-9", lang="zh-CN").json()["error"]["message"]
    assert zh.startswith("分组 default 下模型 gpt-9 无可用渠道（distributor）")


def test_dated_snapshots_of_listed_models_are_served(client: httpx.Client) -> None:
    assert _post(client, "/responses", "gpt-4.1-2025-04-14").status_code == 200
    assert _post(client, "/chat/completions", "gpt-5-mini-2025-08-07").status_code == 200


_NO_RESPONSES = [
    name for name, _, _, types in MODELS if types in (["openai"], ["anthropic", "openai"])
]


@pytest.mark.parametrize("model", _NO_RESPONSES)
def test_responses_for_a_chat_only_channel_is_not_implemented(
    client: httpx.Client, model: str
) -> None:
    response = _post(client, "/responses", model)
    assert response.status_code == 500
    error = response.json()["error"]
    assert (error["code"], error["type"]) == ("convert_request_failed", "new_api_error")
    assert error["message"].startswith("not implemented (request id: ")
    assert _post(client, "/chat/completions", model).status_code == 200


@pytest.mark.parametrize("model", ["gpt-5-pro", "o3-deep-research"])
def test_chat_for_a_responses_only_model_is_refused(client: httpx.Client, model: str) -> None:
    response = _post(client, "/chat/completions", model)
    assert response.status_code == 404
    assert "only supported in v1/responses" in response.json()["error"]["message"]


def test_the_responses_wire_forced_for_deepseek_with_web_search_fails(emulator_url: str) -> None:
    with (
        XiaohuClient(
            api_key=TEST_API_KEY, base_url=emulator_url, api="responses", max_retries=0
        ) as client,
        pytest.raises(APIStatusError) as caught,
    ):
        client.create_response(model="deepseek-chat", input="hi", tools=[{"type": "web_search"}])
    assert caught.value.status_code == 500
    assert getattr(caught.value, "code", None) == "convert_request_failed"


def test_cli_chat_with_an_unknown_model_fails_in_one_line(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    result = CliRunner().invoke(app, ["chat", "hi", "-m", "gpt-9"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "model_not_found" in lines[0]
    assert "No available channel for model gpt-9" in lines[0]


@pytest.mark.parametrize(
    ("text", "properties"),
    [
        (
            "Ada was born in 1815. Answer as JSON with name and born.",
            {"name": {"type": "string"}, "born": {"type": "integer"}},
        ),
        (
            "Return a JSON object with the keys `title`, `year` and `tags`.",
            {
                "title": {"type": "string"},
                "year": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
        ),
        (
            'Reply in JSON like {"city": "Paris", "days": 3}',
            {"city": {"type": "string"}, "days": {"type": "integer"}},
        ),
    ],
)
def test_schema_in_text_reads_the_keys_a_prompt_asks_for(
    text: str, properties: dict[str, Any]
) -> None:
    schema = schema_in_text(text)
    assert schema is not None
    assert schema["properties"] == properties
    assert schema["required"] == list(properties)


def test_schema_in_text_uses_a_written_schema_as_is() -> None:
    written = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    assert schema_in_text(f"Answer with this schema: {json.dumps(written)}") == written
    assert schema_in_text("Tell me about JSON parsers.") is None


def test_json_object_without_named_keys_keeps_the_answer_shape(client: httpx.Client) -> None:
    body = {
        "model": "gpt-5-mini",
        "input": "hello there",
        "text": {"format": {"type": "json_object"}},
    }
    text = client.post("/responses", json=body).json()["output"][-1]["content"][0]["text"]
    assert set(json.loads(text)) == {"answer", "keywords"}


class Person(BaseModel):
    """Who the JSON-mode test extracts."""

    name: str
    born: int
    tags: list[str] = Field(default_factory=list)


@pytest.mark.parametrize(
    ("model", "api"),
    [("gpt-5-mini", "responses"), ("gpt-5-mini", "chat"), ("deepseek-chat", "auto")],
)
def test_langchain_json_mode_parses_on_both_wires(emulator_url: str, model: str, api: str) -> None:
    from langchain_xiaohu import ChatXiaohu

    llm = ChatXiaohu(model=model, api_key=TEST_API_KEY, base_url=emulator_url, api=api)
    person = llm.with_structured_output(Person, method="json_mode").invoke(
        "Ada Lovelace, 'the Enchantress of Numbers', was born in 1815."
        " Answer as JSON with name and born."
    )
    assert isinstance(person, Person)
    assert person.born == 1815
    assert "Lovelace" in person.name


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_core_json_object_with_a_schema_in_the_instructions(emulator_url: str, api: str) -> None:
    schema = {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
    }
    with XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url, api=api) as client:
        response = client.create_response(
            model="gpt-5-mini",
            instructions=f"Answer in JSON following this schema: {json.dumps(schema)}",
            input="Forecast for Paris for the next 3 days",
            text={"format": {"type": "json_object"}},
        )
    assert json.loads(response.output_text) == {"city": "Paris", "days": 3}


@pytest.mark.parametrize("api", ["responses", "chat"])
def test_llama_index_json_mode_gives_the_named_keys(emulator_url: str, api: str) -> None:
    from llama_index_xiaohu import XiaohuResponses

    llm = XiaohuResponses(
        model="gpt-5-mini",
        api_key=TEST_API_KEY,
        api_base=emulator_url,
        api=api,
        additional_kwargs={"text": {"format": {"type": "json_object"}}},
    )
    text = llm.complete("Ada Lovelace was born in 1815. Answer as JSON with name and born.").text
    assert Person.model_validate_json(text).born == 1815
