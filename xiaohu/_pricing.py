"""What a call costs: a price table per model, an estimate before sending, the bill after.

Prices are US dollars per million tokens (and per web-search call), OpenAI's list prices. A relay
sells them times its group multiplier (分组倍率, `group_ratio`); both are overridable, because a
relay's own prices are what a user actually pays:

    >>> table = PriceTable(prices={"my-model": ModelPrice(input=1.0, output=2.0)}, group_ratio=0.5)
    >>> table.cost("my-model", Usage(input_tokens=1_000_000, output_tokens=1_000_000)).total_usd
    1.5

Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from ._exceptions import ConfigurationError
from ._models import Response, Usage, WebSearchCall

__all__ = [
    "DEFAULT_PRICES",
    "Cost",
    "ModelPrice",
    "PriceTable",
    "TypicalRun",
    "cost_of",
    "estimate_cost",
    "estimate_tokens",
]

_PER_MILLION = 1_000_000
_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$|(?<=^claude-)(.*)-\d{8}$")
#: new-api's Claude thinking adapter: `claude-...-thinking` is the model with thinking on.
_THINKING = re.compile(r"^(claude-.*)-thinking$")
_CJK = re.compile(r"[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]")


@dataclass(frozen=True)
class ModelPrice:
    """One model's prices, in US dollars.

    Attributes:
        input: Per million input tokens.
        output: Per million output tokens.
        cached_input: Per million cached input tokens (default: the input price).
        reasoning: Per million reasoning tokens (default: the output price; they are output).
        web_search: Per web-search call: each `web_search_call` output item is one call,
            whatever its action (`search`, `open_page`, `find_in_page`). OpenAI's pricing bills
            only `search` actions ($10 per 1,000 calls, search content tokens at the model's
            rates, which the usage already counts); the new-api relay's stream billing counts
            every `web_search_call` item it sees in `response.output_item.done`, page actions
            included. The meter follows the relay (what your key's quota pays), so against
            OpenAI's own bill it errs high by the page actions.

    Example:
        >>> ModelPrice(input=2.0, output=8.0, cached_input=0.5).cached_input
        0.5
    """

    input: float
    output: float
    cached_input: float | None = None
    reasoning: float | None = None
    web_search: float = 0.01

    def __post_init__(self) -> None:
        for name in ("input", "output", "cached_input", "reasoning", "web_search"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ConfigurationError(f"ModelPrice.{name} must be a number >= 0, got {value!r}")


@dataclass(frozen=True)
class TypicalRun:
    """What a call of a model usually consumes when the request does not cap it.

    Used only for the estimate before sending; the bill after comes from the real usage.

    Example:
        >>> TypicalRun(output_tokens=800).web_searches
        0
    """

    output_tokens: int = 1_000
    input_tokens: int = 0
    web_searches: int = 0


#: List prices (USD per 1M tokens; web search $10 per 1,000 calls).
DEFAULT_PRICES: Mapping[str, ModelPrice] = {
    "gpt-5": ModelPrice(1.25, 10.0, cached_input=0.125),
    "gpt-5-mini": ModelPrice(0.25, 2.0, cached_input=0.025),
    "gpt-5-nano": ModelPrice(0.05, 0.40, cached_input=0.005),
    "gpt-5-pro": ModelPrice(15.0, 120.0),
    "gpt-4.1": ModelPrice(2.0, 8.0, cached_input=0.5),
    "gpt-4.1-mini": ModelPrice(0.40, 1.60, cached_input=0.10),
    "gpt-4.1-nano": ModelPrice(0.10, 0.40, cached_input=0.025),
    "gpt-4o": ModelPrice(2.50, 10.0, cached_input=1.25),
    "gpt-4o-mini": ModelPrice(0.15, 0.60, cached_input=0.075),
    "o3": ModelPrice(2.0, 8.0, cached_input=0.5),
    "o3-pro": ModelPrice(20.0, 80.0),
    "o4-mini": ModelPrice(1.10, 4.40, cached_input=0.275),
    "o3-deep-research": ModelPrice(10.0, 40.0, cached_input=2.50),
    "o4-mini-deep-research": ModelPrice(2.0, 8.0, cached_input=0.50),
    # Other vendors the relay sells, at their own list prices (served on Chat Completions).
    "claude-sonnet-4-5": ModelPrice(3.0, 15.0, cached_input=0.30),
    "claude-haiku-4-5": ModelPrice(1.0, 5.0, cached_input=0.10),
    "claude-opus-4-1": ModelPrice(15.0, 75.0, cached_input=1.50),
    "deepseek-chat": ModelPrice(0.28, 0.42, cached_input=0.028),
    "deepseek-reasoner": ModelPrice(0.28, 0.42, cached_input=0.028),
    "qwen-plus": ModelPrice(0.40, 1.20, cached_input=0.08),
    "qwen-max": ModelPrice(1.60, 6.40, cached_input=0.32),
}

#: A deep-research run reads hundreds of pages (input tokens) and runs dozens of searches.
_DEEP_RESEARCH_RUN = TypicalRun(output_tokens=40_000, input_tokens=500_000, web_searches=40)
_PRO_RUN = TypicalRun(output_tokens=10_000)


def base_model(model: str) -> str:
    """The model name without a relay suffix or a date snapshot.

    Claude's `-YYYYMMDD` snapshots and new-api's `-thinking` suffix (the same model with
    thinking on) are priced as the model.

    Example:
        >>> base_model("o3-deep-research-2025-06-26")
        'o3-deep-research'
        >>> base_model("claude-sonnet-4-5-20250929"), base_model("claude-sonnet-4-5-thinking")
        ('claude-sonnet-4-5', 'claude-sonnet-4-5')
    """
    name = _THINKING.sub(r"\1", model.split("@", 1)[0].strip().lower())
    return _DATED.sub(lambda m: m.group(1) or "", name)


def typical_run(model: str) -> TypicalRun:
    """The usual consumption of one call of `model`, for estimates.

    Example:
        >>> typical_run("o3-deep-research").web_searches
        40
    """
    name = base_model(model)
    if "deep-research" in name:
        return _DEEP_RESEARCH_RUN
    if name.endswith("-pro") or "-pro-" in name:
        return _PRO_RUN
    return TypicalRun()


def estimate_tokens(text: str) -> int:
    """A rough token count: one per CJK character, one per four other characters.

    Example:
        >>> estimate_tokens("hello world!"), estimate_tokens("你好")
        (3, 2)
    """
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 4)


class Cost(BaseModel):
    """What a response cost (or is estimated to cost), with its breakdown, in US dollars.

    Every amount already includes the relay's group multiplier.

    Example:
        >>> Cost(model="gpt-5", input_usd=0.1, output_usd=0.2).total_usd
        0.3
    """

    model_config = ConfigDict(frozen=True)

    model: str
    """The model the prices are for."""
    input_usd: float = 0.0
    """Uncached input tokens."""
    cached_input_usd: float = 0.0
    """Cached input tokens."""
    output_usd: float = 0.0
    """Visible output tokens (reasoning excluded)."""
    reasoning_usd: float = 0.0
    """Reasoning tokens."""
    web_search_usd: float = 0.0
    """Web-search calls."""
    web_search_calls: int = 0
    """How many web-search calls were counted: every `web_search_call` item, page actions
    (`open_page`, `find_in_page`) included, as the relay bills a stream (see `ModelPrice`)."""
    input_tokens: int = 0
    """Input tokens counted (cached included)."""
    output_tokens: int = 0
    """Output tokens counted (reasoning included)."""
    group_ratio: float = 1.0
    """The relay group multiplier applied."""
    priced: bool = True
    """False when the model is not in the price table (every amount is then 0)."""
    estimated: bool = False
    """True for an estimate made before or during a run, False for a bill from usage."""

    @property
    def total_usd(self) -> float:
        """The sum of the breakdown.

        Example:
            >>> Cost(model="m", web_search_usd=0.02).total_usd
            0.02
        """
        parts = (
            self.input_usd,
            self.cached_input_usd,
            self.output_usd,
            self.reasoning_usd,
            self.web_search_usd,
        )
        return _total(parts)

    def __str__(self) -> str:
        kind = "about " if self.estimated else ""
        return f"{kind}${self.total_usd:.4f} ({self.model})" if self.priced else "unknown cost"


class PriceTable:
    """Prices per model (defaults plus overrides) and the relay's group multiplier.

    Args:
        prices: Prices to add or replace, by model name (dated snapshots fall back to them).
        group_ratio: The relay group multiplier (分组倍率), e.g. 0.5 on a discount group.

    Example:
        >>> PriceTable().price_for("gpt-5-mini-2025-08-07").output
        2.0
    """

    def __init__(
        self, prices: Mapping[str, ModelPrice] | None = None, group_ratio: float = 1.0
    ) -> None:
        if isinstance(group_ratio, bool) or not isinstance(group_ratio, (int, float)):
            raise ConfigurationError(f"group_ratio must be a number, got {group_ratio!r}")
        if not math.isfinite(group_ratio) or group_ratio <= 0:
            raise ConfigurationError(
                f"group_ratio must be a finite number > 0, got {group_ratio!r}"
            )
        for name, price in (prices or {}).items():
            if not isinstance(price, ModelPrice):
                raise ConfigurationError(f"prices[{name!r}] must be a ModelPrice, got {price!r}")
        self.prices = {**DEFAULT_PRICES, **{k.lower(): v for k, v in (prices or {}).items()}}
        self.group_ratio = float(group_ratio)

    def __repr__(self) -> str:
        return f"PriceTable({len(self.prices)} models, group_ratio={self.group_ratio})"

    def price_for(self, model: str) -> ModelPrice | None:
        """The model's prices: exact name first, then without a date snapshot; else `None`.

        Example:
            >>> PriceTable().price_for("no-such-model") is None
            True
        """
        name = model.split("@", 1)[0].strip().lower()
        return self.prices.get(name) or self.prices.get(base_model(name))

    def cost(
        self, model: str, usage: Usage | None, web_searches: int = 0, *, estimated: bool = False
    ) -> Cost:
        """Price token usage and web searches.

        Example:
            >>> PriceTable().cost("gpt-5", Usage(input_tokens=1_000_000)).input_usd
            1.25
        """
        usage = usage or Usage()
        price = self.price_for(model)
        counts: dict[str, Any] = {
            "model": model,
            "web_search_calls": web_searches,
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "group_ratio": self.group_ratio,
            "estimated": estimated,
        }
        if price is None:
            return Cost(priced=False, **counts)
        parts = self._parts(
            price,
            usage.input_tokens,
            usage.cached_tokens,
            usage.output_tokens,
            usage.reasoning_tokens,
            web_searches,
        )
        return Cost(
            input_usd=parts[0],
            cached_input_usd=parts[1],
            output_usd=parts[2],
            reasoning_usd=parts[3],
            web_search_usd=parts[4],
            **counts,
        )

    def total_of(
        self,
        price: ModelPrice,
        input_tokens: int,
        output_tokens: int,
        reasoning_tokens: int = 0,
        web_searches: int = 0,
    ) -> float:
        """`cost(...).total_usd` at a price already looked up (no cached input), without a `Cost`.

        Example:
            >>> PriceTable().total_of(ModelPrice(input=1.0, output=2.0), 1_000_000, 1_000_000)
            3.0
        """
        return round(
            sum(self._parts(price, input_tokens, 0, output_tokens, reasoning_tokens, web_searches)),
            10,
        )  # `_total`, inline: this runs once per streamed event

    def _parts(
        self,
        price: ModelPrice,
        input_tokens: int,
        cached_tokens: int,
        output_tokens: int,
        reasoning_tokens: int,
        web_searches: int,
    ) -> tuple[float, float, float, float, float]:
        """Dollars for uncached input, cached input, output, reasoning and web searches."""
        ratio = self.group_ratio / _PER_MILLION
        cached = min(cached_tokens, input_tokens)
        reasoning = min(reasoning_tokens, output_tokens)
        cached_price = price.input if price.cached_input is None else price.cached_input
        reasoning_price = price.output if price.reasoning is None else price.reasoning
        return (
            (input_tokens - cached) * price.input * ratio,
            cached * cached_price * ratio,
            (output_tokens - reasoning) * price.output * ratio,
            reasoning * reasoning_price * ratio,
            web_searches * price.web_search * self.group_ratio,
        )

    def cost_of(self, response: Response) -> Cost:
        """The bill of a finished response, from its usage and its web-search calls.

        Every `web_search_call` item counts as one call, page actions included (the relay's
        rule; see `ModelPrice.web_search`).

        Example:
            >>> PriceTable().cost_of(Response(model="gpt-5")).total_usd
            0.0
        """
        searches = sum(1 for item in response.output if isinstance(item, WebSearchCall))
        return self.cost(response.model, response.usage, searches)

    def estimate(self, params: Mapping[str, Any]) -> Cost:
        """Estimate a request's cost before sending it.

        Input is counted from the request text; output is `max_output_tokens` when set, else
        the model's typical run; web searches are `max_tool_calls` when set (and a search tool
        is present), else the typical run. Deep-research estimates are rough by nature.

        Example:
            >>> cost = PriceTable().estimate(
            ...     {"model": "gpt-5", "input": "hi", "max_output_tokens": 100}
            ... )
            >>> round(cost.output_usd, 6), cost.estimated
            (0.001, True)
        """
        model = str(params.get("model") or "")
        typical = typical_run(model)
        text = _request_text(params)
        input_tokens = estimate_tokens(text) + typical.input_tokens
        max_output = params.get("max_output_tokens")
        output_tokens = max_output if isinstance(max_output, int) else typical.output_tokens
        searches = 0
        if _has_search_tool(params.get("tools")):
            max_calls = params.get("max_tool_calls")
            searches = max_calls if isinstance(max_calls, int) else max(typical.web_searches, 1)
        usage = Usage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        )
        return self.cost(model, usage, searches, estimated=True)


def _total(parts: tuple[float, ...]) -> float:
    """The sum of a cost breakdown, rounded as every total is (one rule for `Cost` and the meter)."""
    return round(sum(parts), 10)


def _request_text(params: Mapping[str, Any]) -> str:
    parts = [str(params.get("instructions") or ""), _flatten(params.get("input"))]
    if params.get("tools"):
        parts.append(repr(params["tools"]))
    return " ".join(parts)


def _flatten(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return " ".join(_flatten(v) for k, v in value.items() if k not in ("type", "role", "id"))
    if isinstance(value, (list, tuple)):
        return " ".join(_flatten(v) for v in value)
    return ""


def _has_search_tool(tools: Any) -> bool:
    return isinstance(tools, list) and any(
        isinstance(t, Mapping) and str(t.get("type", "")).startswith("web_search") for t in tools
    )


def cost_of(
    response: Response,
    *,
    prices: Mapping[str, ModelPrice] | None = None,
    group_ratio: float = 1.0,
) -> Cost:
    """The bill of a finished response, at list prices (or yours) times the group multiplier.

    Example:
        >>> from xiaohu import Response, Usage, cost_of
        >>> cost_of(Response(model="gpt-5-mini", usage=Usage(output_tokens=1000))).total_usd
        0.002
    """
    return PriceTable(prices, group_ratio).cost_of(response)


def estimate_cost(
    params: Mapping[str, Any],
    *,
    prices: Mapping[str, ModelPrice] | None = None,
    group_ratio: float = 1.0,
) -> Cost:
    """Estimate what a request would cost, before sending it.

    Example:
        >>> from xiaohu import estimate_cost
        >>> cost = estimate_cost(
        ...     {
        ...         "model": "o3-deep-research",
        ...         "input": "x",
        ...         "tools": [{"type": "web_search_preview"}],
        ...     }
        ... )
        >>> cost.total_usd > 5
        True
    """
    return PriceTable(prices, group_ratio).estimate(params)
