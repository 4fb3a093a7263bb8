"""Bad input fails before any request, with an error naming what to fix.

Both adapters talk to an `httpx.MockTransport` that records every request; each case asserts
the error class, the words that tell the user what to change, and that nothing was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import ChatMessage as LCChatMessage
from langchain_core.messages import HumanMessage
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, TextBlock

from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses

SENT: list[httpx.Request] = []


def _record(request: httpx.Request) -> httpx.Response:
    SENT.append(request)
    return httpx.Response(500, json={"error": {"message": "must not be reached"}})


def _http() -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(_record))


def lc(**kwargs: Any) -> ChatXiaohu:
    return ChatXiaohu(
        model="gpt-5-mini", api_key="sk-x", base_url="http://relay.test/v1",
        http_client=_http(), max_retries=0, **kwargs,
    )  # fmt: skip


def li(**kwargs: Any) -> XiaohuResponses:
    return XiaohuResponses(
        model="gpt-5-mini", api_key="sk-x", api_base="http://relay.test/v1",
        http_client=_http(), max_retries=0, **kwargs,
    )  # fmt: skip


USER = [ChatMessage(role="user", content="hi")]
OPEN_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    return {"format": {"type": "json_schema", "name": "answer", "strict": True, "schema": schema}}


CASES: list[tuple[str, Callable[[], object], tuple[str, ...]]] = [
    ("lc-empty-messages", lambda: lc().invoke([]), ("input", "empty")),
    ("li-empty-messages", lambda: li().chat([]), ("no input",)),
    ("lc-unknown-role", lambda: lc().invoke([LCChatMessage(role="wizard", content="x")]),
     ("unsupported role", "wizard")),
    ("lc-tool-parameters-not-a-schema",
     lambda: lc().bind_tools(
         [{"type": "function", "function": {"name": "f", "parameters": "nope"}}]
     ).invoke("hi"),
     ("tools[0].parameters", "JSON schema")),
    ("lc-tool-without-name",
     lambda: lc().bind_tools(
         [{"type": "function", "function": {"parameters": {"type": "object"}}}]
     ).invoke("hi"),
     ("tools[0]", "without a 'name'")),
    ("lc-tool-name-with-spaces",
     lambda: lc().bind_tools(
         [{"type": "function", "function": {"name": "get weather!", "parameters": {}}}]
     ).invoke("hi"),
     ("tools[0].name", "letters, digits")),
    ("li-tool-parameters-not-a-schema",
     lambda: li().chat(USER, tools=[{"type": "function", "name": "f", "parameters": "nope"}]),
     ("tools[0].parameters",)),
    ("li-tool-without-type", lambda: li().chat(USER, tools=[{"name": "f"}]),
     ("tools[0]", "no 'type'")),
    ("lc-reasoning-effort", lambda: lc(reasoning_effort="extreme").invoke("hi"),
     ("reasoning.effort", "'low'", "'high'")),
    ("lc-reasoning-effort-per-call", lambda: lc().invoke("hi", reasoning_effort="extreme"),
     ("reasoning.effort",)),
    ("li-reasoning-effort", lambda: li(reasoning_effort="extreme").chat(USER),
     ("reasoning.effort",)),
    ("lc-temperature", lambda: lc(temperature=3).invoke("hi"), ("temperature", "2")),
    ("lc-temperature-per-call", lambda: lc().invoke("hi", temperature=-1),
     ("temperature", "0")),
    ("li-temperature", lambda: li(temperature=3).chat(USER), ("temperature",)),
    ("li-temperature-per-call", lambda: li().chat(USER, temperature=2.5), ("temperature",)),
    ("lc-image-local-path",
     lambda: lc().invoke(
         [HumanMessage(content=[{"type": "image", "source_type": "url", "url": "/no/such.png"}])]
     ),
     ("image_url", "/no/such.png", "base64")),
    ("lc-image-file-url",
     lambda: lc().invoke(
         [HumanMessage(content=[{"type": "image_url", "image_url": {"url": "file:///no/a.png"}}])]
     ),
     ("image_url", "http(s)")),
    ("li-image-missing-file",
     lambda: li().chat(
         [ChatMessage(role="user", blocks=[TextBlock(text="x"), ImageBlock(path="/no/such.png")])]
     ),
     ("path", "does not point to a file")),
    ("lc-strict-schema-open-object", lambda: lc().bind(text=_strict(OPEN_SCHEMA)).invoke("hi"),
     ("additionalProperties", "false")),
    ("li-strict-schema-open-object", lambda: li().chat(USER, text=_strict(OPEN_SCHEMA)),
     ("additionalProperties",)),
    ("li-strict-schema-array-root",
     lambda: li().chat(USER, text=_strict({"type": "array", "items": {"type": "string"}})),
     ("object at its root", "'array'")),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rejected_before_sending(fn: Callable[[], object], words: tuple[str, ...]) -> None:
    SENT.clear()
    with pytest.raises(ValueError) as info:  # ConfigurationError and pydantic's are ValueErrors
        fn()
    message = str(info.value)
    assert all(word in message for word in words), message
    assert SENT == []


@pytest.mark.parametrize("strict", [False, True])
def test_valid_structured_output_still_goes_out(strict: bool) -> None:
    """The strict-schema check rejects only what the API rejects."""
    SENT.clear()
    closed = {**OPEN_SCHEMA, "additionalProperties": False}
    with pytest.raises(Exception, match="must not be reached"):
        li().chat(USER, text=_strict(closed) if strict else {"format": {"type": "json_object"}})
    assert len(SENT) == 1
