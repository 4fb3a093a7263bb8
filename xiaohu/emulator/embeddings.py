"""``POST /v1/embeddings``: deterministic vectors that put texts sharing words close together.

Each text becomes a hashed bag of words and character trigrams (signed feature hashing), scaled to
unit length. ``dimensions`` keeps a prefix of the full vector and re-normalises it, as the real
``text-embedding-3`` models shorten.
"""

from __future__ import annotations

import base64
import hashlib
import math
import struct
from typing import Any

from xiaohu.emulator.errors import openai_error
from xiaohu.emulator.language import count_tokens, split_words

__all__ = ["MAX_INPUTS", "create_embeddings", "embed"]

MAX_INPUTS = 2048
_FULL = {"text-embedding-3-large": 3072}
_DEFAULT_DIMS = 1536
_INVALID = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."


def _features(text: str) -> list[tuple[str, float]]:
    words = split_words(text)
    feats = [(f"w:{w}", 1.0) for w in words]
    for word in words:
        padded = f"#{word}#"
        feats.extend((f"c:{padded[i : i + 3]}", 0.3) for i in range(len(padded) - 2))
    return feats or [(f"raw:{text}", 1.0)]


def embed(text: str, dimensions: int) -> list[float]:
    """Return the unit-length embedding of ``text`` with ``dimensions`` components.

    Example:
        >>> a, b, c = (embed(t, 64) for t in ("cats purr", "cats purr loudly", "stock market"))
        >>> dot = lambda x, y: sum(p * q for p, q in zip(x, y))
        >>> dot(a, b) > dot(a, c)
        True
    """
    vector = [0.0] * dimensions
    for feature, weight in _features(text):
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        bucket = int.from_bytes(digest[:4], "little") % dimensions
        sign = 1.0 if digest[4] & 1 else -1.0
        vector[bucket] += sign * weight
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        value = [value]  # one text given as token ids
    if not isinstance(value, list) or not value:
        raise openai_error(400, _INVALID)
    texts = []
    for entry in value:
        if isinstance(entry, str) and entry:
            texts.append(entry)
        elif isinstance(entry, list) and entry and all(isinstance(t, int) for t in entry):
            texts.append(" ".join(f"t{t}" for t in entry))
        else:
            raise openai_error(400, _INVALID)
    return texts


def create_embeddings(body: Any, model: str) -> dict[str, Any]:
    """Answer an embeddings request body.

    Raises:
        EmulatorError: 400 for empty input, more than 2048 inputs, or bad ``dimensions``.

    Example:
        >>> out = create_embeddings(
        ...     {"input": ["a b", "c"], "dimensions": 8}, "text-embedding-3-small"
        ... )
        >>> [len(d["embedding"]) for d in out["data"]], out["usage"]["prompt_tokens"]
        ([8, 8], 3)
    """
    if not isinstance(body, dict):
        raise openai_error(400, _INVALID)
    texts = _texts(body.get("input"))
    if len(texts) > MAX_INPUTS:
        raise openai_error(
            400,
            f"Invalid 'input': array too long. Expected an array with maximum length {MAX_INPUTS}, "
            f"but got an array with length {len(texts)} instead.",
            param="input",
            code="array_above_max_length",
        )
    full = _FULL.get(model, _DEFAULT_DIMS)
    dims = body.get("dimensions", full)
    if not isinstance(dims, int) or isinstance(dims, bool) or not 1 <= dims <= full:
        raise openai_error(
            400, f"Invalid value for 'dimensions' = {dims}. Must be between 1 and {full}.",
            param="dimensions",
        )  # fmt: skip
    encoding = body.get("encoding_format", "float")
    data = []
    for index, text in enumerate(texts):
        vector = embed(text, full)[:dims]
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        vector = [v / norm for v in vector]
        value: Any = vector
        if encoding == "base64":
            value = base64.b64encode(struct.pack(f"<{dims}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": value})
    tokens = sum(count_tokens(t) for t in texts)
    return {
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
