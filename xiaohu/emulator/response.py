"""The Response object: every top-level key the real service sends, echoing the request.

Key order and defaults follow real payloads (protocol reference A.2). ``usage`` also carries
``input_tokens_details.cache_write_tokens``: real payloads up to 2026 omit it, but the ``openai``
package's ``ResponseUsage`` requires it, and a client must accept both.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from xiaohu.emulator.model import Plan
from xiaohu.emulator.request import CreateRequest

__all__ = ["SNAPSHOTS", "build_response", "echo_tools", "snapshot", "usage"]

#: Model names answered with the dated snapshot the real API reports.
SNAPSHOTS = {
    "gpt-5": "gpt-5-2025-08-07",
    "gpt-5-mini": "gpt-5-mini-2025-08-07",
    "gpt-5-nano": "gpt-5-nano-2025-08-07",
    "gpt-5-pro": "gpt-5-pro-2025-10-06",
    "gpt-4.1": "gpt-4.1-2025-04-14",
    "gpt-4.1-mini": "gpt-4.1-mini-2025-04-14",
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
    "o3": "o3-2025-04-16",
    "o4-mini": "o4-mini-2025-04-16",
    "o3-deep-research": "o3-deep-research-2025-06-26",
    "o4-mini-deep-research": "o4-mini-deep-research-2025-06-26",
}
_LOCATION = {"type": "approximate", "city": None, "country": "US", "region": None, "timezone": None}


def snapshot(model: str) -> str:
    """Return the dated snapshot for a known alias, else ``model`` unchanged.

    Example:
        >>> snapshot("gpt-4.1"), snapshot("my-model")
        ('gpt-4.1-2025-04-14', 'my-model')
    """
    return SNAPSHOTS.get(model, model)


def echo_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Echo tools as the real service does, with defaults filled in.

    Example:
        >>> echo_tools([{"type": "web_search_preview"}])[0]["search_context_size"]
        'medium'
    """
    echoed = []
    for tool in tools:
        kind = tool.get("type")
        if kind == "function":
            echoed.append(
                {
                    "type": "function",
                    "description": tool.get("description"),
                    "name": tool.get("name"),
                    "parameters": tool.get("parameters"),
                    "strict": tool.get("strict", True),
                }
            )
        elif kind in ("web_search_preview", "web_search_preview_2025_03_11"):
            echoed.append(
                {
                    "type": kind,
                    "search_context_size": tool.get("search_context_size", "medium"),
                    "user_location": tool.get("user_location", dict(_LOCATION)),
                }
            )
        elif kind in ("web_search", "web_search_2025_08_26"):
            echoed.append(
                {
                    "type": kind,
                    "filters": tool.get("filters"),
                    "search_context_size": tool.get("search_context_size", "medium"),
                    "user_location": tool.get("user_location", dict(_LOCATION)),
                }
            )
        else:
            echoed.append(copy.deepcopy(tool))
    return echoed


def usage(plan: Plan, *, cached_tokens: int) -> dict[str, Any]:
    """Return the ``usage`` object for a finished plan.

    Example:
        >>> p = Plan([], "completed", None, input_tokens=10, output_tokens=5, reasoning_tokens=2)
        >>> usage(p, cached_tokens=4)["total_tokens"]
        15
    """
    return {
        "input_tokens": plan.input_tokens,
        "input_tokens_details": {
            "cached_tokens": min(cached_tokens, plan.input_tokens),
            "cache_write_tokens": 0,
        },
        "output_tokens": plan.output_tokens,
        "output_tokens_details": {"reasoning_tokens": plan.reasoning_tokens},
        "total_tokens": plan.input_tokens + plan.output_tokens,
    }


def build_response(
    req: CreateRequest,
    *,
    response_id: str,
    status: str,
    output: list[dict[str, Any]] | None = None,
    usage_obj: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    incomplete_reason: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    """Return a full Response object for ``req`` in the given state.

    Example:
        >>> from xiaohu.emulator.request import parse_create
        >>> req = parse_create({"model": "gpt-5", "input": "hi"}, lang="en", request_id="1")
        >>> r = build_response(req, response_id="resp_1", status="queued")
        >>> r["object"], r["status"], r["model"], r["usage"]
        ('response', 'queued', 'gpt-5-2025-08-07', None)
    """
    body = req.body
    terminal = status in ("completed", "incomplete", "failed", "cancelled")
    reasoning = req.reasoning or {"effort": None, "summary": None}
    text: dict[str, Any] = body["text"] if isinstance(body.get("text"), dict) else {}
    return {
        "id": response_id,
        "object": "response",
        "created_at": created_at if created_at is not None else int(time.time()),
        "status": status,
        "background": req.background,
        "billing": {"payer": "developer"},
        "error": error,
        "incomplete_details": {"reason": incomplete_reason} if incomplete_reason else None,
        "instructions": req.instructions,
        "max_output_tokens": req.max_output_tokens,
        "max_tool_calls": req.max_tool_calls,
        "model": snapshot(req.model),
        "output": copy.deepcopy(output or []),
        "parallel_tool_calls": req.parallel_tool_calls,
        "previous_response_id": req.previous_response_id,
        "prompt_cache_key": body.get("prompt_cache_key"),
        "prompt_cache_retention": body.get("prompt_cache_retention"),
        "reasoning": dict(reasoning),
        "safety_identifier": body.get("safety_identifier"),
        "service_tier": (body.get("service_tier") or "auto")
        if not terminal
        else ("default" if body.get("service_tier") in (None, "auto") else body["service_tier"]),
        "store": req.store,
        "temperature": body.get("temperature", 1.0),
        "text": {
            "format": copy.deepcopy(req.text_format),
            "verbosity": text.get("verbosity") or "medium",
        },
        "tool_choice": copy.deepcopy(req.tool_choice),
        "tools": echo_tools(req.tools),
        "top_logprobs": body.get("top_logprobs", 0),
        "top_p": body.get("top_p", 1.0),
        "truncation": body.get("truncation", "disabled"),
        "usage": usage_obj,
        "user": body.get("user"),
        "metadata": dict(body.get("metadata") or {}),
    }
