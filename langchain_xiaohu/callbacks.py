"""Tokens and dollars across a chain or an agent: `XiaohuCallbackHandler`, `get_xiaohu_callback`.

The handler reads each finished generation's `usage_metadata` (and `response_metadata`:
`model_name`, and `cost_usd` when the chat model already priced it) and totals them. Prices come
from the core's table (`xiaohu.PriceTable`), with your overrides and the relay's group ratio.

Example:
    >>> from langchain_xiaohu.callbacks import get_xiaohu_callback
    >>> with get_xiaohu_callback() as cb:  # doctest: +SKIP
    ...     chain.invoke({"topic": "tea"})
    >>> print(cb)  # doctest: +SKIP
    Tokens: 1234 (in 1000, out 234) · requests: 2 · cost: $0.0031
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGeneration, LLMResult
from langchain_core.tracers.context import register_configure_hook

from xiaohu import Budget, ModelPrice, Usage, UsageTally

__all__ = ["XiaohuCallbackHandler", "get_xiaohu_callback", "usage_from_metadata"]


def usage_from_metadata(metadata: Mapping[str, Any]) -> Usage:
    """LangChain's `usage_metadata` back in the wire shape, for pricing.

    Example:
        >>> usage = usage_from_metadata(
        ...     {"input_tokens": 9, "output_tokens": 4, "input_token_details": {"cache_read": 3}}
        ... )
        >>> usage.cached_tokens, usage.total_tokens
        (3, 13)
    """
    inputs = int(metadata.get("input_tokens") or 0)
    outputs = int(metadata.get("output_tokens") or 0)
    cached = (metadata.get("input_token_details") or {}).get("cache_read") or 0
    reasoning = (metadata.get("output_token_details") or {}).get("reasoning") or 0
    return Usage.model_validate(
        {
            "input_tokens": inputs,
            "input_tokens_details": {"cached_tokens": int(cached)},
            "output_tokens": outputs,
            "output_tokens_details": {"reasoning_tokens": int(reasoning)},
            "total_tokens": int(metadata.get("total_tokens") or inputs + outputs),
        }
    )


def _web_searches(message: BaseMessage) -> int:
    content = message.content if isinstance(message.content, list) else []
    return sum(
        1
        for block in content
        if isinstance(block, dict)
        and (
            block.get("type") == "web_search_call"
            or (block.get("type") == "server_tool_call" and block.get("name") == "web_search")
        )
    )


class XiaohuCallbackHandler(BaseCallbackHandler, UsageTally):
    """Totals tokens and cost of every chat-model call it sees (thread-safe).

    Args:
        prices: Prices to add or replace, by model (see `xiaohu.ModelPrice`).
        group_ratio: The relay group multiplier (分组倍率).
        budget: The `xiaohu.Budget` the counted calls are added to (default: a new one);
            `handler.budget.by_model` splits the spend by model.

    Example:
        >>> handler = XiaohuCallbackHandler()
        >>> handler.total_cost_usd, handler.successful_requests
        (0.0, 0)
    """

    raise_error = False
    run_inline = True

    def __init__(
        self,
        prices: Mapping[str, ModelPrice] | None = None,
        group_ratio: float = 1.0,
        budget: Budget | None = None,
    ) -> None:
        BaseCallbackHandler.__init__(self)
        UsageTally.__init__(self, prices, group_ratio, budget)

    def __repr__(self) -> str:
        return self.summary()

    def on_llm_end(self, response: LLMResult, **kwargs: Any) -> None:
        """Count the usage and cost of each generation of a finished call.

        Example:
            >>> from langchain_core.messages import AIMessage
            >>> handler = XiaohuCallbackHandler()
            >>> message = AIMessage(
            ...     "hi",
            ...     usage_metadata={"input_tokens": 10, "output_tokens": 5, "total_tokens": 15},
            ...     response_metadata={"model_name": "gpt-5-mini"},
            ... )
            >>> handler.on_llm_end(LLMResult(generations=[[ChatGeneration(message=message)]]))
            >>> handler.total_tokens
            15
        """
        for generations in response.generations:
            for generation in generations:
                if isinstance(generation, ChatGeneration):
                    self._count(generation.message)

    def _count(self, message: BaseMessage) -> None:
        metadata = getattr(message, "usage_metadata", None)
        if not metadata:
            return
        info = message.response_metadata or {}
        given = info.get("cost_usd")
        self.add(
            str(info.get("model_name") or info.get("model") or ""),
            usage_from_metadata(metadata),
            _web_searches(message),
            float(given)
            if isinstance(given, (int, float)) and not isinstance(given, bool)
            else None,
        )


_handler_var: ContextVar[XiaohuCallbackHandler | None] = ContextVar("xiaohu_callback", default=None)
register_configure_hook(_handler_var, inheritable=True)


@contextmanager
def get_xiaohu_callback(
    prices: Mapping[str, ModelPrice] | None = None,
    group_ratio: float = 1.0,
    budget: Budget | None = None,
) -> Iterator[XiaohuCallbackHandler]:
    """Count tokens and cost of every chat-model call inside the `with` block.

    Example:
        >>> with get_xiaohu_callback() as cb:
        ...     pass  # chain.invoke(...), agent.invoke(...)
        >>> cb.successful_requests
        0
    """
    handler = XiaohuCallbackHandler(prices, group_ratio, budget)
    token = _handler_var.set(handler)
    try:
        yield handler
    finally:
        _handler_var.reset(token)
