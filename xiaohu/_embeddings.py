"""`POST /v1/embeddings`: checking inputs, planning batches, decoding base64 vectors.

Everything here is I/O-free except `gather_limited`, the one asyncio helper; the clients'
`create_embeddings`/`embed` methods only send the payloads planned here.

Batches are cut by count (`chunk_size`, at most 2,048 inputs, the API's limit) and by size
(`max_batch_bytes` of UTF-8 text: a token always covers at least one byte, so the default of
300,000 bytes keeps every request under the API's 300,000-token total). A single text larger
than the size budget is sent alone and never truncated; if it is too long for the model the
relay's 400 is raised as `BadRequestError`.

Vectors are asked for as base64 (little-endian float32, a quarter of the JSON size) and decoded
with `base64` + `array`. They are put back in the order of the texts by their `index`; a missing,
duplicated or out-of-range index, or a vector of the wrong length, raises
`APIResponseValidationError` rather than pairing a vector with the wrong text.
"""

from __future__ import annotations

import array
import asyncio
import base64
import binascii
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from pydantic import Field

from ._exceptions import APIResponseValidationError, ConfigurationError
from ._models import WireModel

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DEFAULT_EMBEDDING_MODEL",
    "DEFAULT_MAX_BATCH_BYTES",
    "DEFAULT_MAX_CONCURRENCY",
    "MAX_INPUTS_PER_REQUEST",
    "EmbeddingData",
    "EmbeddingJob",
    "EmbeddingUsage",
    "EmbeddingsResponse",
    "check_texts",
    "decode_vector",
    "embeddings_payload",
    "gather_limited",
    "plan_batches",
]

T = TypeVar("T")

MAX_INPUTS_PER_REQUEST = 2048
"""The API rejects a request with more inputs than this."""
DEFAULT_CHUNK_SIZE = 1000
"""Texts per request unless told otherwise."""
DEFAULT_MAX_BATCH_BYTES = 300_000
"""UTF-8 bytes of text per request: an upper bound on tokens, below the API's 300,000."""
DEFAULT_MAX_CONCURRENCY = 4
"""Requests in flight at once in the async `embed`."""
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
"""The model the LangChain and LlamaIndex classes use unless told otherwise."""


class EmbeddingData(WireModel):
    """One vector of an embeddings answer.

    Example:
        >>> EmbeddingData(index=0, embedding=[0.6, 0.8]).vector()
        [0.6, 0.8]
    """

    object: str = "embedding"
    """Always `embedding`."""
    index: int
    """Position of the text in the request's `input`."""
    embedding: list[float] | str
    """The vector: floats, or base64 of little-endian float32 when asked for."""

    def vector(self) -> list[float]:
        """Return the vector as floats, decoding base64 if needed.

        Example:
            >>> EmbeddingData(index=0, embedding="AACAPw==").vector()
            [1.0]
        """
        if isinstance(self.embedding, str):
            return decode_vector(self.embedding)
        return list(self.embedding)


class EmbeddingUsage(WireModel):
    """Tokens an embeddings request used.

    Example:
        >>> EmbeddingUsage(prompt_tokens=3, total_tokens=3).total_tokens
        3
    """

    prompt_tokens: int = 0
    """Tokens of the input texts."""
    total_tokens: int = 0
    """Same as `prompt_tokens` for embeddings."""


class EmbeddingsResponse(WireModel):
    """The answer of `POST /v1/embeddings`.

    Example:
        >>> answer = EmbeddingsResponse.model_validate(
        ...     {"data": [{"index": 1, "embedding": [1.0]}, {"index": 0, "embedding": [0.0]}]}
        ... )
        >>> answer.vectors(expected=2)
        [[0.0], [1.0]]
    """

    object: str = "list"
    """Always `list`."""
    data: list[EmbeddingData] = Field(default_factory=list)
    """One entry per input text, each with its `index`."""
    model: str | None = None
    """The model that answered."""
    usage: EmbeddingUsage | None = None
    """Token counts."""

    def vectors(self, *, expected: int, dimensions: int | None = None) -> list[list[float]]:
        """Return the vectors in input order, checking that each text got exactly one.

        Args:
            expected: How many texts were sent.
            dimensions: The requested length; `None` only checks that all lengths agree.

        Raises:
            APIResponseValidationError: An index is missing, repeated or out of range, or a
                vector has the wrong length.

        Example:
            >>> EmbeddingsResponse.model_validate({"data": []}).vectors(expected=1)
            Traceback (most recent call last):
            ...
            xiaohu._exceptions.APIResponseValidationError: embeddings answer has 0 vectors for 1 texts
        """
        if len(self.data) != expected:
            raise APIResponseValidationError(
                f"embeddings answer has {len(self.data)} vectors for {expected} texts"
            )
        slots: list[list[float] | None] = [None] * expected
        for item in self.data:
            if not 0 <= item.index < expected or slots[item.index] is not None:
                raise APIResponseValidationError(
                    f"embeddings answer has a bad or repeated index {item.index} "
                    f"(expected each of 0..{expected - 1} once)"
                )
            slots[item.index] = item.vector()
        vectors = [v for v in slots if v is not None]
        _check_lengths(vectors, dimensions)
        return vectors


def _check_lengths(vectors: Sequence[list[float]], dimensions: int | None) -> None:
    lengths = {len(v) for v in vectors}
    want = {dimensions} if dimensions is not None else lengths
    if len(lengths) > 1 or (vectors and lengths != want) or 0 in lengths:
        asked = f" (asked for dimensions={dimensions})" if dimensions is not None else ""
        raise APIResponseValidationError(
            f"embeddings answer has vectors of lengths {sorted(lengths)}{asked}"
        )


def decode_vector(value: str) -> list[float]:
    """Decode one base64 embedding (little-endian float32) into floats.

    Raises:
        APIResponseValidationError: The value is not base64 of whole float32 numbers.

    Example:
        >>> decode_vector("AAAAAAAAgD8=")
        [0.0, 1.0]
    """
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise APIResponseValidationError(f"embedding is not valid base64: {exc}") from exc
    if len(raw) % 4:
        raise APIResponseValidationError(
            f"base64 embedding has {len(raw)} bytes, not a whole number of float32 values"
        )
    floats = array.array("f")
    floats.frombytes(raw)
    if sys.byteorder == "big":
        floats.byteswap()
    return floats.tolist()


def check_texts(texts: Any) -> list[str]:
    """Return `texts` as a list after checking every item is a non-empty string.

    An empty list is allowed here (`embed([])` answers `[]` without a request).

    Raises:
        ConfigurationError: `texts` is a single string or not a sequence, or an item is not a
            string or is empty (the API rejects empty strings).

    Example:
        >>> check_texts(("a", "b"))
        ['a', 'b']
        >>> check_texts(["a", ""])
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: texts[1] is an empty string; the embeddings API rejects empty input
    """
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):
        raise ConfigurationError(
            f"texts must be a list of strings, got {type(texts).__name__}; for one text pass [text]"
        )
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise ConfigurationError(f"texts[{index}] must be a str, got {type(text).__name__}")
        if not text:
            raise ConfigurationError(
                f"texts[{index}] is an empty string; the embeddings API rejects empty input"
            )
    return list(texts)


def _check_positive(name: str, value: Any, *, upper: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name} must be an int >= 1, got {value!r}")
    if upper is not None and value > upper:
        raise ConfigurationError(f"{name} must be at most {upper}, got {value}")


def embeddings_payload(
    texts: Any,
    *,
    model: str,
    dimensions: int | None = None,
    encoding_format: str = "base64",
    **params: Any,
) -> dict[str, Any]:
    """Check one request's inputs and return its JSON body (`None` values dropped).

    Raises:
        ConfigurationError: No texts, more than 2,048, a bad text, an empty model name, or
            `dimensions` that is not a positive int.

    Example:
        >>> embeddings_payload(["hi"], model="text-embedding-3-small", dimensions=256)
        {'model': 'text-embedding-3-small', 'input': ['hi'], 'encoding_format': 'base64', 'dimensions': 256}
    """
    checked = check_texts(texts)
    if not checked:
        raise ConfigurationError("input must contain at least one text")
    if len(checked) > MAX_INPUTS_PER_REQUEST:
        raise ConfigurationError(
            f"input has {len(checked)} texts; one request takes at most "
            f"{MAX_INPUTS_PER_REQUEST} (use embed(), which batches)"
        )
    if not isinstance(model, str) or not model:
        raise ConfigurationError(f"model must be a non-empty string, got {model!r}")
    if dimensions is not None:
        _check_positive("dimensions", dimensions)
    if encoding_format not in ("base64", "float"):
        raise ConfigurationError(
            f"encoding_format must be 'base64' or 'float', got {encoding_format!r}"
        )
    body = {"model": model, "input": checked, "encoding_format": encoding_format}
    body.update({k: v for k, v in {"dimensions": dimensions, **params}.items() if v is not None})
    return body


def plan_batches(
    texts: Sequence[str],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
) -> list[tuple[int, int]]:
    """Cut `texts` into `(start, stop)` slices by count and by UTF-8 size.

    A text bigger than `max_batch_bytes` gets a slice of its own.

    Raises:
        ConfigurationError: `chunk_size` is not 1..2048 or `max_batch_bytes` not positive.

    Example:
        >>> plan_batches(["a", "b", "c"], chunk_size=2)
        [(0, 2), (2, 3)]
        >>> plan_batches(["aaaa", "bb", "cc"], max_batch_bytes=4)
        [(0, 1), (1, 3)]
    """
    _check_positive("chunk_size", chunk_size, upper=MAX_INPUTS_PER_REQUEST)
    _check_positive("max_batch_bytes", max_batch_bytes)
    slices: list[tuple[int, int]] = []
    start, size = 0, 0
    for index, text in enumerate(texts):
        length = len(text.encode("utf-8"))
        if index > start and (index - start >= chunk_size or size + length > max_batch_bytes):
            slices.append((start, index))
            start, size = index, 0
        size += length
    if start < len(texts):
        slices.append((start, len(texts)))
    return slices


class EmbeddingJob:
    """One `embed()` call planned: the request bodies to send and how to join their answers.

    Shared by the sync and async clients, so both check, batch and decode the same way.

    Example:
        >>> job = EmbeddingJob(["a", "b", "c"], model="m", chunk_size=2)
        >>> [body["input"] for body in job.payloads]
        [['a', 'b'], ['c']]
    """

    def __init__(
        self,
        texts: Any,
        *,
        model: str,
        dimensions: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        **params: Any,
    ) -> None:
        checked = check_texts(texts)
        self.dimensions = dimensions
        """The requested vector length, or `None` for the model's own."""
        self.payloads = [
            embeddings_payload(checked[a:b], model=model, dimensions=dimensions, **params)
            for a, b in plan_batches(
                checked, chunk_size=chunk_size, max_batch_bytes=max_batch_bytes
            )
        ]
        """One request body per batch, in text order."""

    def join(self, answers: Sequence[EmbeddingsResponse]) -> list[list[float]]:
        """Return all vectors in text order from the batches' answers (same order as `payloads`).

        Raises:
            APIResponseValidationError: An answer does not match its batch (count, index or
                length), or batches disagree on the vector length.

        Example:
            >>> job = EmbeddingJob(["a"], model="m")
            >>> job.join(
            ...     [
            ...         EmbeddingsResponse.model_validate(
            ...             {"data": [{"index": 0, "embedding": [1.0]}]}
            ...         )
            ...     ]
            ... )
            [[1.0]]
        """
        vectors: list[list[float]] = []
        for body, answer in zip(self.payloads, answers, strict=True):
            vectors.extend(answer.vectors(expected=len(body["input"]), dimensions=self.dimensions))
        _check_lengths(vectors, self.dimensions)
        return vectors


async def gather_limited(calls: Sequence[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run the calls, at most `limit` at a time; results in order; on an error cancel the rest.

    Example:
        >>> async def double(x: int) -> int:
        ...     return 2 * x
        >>> asyncio.run(gather_limited([lambda: double(1), lambda: double(2)], limit=1))
        [2, 4]
    """
    _check_positive("max_concurrency", limit)
    semaphore = asyncio.Semaphore(limit)
    failed = False

    async def run(call: Callable[[], Awaitable[T]]) -> T:
        nonlocal failed
        async with semaphore:
            if failed:  # another call failed: start nothing new
                raise asyncio.CancelledError
            try:
                return await call()
            except BaseException:
                failed = True
                raise

    tasks = [asyncio.ensure_future(run(call)) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
