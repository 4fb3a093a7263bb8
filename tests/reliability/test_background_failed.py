"""A background run that fails in its stream is over: it is not cancelled afterwards.

Found by hunting: an `error` event (then `response.failed`) ended the stream, and closing it
sent `POST /responses/{id}/cancel` for the failed run, which the relay refused, logging a
"could not cancel" WARNING next to the real error. The relay's message is the one raised.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from tests.conftest import TEST_API_KEY
from xiaohu import AsyncXiaohuClient, ResponseFailedError, XiaohuClient

MODEL = "gpt-5-mini@error_event"


def test_a_failed_background_run_is_not_cancelled(
    emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="xiaohu")
    with XiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url, max_retries=0) as client:
        with pytest.raises(ResponseFailedError, match="rate_limit_exceeded") as caught:
            client.run_background(model=MODEL, input="hi")
        response_id = caught.value.response_id
        assert response_id
        with pytest.raises(ResponseFailedError):  # the stored run failed (not cancelled)
            client.retrieve_response(response_id)
    assert "could not cancel" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_failed_background_run_is_not_cancelled_async(
    emulator_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="xiaohu")

    async def main() -> None:
        async with AsyncXiaohuClient(api_key=TEST_API_KEY, base_url=emulator_url) as client:
            with pytest.raises(ResponseFailedError, match="rate_limit_exceeded"):
                await client.run_background(model=MODEL, input="hi", max_retries=0)

    asyncio.run(main())
    assert "could not cancel" not in caplog.text
