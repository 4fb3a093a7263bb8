"""The LangChain conventions users reach for first, against the loopback emulator (issue 16).

Agents' provider structured output, unknown constructor arguments, copies and pickles,
leaving a stream early, profiles and token counts, and client-side stop sequences.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import json
import pickle
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import SummarizationMiddleware
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, trim_messages
from pydantic import BaseModel

import xiaohu
from langchain_xiaohu import ChatXiaohu
from langchain_xiaohu._stop import StopText
from tests.langchain.test_chat_emulator import KEY, MODES, run

DEAD_URL = "http://127.0.0.1:9/v1"
PROMPT = "Tell me about the sky in three sentences."


class Weather(BaseModel):
    """The weather in a city."""

    city: str
    temperature_c: int


def make(url: str, **kwargs: Any) -> ChatXiaohu:
    settings = {"model": "gpt-5-mini", "max_retries": 0, "api_key": KEY, **kwargs}
    return ChatXiaohu(base_url=url, **settings)


@pytest.fixture
def bodies() -> list[dict[str, Any]]:
    """Request bodies seen by the `recording` clients."""
    return []


@pytest.fixture
def headers() -> list[httpx.Headers]:
    """Request headers seen by the `recording` clients."""
    return []


@pytest.fixture
def recording(bodies: list[dict[str, Any]], headers: list[httpx.Headers]) -> Iterator[httpx.Client]:
    """An `httpx.Client` that notes every request (the caller owns and closes it)."""

    def note(request: httpx.Request) -> None:
        bodies.append(json.loads(request.content))
        headers.append(request.headers)

    with httpx.Client(event_hooks={"request": [note]}) as client:
        yield client


# -- 1. create_agent(response_format=...) -------------------------------------------------------


@pytest.mark.parametrize("sync", [True, False], ids=["invoke", "ainvoke"])
async def test_agent_provider_strategy_sends_text_format(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]], sync: bool
) -> None:
    llm = make(emulator_url, model="gpt-5", http_client=recording)
    agent = create_agent(llm, tools=[], response_format=Weather)
    state: Any = {"messages": [HumanMessage("What is the weather in Paris?")]}
    result = agent.invoke(state) if sync else await agent.ainvoke(state)
    weather = result["structured_response"]
    assert isinstance(weather, Weather)
    assert weather.city
    if sync:  # the recording client is the sync one
        (body,) = bodies
        assert "response_format" not in body
        fmt = body["text"]["format"]
        assert fmt["type"] == "json_schema"
        assert fmt["name"] == "Weather"
        assert set(fmt["schema"]["properties"]) == {"city", "temperature_c"}


@pytest.mark.parametrize(
    ("response_format", "expected"),
    [
        pytest.param({"type": "json_object"}, {"type": "json_object"}, id="json_object"),
        pytest.param({"type": "text"}, {"type": "text"}, id="text"),
        pytest.param(
            {
                "type": "json_schema",
                "json_schema": {
                    "name": "W",
                    "strict": True,
                    "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
                },
            },
            {
                "type": "json_schema",
                "name": "W",
                "strict": True,
                "schema": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "additionalProperties": False,
                    "required": ["a"],
                },
            },
            id="chat-json-schema-strict",
        ),
    ],
)
def test_response_format_shapes(
    emulator_url: str,
    recording: httpx.Client,
    bodies: list[dict[str, Any]],
    response_format: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    llm = make(emulator_url, http_client=recording, verbosity="low")
    llm.invoke("Answer in JSON", response_format=response_format)
    assert bodies[0]["text"] == {"verbosity": "low", "format": expected}


def test_response_format_pydantic_and_conflicts_fail_before_sending(
    recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    llm = make(DEAD_URL, http_client=recording)
    with pytest.raises(ValueError, match="response_format"):
        llm.invoke("hi", response_format={"type": "xml"})
    with pytest.raises(ValueError, match="keep one"):
        llm.with_structured_output(Weather).invoke("hi", response_format={"type": "json_object"})
    assert bodies == []


# -- 2. unknown constructor arguments, extra_body, real fields ----------------------------------


def test_unknown_arguments_warn_and_are_sent(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    with pytest.warns(UserWarning, match="'max_token' is not a ChatXiaohu field.*'max_tokens'"):
        llm = make(emulator_url, http_client=recording, max_token=100)
    assert llm.model_kwargs == {"max_token": 100}
    with pytest.raises(ValueError, match="'max_token' is not a field; did you mean max_output"):
        llm.invoke("hi")  # a near miss of a Responses field is refused by the core
    assert bodies == []
    with pytest.warns(UserWarning, match="'brand_new_field' is not a ChatXiaohu field"):
        llm = make(emulator_url, http_client=recording, brand_new_field=100)
    llm.invoke("hi")  # a name far from every known one may be a newer server feature
    assert bodies[0]["brand_new_field"] == 100


def test_extra_body_is_merged_and_top_logprobs_is_a_field(
    emulator_url: str, recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # real fields: no warning
        llm = make(
            emulator_url,
            http_client=recording,
            top_logprobs=3,
            max_tokens=200,
            extra_body={"metadata": {"team": "a"}, "user": "u1"},
        )
    assert llm.model_kwargs == {}
    llm.invoke("hi", extra_body={"user": "u2", "safety_identifier": "s"})
    body = bodies[0]
    assert "extra_body" not in body
    assert body["top_logprobs"] == 3
    assert body["max_output_tokens"] == 200
    assert body["metadata"] == {"team": "a"}
    assert body["user"] == "u2"  # per call wins
    assert body["safety_identifier"] == "s"


def test_field_inside_model_kwargs_is_refused() -> None:
    with pytest.raises(ValueError, match="temperature"):
        ChatXiaohu(model="gpt-5", base_url=DEAD_URL, model_kwargs={"temperature": 0.1})


# -- 3. copies and pickles ----------------------------------------------------------------------


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_copy_outlives_the_original(emulator_url: str, sync: bool) -> None:
    original = make(emulator_url)
    await run(original, "hi", sync=sync, stream=False)  # opens the original's pool
    copied = original.model_copy(update={"temperature": 0.5})
    del original
    gc.collect()  # the original's finalizer closes its pool, not the copy's
    message = await run(copied, "hi", sync=sync, stream=False)
    assert message.text


@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_copy_with_new_base_url_and_key_uses_them(emulator_url: str, sync: bool) -> None:
    dead = make(DEAD_URL, api_key="sk-old")
    with pytest.raises(xiaohu.APIConnectionError):
        await run(dead, "hi", sync=sync, stream=False)
    live = dead.model_copy(update={"base_url": emulator_url, "api_key": KEY})
    assert (await run(live, "hi", sync=sync, stream=False)).text


def test_copy_with_new_key_sends_it(
    emulator_url: str, recording: httpx.Client, headers: list[httpx.Headers]
) -> None:
    llm = make(emulator_url, http_client=recording)
    llm.invoke("hi")
    llm.model_copy(update={"api_key": "sk-another-key"}).invoke("hi")
    assert [h["authorization"] for h in headers] == [f"Bearer {KEY}", "Bearer sk-another-key"]


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
async def test_pickle_and_deepcopy_after_calls(emulator_url: str, how: str) -> None:
    llm = make(emulator_url, temperature=0.3)
    llm.invoke("hi")
    await llm.ainvoke("hi")
    # Our own bytes, just made: S301 is about untrusted data.
    clone = pickle.loads(pickle.dumps(llm)) if how == "pickle" else copy.deepcopy(llm)  # noqa: S301
    assert clone.model_dump() == llm.model_dump()
    assert clone.api_key is not None
    assert clone.api_key.get_secret_value() == KEY
    assert clone.invoke("hi").text
    assert (await clone.ainvoke("hi")).text


def test_deepcopy_shares_your_client_and_pickle_explains(recording: httpx.Client) -> None:
    llm = make(DEAD_URL, http_client=recording)
    assert copy.deepcopy(llm).http_client is recording
    with pytest.raises(TypeError, match="http_client"):
        pickle.dumps(llm)


# -- 4. leaving an async stream early -----------------------------------------------------------


@pytest.mark.parametrize("events", [False, True], ids=["astream", "astream_events"])
async def test_breaking_out_of_astream_is_quiet_and_closes(emulator_url: str, events: bool) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    closed: list[bool] = []

    async def note_close(response: httpx.Response) -> None:
        closed.append(response.is_closed)

    async with httpx.AsyncClient(event_hooks={"response": [note_close]}) as http:
        llm = make(emulator_url, http_async_client=http)
        for _ in range(3):
            if events:
                async for event in llm.astream_events(PROMPT, version="v2"):
                    if event["event"] == "on_chat_model_stream" and event["data"]["chunk"].text:
                        break
            else:
                async for chunk in llm.astream(PROMPT):
                    if chunk.text:
                        break
            gc.collect()
            for _ in range(5):
                await asyncio.sleep(0.01)
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert not [c for c in pool.connections if not c.is_idle() and not c.is_closed()]
    assert reported == []
    assert len(closed) == 3


# -- 5. profile and token counts ----------------------------------------------------------------


def test_known_and_unknown_models_have_profiles() -> None:
    gpt5 = ChatXiaohu(model="gpt-5-mini-2025-08-07", base_url=DEAD_URL).profile
    assert gpt5 is not None
    assert gpt5["max_input_tokens"] == 400_000
    assert gpt5["max_output_tokens"] == 128_000
    for capability in ("tool_calling", "structured_output", "reasoning_output", "pdf_inputs"):
        assert gpt5[capability] is True, capability
    research = ChatXiaohu(model="o3-deep-research", base_url=DEAD_URL).profile
    assert research is not None
    assert research["tool_calling"] is False
    alias = ChatXiaohu(model="my-team-default", base_url=DEAD_URL).profile
    assert alias is not None
    assert alias["max_input_tokens"] > 0
    given = ChatXiaohu(model="gpt-5", base_url=DEAD_URL, profile={"max_input_tokens": 10})
    assert given.profile == {"max_input_tokens": 10}


def test_summarization_fraction_and_token_counts_work_offline() -> None:
    llm = ChatXiaohu(model="gpt-5", base_url=DEAD_URL)
    SummarizationMiddleware(model=llm, trigger=("fraction", 0.5))
    assert llm.get_num_tokens("hello world!") == 3
    messages = [HumanMessage("one " * 100), AIMessage("two " * 100), HumanMessage("three")]
    counts = [llm.get_num_tokens_from_messages([m]) for m in messages]
    assert counts[0] > counts[2] > 0
    assert llm.get_num_tokens_from_messages(messages) == sum(counts)
    tuple_message: Any = ("user", "hi there")  # LangChain's message-like tuples count too
    assert llm.get_num_tokens_from_messages([tuple_message]) > 0
    trimmed = trim_messages(messages, max_tokens=counts[2] + 5, token_counter=llm)
    assert trimmed == messages[2:]


# -- 6. stop sequences --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["abc STOP def", "STOPabc", "abcSTO", "abc ST OP"])
def test_stop_text_at_every_split(text: str) -> None:
    expected = text[: text.find("STOP")] if "STOP" in text else text
    for cut in range(len(text) + 1):
        for at in range(cut, len(text) + 1):
            stop = StopText(["STOP", "zz"])
            shown = stop.feed(text[:cut]) + stop.feed(text[cut:at]) + stop.feed(text[at:])
            if stop.hit is None:
                shown += stop.flush()
            assert shown == expected, (cut, at)
            assert (stop.hit == "STOP") == ("STOP" in text)


@pytest.mark.parametrize(("sync", "stream"), MODES)
async def test_stop_sequence_split_across_deltas(
    emulator_url: str, sync: bool, stream: bool
) -> None:
    llm = make(emulator_url)
    whole = llm.invoke(PROMPT).text
    stop = "sentences. In"  # the emulator streams "senten" + "ces." + " In"
    assert stop in whole
    message = await run(llm, PROMPT, sync=sync, stream=stream, stop=["never", stop])
    assert message.text == whole[: whole.index(stop)]
    assert message.response_metadata["stop_reason"] == "stop_sequence"
    assert message.response_metadata["stop_sequence"] == stop
    if stream:  # closed as soon as it appeared: the final event (with usage) never came
        assert message.usage_metadata is None
    other = await run(make(emulator_url, stop=["zzz"]), PROMPT, sync=sync, stream=stream)
    assert other.text == whole
    assert "stop_reason" not in other.response_metadata


def test_stream_closes_at_the_stop_sequence(emulator_url: str) -> None:
    chunks: list[AIMessageChunk] = []
    closed: list[bool] = []
    with httpx.Client(event_hooks={"response": [lambda r: closed.append(r.is_closed)]}) as http:
        llm = make(emulator_url, http_client=http)
        for chunk in llm.stream(PROMPT, stop=["Let me"]):
            chunks.append(chunk)
        assert [c.text for c in chunks if c.text] == []
        assert chunks[-1].chunk_position == "last"
        pool = http._transport._pool  # type: ignore[attr-defined]
        assert all(c.is_idle() or c.is_closed() for c in pool.connections)


def test_bad_stop_fails_before_sending(
    recording: httpx.Client, bodies: list[dict[str, Any]]
) -> None:
    with pytest.raises(TypeError, match="stop"):
        make(DEAD_URL, http_client=recording).invoke("hi", stop=[1])  # type: ignore[list-item]
    assert bodies == []
