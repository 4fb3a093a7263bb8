"""Running totals of tokens and dollars across many calls, for the frameworks' handlers.

The LangChain callback handler and the LlamaIndex event handler both count with `UsageTally`;
they differ only in where they find each call's usage.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from ._exceptions import ConfigurationError
from ._guard import Budget
from ._models import Usage
from ._pricing import Cost, ModelPrice, PriceTable

__all__ = ["UsageTally"]


class UsageTally:
    """Tokens and cost of many calls (thread-safe); the dollars are kept in a `Budget`.

    Args:
        prices: Prices to add or replace, by model (see `ModelPrice`).
        group_ratio: The relay group multiplier (分组倍率).
        budget: The `Budget` the counted calls are added to (default: a new, limitless one).
            It only counts: a handler sees a call after it ended, so it cannot stop one. To
            bound calls, give the budget to the chat model instead (not to both: it would
            count every call twice).

    Example:
        >>> tally = UsageTally()
        >>> tally.add("gpt-5-mini", Usage(input_tokens=1000, output_tokens=1000, total_tokens=2000))
        >>> tally.total_tokens, tally.total_cost_usd, tally.budget.by_model
        (2000, 0.00225, {'gpt-5-mini': 0.00225})
    """

    def __init__(
        self,
        prices: Mapping[str, ModelPrice] | None = None,
        group_ratio: float = 1.0,
        budget: Budget | None = None,
    ) -> None:
        if budget is not None and not isinstance(budget, Budget):
            raise ConfigurationError(f"budget must be a xiaohu.Budget, got {type(budget).__name__}")
        self.budget = budget if budget is not None else Budget()
        """The ledger of the counted calls' dollars (`spent_usd`, `by_model`)."""
        self.price_table = PriceTable(prices, group_ratio)
        self._own_prices = bool(prices) or group_ratio != 1.0
        self._tally_lock = threading.Lock()
        self.input_tokens = 0
        """Input tokens, cached included."""
        self.output_tokens = 0
        """Output tokens, reasoning included."""
        self.total_tokens = 0
        """Input plus output."""
        self.cached_tokens = 0
        """Input tokens served from cache."""
        self.reasoning_tokens = 0
        """Reasoning tokens."""
        self.web_searches = 0
        """Web-search calls."""
        self.successful_requests = 0
        """Calls counted."""
        self._cost_usd = 0.0
        self.unpriced_models: set[str] = set()
        """Models seen without a price: their tokens are counted, their cost is not."""

    def __repr__(self) -> str:
        """The totals at a glance (no key or prompt is ever held here).

        Example:
            >>> UsageTally()
            UsageTally(requests=0, total_tokens=0, input_tokens=0, output_tokens=0, web_searches=0, cost_usd=0.0)
        """
        with self._tally_lock:
            counts = (
                f"requests={self.successful_requests}, total_tokens={self.total_tokens}, "
                f"input_tokens={self.input_tokens}, output_tokens={self.output_tokens}, "
                f"web_searches={self.web_searches}, cost_usd={self._cost_usd}"
            )
            unpriced = sorted(self.unpriced_models)
        extra = f", unpriced_models={unpriced}" if unpriced else ""
        return f"{type(self).__name__}({counts}{extra})"

    def add(
        self, model: str, usage: Usage, web_searches: int = 0, cost_usd: float | None = None
    ) -> None:
        """Count one call.

        A `cost_usd` the chat model already computed (at its own prices and group ratio) is
        used as is, unless this tally was given prices or a group ratio of its own.

        Example:
            >>> tally = UsageTally()
            >>> tally.add("m", Usage(), cost_usd=0.5)
            >>> tally.total_cost_usd
            0.5
        """
        priced = True
        if cost_usd is None or self._own_prices:
            bill = self.price_table.cost(model, usage, web_searches)
            cost_usd, priced = bill.total_usd, bill.priced
        with self._tally_lock:
            self.input_tokens += usage.input_tokens
            self.output_tokens += usage.output_tokens
            self.total_tokens += usage.total_tokens or usage.input_tokens + usage.output_tokens
            self.cached_tokens += usage.cached_tokens
            self.reasoning_tokens += usage.reasoning_tokens
            self.web_searches += web_searches
            self.successful_requests += 1
            self._cost_usd = round(self._cost_usd + cost_usd, 10)
            if not priced:
                self.unpriced_models.add(model)
        self.budget.charge(model, cost_usd)
        self.budget.count_call(
            Cost(model=model, input_tokens=usage.input_tokens, output_tokens=usage.output_tokens)
        )

    @property
    def total_cost_usd(self) -> float:
        """Dollars of the counted calls, at the table's prices times the group ratio.

        Example:
            >>> UsageTally().total_cost_usd
            0.0
        """
        with self._tally_lock:
            return self._cost_usd

    def summary(self) -> str:
        """One line for humans.

        Example:
            >>> UsageTally().summary()
            'Tokens: 0 (in 0, out 0) · requests: 0 · cost: $0.0000'
        """
        return (
            f"Tokens: {self.total_tokens} (in {self.input_tokens}, out {self.output_tokens}) · "
            f"requests: {self.successful_requests} · cost: ${self.total_cost_usd:.4f}"
        )
