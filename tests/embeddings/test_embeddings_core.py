"""Core embeddings at the transport: batching, ordering, base64 decoding, errors, concurrency."""

from __future__ import annotations

import asyncio
import base64
import json
import struct
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import xiaohu
from xiaohu._embeddings import (
    EmbeddingJob,
    EmbeddingsResponse,
    decode_vector,
    embeddings_payload,
    plan_batches,
)

KEY = "sk-embed-secret-0123456789"
URL = "http://relay.test/v1"


def _vector(text: str, dims: int) -> list[float]:
    # A distinct, exactly representable float32 vector per text: its length, then a ramp.
    return [float(len(text))] + [float(i) / 4 for i in range(1, dims)]


def _b64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


class Relay:
    """A fake `/v1/embeddings` that records bodies; `shuffle` answers in reverse index order."""

    def __init__(self, *, shuffle: bool = False, dims: int = 4, answer_dims: int | None = None):
        self.bodies: list[dict[str, Any]] = []
        self.shuffle, self.dims, self.answer_dims = shuffle, dims, answer_dims

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        dims = self.answer_dims or body.get("dimensions") or self.dims
        data = [
            {"object": "embedding", "index": i, "embedding": _b64(_vector(text, dims))}
            for i, text in enumerate(body["input"])
        ]
        if self.shuffle:
            data.reverse()
        return {"object": "list", "data": data, "model": body["model"], "usage": {}}

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        return httpx.Response(200, json=self.answer(body))


def _client(handler: Any, **kwargs: Any) -> xiaohu.XiaohuClient:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return xiaohu.XiaohuClient(api_key=KEY, base_url=URL, http_client=http, **kwargs)


def _async_client(handler: Any, **kwargs: Any) -> xiaohu.AsyncXiaohuClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return xiaohu.AsyncXiaohuClient(api_key=KEY, base_url=URL, http_client=http, **kwargs)


# -- pure pieces -------------------------------------------------------------------------------


def test_decode_vector_is_little_endian_float32() -> None:
    values = [0.5, -1.25, 3.0, 1e-3]
    raw = struct.pack("<4f", *values)
    decoded = decode_vector(base64.b64encode(raw).decode())
    assert decoded == list(struct.unpack("<4f", raw))


@pytest.mark.parametrize(
    "value", [pytest.param("not base64!", id="bad-chars"), pytest.param("AAAA", id="3-bytes")]
)
def test_decode_vector_rejects_garbage(value: str) -> None:
    with pytest.raises(xiaohu.APIResponseValidationError):
        decode_vector(value)


def test_plan_batches_cuts_by_count_and_by_utf8_size() -> None:
    texts = ["a"] * 5
    assert plan_batches(texts, chunk_size=2) == [(0, 2), (2, 4), (4, 5)]
    # "猫" is 3 bytes: a 6-byte budget holds two of them.
    assert plan_batches(["猫"] * 5, max_batch_bytes=6) == [(0, 2), (2, 4), (4, 5)]


def test_plan_batches_sends_an_oversized_text_alone_untruncated() -> None:
    texts = ["ab", "x" * 50, "cd"]
    assert plan_batches(texts, max_batch_bytes=10) == [(0, 1), (1, 2), (2, 3)]
    job = EmbeddingJob(texts, model="m", max_batch_bytes=10)
    assert [b["input"] for b in job.payloads] == [["ab"], ["x" * 50], ["cd"]]


def test_plan_batches_caps_chunk_size_at_the_api_limit() -> None:
    assert plan_batches(["a"] * 5000, chunk_size=2048) == [(0, 2048), (2048, 4096), (4096, 5000)]
    with pytest.raises(xiaohu.ConfigurationError, match="at most 2048"):
        plan_batches(["a"], chunk_size=2049)


@pytest.mark.parametrize(
    ("texts", "match"),
    [
        pytest.param("one text", "list of strings", id="bare-str"),
        pytest.param(["ok", ""], r"texts\[1\] is an empty string", id="empty-str"),
        pytest.param(["ok", 3], r"texts\[1\] must be a str", id="int"),
        pytest.param(["ok", None], r"texts\[1\] must be a str", id="none"),
        pytest.param(42, "list of strings", id="not-a-list"),
    ],
)
def test_bad_texts_raise_before_any_request(texts: Any, match: str) -> None:
    relay = Relay()
    with _client(relay.handler) as client, pytest.raises(xiaohu.ConfigurationError, match=match):
        client.embed(texts, model="m")
    assert relay.bodies == []


@pytest.mark.parametrize("dimensions", [0, -3, True, 2.5, "8"])
def test_bad_dimensions_raise_before_any_request(dimensions: Any) -> None:
    relay = Relay()
    with _client(relay.handler) as client, pytest.raises(xiaohu.ConfigurationError):
        client.embed(["a"], model="m", dimensions=dimensions)
    assert relay.bodies == []


def test_create_embeddings_refuses_empty_and_oversized_input() -> None:
    with pytest.raises(xiaohu.ConfigurationError, match="at least one text"):
        embeddings_payload([], model="m")
    with pytest.raises(xiaohu.ConfigurationError, match="at most 2048"):
        embeddings_payload(["a"] * 2049, model="m")


def test_embed_of_no_texts_is_empty_without_a_request() -> None:
    relay = Relay()
    with _client(relay.handler) as client:
        assert client.embed([], model="m") == []
    assert relay.bodies == []


# -- sync client -------------------------------------------------------------------------------


def test_embed_batches_and_keeps_text_order_when_answers_are_shuffled() -> None:
    relay = Relay(shuffle=True)
    texts = [f"text {'x' * i}" for i in range(7)]
    with _client(relay.handler) as client:
        vectors = client.embed(texts, model="text-embedding-3-small", chunk_size=3)
    assert [len(b["input"]) for b in relay.bodies] == [3, 3, 1]
    assert all(b["encoding_format"] == "base64" for b in relay.bodies)
    assert vectors == [_vector(t, 4) for t in texts]


def test_embed_sends_dimensions_and_checks_them() -> None:
    relay = Relay()
    with _client(relay.handler) as client:
        vectors = client.embed(["a", "bb"], model="m", dimensions=3)
    assert relay.bodies[0]["dimensions"] == 3
    assert [len(v) for v in vectors] == [3, 3]


def test_vectors_of_the_wrong_length_raise() -> None:
    relay = Relay(answer_dims=5)
    with (
        _client(relay.handler) as client,
        pytest.raises(xiaohu.APIResponseValidationError, match=r"lengths \[5\].*dimensions=3"),
    ):
        client.embed(["a"], model="m", dimensions=3)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        pytest.param([{"index": 0, "embedding": [1.0]}], "1 vectors for 2 texts", id="missing"),
        pytest.param(
            [{"index": 0, "embedding": [1.0]}, {"index": 0, "embedding": [2.0]}],
            "repeated index 0",
            id="duplicate",
        ),
        pytest.param(
            [{"index": 0, "embedding": [1.0]}, {"index": 2, "embedding": [2.0]}],
            "bad or repeated index 2",
            id="out-of-range",
        ),
        pytest.param(
            [{"index": 0, "embedding": [1.0]}, {"index": 1, "embedding": [2.0, 3.0]}],
            r"lengths \[1, 2\]",
            id="ragged",
        ),
    ],
)
def test_answers_that_could_misalign_vectors_raise(data: list[Any], match: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"object": "list", "data": data})

    with _client(handler) as client, pytest.raises(xiaohu.APIResponseValidationError, match=match):
        client.embed(["a", "b"], model="m")


def test_float_answers_are_accepted_when_the_relay_ignores_base64() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        data = [{"index": i, "embedding": [0.25, float(i)]} for i in range(len(body["input"]))]
        return httpx.Response(200, json={"data": data})

    with _client(handler) as client:
        assert client.embed(["a", "b"], model="m") == [[0.25, 0.0], [0.25, 1.0]]


def test_create_embeddings_returns_the_raw_answer() -> None:
    relay = Relay()
    with _client(relay.handler) as client:
        answer = client.create_embeddings(input=["hello"], model="m", dimensions=2)
    assert isinstance(answer, xiaohu.EmbeddingsResponse)
    assert answer.model == "m"
    assert answer.vectors(expected=1) == [_vector("hello", 2)]


def test_errors_and_retries_are_the_cores() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"retry-after": "0"}, json={"error": {}})
        return Relay().handler(request)

    with _client(handler) as client:
        assert client.embed(["a"], model="m") == [_vector("a", 4)]
    assert len(calls) == 2

    def bad(request: httpx.Request) -> httpx.Response:
        error = {"message": "Invalid 'input'", "type": "invalid_request_error", "code": None}
        return httpx.Response(400, json={"error": error})

    with _client(bad) as client, pytest.raises(xiaohu.BadRequestError) as info:
        client.embed(["a"], model="m")
    assert KEY not in str(info.value)
    assert KEY not in repr(info.value)


def test_an_error_body_with_status_200_raises() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        error = {"message": "model not found", "code": "model_not_found", "type": "x"}
        return httpx.Response(200, json={"error": error})

    with _client(handler) as client, pytest.raises(xiaohu.APIError, match="model not found"):
        client.embed(["a"], model="nope")


# -- async client ------------------------------------------------------------------------------


async def test_async_embed_limits_concurrency_and_keeps_order() -> None:
    relay = Relay(shuffle=True)
    in_flight, peak = 0, 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return relay.handler(request)

    texts = [f"t{'y' * i}" for i in range(20)]
    async with _async_client(handler) as client:
        vectors = await client.embed(texts, model="m", chunk_size=2, max_concurrency=3)
    assert len(relay.bodies) == 10
    assert peak == 3
    assert vectors == [_vector(t, 4) for t in texts]


async def test_async_embed_cancels_the_other_batches_on_error() -> None:
    started: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        first = json.loads(request.content)["input"][0]
        started.append(first)
        if first == "a0":
            await asyncio.sleep(0.05)  # let the other batches start first
            return httpx.Response(401, json={"error": {"message": "bad key"}})
        await asyncio.sleep(5)
        return Relay().handler(request)

    texts = [f"a{i}" for i in range(8)]
    loop = asyncio.get_running_loop()
    began = loop.time()
    async with _async_client(handler, max_retries=0) as client:
        with pytest.raises(xiaohu.AuthenticationError):
            await client.embed(texts, model="m", chunk_size=1, max_concurrency=4)
    # The 401 came back while 4 batches were in flight: those were cancelled (no 5 s wait)
    # and the other 4 never started.
    assert loop.time() - began < 2
    assert started == ["a0", "a1", "a2", "a3"]


async def test_async_bad_input_raises_before_any_request() -> None:
    relay = Relay()
    async with _async_client(relay.handler) as client:
        with pytest.raises(xiaohu.ConfigurationError):
            await client.embed(["a", ""], model="m")
        with pytest.raises(xiaohu.ConfigurationError):
            await client.embed(["a"], model="m", max_concurrency=0)
        assert await client.embed([], model="m") == []
    assert relay.bodies == []


def test_embeddings_response_keeps_unknown_fields() -> None:
    answer = EmbeddingsResponse.model_validate(
        {"data": [{"index": 0, "embedding": [1.0]}], "new": 1}
    )
    assert answer.model_extra == {"new": 1}


@given(
    texts=st.lists(st.text(min_size=1, max_size=12), max_size=60),
    chunk_size=st.integers(1, 9),
    max_batch_bytes=st.integers(1, 40),
)
def test_batches_cover_every_text_once_in_order_within_limits(
    texts: list[str], chunk_size: int, max_batch_bytes: int
) -> None:
    slices = plan_batches(texts, chunk_size=chunk_size, max_batch_bytes=max_batch_bytes)
    assert [i for a, b in slices for i in range(a, b)] == list(range(len(texts)))
    for a, b in slices:
        assert 1 <= b - a <= chunk_size
        size = sum(len(t.encode()) for t in texts[a:b])
        assert size <= max_batch_bytes or b - a == 1
