"""`xiaohu quota`: what the key (令牌) may still spend, from the relay's billing endpoints.

new-api answers `GET /v1/dashboard/billing/subscription` with the key's limit and
`GET /v1/dashboard/billing/usage` with what it used, in cents, both in the relay's display unit
(US dollars by default). Their errors come with HTTP 200 and an `error` body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xiaohu._client import XiaohuClient
from xiaohu._exceptions import APIError, APIResponseValidationError

from .common import guarded, make_client
from .render import make_console

__all__ = ["UNLIMITED", "Quota", "fetch_quota", "quota"]

UNLIMITED = 100_000_000
"""The limit new-api reports for a key with unlimited quota (无限额度)."""


@dataclass(frozen=True)
class Quota:
    """A key's quota (额度) in the relay's display unit.

    Example:
        >>> Quota(limit=100.0, used=2.5, access_until=0).remaining
        97.5
    """

    limit: float
    used: float
    access_until: int

    @property
    def unlimited(self) -> bool:
        """Whether the key has no limit.

        Example:
            >>> Quota(limit=UNLIMITED, used=0, access_until=0).unlimited
            True
        """
        return self.limit >= UNLIMITED

    @property
    def remaining(self) -> float:
        """What is left to spend.

        Example:
            >>> Quota(limit=10.0, used=12.0, access_until=0).remaining
            0.0
        """
        return max(self.limit - self.used, 0.0)


def _billing(client: XiaohuClient, path: str) -> dict[str, Any]:
    data = client.request("GET", path).json()
    if not isinstance(data, dict):
        raise APIResponseValidationError(f"unexpected answer from {path}: {str(data)[:120]}")
    error = data.get("error")
    if isinstance(error, dict):
        raise APIError(str(error.get("message") or error), body=data, code=error.get("code"))
    return data


def _number(data: dict[str, Any], key: str, path: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise APIResponseValidationError(f"{path} has no number {key!r}: {str(data)[:120]}")
    return float(value)


def fetch_quota(client: XiaohuClient) -> Quota:
    """Read the key's limit and usage from the billing endpoints.

    Example:
        >>> fetch_quota(make_client()).remaining  # doctest: +SKIP
        99.54
    """
    sub_path, usage_path = "/dashboard/billing/subscription", "/dashboard/billing/usage"
    subscription = _billing(client, sub_path)
    usage = _billing(client, usage_path)
    return Quota(
        limit=_number(subscription, "hard_limit_usd", sub_path),
        used=_number(usage, "total_usage", usage_path) / 100,
        access_until=int(subscription.get("access_until") or 0),
    )


@guarded
def quota() -> None:
    """Show the key's quota (额度): limit, used, remaining, expiry.

    Example:
        $ xiaohu quota
    """
    with make_client() as client:
        found = fetch_quota(client)
    console = make_console()
    if found.unlimited:
        console.print(f"limit: unlimited; used {found.used:.4f}")
    else:
        console.print(
            f"limit {found.limit:.4f}, used {found.used:.4f}, remaining {found.remaining:.4f}"
        )
    console.print(
        "expires: never"
        if not found.access_until
        else f"expires: {found.access_until} (unix time)",
        style="dim",
    )
