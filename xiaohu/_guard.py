"""The cost guard: refuse surprising calls before sending, stop runs that pass a budget.

* Expensive models (deep research, `*-pro`) need `allow_expensive=True` or a budget
  (`max_cost_usd`); without either, `CostLimitError` says what one call likely costs.
* Deep-research models need a data-source tool (web search, file search or MCP); without one,
  `ConfigurationError` says so before anything is sent.
* A budget stops a run whose cost passes it. While a response streams, `CostMeter` counts
  web searches and output as they arrive; passing the budget closes the stream (and cancels a
  background run) with `BudgetExceededError`. The client's `max_cost_usd` is a budget for all
  its calls together (`Ledger`); a per-call `max_cost_usd=` caps one call.

`CostGuard`, `CostMeter` and `Ledger` are I/O-free; the guarded streams differ only in how they
read and cancel.
"""

from __future__ import annotations

import math
import threading
from collections.abc import (
    AsyncGenerator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported on first use, not with this module (issue 20)
    import httpx

from ._exceptions import BudgetExceededError, ConfigurationError, CostLimitError
from ._fold import ItemDone, ReasoningDelta, RefusalDelta, ResponseState, StreamDelta, TextDelta
from ._fold import ToolCallDelta as _ToolCallDelta
from ._models import FunctionCall, OutputMessage, ReasoningItem, Response, Usage, WebSearchCall
from ._pricing import Cost, ModelPrice, PriceTable, base_model, estimate_tokens, typical_run
from ._readcap import Deadline
from ._stream import AsyncResponseStream, ResponseStream

__all__ = [
    "DATA_SOURCE_TOOLS",
    "AsyncGuardedResponseStream",
    "Budget",
    "BudgetExceededError",
    "CostGuard",
    "CostMeter",
    "GuardedResponseStream",
    "Ledger",
    "is_deep_research",
    "is_expensive",
]

#: Tools a deep-research model can read from; it refuses to run without one.
DATA_SOURCE_TOOLS = frozenset(
    {
        "web_search_preview",
        "web_search_preview_2025_03_11",
        "web_search",
        "web_search_2025_08_26",
        "file_search",
        "mcp",
    }
)


def is_deep_research(model: str) -> bool:
    """Whether `model` is a deep-research model.

    Example:
        >>> is_deep_research("o4-mini-deep-research-2025-06-26"), is_deep_research("o3")
        (True, False)
    """
    return "deep-research" in base_model(model)


def is_expensive(model: str) -> bool:
    """Whether one call of `model` can cost dollars: deep research and the `*-pro` models.

    Example:
        >>> is_expensive("gpt-5-pro"), is_expensive("o3-pro-2025-06-10"), is_expensive("gpt-5")
        (True, True, False)
    """
    name = base_model(model)
    return is_deep_research(name) or name.endswith("-pro") or "-pro-" in name


class Budget:
    """A spending limit shared by many calls: thread- and task-safe, counted as runs stream.

    Pass it as `budget=` to `XiaohuClient` / `AsyncXiaohuClient`, `ChatXiaohu`,
    `XiaohuResponses`, or to one call. Every call it is given to adds its running cost while it
    streams (estimates first, replaced by the bill at the end), so concurrent calls cannot pass
    it together by more than one event's cost each; once spent, the next call is refused before
    sending.

    Args:
        max_usd: The limit in US dollars, or `None` to only count.

    Example:
        >>> budget = Budget(max_usd=1.0)
        >>> budget.add(Cost(model="gpt-5", output_usd=0.25))
        >>> budget.spent_usd, budget.remaining_usd, budget.by_model
        (0.25, 0.75, {'gpt-5': 0.25})
    """

    def __init__(self, max_usd: float | None = None) -> None:
        self.max_usd = _budget(max_usd, "max_usd", sending=False)
        """The limit, or `None`."""
        self._lock = threading.Lock()
        self._spent = 0.0
        self._by_model: dict[str, float] = {}
        self._callers: dict[int, None] = {}  # ids of the meters that charged it
        self.input_tokens = 0
        """Input tokens billed."""
        self.output_tokens = 0
        """Output tokens billed."""
        self.calls = 0
        """Calls counted (finished or stopped)."""

    def __repr__(self) -> str:
        return f"Budget(max_usd={self.max_usd}, spent_usd={self.spent_usd})"

    @property
    def spent_usd(self) -> float:
        """Dollars spent: bills, plus running estimates of calls still streaming or stopped.

        A streaming call updates a budget with a limit on every event; when nothing can stop it
        (no limit on the call or on any of its budgets) every 64 events and at the stream's end.

        Example:
            >>> Budget().spent_usd
            0.0
        """
        with self._lock:
            return self._spent

    @property
    def by_model(self) -> dict[str, float]:
        """Dollars spent per model (a copy).

        Example:
            >>> Budget().by_model
            {}
        """
        with self._lock:
            return dict(self._by_model)

    @property
    def remaining_usd(self) -> float | None:
        """What is left (never below 0), or `None` without a limit.

        Example:
            >>> Budget(2.0).remaining_usd
            2.0
        """
        if self.max_usd is None:
            return None
        return max(self.max_usd - self.spent_usd, 0.0)

    def charge(self, model: str, usd: float, caller: object | None = None) -> float:
        """Add `usd` (negative when a bill replaces a higher estimate); return the new total.

        Example:
            >>> Budget().charge("gpt-5", 0.5)
            0.5
        """
        with self._lock:
            self._spent = round(self._spent + usd, 10)
            self._by_model[model] = round(self._by_model.get(model, 0.0) + usd, 10)
            if caller is not None:
                self._callers[id(caller)] = None
            return self._spent

    def callers_besides(self, caller: object) -> int:
        """How many other metered calls have charged this budget (to say it was shared).

        Example:
            >>> budget, me = Budget(1.0), object()
            >>> _ = budget.charge("gpt-5", 0.1, caller=me)
            >>> budget.callers_besides(me), budget.callers_besides(object())
            (0, 1)
        """
        with self._lock:
            return len(self._callers) - (id(caller) in self._callers)

    def count_call(self, cost: Cost) -> None:
        """Count one finished (or stopped) call's tokens; its dollars were charged already.

        Example:
            >>> budget = Budget()
            >>> budget.count_call(Cost(model="m", input_tokens=3))
            >>> budget.calls, budget.input_tokens
            (1, 3)
        """
        with self._lock:
            self.input_tokens += cost.input_tokens
            self.output_tokens += cost.output_tokens
            self.calls += 1

    def add(self, cost: Cost) -> None:
        """Count one whole call: its dollars and its tokens.

        Example:
            >>> Budget().add(Cost(model="m"))
        """
        self.charge(cost.model, cost.total_usd)
        self.count_call(cost)

    def passed(self) -> bool:
        """Whether the spend is over the limit.

        Example:
            >>> Budget(1.0).passed()
            False
        """
        return self.max_usd is not None and self.spent_usd > self.max_usd


Ledger = Budget
"""The old name of `Budget` (a client's own ledger is a `Budget`)."""


class CostMeter:
    """The running cost of one call, from what has streamed (or been polled) so far.

    Output is counted from the text, reasoning summaries and tool arguments received; each web
    search adds its price plus the input a search typically feeds the model. Hidden reasoning
    is not visible until the bill, so the meter errs low on reasoning and high on input.

    Example:
        >>> meter = CostMeter(PriceTable(), "gpt-5", input_tokens=10, limit_usd=None)
        >>> meter.observe([TextDelta("hello world!")])
        >>> meter.running().output_tokens
        3
    """

    def __init__(
        self,
        table: PriceTable,
        model: str,
        *,
        input_tokens: int,
        limit_usd: float | None,
        ledger: Budget | None = None,
        budgets: Sequence[Budget] = (),
    ) -> None:
        self.table = table
        self.model = model
        self.limit_usd = limit_usd
        """The budget for this call alone, or `None`."""
        self.budgets: tuple[Budget, ...] = tuple(
            dict.fromkeys([*([ledger] if ledger is not None else []), *budgets])
        )
        """The shared budgets this call is charged to, as it streams."""
        self._charged = 0.0
        # No limit anywhere: nothing can stop this call, so the shared budgets' live spend is
        # brought up to date every `_UNBOUNDED_EVERY` events (and exactly at the end) instead
        # of per event, which was a third of the core's per-delta cost.
        self._unbounded = not self.bounded
        self._unpriced = 0
        self._input = input_tokens
        typical = typical_run(model)
        self._input_per_search = typical.input_tokens // max(typical.web_searches, 1)
        # Streamed text as [characters, UTF-8 bytes]: tokens are estimated once, in `running`.
        self._streamed = [0, 0]
        self._streamed_reasoning = [0, 0]
        self._output_tokens = 0
        self._reasoning_tokens = 0
        self._searches: set[str] = set()
        self._price_model: str | None = None
        self._price: ModelPrice | None = None
        self._priced_at: tuple[int, int, int] | None = None
        self._priced_usd = 0.0
        self.response_id: str | None = None
        """The response being metered, once known."""
        self.final: Cost | None = None
        """The bill, once the response finished."""

    @property
    def bounded(self) -> bool:
        """Whether a budget can stop this call (its own, or a shared one with a limit).

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=1.0).bounded
            True
        """
        return self.limit_usd is not None or any(b.max_usd is not None for b in self.budgets)

    def running(self) -> Cost:
        """The cost so far (an estimate until `finish`).

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None).running().total_usd
            0.0
        """
        if self.final is not None:
            return self.final
        searches, input_tokens, output, reasoning = self._counts()
        usage = Usage.model_validate(
            {
                "input_tokens": input_tokens,
                "output_tokens": output,
                "output_tokens_details": {"reasoning_tokens": reasoning},
                "total_tokens": input_tokens + output,
            }
        )
        return self.table.cost(self.model, usage, searches, estimated=True)

    def _counts(self) -> tuple[int, int, int, int]:
        """Web searches, input, output (reasoning included) and reasoning tokens so far."""
        searches = len(self._searches)
        input_tokens = self._input + searches * self._input_per_search
        reasoning = max(self._reasoning_tokens, _tokens(self._streamed_reasoning))
        output = max(self._output_tokens, _tokens(self._streamed)) + reasoning
        return searches, input_tokens, output, reasoning

    def _running_usd(self) -> float:
        """`running().total_usd` without building a `Usage` and a `Cost` (run on every event).

        Priced again only when a count changed since the last event.
        """
        if self._price_model != self.model:  # the model is known late for background polls
            self._price_model, self._price = self.model, self.table.price_for(self.model)
            self._priced_at = None
        if self._price is None:
            return 0.0
        reasoning = self._reasoning_tokens
        if self._streamed_reasoning[0]:
            reasoning = max(reasoning, _tokens(self._streamed_reasoning))
        output = max(self._output_tokens, _tokens(self._streamed)) + reasoning
        searches = len(self._searches)
        key = (searches, output, reasoning)
        if key != self._priced_at:
            self._priced_at = key
            input_tokens = self._input + searches * self._input_per_search
            self._priced_usd = self.table.total_of(
                self._price, input_tokens, output, reasoning, searches
            )
        return self._priced_usd

    def observe(self, deltas: Iterable[StreamDelta], state: ResponseState | None = None) -> None:
        """Count the deltas of one event; raise once the budget is passed.

        Raises:
            BudgetExceededError: The running cost passed the budget.

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=1.0).observe([])
        """
        for delta in deltas:
            if type(delta) is TextDelta:  # the hot path: `_count` inline
                text = delta.text
                streamed = self._streamed
                streamed[0] += len(text)
                streamed[1] += len(text) if text.isascii() else len(text.encode())
            elif isinstance(delta, (TextDelta, RefusalDelta)):
                _count(self._streamed, delta.text)
            elif isinstance(delta, ReasoningDelta):
                _count(self._streamed_reasoning, delta.text)
            elif isinstance(delta, _ToolCallDelta):
                _count(self._streamed, delta.arguments)
            elif isinstance(delta, ItemDone):
                self._count_search(delta.item, delta.output_index)
        if state is not None and state.snapshot is not None and state.snapshot.id:
            self.response_id = state.snapshot.id
        if self.final is not None:
            return
        if self._unbounded:
            self._unpriced += 1
            if self._unpriced < _UNBOUNDED_EVERY:
                return
            self._unpriced = 0
        # The dollars only: pricing a whole `Cost` per event was half a metered stream's CPU.
        usd = self._charge_usd(self._running_usd())
        # Join the partial text only when raising: joining it on every event is O(N²).
        if self._over(usd):
            self.check(partial_text=state.text if state is not None else "")

    def observe_response(self, response: Response) -> None:
        """Count a polled snapshot of a background run; raise once the budget is passed.

        Raises:
            BudgetExceededError: The running cost passed the budget.

        Example:
            >>> meter = CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None)
            >>> meter.observe_response(Response(id="resp_1"))
            >>> meter.response_id
            'resp_1'
        """
        self.response_id = response.id or self.response_id
        if not self.model and response.model:
            self.model = response.model
            typical = typical_run(response.model)
            self._input_per_search = typical.input_tokens // max(typical.web_searches, 1)
        output = reasoning = 0
        for index, item in enumerate(response.output):
            if isinstance(item, OutputMessage):
                output += estimate_tokens(item.text)
            elif isinstance(item, FunctionCall):
                output += estimate_tokens(item.arguments)
            elif isinstance(item, ReasoningItem):
                reasoning += estimate_tokens(item.summary_text)
            else:
                self._count_search(item, index)
        self._output_tokens = max(self._output_tokens, output)
        self._reasoning_tokens = max(self._reasoning_tokens, reasoning)
        if self.final is None:
            self._charge(self.running())
        self.check(partial_text=response.output_text)

    def _charge(self, cost: Cost) -> Cost:
        """Move the shared budgets from what was charged to `cost`."""
        self._charge_usd(cost.total_usd, cost.model)
        return cost

    def _charge_usd(self, total_usd: float, model: str = "") -> float:
        """Move the shared budgets from what was charged to `total_usd`; return it."""
        delta = total_usd - self._charged
        if delta:
            self._charged = total_usd
            for budget in self.budgets:
                budget.charge(self.model or model, delta, caller=self)
        return total_usd

    def _over(self, total_usd: float) -> bool:
        if self.limit_usd is not None and total_usd > self.limit_usd:
            return True
        return any(budget.passed() for budget in self.budgets)

    def _count_search(self, item: Any, index: int) -> None:
        if isinstance(item, WebSearchCall):
            self._searches.add(item.id or f"#{index}")
        elif isinstance(item, Mapping) and item.get("type") == "web_search_call":
            self._searches.add(str(item.get("id") or f"#{index}"))

    def check(self, partial_text: str = "") -> None:
        """Raise if the running cost passed the budget.

        Raises:
            BudgetExceededError: It did.

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None).check()
        """
        if self.final is not None:
            return
        cost = self.running()
        shared_with = 0
        if self.limit_usd is not None and cost.total_usd > self.limit_usd:
            limit, spent, what = self.limit_usd, cost.total_usd, "its cost so far"
        else:
            budget = next((b for b in self.budgets if b.passed()), None)
            if budget is None or budget.max_usd is None:
                return
            limit, spent = budget.max_usd, budget.spent_usd
            shared_with = budget.callers_besides(self)
            what = f"the budget's spend, {_usd(spent)}"
            if _usd(spent) != _usd(cost.total_usd):
                what += f" (this run {_usd(cost.total_usd)})"
        searches = cost.web_search_calls
        message = (
            f"stopped {self.model} run {self.response_id or ''}: "
            + (f"its cost so far, {_usd(spent)}" if what == "its cost so far" else what)
            + f", passed the budget of {_usd(limit)} ({searches} web search"
            f"{'' if searches == 1 else 'es'}, ~{cost.output_tokens} output tokens, estimated"
            " until the bill)"
        )
        if shared_with:
            message += (
                f"; {shared_with} other call{'' if shared_with == 1 else 's'} spent from the same"
                " Budget (it is a limit on the total, not a reservation per call)"
            )
        if partial_text:
            message += f"; the partial answer ({len(partial_text)} characters) is in .partial_text"
        raise BudgetExceededError(
            message,
            cost=cost,
            limit_usd=limit,
            spent_usd=spent,
            response_id=self.response_id,
            partial_text=partial_text,
        )

    def finish(self, response: Response) -> Cost:
        """Replace the estimate with the bill and count it in the ledger.

        An answer without usage (a chat channel that ignores `stream_options.include_usage`)
        keeps the running estimate, marked `estimated`, rather than a bill of $0.

        Example:
            >>> meter = CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None)
            >>> meter.finish(Response(model="gpt-5", usage=Usage())).estimated
            False
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None).finish(
            ...     Response(model="gpt-5")
            ... ).estimated
            True
        """
        if self.final is None:
            bill = self.table.cost_of(response) if response.usage is not None else self.running()
            self.final = self._charge(bill)
            for budget in self.budgets:
                budget.count_call(self.final)
        return self.final

    def settle(self) -> None:
        """Bring the shared budgets up to the running estimate (a stream left early).

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None).settle()
        """
        if self.final is None:
            self._unpriced = 0
            self._charge_usd(self._running_usd())

    def stopped(self) -> None:
        """Count the estimate of a run stopped before its bill.

        Example:
            >>> CostMeter(PriceTable(), "gpt-5", input_tokens=0, limit_usd=None).stopped()
        """
        if self.final is None:
            self.final = self._charge(self.running())
            for budget in self.budgets:
                budget.count_call(self.final)


_UNBOUNDED_EVERY = 64
"""Events between two live charges of a meter that no limit can stop."""


def _count(counter: list[int], text: str) -> None:
    counter[0] += len(text)
    counter[1] += len(text) if text.isascii() else len(text.encode())


def _tokens(counter: list[int]) -> int:
    """`estimate_tokens` from totals: CJK characters take 3 UTF-8 bytes, the rest ~1."""
    chars, size = counter
    wide = min((size - chars) // 2, chars)
    return wide + -(-(chars - wide) // 4)


class CostGuard:
    """The checks made before every create or stream call, and the client's ledger.

    Args:
        table: Prices and the group multiplier.
        allow_expensive: Allow deep-research and `*-pro` models without a budget.
        max_cost_usd: A budget for all calls of the client together, or `None`.
        budget: A `Budget` shared with other clients (and adapters), or `None`.

    Example:
        >>> guard = CostGuard(PriceTable())
        >>> guard.check(
        ...     {"model": "o3-deep-research", "input": "x", "tools": [{"type": "file_search"}]}
        ... )
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.CostLimitError: o3-deep-research is an expensive model: ...
    """

    def __init__(
        self,
        table: PriceTable,
        *,
        allow_expensive: bool = False,
        max_cost_usd: float | None = None,
        budget: Budget | None = None,
    ) -> None:
        self.table = table
        self.allow_expensive = bool(allow_expensive)
        self.max_cost_usd = _budget(max_cost_usd, "max_cost_usd", sending=False)
        self.ledger = Budget(self.max_cost_usd)
        """What this client spent (its `max_cost_usd` is this ledger's limit)."""
        self.budget = _shared(budget)
        """The shared `Budget` every call of this client is charged to, or `None`."""
        self._lock = threading.Lock()
        self._queued: dict[str, CostMeter] = {}

    def _budgets(self, extra: Budget | None = None) -> tuple[Budget, ...]:
        found = [self.ledger, self.budget, extra]
        return tuple(dict.fromkeys(b for b in found if b is not None))

    def remaining_usd(self, extra: Budget | None = None) -> float | None:
        """What is left of the client's budgets, the smallest (`None` without any).

        Example:
            >>> CostGuard(PriceTable(), max_cost_usd=2.0).remaining_usd()
            2.0
        """
        left = [b.remaining_usd for b in self._budgets(extra) if b.max_usd is not None]
        return min((x for x in left if x is not None), default=None)

    def meter_for(
        self,
        model: str,
        max_cost_usd: float | None = None,
        budget: Budget | None = None,
        *,
        response_id: str | None = None,
    ) -> CostMeter:
        """A meter for a run started elsewhere (e.g. a background run being waited for).

        Its limit is `max_cost_usd`; it is charged to the client's budgets and `budget`. A run
        this client created queued (`create_response(background=True, ...)`) keeps the budget
        it was created with, too.

        Example:
            >>> CostGuard(PriceTable(), max_cost_usd=1.0).meter_for("gpt-5", 0.5).limit_usd
            0.5
        """
        limit = _budget(max_cost_usd, "max_cost_usd")
        budgets = self._budgets(_shared(budget))
        queued = self._queued.pop(response_id, None) if response_id else None
        if queued is not None:
            limit = _smaller(limit, queued.limit_usd)
            budgets = tuple(dict.fromkeys([*budgets, *queued.budgets]))
        return CostMeter(self.table, model, input_tokens=0, limit_usd=limit, budgets=budgets)

    def queued(self, response_id: str, meter: CostMeter) -> None:
        """Remember the budget of a run created queued, for the `wait_response` that follows.

        Example:
            >>> guard = CostGuard(PriceTable())
            >>> guard.queued("resp_1", guard.meter_for("gpt-5", 0.5))
            >>> guard.meter_for("gpt-5", response_id="resp_1").limit_usd
            0.5
        """
        with self._lock:
            if len(self._queued) >= 1024:  # bounded: forgotten runs must not grow it forever
                self._queued.pop(next(iter(self._queued)))
            self._queued[response_id] = meter

    def check(
        self,
        params: Mapping[str, Any],
        *,
        allow_expensive: bool = False,
        max_cost_usd: float | None = None,
        budget: Budget | None = None,
    ) -> tuple[dict[str, Any], CostMeter]:
        """Check a call's body and its guard options; return the body and the call's meter.

        `allow_expensive`, `max_cost_usd` and `budget` hold for this call only (the client's
        `RequestOptions` carry them, split from the body by `split_options`).

        Raises:
            ConfigurationError: A deep-research model without a data-source tool.
            CostLimitError: An expensive model without opt-in, or no budget left.

        Example:
            >>> params, meter = CostGuard(PriceTable()).check({"model": "gpt-5", "input": "hi"})
            >>> params, meter.limit_usd
            ({'model': 'gpt-5', 'input': 'hi'}, None)
        """
        body = dict(params)
        allow = allow_expensive or self.allow_expensive
        call_budget = _budget(max_cost_usd, "max_cost_usd")
        shared = _shared(budget)
        model = body.get("model")
        model = model if isinstance(model, str) else ""
        if is_deep_research(model):
            _require_data_source(model, body.get("tools"))
        estimate = self.table.estimate(body)
        remaining = self.remaining_usd(shared)
        limit = _smaller(call_budget, remaining)
        if limit is None and not allow and is_expensive(model):
            raise CostLimitError(
                f"{model} is an expensive model: one call likely costs {estimate} "
                f"(~{estimate.input_tokens:,} input and ~{estimate.output_tokens:,} output "
                f"tokens, {estimate.web_search_calls} web searches, group ratio "
                f"{self.table.group_ratio}). Pass allow_expensive=True, or a budget with "
                "max_cost_usd=..., to run it; max_tool_calls and max_output_tokens cap it."
            )
        if remaining is not None and remaining <= 0:
            spent = next(b for b in self._budgets(shared) if b.remaining_usd == 0)
            raise CostLimitError(
                f"the budget of {_usd(spent.max_usd or 0.0)} is spent"
                f" ({_usd(spent.spent_usd)} so far); nothing was sent"
            )
        meter = CostMeter(
            self.table,
            model,
            input_tokens=estimate.input_tokens - typical_run(model).input_tokens,
            limit_usd=call_budget,
            budgets=self._budgets(shared),
        )
        return body, meter


def _budget(value: Any, name: str, *, sending: bool = True) -> float | None:
    """A budget in dollars: finite and > 0 (NaN, inf, 0 and negatives would disable the stop).

    `sending`: the value came with a call (the message says nothing was sent).
    """
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigurationError(
            f"{name} must be a finite number of US dollars > 0, got {value!r}"
            + ("; nothing was sent" if sending else "")
        )
    return float(value)


def _shared(value: Any) -> Budget | None:
    if value is None or isinstance(value, Budget):
        return value
    raise ConfigurationError(f"budget must be a xiaohu.Budget, got {type(value).__name__}")


def _smaller(a: float | None, b: float | None) -> float | None:
    if a is None:
        return b
    return a if b is None else min(a, b)


def _require_data_source(model: str, tools: Any) -> None:
    given = [t for t in tools or () if isinstance(t, Mapping)]
    kinds = {t.get("type") for t in given}
    if not kinds & DATA_SOURCE_TOOLS:
        raise ConfigurationError(
            f"{model} is a deep-research model and needs at least one data-source tool: "
            'tools=[{"type": "web_search_preview"}] (or file_search with vector_store_ids, or '
            'mcp with require_approval "never"; code_interpreter may be added but is no data '
            "source); nothing was sent. Cap its searches with max_tool_calls."
        )
    for tool in given:
        if tool.get("type") == "mcp" and tool.get("require_approval") != "never":
            label = tool.get("server_label") or "?"
            raise ConfigurationError(
                f"{model} is a deep-research model: it runs without a human in the loop, so "
                f'its MCP server {label!r} needs "require_approval": "never" (got '
                f"{tool.get('require_approval')!r}); nothing was sent."
            )


class GuardedResponseStream(ResponseStream):
    """A `ResponseStream` whose cost is metered: it stops when the budget is passed.

    On the stop the connection is closed, `on_stop(response_id)` runs (the client cancels a
    background run there) and `BudgetExceededError` is raised. The bill of a finished stream
    is counted in the client's ledger; `stream.cost` gives it.

    Example:
        >>> with client.stream_response(
        ...     model="o3-deep-research", input="...", max_cost_usd=2.0
        ... ) as stream:  # doctest: +SKIP
        ...     text = stream.get_final_response().output_text
    """

    def __init__(
        self,
        response: httpx.Response,
        meter: CostMeter,
        *,
        on_stop: Callable[[str], None] | None = None,
        state: ResponseState | None = None,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        self.meter = meter
        """The meter of this call."""
        self._on_stop = on_stop
        super().__init__(response, state, deadline=deadline, wire=wire)

    @property
    def cost(self) -> Cost:
        """The bill once the stream finished, else the running estimate.

        Example:
            >>> stream.cost.total_usd  # doctest: +SKIP
            0.0123
        """
        return self.meter.running()

    def _iter_pairs(self) -> Generator[tuple[Any, Sequence[StreamDelta]], None, None]:
        pairs = super()._iter_pairs()
        try:
            meter, state = self.meter, self.state  # both fixed for the stream's life
            for pair in pairs:
                try:
                    meter.observe(pair[1], state)
                except BudgetExceededError:
                    pairs.close()
                    self.meter.stopped()
                    if self._on_stop is not None and self.meter.response_id:
                        self._on_stop(self.meter.response_id)
                    raise
                if state.done and meter.final is None:
                    # Once: a whole body read in one go is "done" before its first pair is out.
                    meter.finish(state.final_response())
                yield pair
        finally:
            pairs.close()
            self.meter.settle()


class AsyncGuardedResponseStream(AsyncResponseStream):
    """Async twin of `GuardedResponseStream`; `on_stop` is awaited.

    Example:
        >>> stream = await client.stream_response(
        ...     model="o3-deep-research", input="...", max_cost_usd=2.0
        ... )  # doctest: +SKIP
    """

    def __init__(
        self,
        response: httpx.Response,
        meter: CostMeter,
        *,
        on_stop: Callable[[str], Awaitable[None]] | None = None,
        state: ResponseState | None = None,
        deadline: Deadline | None = None,
        wire: Mapping[str, str] | None = None,
    ) -> None:
        self.meter = meter
        """The meter of this call."""
        self._on_stop = on_stop
        super().__init__(response, state, deadline=deadline, wire=wire)

    @property
    def cost(self) -> Cost:
        """The bill once the stream finished, else the running estimate.

        Example:
            >>> stream.cost.estimated  # doctest: +SKIP
            True
        """
        return self.meter.running()

    async def _iter_pairs(self) -> AsyncGenerator[tuple[Any, Sequence[StreamDelta]], None]:
        pairs = super()._iter_pairs()
        try:
            meter, state = self.meter, self.state  # both fixed for the stream's life
            async for pair in pairs:
                try:
                    meter.observe(pair[1], state)
                except BudgetExceededError:
                    await pairs.aclose()
                    self.meter.stopped()
                    if self._on_stop is not None and self.meter.response_id:
                        await self._on_stop(self.meter.response_id)
                    raise
                if state.done and meter.final is None:
                    # Once: a whole body read in one go is "done" before its first pair is out.
                    meter.finish(state.final_response())
                yield pair
        finally:
            await pairs.aclose()
            self.meter.settle()


def _usd(amount: float) -> str:
    """Dollars in a message: four decimals, or three significant digits below a tenth of a cent.

    Example:
        >>> _usd(1.5), _usd(0.0000123)
        ('$1.5000', '$1.23e-05')
    """
    return f"${amount:.4f}" if amount == 0 or abs(amount) >= 0.001 else f"${amount:.3g}"
