"""What each known model can take and give: its context window and its output cap, in tokens.

One table for every adapter (LlamaIndex's `metadata`, LangChain's model profile). Figures are
OpenAI's published limits; a relay routes many more names, so an unknown name gets `None` and
the adapter falls back to its own default, which the user can override:

    >>> model_limits("gpt-5-2025-08-07").context_window
    400000
    >>> model_limits("my-relay-alias") is None
    True

Everything here is pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._pricing import base_model

__all__ = ["DEFAULT_CONTEXT_WINDOW", "MODEL_LIMITS", "ModelLimits", "model_limits"]

DEFAULT_CONTEXT_WINDOW = 128_000
"""A context window to assume for a name the table does not know."""


@dataclass(frozen=True)
class ModelLimits:
    """One model's limits, in tokens.

    Attributes:
        context_window: Input and output together.
        max_output_tokens: The most output tokens (reasoning included) one response can have.

    Example:
        >>> ModelLimits(context_window=200_000, max_output_tokens=100_000).max_output_tokens
        100000
    """

    context_window: int
    max_output_tokens: int


_GPT5 = ModelLimits(400_000, 128_000)
_GPT41 = ModelLimits(1_047_576, 32_768)
_GPT4O = ModelLimits(128_000, 16_384)
_O_SERIES = ModelLimits(200_000, 100_000)

#: Known models by base name (no date snapshot, no `@relay` suffix).
MODEL_LIMITS: Mapping[str, ModelLimits] = {
    "gpt-5": _GPT5,
    "gpt-5-mini": _GPT5,
    "gpt-5-nano": _GPT5,
    "gpt-5-pro": ModelLimits(400_000, 272_000),
    "gpt-4.1": _GPT41,
    "gpt-4.1-mini": _GPT41,
    "gpt-4.1-nano": _GPT41,
    "gpt-4o": _GPT4O,
    "gpt-4o-mini": _GPT4O,
    "o3": _O_SERIES,
    "o3-pro": _O_SERIES,
    "o4-mini": _O_SERIES,
    "o3-deep-research": _O_SERIES,
    "o4-mini-deep-research": _O_SERIES,
}


def model_limits(model: str) -> ModelLimits | None:
    """The limits of `model`, or `None` for a name the table does not know.

    A date snapshot (`-2025-08-07`) and a relay suffix (`@group`) are ignored.

    Example:
        >>> model_limits("o3@vip").max_output_tokens
        100000
    """
    return MODEL_LIMITS.get(base_model(model))
