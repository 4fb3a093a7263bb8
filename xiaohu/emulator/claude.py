"""What new-api's Claude adaptor does to an OpenAI-format chat request, and what Anthropic says.

new-api (``relay/channel/claude/relay-claude.go``, ``RequestOpenAI2ClaudeMessage``) turns a
``/v1/chat/completions`` body into an Anthropic Messages request. The emulator does to a body
for a ``claude-*`` model what matters to a client:

* the ``-thinking`` suffix turns thinking on (the model is reported without it); ``max_tokens``
  is raised to at least 1280 and the temperature forced to 1;
* ``reasoning_effort`` ``low`` / ``medium`` / ``high`` turns thinking on with a budget of
  1280 / 2048 / 4096 tokens; any other effort is dropped;
* with thinking on, Anthropic answers 400 to a temperature other than 1, and to a
  ``max_tokens`` not above the budget (new-api relays the 400);
* ``response_format`` is dropped (the answer is free text), and so is an ``allowed_tools``
  ``tool_choice``.
"""

from __future__ import annotations

from typing import Any

from xiaohu.emulator.errors import openai_error

__all__ = ["THINKING_BUDGET", "claude_request", "is_claude"]

#: The thinking budget new-api gives each ``reasoning_effort`` (tokens).
THINKING_BUDGET = {"low": 1280, "medium": 2048, "high": 4096}
_THINKING_MIN_TOKENS = 1280


def is_claude(model: str) -> bool:
    """Whether the relay routes ``model`` through its Claude adaptor.

    Example:
        >>> is_claude("claude-sonnet-4-5"), is_claude("deepseek-chat")
        (True, False)
    """
    return model.startswith("claude")


def claude_request(body: dict[str, Any], model: str) -> tuple[dict[str, Any], str]:
    """The chat body and model as the Claude adaptor and Anthropic treat them.

    Raises:
        EmulatorError: Anthropic's 400 for what thinking does not allow.

    Example:
        >>> body, model = claude_request({"reasoning_effort": "minimal"}, "claude-opus-4-1")
        >>> body, model
        ({}, 'claude-opus-4-1')
        >>> claude_request({}, "claude-sonnet-4-5-thinking")[0]["reasoning_effort"]
        'medium'
    """
    body = dict(body)
    body.pop("response_format", None)
    choice = body.get("tool_choice")
    if isinstance(choice, dict) and choice.get("type") == "allowed_tools":
        del body["tool_choice"]
    effort = body.pop("reasoning_effort", None)
    budget = THINKING_BUDGET.get(effort) if isinstance(effort, str) else None
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if model.endswith("-thinking"):
        model = model.removesuffix("-thinking")
        limit = max(limit or 0, _THINKING_MIN_TOKENS)
        body["max_tokens"], body["temperature"] = limit, 1.0
        body.pop("top_p", None)
        if budget is None:
            budget = int(0.8 * limit)
            effort = "medium"
    if budget is None:
        return body, model
    body["reasoning_effort"] = effort
    if body.get("temperature") not in (None, 1, 1.0):
        raise openai_error(
            400,
            "temperature may only be set to 1 when thinking is enabled. Please consult our "
            "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
            code="invalid_request_error",
        )
    if limit is not None and limit <= budget:
        raise openai_error(
            400,
            "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
            "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking",
            code="invalid_request_error",
        )
    return body, model
