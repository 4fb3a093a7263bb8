"""Background runs on a relay's habits (issue 15): a poll with an unknown status is not the end,
and giving up after N resumes leaves no connection open.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.core.clock import record_sleeps
from xiaohu import AsyncXiaohuClient, StreamError, XiaohuClient

KEY = "sk-background-habits-0123456789"
SSE = {"content-type": "text/event-stream"}
both = pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
HEAD = (
    b'data: {"type":"response.created","sequence_number":0,"response":'
    b'{"id":"resp_b","status":"queued","background":true}}\n\n'
    b'data: {"type":"response.queued","sequence_number":1,"response":'
    b'{"id":"resp_b","status":"queued","background":true}}\n\n'
)


class Torn(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The first events, then a reset; remembers whether it was closed."""

    def __init__(self, opened: list[Torn]) -> None:
        self.closed = False
        opened.append(self)

    def __iter__(self) -> Iterator[bytes]:
        yield HEAD
        raise httpx.ReadError("reset")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield HEAD
        raise httpx.ReadError("reset")

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


@both
def test_giving_up_after_resumes_closes_every_body(sync: bool) -> None:
    opened: list[Torn] = []

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=SSE, stream=Torn(opened))

    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test"}
    if sync:
        http = httpx.Client(transport=httpx.MockTransport(handle))
        with XiaohuClient(http_client=http, **settings) as client:
            stream = client.stream_background(model="gpt-5", input="hi", max_resumes=2)
            with pytest.raises(StreamError, match="gave up after 2 resumes"):
                stream.get_final_response()
    else:

        async def main() -> None:
            http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
            async with AsyncXiaohuClient(http_client=http, **settings) as client:
                stream = await client.stream_background(model="gpt-5", input="hi", max_resumes=2)
                with pytest.raises(StreamError, match="gave up after 2 resumes"):
                    await stream.get_final_response()

        asyncio.run(main())
    # The POST and the two resumes; once they are spent no further resume is even sent.
    assert len(opened) == 3
    assert all(body.closed for body in opened)


@both
def test_a_poll_with_an_unknown_status_is_not_the_end(
    sync: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_sleeps(monkeypatch)
    statuses = iter(["paused", "completed"])
    polls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal polls
        polls += 1
        body = {
            "id": "resp_p",
            "object": "response",
            "status": next(statuses),
            "output": [],
            "background": True,
        }
        return httpx.Response(200, json=body)

    settings: dict[str, Any] = {"api_key": KEY, "base_url": "http://relay.test"}
    if sync:
        http = httpx.Client(transport=httpx.MockTransport(handle))
        with XiaohuClient(http_client=http, **settings) as client:
            final = client.wait_response("resp_p", interval=0.01)
    else:

        async def main() -> Any:
            http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
            async with AsyncXiaohuClient(http_client=http, **settings) as client:
                return await client.wait_response("resp_p", interval=0.01)

        final = asyncio.run(main())
    assert final.status == "completed"
    assert polls == 2
