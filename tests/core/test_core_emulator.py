"""The core against the loopback emulator: what streams add up to equals the final Response.

Real sockets, sync and async. The deltas a consumer sees, put together, must equal the final
Response (text, tool-call arguments, reasoning summary, citations), and the emulator's
delivery faults must end in the right typed error.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from xiaohu import (
    AnnotationDelta,
    APIResponseValidationError,
    AsyncXiaohuClient,
    IncompleteStreamError,
    ReasoningDelta,
    Response,
    ResponseFailedError,
    TextDelta,
    ToolCallDelta,
    XiaohuClient,
)

KEY = "sk-core-emulator-0123456789abcdef"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}

both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])


def stream(
    url: str, sync: bool, fault: str | None = None, **params: Any
) -> tuple[Response, list[Any]]:
    headers = {"X-Emulator-Fault": fault} if fault else None
    if sync:
        with (
            XiaohuClient(api_key=KEY, base_url=url, max_retries=0) as client,
            client.stream_response(extra_headers=headers, **params) as s,
        ):
            deltas = list(s.iter_deltas())
            return s.get_final_response(), deltas

    async def main() -> tuple[Response, list[Any]]:
        async with AsyncXiaohuClient(api_key=KEY, base_url=url, max_retries=0) as client:
            s = await client.stream_response(extra_headers=headers, **params)
            async with s:
                deltas = [d async for d in s.iter_deltas()]
                return await s.get_final_response(), deltas

    return asyncio.run(main())


@both
def test_text_deltas_add_up_to_the_answer(emulator_url: str, sync: bool) -> None:
    response, deltas = stream(emulator_url, sync, model="gpt-5", input="介绍一下杭州")
    text = "".join(d.text for d in deltas if isinstance(d, TextDelta))
    assert text
    assert text == response.output_text
    assert response.status == "completed"
    assert response.usage is not None
    assert response.usage.output_tokens > 0


@both
def test_tool_call_deltas_add_up_to_the_calls(emulator_url: str, sync: bool) -> None:
    response, deltas = stream(
        emulator_url,
        sync,
        model="gpt-5",
        input="What's the weather in Paris?",
        tools=[WEATHER],
        tool_choice="required",
    )
    calls: dict[int, dict[str, str]] = {}
    for d in deltas:
        if isinstance(d, ToolCallDelta):
            call = calls.setdefault(d.index, {"id": "", "name": "", "args": ""})
            call["id"] = d.call_id or call["id"]
            call["name"] = d.name or call["name"]
            call["args"] += d.arguments
    assert calls
    final = response.function_calls
    assert [(c["id"], c["name"], c["args"]) for _, c in sorted(calls.items())] == [
        (f.call_id, f.name, f.arguments) for f in final
    ]
    assert all(isinstance(f.parsed_arguments(), dict) for f in final)


@both
def test_reasoning_and_citations(emulator_url: str, sync: bool) -> None:
    response, deltas = stream(
        emulator_url,
        sync,
        model="gpt-5",
        input="latest news about tea",
        tools=[{"type": "web_search"}],
        reasoning={"effort": "low", "summary": "auto"},
    )
    summary = "".join(d.text for d in deltas if isinstance(d, ReasoningDelta))
    assert summary
    assert summary == "".join(part.text for item in response.reasoning for part in item.summary)
    cited = [d.annotation.url for d in deltas if isinstance(d, AnnotationDelta)]
    assert cited
    assert cited == [c.url for c in response.citations]


@both
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        pytest.param("drop_stream", IncompleteStreamError, id="drop"),
        pytest.param("malformed_sse", APIResponseValidationError, id="malformed"),
        pytest.param("error_event", ResponseFailedError, id="error-event"),
    ],
)
def test_delivery_faults_are_typed_errors(
    emulator_url: str, sync: bool, fault: str, error: type[Exception]
) -> None:
    with pytest.raises(error):
        stream(emulator_url, sync, fault=fault, model="gpt-5", input="hello")
