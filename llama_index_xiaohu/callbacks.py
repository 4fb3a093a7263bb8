"""Tokens and dollars across a LlamaIndex query, chat engine or agent.

`XiaohuUsageHandler` is an instrumentation event handler: it reads the final `ChatResponse` /
`CompletionResponse` of every LLM call (`raw` carries the wire response: `model`, `usage`, the
web-search calls) and totals tokens and cost in a `UsageTally`. `track_xiaohu_usage()` attaches
one to the root dispatcher for the length of a `with` block.

Example:
    >>> from llama_index_xiaohu.callbacks import track_xiaohu_usage
    >>> with track_xiaohu_usage() as usage:  # doctest: +SKIP
    ...     query_engine.query("What is 小胡?")
    >>> usage.total_cost_usd  # doctest: +SKIP
    0.0042
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.instrumentation.events.llm import LLMChatEndEvent, LLMCompletionEndEvent
from pydantic import ConfigDict, Field

from xiaohu import Budget, ModelPrice, Usage, UsageTally

__all__ = ["XiaohuUsageHandler", "track_xiaohu_usage", "usage_of_raw"]


def usage_of_raw(raw: Any, extras: Mapping[str, Any] | None = None) -> tuple[str, Usage, int]:
    """The model, usage and web-search count of one LLM answer, from `raw` (or its extras).

    Example:
        >>> usage_of_raw({"model": "gpt-5", "usage": {"input_tokens": 3, "output_tokens": 2}})
        ('gpt-5', Usage(input_tokens=3, input_tokens_details=None, output_tokens=2, output_tokens_details=None, total_tokens=0), 0)
    """
    data = raw if isinstance(raw, Mapping) else {}
    if isinstance(data.get("response"), Mapping):  # a terminal stream event
        data = data["response"]
    usage = data.get("usage") or (extras or {}).get("usage") or {}
    items = data.get("output")
    output: list[Any] = items if isinstance(items, list) else []
    searches = len(
        [i for i in output if isinstance(i, Mapping) and i.get("type") == "web_search_call"]
    )
    return str(data.get("model") or ""), Usage.model_validate(usage), searches


class XiaohuUsageHandler(BaseEventHandler):
    """Counts tokens and cost of every LLM call whose end event it sees.

    Example:
        >>> handler = XiaohuUsageHandler()
        >>> handler.tally.successful_requests
        0
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tally: UsageTally = Field(default_factory=UsageTally, description="The running totals.")

    @classmethod
    def class_name(cls) -> str:
        """The class name LlamaIndex shows.

        Example:
            >>> XiaohuUsageHandler.class_name()
            'XiaohuUsageHandler'
        """
        return "XiaohuUsageHandler"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        """Count an LLM end event; ignore every other event.

        Example:
            >>> from llama_index.core.base.llms.types import ChatMessage, ChatResponse
            >>> handler = XiaohuUsageHandler()
            >>> raw = {"model": "gpt-5-mini", "usage": {"input_tokens": 5, "output_tokens": 5}}
            >>> handler.handle(
            ...     LLMChatEndEvent(
            ...         messages=[],
            ...         response=ChatResponse(message=ChatMessage(content="x"), raw=raw),
            ...     )
            ... )
            >>> handler.tally.total_tokens
            10
        """
        if not isinstance(event, (LLMChatEndEvent, LLMCompletionEndEvent)):
            return
        response = event.response
        if response is None:
            return
        extras = getattr(response, "additional_kwargs", None) or {}
        model, usage, searches = usage_of_raw(response.raw, extras)
        if usage.input_tokens or usage.output_tokens:
            given = extras.get("cost_usd")
            cost = (
                float(given)
                if isinstance(given, (int, float)) and not isinstance(given, bool)
                else None
            )
            self.tally.add(model, usage, searches, cost)


@contextmanager
def track_xiaohu_usage(
    prices: Mapping[str, ModelPrice] | None = None,
    group_ratio: float = 1.0,
    budget: Budget | None = None,
) -> Iterator[UsageTally]:
    """Total tokens and cost of every LLM call inside the `with` block.

    The dollars are added to `budget` (a `xiaohu.Budget`; default: a new one, `usage.budget`).

    Example:
        >>> with track_xiaohu_usage() as usage:
        ...     pass  # query_engine.query(...), agent.chat(...)
        >>> usage.summary()
        'Tokens: 0 (in 0, out 0) · requests: 0 · cost: $0.0000'
    """
    handler = XiaohuUsageHandler(tally=UsageTally(prices, group_ratio, budget))
    dispatcher = get_dispatcher()
    dispatcher.add_event_handler(handler)
    try:
        yield handler.tally
    finally:
        dispatcher.event_handlers.remove(handler)
