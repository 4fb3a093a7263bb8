"""langchain-tests' standard integration suite for ChatXiaohu, replayed from cassettes.

Some standard tests download a sample image or PDF from the internet with `httpx.get`; the
sandbox has no network, so `_offline_downloads` answers those downloads with a small PNG or
PDF made here (the relay call itself still goes to the emulator / the cassette).

The cassettes in `cassettes/test_chat_standard_integration/` were recorded against the
loopback emulator (`pytest tests/langchain/test_chat_standard_integration.py
--record-mode=rewrite`); replaying needs no network. The `relay` fixture points the model at
the emulator while recording and at a dead loopback address while replaying.
"""

from __future__ import annotations

import re
import struct
import zlib
from typing import Any

import httpx
import pytest
from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_xiaohu import ChatXiaohu

pytestmark = pytest.mark.vcr

LONG_PROMPT = "Repeat after me. " + "小胡 relays the Responses API faithfully. " * 300


_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _mask_uuids(request: Any) -> Any:
    # test_structured_few_shot_examples makes random tool-call ids; mask them so the
    # recorded body matches on replay.
    if isinstance(request.body, bytes):
        request.body = _UUID.sub(b"00000000-0000-0000-0000-000000000000", request.body)
    return request


#: The one test that sends the same request more than once: langchain's benchmark streams
#: it repeatedly. Every other test must replay each recorded exchange once.
_REPEATS = {"test_stream_time"}


@pytest.fixture
def vcr_config(vcr_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The shared settings, plus: random tool-call ids masked so recorded bodies match."""
    repeats = request.node.originalname in _REPEATS
    return {**vcr_config, "allow_playback_repeats": repeats, "before_record_request": _mask_uuids}


@pytest.fixture(autouse=True)
def _relay_env(relay: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", relay["api_key"])
    monkeypatch.setenv("XIAOHU_BASE_URL", relay["base_url"])
    return


def _png(width: int = 8, height: int = 8) -> bytes:
    """A valid RGB PNG (a blue square), built without any image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x60\xe0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R>>endobj\n"
    b"4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 20 50 Td (Dummy PDF file) Tj ET\nendstream endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _offline_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    real_get = httpx.get

    def get(url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        if httpx.URL(str(url)).host in ("127.0.0.1", "localhost", "::1"):
            return real_get(url, *args, **kwargs)
        body = PDF if str(url).endswith(".pdf") else _png()
        return httpx.Response(200, content=body, request=httpx.Request("GET", url))

    monkeypatch.setattr(httpx, "get", get)


def _run(llm: ChatXiaohu, messages: list[Any], *, stream: bool) -> AIMessage:
    if not stream:
        return llm.invoke(messages)
    full: AIMessageChunk | None = None
    for chunk in llm.stream(messages):
        full = chunk if full is None else full + chunk
    assert full is not None
    return full


class TestChatXiaohuIntegration(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[ChatXiaohu]:
        return ChatXiaohu

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "gpt-5-mini", "max_retries": 0}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_image_urls(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_image_tool_message(self) -> bool:
        return True

    @property
    def supports_pdf_tool_message(self) -> bool:
        return True

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def supports_model_override(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return "gpt-5-nano"

    @property
    def supported_usage_metadata_details(self) -> dict[Any, list[Any]]:
        details: list[Any] = ["reasoning_output", "cache_read_input"]
        return {"invoke": details, "stream": details}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = ChatXiaohu(model="gpt-5-mini", reasoning={"effort": "medium", "summary": "auto"})
        return _run(llm, [HumanMessage("Explain in one line why the sky is blue.")], stream=stream)

    def invoke_with_cache_read_input(self, *, stream: bool = False) -> AIMessage:
        llm = ChatXiaohu(model="gpt-5-mini")
        _run(llm, [HumanMessage(LONG_PROMPT)], stream=stream)  # warms the prompt cache
        return _run(llm, [HumanMessage(LONG_PROMPT)], stream=stream)

    @pytest.mark.xfail(
        reason="Emulator limitation: its json_object mode answers a generic "
        "{'answer', 'keywords'} object and ignores the keys the prompt asks for "
        "('setup', 'punchline'); a real model follows the prompt. json_schema mode, which "
        "the emulator enforces, is covered by test_structured_output.",
        raises=OutputParserException,
        strict=True,
    )
    def test_json_mode(self, model: BaseChatModel) -> None:
        super().test_json_mode(model)
