"""Reasoning items: summaries, token counts by effort, and opaque encrypted content."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from xiaohu.emulator.ids import item_id
from xiaohu.emulator.language import human_join, keywords

__all__ = [
    "EFFORT_TOKENS",
    "encrypted_content",
    "exposes_reasoning",
    "reasoning_item",
    "reasoning_tokens",
]

#: Base reasoning tokens per effort; scaled by the question's size, so the order always holds.
EFFORT_TOKENS = {
    "none": 0, "minimal": 16, "low": 64, "medium": 192, "high": 512, "xhigh": 1024, "max": 2048,
}  # fmt: skip


def reasoning_tokens(effort: str | None, question: str) -> int:
    """Return the reasoning tokens spent at ``effort`` on ``question``.

    Example:
        >>> [
        ...     reasoning_tokens(e, "why is the sky blue")
        ...     for e in ("minimal", "low", "medium", "high")
        ... ]
        [19, 76, 230, 614]
    """
    base = EFFORT_TOKENS.get(effort or "medium", EFFORT_TOKENS["medium"])
    return base + base * min(len(keywords(question)), 20) // 10


def encrypted_content(seed: str) -> str:
    """Return an opaque, Fernet-looking token (``gAAAAAB…``); a fresh one per call.

    Example:
        >>> encrypted_content("x").startswith("gAAAAAB")
        True
    """
    body = hashlib.sha256(seed.encode()).digest() + secrets.token_bytes(48)
    return "gAAAAAB" + base64.urlsafe_b64encode(body).decode()


def exposes_reasoning(model: str) -> bool:
    """Whether ``model`` returns its raw reasoning (``content`` of ``reasoning_text`` parts).

    Open-weight models (``gpt-oss-*``) do; OpenAI's own reasoning models give only summaries.

    Example:
        >>> exposes_reasoning("gpt-oss-120b"), exposes_reasoning("gpt-5")
        (True, False)
    """
    return model.lower().startswith("gpt-oss")


def _thoughts(question: str, step: str) -> str:
    words = keywords(question)
    topic = human_join(words[:3]) or "the request"
    return (
        f"The user asks about {topic}. I should {step}. Let me check what is being asked, "
        "make sure nothing is missing, and keep the answer short and correct."
    )


def _summary(question: str, style: str, step: str) -> list[str]:
    words = keywords(question)
    topic = human_join(words[:3]) or "the request"
    first = (
        f"**Understanding the request**\n\nThe user is asking about {topic}. I should {step} "
        "and keep the answer focused."
    )
    if style == "concise":
        return [first]
    second = (
        f"**Planning the answer**\n\nI'll start from {words[0] if words else 'the question'}, "
        "check the details, and then write a clear reply."
    )
    return [first, second]


def reasoning_item(
    question: str,
    *,
    summary: str | None,
    include_encrypted: bool,
    step: str = "work it out",
    raw: bool = False,
) -> dict[str, Any]:
    """Return a final ``reasoning`` output item.

    Args:
        question: what the model is thinking about.
        summary: ``reasoning.summary`` (``auto``, ``concise``, ``detailed``) or ``None`` for none.
        include_encrypted: add ``encrypted_content`` (``include: ["reasoning.encrypted_content"]``).
        step: what the model plans to do, for the summary text.
        raw: add the raw reasoning as ``content`` (models that expose it).

    Example:
        >>> item = reasoning_item("capital of France", summary="concise", include_encrypted=False)
        >>> item["type"], len(item["summary"])
        ('reasoning', 1)
    """
    parts = _summary(question, summary, step) if summary else []
    item: dict[str, Any] = {
        "id": item_id("rs"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text} for text in parts],
    }
    if raw:
        item["content"] = [{"type": "reasoning_text", "text": _thoughts(question, step)}]
    if include_encrypted:
        item["encrypted_content"] = encrypted_content(item["id"])
    return item
