"""Token logprobs of the answer text (``include: ["message.output_text.logprobs"]``).

The tokens are the streamed pieces (``events.chunk_text``), so each ``output_text.delta``
carries exactly the logprob of its own token and the final part carries them all. Values are
deterministic: the same token gets the same logprob, and ``top_logprobs`` alternatives (the
token itself first) have probabilities that add up to less than one.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from xiaohu.emulator.events import chunk_text

__all__ = ["LOGPROBS", "text_logprobs"]

LOGPROBS = "message.output_text.logprobs"
"""The ``include`` value that asks for them."""

_OTHERS = (
    " the", " a", " and", " of", " to", " is", " in", " it", ",", ".", " that", " for", " on",
    " with", " as", " this", " be", " at", " by", " or", " an", " from", " which", " not",
)  # fmt: skip


def _entry(token: str, probability: float) -> dict[str, Any]:
    return {
        "token": token,
        "logprob": round(math.log(probability), 6),
        "bytes": list(token.encode()),
    }


def _token(token: str, top: int) -> dict[str, Any]:
    digest = hashlib.sha256(token.encode()).digest()
    chosen = 0.5 + digest[0] / 255 * 0.49
    entry = {**_entry(token, chosen), "top_logprobs": []}
    if top:
        others = [o for o in _OTHERS if o != token]
        start = digest[1] % len(others)
        rest, alternatives = 1 - chosen, [_entry(token, chosen)]
        for n in range(top - 1):
            rest /= 2
            alternatives.append(_entry(others[(start + n) % len(others)], rest))
        entry["top_logprobs"] = alternatives
    return entry


def text_logprobs(text: str, top: int) -> list[dict[str, Any]]:
    """One logprob per streamed token of ``text``, each with ``top`` alternatives.

    Example:
        >>> [(e["token"], len(e["top_logprobs"])) for e in text_logprobs("Hi there", 2)]
        [('Hi', 2), (' there', 2)]
        >>> text_logprobs("Hi", 0)[0]["top_logprobs"]
        []
    """
    return [_token(token, top) for token in chunk_text(text)]
