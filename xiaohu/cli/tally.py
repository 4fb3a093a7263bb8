"""Token and cost totals across the demo's LangChain and LlamaIndex calls.

Each framework reports usage in its own shape; the converters here turn both into the core's
`Usage` and the core's `PriceTable` prices them, so there is one price list for everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xiaohu import Cost, PriceTable, Usage

__all__ = ["Tally", "usage_from_langchain"]


def usage_from_langchain(metadata: Mapping[str, Any] | None) -> Usage | None:
    """The core `Usage` of a LangChain `usage_metadata` dict.

    Example:
        >>> usage_from_langchain(
        ...     {
        ...         "input_tokens": 3,
        ...         "output_tokens": 5,
        ...         "total_tokens": 8,
        ...         "output_token_details": {"reasoning": 2},
        ...     }
        ... ).reasoning_tokens
        2
    """
    if not metadata:
        return None
    details_in = metadata.get("input_token_details") or {}
    details_out = metadata.get("output_token_details") or {}
    return Usage.model_validate(
        {
            "input_tokens": metadata.get("input_tokens", 0),
            "output_tokens": metadata.get("output_tokens", 0),
            "total_tokens": metadata.get("total_tokens", 0),
            "input_tokens_details": {"cached_tokens": details_in.get("cache_read", 0)},
            "output_tokens_details": {"reasoning_tokens": details_out.get("reasoning", 0)},
        }
    )


@dataclass
class Tally:
    """Calls, tokens and cost so far, priced by the core's price table.

    Example:
        >>> tally = Tally()
        >>> tally.add("gpt-5-mini", Usage(input_tokens=10, output_tokens=20, total_tokens=30))
        >>> tally.calls, tally.usage.total_tokens
        (1, 30)
    """

    table: PriceTable = field(default_factory=PriceTable)
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    costs: list[Cost] = field(default_factory=list)

    def add(self, model: str, usage: Usage | None, web_searches: int = 0) -> None:
        """Count one call.

        Example:
            >>> Tally().add("gpt-5", None)
        """
        self.calls += 1
        usage = usage or Usage()
        self.costs.append(self.table.cost(model, usage, web_searches))
        self.usage = Usage.model_validate(
            {
                "input_tokens": self.usage.input_tokens + usage.input_tokens,
                "output_tokens": self.usage.output_tokens + usage.output_tokens,
                "total_tokens": self.usage.total_tokens + usage.total_tokens,
                "input_tokens_details": {
                    "cached_tokens": self.usage.cached_tokens + usage.cached_tokens
                },
                "output_tokens_details": {
                    "reasoning_tokens": self.usage.reasoning_tokens + usage.reasoning_tokens
                },
            }
        )

    @property
    def searches(self) -> int:
        """Web searches counted.

        Example:
            >>> Tally().searches
            0
        """
        return sum(cost.web_search_calls for cost in self.costs)

    def cost_line(self) -> str:
        """The total cost, saying so when a model had no price.

        Example:
            >>> Tally().cost_line()
            'cost: $0.0000'
        """
        total = sum(cost.total_usd for cost in self.costs)
        unpriced = sorted({cost.model for cost in self.costs if not cost.priced})
        line = f"cost: ${total:.4f}"
        if unpriced:
            line += f" (no price known for {', '.join(unpriced)}: not counted)"
        return line
