"""The deterministic "model": a request and its conversation in, output items and usage out.

It reads the request as a real model would: it answers the last user message, calls the function
tools that fit it, searches the web when a search tool is offered, reasons first on reasoning
models, writes JSON for ``text.format``, and stops at ``max_output_tokens``. The same request gives
the same text, arguments and usage (item ids are fresh each time, as on the real service).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from xiaohu.emulator.ids import item_id
from xiaohu.emulator.images import image_call, image_tool, wants_image
from xiaohu.emulator.language import count_tokens, prose_answer, search_query
from xiaohu.emulator.logprobs import LOGPROBS, text_logprobs
from xiaohu.emulator.mcp import approval_answers, mcp_turn
from xiaohu.emulator.reasoning import exposes_reasoning, reasoning_item, reasoning_tokens
from xiaohu.emulator.request import WEB_SEARCH_TOOLS, CreateRequest, is_deep_research
from xiaohu.emulator.schema import Hints, generate
from xiaohu.emulator.search import (
    CitedText,
    Source,
    browse_calls,
    cited_answer,
    research_queries,
    research_report,
    search_call,
)
from xiaohu.emulator.sources import source_items
from xiaohu.emulator.tools import choose_calls, tool_outputs_text

__all__ = ["Plan", "item_text", "run_model"]


@dataclass
class Plan:
    """What the model produced.

    Attributes:
        output: the final output items.
        status: ``completed`` or ``incomplete``.
        incomplete_reason: ``max_output_tokens`` when cut short.
        input_tokens: tokens read (instructions, conversation, tool definitions).
        output_tokens: tokens written, reasoning included.
        reasoning_tokens: the reasoning share of ``output_tokens``.
        partial_images: image call id → the partial images streamed before its result.
    """

    output: list[dict[str, Any]]
    status: str
    incomplete_reason: str | None
    input_tokens: int
    output_tokens: int
    reasoning_tokens: int
    partial_images: dict[str, list[str]] = field(default_factory=dict)


def item_text(item: dict[str, Any]) -> str:
    """Return the readable text of an input or output item.

    Example:
        >>> item_text({"type": "message", "content": [{"type": "input_text", "text": "hi"}]})
        'hi'
    """
    kind = item.get("type")
    if kind == "message":
        content = item.get("content")
        if isinstance(content, str):
            return content
        texts = [
            str(part.get("text") or part.get("refusal") or "")
            for part in content or []
            if isinstance(part, dict)
        ]
        return " ".join(t for t in texts if t)
    if kind == "function_call":
        return f"{item.get('name', '')} {item.get('arguments', '')}"
    if kind == "custom_tool_call":
        return f"{item.get('name', '')} {item.get('input', '')}"
    if kind in ("function_call_output", "custom_tool_call_output"):
        out = item.get("output")
        return out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
    if kind == "reasoning":
        parts = [*(item.get("summary") or []), *(item.get("content") or [])]
        return " ".join(str(s.get("text", "")) for s in parts)
    if kind in ("mcp_call", "mcp_approval_request"):
        return f"{item.get('name', '')} {item.get('arguments', '')} {item.get('output') or ''}"
    return ""


def _messages(context: list[dict[str, Any]], *roles: str) -> list[str]:
    return [item_text(i) for i in context if i.get("type") == "message" and i.get("role") in roles]


def _trailing_outputs(context: list[dict[str, Any]]) -> list[dict[str, Any]]:
    outputs: list[dict[str, Any]] = []
    for item in reversed(context):
        if item.get("type") not in ("function_call_output", "custom_tool_call_output"):
            break
        outputs.insert(0, item)
    return outputs


def _message(text: str, annotations: list[dict[str, Any]]) -> dict[str, Any]:
    part = {"type": "output_text", "annotations": annotations, "logprobs": [], "text": text}
    return {
        "id": item_id("msg"),
        "type": "message",
        "status": "completed",
        "content": [part],
        "role": "assistant",
    }


@dataclass(frozen=True)
class _Asked:
    question: str
    guidance: str
    history: list[str]

    def prose(self, rng: random.Random) -> str:
        return prose_answer(self.question, guidance=self.guidance, history=self.history, rng=rng)


def _answer(
    req: CreateRequest,
    context: list[dict[str, Any]],
    asked: _Asked,
    outputs: list[dict[str, Any]],
    found: list[tuple[str, list[Source]]],
    *,
    deep: bool,
    rng: random.Random,
) -> dict[str, Any]:
    """Write the final message: tool results quoted, a cited answer, or prose; JSON if asked."""
    cited: CitedText | None = None
    if outputs:
        names = {
            str(i.get("call_id")): str(i.get("name"))
            for i in context
            if i.get("type") in ("function_call", "custom_tool_call")
        }
        prose = tool_outputs_text(outputs, names)
    elif found:
        cited = (research_report if deep else cited_answer)(asked.question, found, rng)
        prose = cited.text
    else:
        prose = asked.prose(rng)
    kind = req.text_format.get("type")
    if kind in ("json_schema", "json_object"):
        plain = prose if cited is None else asked.prose(rng)
        hints = Hints.from_text(asked.question, prose=plain)
        if kind == "json_schema":
            value = generate(req.text_format.get("schema") or {}, hints=hints)
        else:
            value = {"answer": plain, "keywords": hints.words[:5]}
        return _message(json.dumps(value, ensure_ascii=False), [])
    return _message(prose, cited.annotations if cited else [])


def _searches(req: CreateRequest, question: str, rng: random.Random, deep: bool) -> list[Any]:
    include = "web_search_call.action.sources" in req.include
    if deep:
        count = rng.randint(8, 12)
        queries = research_queries(question, rng, count)
    else:
        queries = [search_query(question) or question.strip()[:60]]
    if req.max_tool_calls is not None:
        queries = queries[: req.max_tool_calls]
    return [search_call(q, rng, include_sources=include) for q in queries]


def _fit(text: str, budget: int) -> str:
    """Return the longest prefix of ``text`` (cut at a space when possible) within ``budget``."""
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if count_tokens(text[:mid]) <= budget:
            low = mid
        else:
            high = mid - 1
    return text[:low]


def _truncate(output: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    for item in output:
        if item["type"] == "function_call":
            cost = count_tokens(item["arguments"])
            if cost <= budget:
                kept.append(item)
                budget -= cost
            continue
        if item["type"] == "message" and budget > 0:
            part = item["content"][0]
            cut = _fit(part["text"], budget)
            notes = [a for a in part["annotations"] if a["end_index"] <= len(cut)]
            kept.append(
                {
                    **item,
                    "status": "incomplete",
                    "content": [{**part, "text": cut, "annotations": notes}],
                }
            )
            budget = 0
        elif item["type"] != "message":
            kept.append(item)
    return kept


def _with_logprobs(output: list[dict[str, Any]], top: int) -> list[dict[str, Any]]:
    """The message parts with the logprobs of their (final, possibly cut) text."""
    return [
        {
            **item,
            "content": [
                {**part, "logprobs": text_logprobs(part["text"], top)} for part in item["content"]
            ],
        }
        if item["type"] == "message"
        else item
        for item in output
    ]


def _visible_tokens(output: list[dict[str, Any]]) -> int:
    total = 0
    for item in output:
        if item["type"] == "message":
            total += sum(count_tokens(p["text"]) for p in item["content"])
        elif item["type"] == "function_call":
            total += count_tokens(item["arguments"])
        elif item["type"] == "custom_tool_call":
            total += count_tokens(item["input"])
    return total


def run_model(
    req: CreateRequest, context: list[dict[str, Any]], *, force_incomplete: bool = False
) -> Plan:
    """Produce the output for ``req`` given the whole conversation ``context``.

    Args:
        req: the parsed request.
        context: earlier turns (from ``previous_response_id``) followed by this request's input.
        force_incomplete: cut the answer in half as if ``max_output_tokens`` were hit.

    Example:
        >>> from xiaohu.emulator.request import parse_create
        >>> req = parse_create(
        ...     {"model": "gpt-4.1", "input": "What is 6 * 7?"}, lang="en", request_id="1"
        ... )
        >>> plan = run_model(req, req.input_items)
        >>> plan.output[0]["content"][0]["text"], plan.status
        ('6 * 7 = 42.', 'completed')
    """
    rng = random.Random(req.seed(context))
    users = _messages(context, "user")
    question = users[-1] if users else ""
    guidance = " ".join([req.instructions or "", *_messages(context, "system", "developer")])
    deep = is_deep_research(req.model)
    outputs = _trailing_outputs(context)
    searching = (
        any(t.get("type") in WEB_SEARCH_TOOLS for t in req.tools)
        and req.tool_choice != "none"
        and req.max_tool_calls != 0
    )
    thinking = req.reasoning is not None and req.reasoning.get("effort") != "none"
    summary = req.reasoning.get("summary") if req.reasoning else None
    encrypted = "reasoning.encrypted_content" in req.include
    output: list[dict[str, Any]] = []
    spent = (
        reasoning_tokens(req.reasoning.get("effort"), question) if thinking and req.reasoning else 0
    )

    answering = bool(approval_answers(context))
    calls = (
        []
        if outputs or deep or answering
        else choose_calls(req.tools, req.tool_choice, question, parallel=req.parallel_tool_calls)
    )
    searches = (
        _searches(req, question, rng, deep)
        if searching and not outputs and not calls and not answering
        else []
    )
    drawing = image_tool(req.tools)
    if drawing is not None and (outputs or calls or searches or answering or deep):
        drawing = None
    if drawing is not None and not wants_image(req.tool_choice, question):
        drawing = None
    partial_images: dict[str, list[str]] = {}
    mcp_items: list[dict[str, Any]] = []
    mcp_answer: str | None = None
    if not (outputs or calls or searches or deep or drawing) and req.tool_choice != "none":
        mcp_items, mcp_answer = mcp_turn(req.tools, context, question)
    raw = exposes_reasoning(req.model)
    if thinking:
        step = (
            "call a tool"
            if calls or mcp_items
            else "search the web"
            if searches
            else "draw the image"
            if drawing
            else "answer directly"
        )
        output.append(
            reasoning_item(
                question, summary=summary, include_encrypted=encrypted, step=step, raw=raw
            )
        )
    found: list[tuple[str, list[Source]]] = []
    for index, (item, sources) in enumerate(searches):
        if deep and thinking and index > 0:
            step = f"look into {item['action']['query']}"
            output.append(
                reasoning_item(
                    question, summary=summary, include_encrypted=encrypted, step=step, raw=raw
                )
            )
        output.append(item)
        found.append((item["action"]["query"], sources))
        if deep and index % 3 == 1 and req.max_tool_calls is None:
            # Real runs open some results and search inside them (not under a tool-call cap).
            output.extend(browse_calls(item["action"]["query"], sources, rng))
    if deep and not outputs:
        output.extend(source_items(req.tools, question))
    if calls:
        output.extend(calls)
    elif mcp_items or mcp_answer is not None:
        output.extend(mcp_items)
        if mcp_answer is not None:  # else the turn waits for an mcp_approval_response
            output.append(_message(mcp_answer, []))
    else:
        if drawing is not None:
            image, partials = image_call(drawing, question)
            output.append(image)
            partial_images[image["id"]] = partials
        answer = _Asked(question=question, guidance=guidance, history=users[:-1])
        output.append(
            _message("Here is the image you asked for.", [])
            if drawing is not None and req.text_format.get("type") == "text"
            else _answer(req, context, answer, outputs, found, deep=deep, rng=rng)
        )

    input_tokens = count_tokens(guidance) + sum(count_tokens(item_text(i)) for i in context)
    input_tokens += count_tokens(json.dumps(req.tools)) if req.tools else 0
    visible = _visible_tokens(output)
    budget = req.max_output_tokens
    if force_incomplete:
        budget = spent + max(1, visible // 2)
    status, reason = "completed", None
    if budget is not None and spent + visible > budget:
        status, reason = "incomplete", "max_output_tokens"
        spent = min(spent, budget)
        output = _truncate(output, budget - spent)
        visible = _visible_tokens(output)
    if LOGPROBS in req.include:
        output = _with_logprobs(output, req.top_logprobs)
    return Plan(
        output=output,
        status=status,
        incomplete_reason=reason,
        input_tokens=max(1, input_tokens),
        output_tokens=spent + visible,
        reasoning_tokens=spent,
        partial_images=partial_images,
    )
