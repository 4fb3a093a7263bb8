"""Fixtures of the LlamaIndex adapter tests: a `XiaohuResponses` on the loopback emulator."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from llama_index_xiaohu import XiaohuResponses
from tests.conftest import TEST_API_KEY


@pytest.fixture
async def make_llm(emulator_url: str) -> AsyncIterator[Callable[..., XiaohuResponses]]:
    """Build `XiaohuResponses` objects pointed at the session emulator; close them after."""
    made: list[XiaohuResponses] = []

    def make(**kwargs: Any) -> XiaohuResponses:
        kwargs.setdefault("model", "gpt-4.1")
        llm = XiaohuResponses(api_key=TEST_API_KEY, api_base=emulator_url, **kwargs)
        made.append(llm)
        return llm

    yield make
    for llm in made:
        llm.close()
        await llm.aclose()


@pytest.fixture
def make_llm_sync(emulator_url: str) -> Iterator[Callable[..., XiaohuResponses]]:
    """Like `make_llm`, for sync tests (which close the async side themselves)."""
    made: list[XiaohuResponses] = []

    def make(**kwargs: Any) -> XiaohuResponses:
        kwargs.setdefault("model", "gpt-4.1")
        llm = XiaohuResponses(api_key=TEST_API_KEY, api_base=emulator_url, **kwargs)
        made.append(llm)
        return llm

    yield make
    for llm in made:
        llm.close()


@pytest.fixture
def llm(make_llm: Callable[..., XiaohuResponses]) -> XiaohuResponses:
    """A plain `XiaohuResponses` on the emulator."""
    return make_llm()


class Recorder:
    """A MockTransport handler that records request bodies and answers with one Response."""

    def __init__(self, output_text: str = "ok", status_code: int = 200) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[httpx.Headers] = []
        self.output_text = output_text
        self.status_code = status_code

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content or b"{}"))
        self.headers.append(request.headers)
        if self.status_code != 200:
            return httpx.Response(self.status_code, json={"error": {"message": "boom"}})
        return httpx.Response(
            200,
            json={
                "id": f"resp_{len(self.bodies)}",
                "status": "completed",
                "model": "m",
                "output": [
                    {
                        "type": "message",
                        "id": "msg_1",
                        "content": [{"type": "output_text", "text": self.output_text}],
                    }
                ],
                "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
            },
        )


@pytest.fixture
def recorder() -> Recorder:
    """The request recorder behind `mock_llm`."""
    return Recorder()


@pytest.fixture
def mock_llm(recorder: Recorder) -> Iterator[XiaohuResponses]:
    """A `XiaohuResponses` whose HTTP goes to `recorder` (no sockets)."""
    transport = httpx.MockTransport(recorder)
    with httpx.Client(transport=transport) as http:
        yield XiaohuResponses(
            model="any-relay-alias",
            api_key=TEST_API_KEY,
            api_base="http://relay.invalid/v1",
            http_client=http,
            max_retries=0,
        )
