"""The key's balance, from the relay's OpenAI-style billing endpoints.

new-api answers `GET /v1/dashboard/billing/subscription` (the key's grant, `hard_limit_usd`) and
`GET /v1/dashboard/billing/usage` (`total_usage`, in cents). Its errors there come with HTTP 200
and an `error` body; an exhausted key is refused at authentication with 401. Both become the
typed quota error here, so "out of money" is always `InsufficientQuotaError`.

The amounts are in the relay's display currency, US dollars unless its admin chose otherwise.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict

from ._exceptions import (
    QUOTA_CODES,
    APIError,
    APIResponseValidationError,
    AuthenticationError,
    InsufficientQuotaError,
)

__all__ = ["SUBSCRIPTION_PATH", "UNLIMITED_USD", "USAGE_PATH", "Quota", "parse_quota"]

SUBSCRIPTION_PATH = "/dashboard/billing/subscription"
USAGE_PATH = "/dashboard/billing/usage"
#: new-api reports an unlimited key as a grant of 100,000,000.
UNLIMITED_USD = 100_000_000.0
#: Messages of a relay's 401 for a key whose quota is used up (new-api, one-api).
_EXHAUSTED_MARKERS = ("额度已用尽", "TokenStatusExhausted", "quota exhausted", "额度不足")


class Quota(BaseModel):
    """The key's grant, what it has used and what remains.

    Example:
        >>> Quota(limit_usd=10.0, used_usd=2.5, remaining_usd=7.5).remaining_usd
        7.5
    """

    model_config = ConfigDict(frozen=True)

    limit_usd: float
    """The key's grant (its remaining plus used quota)."""
    used_usd: float
    """What the key has used."""
    remaining_usd: float
    """What is left (never below 0)."""
    unlimited: bool = False
    """The key has no limit (the amounts are then not meaningful)."""
    access_until: int | None = None
    """When the key expires (unix seconds), or `None` if never."""


def _error_of(data: Any) -> dict[str, Any] | None:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        error: dict[str, Any] = data["error"]
        return error
    return None


def check_billing_answer(response: httpx.Response, data: Any) -> None:
    """Raise the typed error for a billing answer that is an error (HTTP 200 or not).

    Raises:
        InsufficientQuotaError: The key's or the account's quota is used up.
        APIError: Another error answered with HTTP 200.

    Example:
        >>> check_billing_answer(httpx.Response(200), {"object": "list"})
    """
    error = _error_of(data)
    if error is None:
        return
    message = str(error.get("message") or "billing error")
    code, etype = error.get("code"), error.get("type")
    if code in QUOTA_CODES or any(m in message for m in _EXHAUSTED_MARKERS):
        raise InsufficientQuotaError(message, response=response, body=data, code=code, type=etype)
    raise APIError(message, body=data, code=code, type=etype)


def quota_error(exc: AuthenticationError) -> APIError:
    """Turn a 401 that means "this key's quota is used up" into `InsufficientQuotaError`.

    Example:
        >>> r = httpx.Response(401, json={"error": {"message": "该令牌额度已用尽"}})
        >>> from xiaohu._exceptions import make_status_error
        >>> type(quota_error(make_status_error(r))).__name__
        'InsufficientQuotaError'
    """
    if not any(m in exc.message for m in _EXHAUSTED_MARKERS):
        return exc
    return InsufficientQuotaError(
        exc.message,
        response=exc.response,
        body=exc.body,
        code=exc.code,
        type=exc.type,
        request_id=exc.request_id,
    )


def parse_quota(subscription: Any, usage: Any) -> Quota:
    """Build a `Quota` from the two billing answers.

    Raises:
        APIResponseValidationError: An answer does not have the expected fields.

    Example:
        >>> parse_quota({"hard_limit_usd": 100.0, "access_until": 0}, {"total_usage": 250.0})
        Quota(limit_usd=100.0, used_usd=2.5, remaining_usd=97.5, unlimited=False, access_until=None)
    """
    try:
        limit = float(subscription["hard_limit_usd"])
        used = float(usage["total_usage"]) / 100
    except (KeyError, TypeError, ValueError) as exc:
        raise APIResponseValidationError(
            f"unexpected billing answer: {str(subscription)[:80]} / {str(usage)[:80]}"
        ) from exc
    until = subscription.get("access_until") or None
    return Quota(
        limit_usd=limit,
        used_usd=round(used, 6),
        remaining_usd=round(max(limit - used, 0.0), 6),
        unlimited=limit >= UNLIMITED_USD,
        access_until=int(until) if until else None,
    )
