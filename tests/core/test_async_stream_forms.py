"""Every async stream method works as `async with c.m(...)`, `async with await c.m(...)` and `await`."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import TEST_API_KEY
from xiaohu import AsyncXiaohuClient, ConfigurationError, StreamOpening

OPENERS: dict[str, Callable[[AsyncXiaohuClient], Any]] = {
    "stream_response": lambda c: c.stream_response(model="gpt-5-mini", input="hi"),
    "stream_response-chat": lambda c: c.stream_response(model="deepseek-chat", input="hi"),
    "stream_response-background": lambda c: c.stream_response(
        model="gpt-5-mini", input="hi", background=True
    ),
    "stream_background": lambda c: c.stream_background(model="gpt-5-mini", input="hi"),
}


async def _text(stream: Any) -> str:
    text = "".join([getattr(delta, "text", "") async for delta in stream.iter_deltas()])
    assert (await stream.get_final_response()).output_text == text
    return text


@pytest.mark.parametrize("form", ["async-with", "async-with-await", "await"])
@pytest.mark.parametrize("method", list(OPENERS))
async def test_every_form_streams_and_closes(emulator_url: str, method: str, form: str) -> None:
    async with AsyncXiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        opening = OPENERS[method](client)
        assert isinstance(opening, StreamOpening)
        if form == "async-with":
            async with opening as stream:
                text = await _text(stream)
        elif form == "async-with-await":
            async with await opening as stream:
                text = await _text(stream)
        else:
            stream = await opening
            text = await _text(stream)
            await stream.aclose()
        assert text


async def test_resume_stream_has_both_forms(emulator_url: str) -> None:
    async with AsyncXiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        async with client.stream_background(model="gpt-5-mini", input="hi") as stream:
            first = await stream.get_final_response()
        async with client.resume_stream(first.id, starting_after=0) as resumed:
            again = await resumed.get_final_response()
        assert again.output_text == first.output_text
        plain = await client.resume_stream(first.id, starting_after=0)
        async with plain:
            assert (await plain.get_final_response()).id == first.id


async def test_bad_input_raises_on_entering_and_an_unused_opening_sends_nothing(
    emulator_url: str,
) -> None:
    async with AsyncXiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
        with pytest.raises(ConfigurationError, match="input is empty"):
            async with client.stream_response(model="gpt-5-mini", input=""):
                pass
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no "coroutine was never awaited"
            client.stream_response(model="gpt-5-mini", input="hi")
            import gc

            gc.collect()
