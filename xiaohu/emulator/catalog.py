"""The relay's model list and billing endpoints (protocol reference B.4 and B.6).

Billing counts what each API key has spent through the emulator: one quota unit per token,
``QUOTA_PER_USD`` units per US dollar, from a grant of ``GRANTED_QUOTA``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "GRANTED_QUOTA",
    "MODELS",
    "QUOTA_PER_USD",
    "model_list",
    "subscription",
    "token_usage",
    "usage_list",
]

QUOTA_PER_USD = 500_000
GRANTED_QUOTA = 100 * QUOTA_PER_USD

_CHAT = ["openai", "openai-response"]
_RESPONSES_ONLY = ["openai-response"]
#: new-api converts Chat Completions to Claude's API, but not the Responses API.
_CLAUDE = ["anthropic", "openai"]
#: (id, created, owned_by, supported_endpoint_types)
MODELS: tuple[tuple[str, int, str, list[str]], ...] = (
    ("gpt-5", 1754524800, "openai", _CHAT),
    ("gpt-5-mini", 1754524800, "openai", _CHAT),
    ("gpt-5-nano", 1754524800, "openai", _CHAT),
    ("gpt-5-pro", 1759708800, "openai", _RESPONSES_ONLY),
    ("gpt-4.1", 1744588800, "openai", _CHAT),
    ("gpt-4.1-mini", 1744588800, "openai", _CHAT),
    ("gpt-4o-mini", 1721174400, "openai", _CHAT),
    ("o3", 1744761600, "openai", _CHAT),
    ("o4-mini", 1744761600, "openai", _CHAT),
    ("gpt-oss-120b", 1754352000, "openai", _CHAT),
    ("gpt-oss-20b", 1754352000, "openai", _CHAT),
    ("o3-deep-research", 1750896000, "openai", _RESPONSES_ONLY),
    ("o4-mini-deep-research", 1750896000, "openai", _RESPONSES_ONLY),
    ("deepseek-chat", 1735660800, "custom", ["openai"]),
    ("deepseek-reasoner", 1735660800, "custom", ["openai"]),
    ("claude-sonnet-4-5", 1759104000, "anthropic", _CLAUDE),
    ("claude-haiku-4-5", 1760486400, "anthropic", _CLAUDE),
    ("claude-opus-4-1", 1754438400, "anthropic", _CLAUDE),
    ("qwen-plus", 1735660800, "custom", ["openai"]),
    ("qwen-max", 1735660800, "custom", ["openai"]),
    ("text-embedding-3-small", 1705948997, "openai", ["embeddings"]),
    ("text-embedding-3-large", 1705953180, "openai", ["embeddings"]),
)


def model_list() -> dict[str, Any]:
    """Return ``GET /v1/models`` in the relay's shape (``success`` plus an OpenAI list).

    Example:
        >>> entry = model_list()["data"][0]
        >>> entry["id"], entry["supported_endpoint_types"]
        ('gpt-5', ['openai', 'openai-response'])
    """
    data = [
        {
            "id": name,
            "object": "model",
            "created": created,
            "owned_by": owner,
            "supported_endpoint_types": list(types),
        }
        for name, created, owner, types in MODELS
    ]
    return {"success": True, "object": "list", "data": data}


def model_entry(name: str) -> dict[str, Any]:
    """Return ``GET /v1/models/{name}``: the entry, or the relay's HTTP-200 error body.

    Example:
        >>> model_entry("nope")["error"]["code"]
        'model_not_found'
    """
    for entry in model_list()["data"]:
        if entry["id"] == name:
            return dict(entry)
    return {
        "error": {
            "message": f"The model '{name}' does not exist",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }


def subscription() -> dict[str, Any]:
    """Return ``GET /v1/dashboard/billing/subscription`` for a token with a $100 grant.

    Example:
        >>> subscription()["hard_limit_usd"]
        100.0
    """
    limit = GRANTED_QUOTA / QUOTA_PER_USD
    return {
        "object": "billing_subscription",
        "has_payment_method": True,
        "soft_limit_usd": limit,
        "hard_limit_usd": limit,
        "system_hard_limit_usd": limit,
        "access_until": 0,
    }


def usage_list(used_quota: int) -> dict[str, Any]:
    """Return ``GET /v1/dashboard/billing/usage``: ``total_usage`` in US cents.

    Example:
        >>> usage_list(5_000)["total_usage"]
        1.0
    """
    return {"object": "list", "total_usage": used_quota / QUOTA_PER_USD * 100}


def token_usage(used_quota: int) -> dict[str, Any]:
    """Return ``GET /api/usage/token/`` (quota units, not dollars).

    Example:
        >>> token_usage(10)["data"]["total_available"] == GRANTED_QUOTA - 10
        True
    """
    return {
        "code": True,
        "message": "ok",
        "data": {
            "object": "token_usage",
            "name": "emulator",
            "total_granted": GRANTED_QUOTA,
            "total_used": used_quota,
            "total_available": GRANTED_QUOTA - used_quota,
            "unlimited_quota": False,
            "model_limits": {},
            "model_limits_enabled": False,
            "expires_at": 0,
        },
    }
