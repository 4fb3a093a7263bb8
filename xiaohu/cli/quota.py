"""`xiaohu quota`: what the key (令牌) may still spend, from the core's `client.quota()`.

The core reads the relay's billing endpoints (`/v1/dashboard/billing/subscription` and
`/usage`); amounts are in the relay's display unit, US dollars by default.
"""

from __future__ import annotations

from xiaohu import Quota

from .common import guarded, make_client
from .render import make_console

__all__ = ["quota_command", "quota_lines"]


def quota_lines(found: Quota) -> list[str]:
    """The quota (额度) as the lines `xiaohu quota` prints.

    Example:
        >>> quota_lines(Quota(limit_usd=100.0, used_usd=2.5, remaining_usd=97.5))
        ['limit $100.0000, used $2.5000, remaining $97.5000', 'expires: never']
    """
    if found.unlimited:
        amounts = f"limit: unlimited, used ${found.used_usd:.4f}"
    else:
        amounts = (
            f"limit ${found.limit_usd:.4f}, used ${found.used_usd:.4f}, "
            f"remaining ${found.remaining_usd:.4f}"
        )
    expiry = (
        f"expires: {found.access_until} (unix time)" if found.access_until else "expires: never"
    )
    return [amounts, expiry]


@guarded
def quota_command() -> None:
    """Show the key's quota (额度): limit, used, remaining, expiry.

    \f
    Example:
        $ xiaohu quota
    """
    with make_client() as client:
        found = client.quota()
    console = make_console()
    for line in quota_lines(found):
        console.print(line, markup=False)
