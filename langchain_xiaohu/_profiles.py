"""What the relay's models can do (langchain-core `ModelProfile`s), and token estimates.

Figures are OpenAI's published limits (as models.dev lists them). A dated or suffixed name
(`gpt-5-2025-08-07`, `gpt-5-mini-high`) uses its family's profile; a name nobody knows (a
relay alias) gets `DEFAULT_PROFILE`, a conservative one. The Responses API's built-in
`web_search` tool works with every model here except `gpt-4.1-nano` (and gpt-5 at `minimal`
effort); the `ModelProfile` shape has no key for it, so `supports_web_search` says it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from langchain_core.language_models import ModelProfile

from xiaohu.adapters import estimate_tokens

__all__ = ["DEFAULT_PROFILE", "estimate_input_tokens", "model_profile", "supports_web_search"]

_COMMON: ModelProfile = {
    "text_inputs": True,
    "image_inputs": True,
    "image_url_inputs": True,
    "pdf_inputs": True,
    "image_tool_message": True,
    "pdf_tool_message": True,
    "audio_inputs": False,
    "video_inputs": False,
    "text_outputs": True,
    "image_outputs": False,
    "audio_outputs": False,
    "video_outputs": False,
    "tool_calling": True,
    "tool_choice": True,
    "tool_call_streaming": True,
}


def _profile(
    max_input: int, max_output: int, *, reasoning: bool, structured: bool = True
) -> ModelProfile:
    profile: ModelProfile = {
        **_COMMON,
        "max_input_tokens": max_input,
        "max_output_tokens": max_output,
        "reasoning_output": reasoning,
        "structured_output": structured,
        "temperature": not reasoning,
    }
    return profile


_GPT5 = _profile(400_000, 128_000, reasoning=True)
_O_SERIES = _profile(200_000, 100_000, reasoning=True)
_GPT41 = _profile(1_047_576, 32_768, reasoning=False)
_GPT4O = _profile(128_000, 16_384, reasoning=False)

#: Longest prefix wins; keys are lower-case base names.
_PROFILES: dict[str, ModelProfile] = {
    "gpt-5": _GPT5,
    "gpt-5-mini": _GPT5,
    "gpt-5-nano": _GPT5,
    "gpt-5-pro": _profile(400_000, 272_000, reasoning=True),
    "gpt-5-codex": _GPT5,
    "gpt-5.1": _GPT5,
    "gpt-5.2": _GPT5,
    "gpt-5-chat": _profile(128_000, 16_384, reasoning=False),
    "gpt-4.1": _GPT41,
    "gpt-4o": _GPT4O,
    "o1": _O_SERIES,
    "o3": _O_SERIES,
    "o3-pro": _O_SERIES,
    "o4-mini": _O_SERIES,
    # Deep research answers in prose with citations; it takes no function tools or schema.
    "o3-deep-research": {
        **_profile(200_000, 100_000, reasoning=True, structured=False),
        "tool_calling": False,
    },
    "o4-mini-deep-research": {
        **_profile(200_000, 100_000, reasoning=True, structured=False),
        "tool_calling": False,
    },
}

DEFAULT_PROFILE: ModelProfile = {
    **_COMMON,
    "max_input_tokens": 128_000,
    "max_output_tokens": 16_384,
    "structured_output": True,
}
"""For names the table does not know: what any current relay model can do, at least."""

_SUFFIX = re.compile(r"(-\d{4}-\d{2}-\d{2}|-latest|-(minimal|low|medium|high|xhigh))$")
_NO_WEB_SEARCH = ("gpt-4.1-nano",)


def _base(model: str) -> str:
    name = model.lower().rsplit("/", 1)[-1]
    while (stripped := _SUFFIX.sub("", name)) != name:
        name = stripped
    return name


def model_profile(model: str) -> ModelProfile:
    """The profile of a model name (a copy: changing it changes nothing here).

    Example:
        >>> model_profile("gpt-5-mini-2025-08-07")["max_input_tokens"]
        400000
        >>> model_profile("my-relay-alias") == DEFAULT_PROFILE
        True
    """
    name = _base(model)
    if name in _PROFILES:
        return ModelProfile(**_PROFILES[name])
    prefixes = [key for key in _PROFILES if name.startswith(key + "-")]
    if prefixes:
        return ModelProfile(**_PROFILES[max(prefixes, key=len)])
    return ModelProfile(**DEFAULT_PROFILE)


def supports_web_search(model: str) -> bool:
    """Whether the built-in `web_search` tool works with this model (unknown names: True).

    Example:
        >>> supports_web_search("gpt-5"), supports_web_search("gpt-4.1-nano")
        (True, False)
    """
    name = _base(model)
    return not any(name == n or name.startswith(n + "-") for n in _NO_WEB_SEARCH)


#: Per-message overhead (role and separators), as OpenAI's chat format counts it.
_PER_MESSAGE = 4
#: What an attached image or file is counted as (its bytes are not text).
_PER_ATTACHMENT = 256


def estimate_input_tokens(items: Any, tools: Any = None) -> int:
    """An offline estimate of the tokens of Responses input items (and tools).

    One token per CJK character and one per four other characters of text (the core's
    `estimate_tokens`), 4 per message and 256 per image or file; no tokenizer is downloaded.

    Example:
        >>> estimate_input_tokens([{"role": "user", "content": "hello world!"}])
        7
    """
    if isinstance(items, str):
        return estimate_tokens(items)
    total = 0
    for item in items:
        total += _PER_MESSAGE + _tokens(item)
    if tools:
        total += _tokens(tools)
    return total


def _tokens(value: Any) -> int:
    if isinstance(value, str):
        if value.startswith("data:") or (len(value) > 4096 and " " not in value[:4096]):
            return _PER_ATTACHMENT  # base64 data, not text
        return estimate_tokens(value)
    if isinstance(value, Mapping):
        if value.get("type") in ("input_image", "input_file"):
            return _PER_ATTACHMENT
        return sum(_tokens(v) for k, v in value.items() if k not in _NOT_TEXT)
    if isinstance(value, (list, tuple)):
        return sum(_tokens(v) for v in value)
    return 0


_NOT_TEXT = frozenset({"type", "role", "id", "call_id", "status"})
