"""Function calling: which offered tools fit the user's message, with what arguments.

A tool fits when its name or description shares words with the last user message. ``tool_choice``
``"required"``, ``{"type": "function", "name": …}`` and ``allowed_tools`` narrow or force the choice;
``"none"`` turns tools off; ``parallel_tool_calls: false`` keeps only the best fit.
"""

from __future__ import annotations

import json
from typing import Any

from xiaohu.emulator.ids import item_id
from xiaohu.emulator.language import keywords
from xiaohu.emulator.schema import Hints, generate

__all__ = ["choose_calls", "function_tools", "tool_outputs_text", "wants_tools"]


def function_tools(tools: list[dict[str, Any]], tool_choice: Any) -> list[dict[str, Any]]:
    """Return the function tools the model may call under ``tool_choice``.

    Example:
        >>> tools = [{"type": "function", "name": "a"}, {"type": "web_search"}]
        >>> [t["name"] for t in function_tools(tools, "auto")], function_tools(tools, "none")
        (['a'], [])
    """
    offered = [t for t in tools if t.get("type") in ("function", "custom") and t.get("name")]
    if tool_choice == "none":
        return []
    if isinstance(tool_choice, dict):
        kind = tool_choice.get("type")
        if kind in ("function", "custom"):
            return [t for t in offered if t["name"] == tool_choice.get("name")]
        if kind == "allowed_tools":
            allowed = {t.get("name") for t in tool_choice.get("tools", []) if isinstance(t, dict)}
            return [t for t in offered if t["name"] in allowed]
        return []  # a hosted tool is forced
    return offered


def wants_tools(tool_choice: Any) -> bool:
    """Say whether ``tool_choice`` forces at least one tool call.

    Example:
        >>> (
        ...     wants_tools("required"),
        ...     wants_tools("auto"),
        ...     wants_tools({"type": "function", "name": "f"}),
        ... )
        (True, False, True)
    """
    if tool_choice == "required":
        return True
    if isinstance(tool_choice, dict):
        return tool_choice.get("type") == "function" or tool_choice.get("mode") == "required"
    return False


def _score(tool: dict[str, Any], question: str, words: set[str]) -> int:
    name = str(tool.get("name", ""))
    described = keywords(f"{name} {tool.get('description') or ''}", stems=True)
    score = len(words.intersection(described))
    if name and name.lower() in question.lower():
        score += 3
    return score


def choose_calls(
    tools: list[dict[str, Any]], tool_choice: Any, question: str, *, parallel: bool
) -> list[dict[str, Any]]:
    """Return the ``function_call`` (or ``custom_tool_call``) items the model makes for ``question``.

    Args:
        tools: all tools offered.
        tool_choice: the request's ``tool_choice``.
        question: the last user message.
        parallel: whether several calls may be made at once.

    Example:
        >>> weather = {
        ...     "type": "function",
        ...     "name": "get_weather",
        ...     "description": "Current weather for a city",
        ...     "parameters": {
        ...         "type": "object",
        ...         "properties": {"city": {"type": "string"}},
        ...         "required": ["city"],
        ...     },
        ... }
        >>> [
        ...     c["arguments"]
        ...     for c in choose_calls([weather], "auto", "Weather in Oslo?", parallel=True)
        ... ]
        ['{"city":"Oslo"}']
    """
    candidates = function_tools(tools, tool_choice)
    if not candidates:
        return []
    words = set(keywords(question, stems=True))
    scored = sorted(
        ((_score(t, question, words), i, t) for i, t in enumerate(candidates)),
        key=lambda entry: (-entry[0], entry[1]),
    )
    chosen = [t for score, _, t in scored if score > 0]
    if not chosen and wants_tools(tool_choice):
        chosen = [scored[0][2]]
    if not parallel:
        chosen = chosen[:1]
    calls = []
    for tool in chosen:
        if tool["type"] == "custom":  # a freeform tool: its input is text, here the question
            calls.append(
                {
                    "id": item_id("ctc"),
                    "type": "custom_tool_call",
                    "status": "completed",
                    "call_id": item_id("call"),
                    "name": tool["name"],
                    "input": question,
                }
            )
            continue
        params = tool.get("parameters") or {"type": "object", "properties": {}}
        args = generate(params, hints=Hints.from_text(question))
        calls.append(
            {
                "id": item_id("fc"),
                "type": "function_call",
                "status": "completed",
                "arguments": json.dumps(args, ensure_ascii=False, separators=(",", ":")),
                "call_id": item_id("call"),
                "name": tool["name"],
            }
        )
    return calls


def _output_text(output: Any) -> str:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return " ".join(str(p.get("text", "[file]")) for p in output if isinstance(p, dict))
    return json.dumps(output, ensure_ascii=False)


def tool_outputs_text(outputs: list[dict[str, Any]], names: dict[str, str]) -> str:
    """Answer from tool results, quoting each one.

    Args:
        outputs: the trailing ``function_call_output`` items.
        names: call id → function name, from the ``function_call`` items that asked for them.

    Example:
        >>> tool_outputs_text(
        ...     [{"type": "function_call_output", "call_id": "c1", "output": "22°C"}],
        ...     {"c1": "get_weather"},
        ... )
        'Based on the tool result, get_weather returned "22°C".'
    """
    quotes = []
    for out in outputs:
        text = _output_text(out.get("output", "")).strip()
        if len(text) > 400:
            text = text[:400] + "…"
        name = names.get(str(out.get("call_id")), "the tool")
        quotes.append(f'{name} returned "{text}"')
    noun = "result" if len(quotes) == 1 else "results"
    return f"Based on the tool {noun}, " + "; ".join(quotes) + "."
