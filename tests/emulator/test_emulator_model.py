"""The deterministic model reads requests like a real one: answers, reasoning, structured output,
deep research, budgets and conversation state (tool use is in test_emulator_tools.py)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.emulator.wire import SCHEMA, WEATHER, calls_of, check_schema, create, stream, text_of

# --- text --------------------------------------------------------------------------------------


def test_same_request_same_answer_different_question_different_answer(client: httpx.Client) -> None:
    first = text_of(create(client, model="gpt-4.1", input="How do volcanoes form?"))
    again = text_of(create(client, model="gpt-4.1", input="How do volcanoes form?"))
    other = text_of(create(client, model="gpt-4.1", input="Why do cats purr?"))
    assert first == again
    assert first != other
    assert "volcanoes" in first
    assert "cats" in other


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param("What is 12 * 4?", "12 * 4 = 48.", id="arithmetic"),
        pytest.param("Say exactly 'pineapple'", "pineapple", id="say"),
    ],
)
def test_direct_answers(client: httpx.Client, question: str, expected: str) -> None:
    assert text_of(create(client, model="gpt-4.1", input=question)) == expected


def test_instructions_shape_the_answer(client: httpx.Client) -> None:
    plain = text_of(create(client, model="gpt-4.1", input="Describe the ocean tides"))
    loud = text_of(
        create(client, model="gpt-4.1", input="Describe the ocean tides", instructions="Uppercase")
    )
    assert loud == loud.upper()
    assert loud != plain
    system = create(
        client,
        model="gpt-4.1",
        input=[
            {"role": "system", "content": "Be brief: one sentence."},
            {"role": "user", "content": "Describe the ocean tides"},
        ],
    )
    assert text_of(system).count(".") == 1


def test_chinese_question_gets_a_chinese_answer(client: httpx.Client) -> None:
    assert "「" in text_of(create(client, model="gpt-4.1", input="请介绍一下长城"))


# --- reasoning -----------------------------------------------------------------------------------


def test_reasoning_tokens_grow_with_effort(client: httpx.Client) -> None:
    tokens = [
        create(client, model="o3", input="Plan a garden", reasoning={"effort": effort})["usage"][
            "output_tokens_details"
        ]["reasoning_tokens"]
        for effort in ("minimal", "low", "medium", "high")
    ]
    assert tokens == sorted(tokens)
    assert len(set(tokens)) == 4


def test_reasoning_item_first_with_summary_and_encrypted_content(client: httpx.Client) -> None:
    events = stream(
        client,
        {
            "model": "gpt-5-mini",
            "input": "Why do leaves change colour?",
            "reasoning": {"effort": "high", "summary": "auto"},
            "include": ["reasoning.encrypted_content"],
        },
    )
    added = events[2]
    assert added["item"]["type"] == "reasoning"
    final = events[-1]["response"]["output"][0]
    assert final["summary"]
    assert final["encrypted_content"].startswith("gAAAAAB")
    assert added["item"]["encrypted_content"] != final["encrypted_content"]


def test_non_reasoning_model_has_no_reasoning_item(client: httpx.Client) -> None:
    response = create(client, model="gpt-4.1", input="hi there")
    assert [i["type"] for i in response["output"]] == ["message"]
    assert response["reasoning"] == {"effort": None, "summary": None}


def test_reasoning_replayed_without_its_following_item_is_rejected(client: httpx.Client) -> None:
    response = client.post(
        "/responses",
        json={
            "model": "gpt-5",
            "input": [
                {"role": "user", "content": "weather?"},
                {"type": "reasoning", "id": "rs_abc", "summary": []},
                {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
            ],
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "Item 'rs_abc' of type 'reasoning' was provided without its required following item.",
        "type": "invalid_request_error",
        "param": "input",
        "code": None,
    }


def test_reasoning_replayed_with_its_following_item_is_accepted(client: httpx.Client) -> None:
    first = create(
        client, model="gpt-5", input="Weather in Oslo?", tools=[WEATHER], store=False,
        include=["reasoning.encrypted_content"],
    )  # fmt: skip
    replay = [{"role": "user", "content": "Weather in Oslo?"}, *first["output"]]
    call = calls_of(first)[0]
    replay.append({"type": "function_call_output", "call_id": call["call_id"], "output": "cold"})
    follow = create(client, model="gpt-5", input=replay, tools=[WEATHER], store=False)
    assert "cold" in text_of(follow)


# --- structured output ---------------------------------------------------------------------------


def test_json_schema_output_is_valid(client: httpx.Client) -> None:
    response = create(
        client,
        model="gpt-5",
        input="Tell me about Madrid, population 3300000",
        text={"format": {"type": "json_schema", "name": "city", "schema": SCHEMA, "strict": True}},
    )
    value = json.loads(text_of(response))
    check_schema(value, SCHEMA)
    assert value["city"] == "Madrid"
    assert value["population"] == 3300000
    assert response["text"]["format"]["name"] == "city"


RELEASE = {
    "type": "object",
    "properties": {
        "product": {"type": "string"},
        "version": {"type": "string"},
        "released": {"type": "string", "description": "The release date, ISO 8601."},
        "highlights": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["product", "version", "released", "highlights"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    ("sentence", "date"),
    [
        ("Python 3.13 was released on 7 October 2024 with a free-threaded build, an experimental "
         "JIT compiler and a new interactive shell.", "2024-10-07"),
        ("On October 7, 2024 Python 3.13 shipped, with a free-threaded build, an experimental JIT "
         "compiler and a new interactive shell.", "2024-10-07"),
        ("Python 3.13 于 2024年10月7日 发布, with a free-threaded build, an experimental JIT compiler "
         "and a new interactive shell.", "2024-10-07"),
    ],
)  # fmt: skip
def test_json_schema_fields_look_like_what_they_name(
    client: httpx.Client, sentence: str, date: str
) -> None:
    """A version looks like a version, a date like a date, and a list has the listed items."""
    response = create(
        client,
        model="gpt-5-mini",
        input=sentence,
        text={"format": {"type": "json_schema", "name": "release", "schema": RELEASE}},
    )
    value = json.loads(text_of(response))
    check_schema(value, RELEASE)
    assert value == {
        "product": "Python",
        "version": "3.13",
        "released": date,
        "highlights": ["free-threaded build", "experimental JIT compiler", "new interactive shell"],
    }


def test_json_object_output_is_an_object(client: httpx.Client) -> None:
    response = create(
        client, model="gpt-4.1", input="JSON about pears", text={"format": {"type": "json_object"}}
    )
    assert isinstance(json.loads(text_of(response)), dict)


# --- deep research -------------------------------------------------------------------------------


def test_deep_research_needs_a_data_source_tool(client: httpx.Client) -> None:
    response = client.post("/responses", json={"model": "o3-deep-research", "input": "Research"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "web_search_preview" in error["message"]


def test_deep_research_searches_a_lot_and_writes_a_long_report(client: httpx.Client) -> None:
    response = create(
        client,
        model="o3-deep-research",
        input="Research the state of offshore wind power",
        tools=[{"type": "web_search_preview"}],
    )
    calls = [i for i in response["output"] if i["type"] == "web_search_call"]
    searches = [i for i in calls if i["action"]["type"] == "search"]
    assert 8 <= len(searches) <= 12
    browsing = [i["action"] for i in calls if i["action"]["type"] != "search"]
    assert {a["type"] for a in browsing} == {"open_page", "find_in_page"}
    assert all(a["url"].startswith("https://") for a in browsing)
    report = response["output"][-1]["content"][0]
    assert len(report["text"]) > 2000
    assert len(report["annotations"]) >= 16
    assert response["model"] == "o3-deep-research-2025-06-26"


def test_deep_research_honours_max_tool_calls(client: httpx.Client) -> None:
    response = create(
        client,
        model="o4-mini-deep-research",
        input="Research coral reef restoration",
        tools=[{"type": "web_search_preview"}],
        max_tool_calls=3,
    )
    assert sum(i["type"] == "web_search_call" for i in response["output"]) == 3


# --- budgets, state, usage -----------------------------------------------------------------------


def test_max_output_tokens_cuts_the_answer(client: httpx.Client) -> None:
    full = create(client, model="gpt-4.1", input="Explain how glaciers move and shape valleys")
    cut = create(
        client,
        model="gpt-4.1",
        input="Explain how glaciers move and shape valleys",
        max_output_tokens=16,
    )
    assert cut["status"] == "incomplete"
    assert cut["incomplete_details"] == {"reason": "max_output_tokens"}
    assert cut["output"][0]["status"] == "incomplete"
    assert text_of(full).startswith(text_of(cut))
    assert len(text_of(cut)) < len(text_of(full))
    assert cut["usage"]["output_tokens"] <= 16


def test_reasoning_can_use_up_the_whole_budget(client: httpx.Client) -> None:
    cut = create(
        client,
        model="o3",
        input="Plan a garden",
        reasoning={"effort": "high"},
        max_output_tokens=20,
    )
    assert cut["status"] == "incomplete"
    assert [i["type"] for i in cut["output"]] == ["reasoning"]


def test_previous_response_id_continues_the_conversation(client: httpx.Client) -> None:
    first = create(client, model="gpt-4.1", input="My name is Ada.")
    second = create(
        client, model="gpt-4.1", input="What is my name?", previous_response_id=first["id"]
    )
    assert text_of(second) == "Your name is Ada."
    assert second["previous_response_id"] == first["id"]
    assert second["usage"]["input_tokens_details"]["cached_tokens"] > 0


def test_unknown_previous_response_id_is_404(client: httpx.Client) -> None:
    response = client.post(
        "/responses", json={"model": "gpt-4.1", "input": "hi", "previous_response_id": "resp_nope"}
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": {
            "message": "Previous response with id 'resp_nope' not found.",
            "type": "invalid_request_error",
            "param": "previous_response_id",
            "code": "previous_response_not_found",
        }
    }


def test_unstored_response_cannot_be_continued_or_retrieved(client: httpx.Client) -> None:
    first = create(client, model="gpt-4.1", input="hello", store=False)
    assert client.get(f"/responses/{first['id']}").status_code == 404
    follow = client.post(
        "/responses", json={"model": "gpt-4.1", "input": "hi", "previous_response_id": first["id"]}
    )
    assert follow.status_code == 404


def test_repeated_prompt_reports_cached_tokens(client: httpx.Client) -> None:
    body = {"model": "gpt-4.1", "input": "A prompt repeated for caching purposes, verbatim"}
    create(client, **body)
    usage = create(client, **body)["usage"]
    assert usage["input_tokens_details"]["cached_tokens"] == usage["input_tokens"]
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]


def test_usage_grows_with_input_and_output(client: httpx.Client) -> None:
    short = create(client, model="gpt-4.1", input="Hi")["usage"]
    long = create(client, model="gpt-4.1", input="Tell me " + "about rivers and lakes " * 40)[
        "usage"
    ]
    assert long["input_tokens"] > short["input_tokens"] * 10
