"""Cost figures for the CLI, from the cost module when it is present.

The price table lives in the core's cost module; this file only formats its answer. Where no
price is known the CLI prints tokens alone rather than invent a figure.
"""

from __future__ import annotations

from typing import Any

from xiaohu._models import Response

__all__ = ["cost_text"]


def cost_text(response: Response) -> str | None:
    """The response's cost in US dollars, formatted, or `None` when it cannot be priced.

    Example:
        >>> cost_text(Response.model_validate({"id": "r", "model": "unknown-model"})) is None
        True
    """
    try:
        import xiaohu

        cost_of: Any = xiaohu.cost_of  # type: ignore[attr-defined]
    except AttributeError:
        return None
    try:
        value = cost_of(response)
    except (ValueError, KeyError, LookupError):
        return None
    amount = getattr(value, "total", value)
    if not isinstance(amount, (int, float)) or isinstance(amount, bool):
        return None
    return f"${amount:.4f}"
