"""Remote MCP servers for ordinary models: list the tools, ask for approval, call.

The emulated server offers one tool, ``search``. On a new question the model lists the server's
tools (unless the conversation already holds that list) and then either calls ``search`` or,
when ``require_approval`` asks for it (the API's default), ends the response with an
``mcp_approval_request``. The caller answers with an ``mcp_approval_response`` input item (on a
``previous_response_id`` turn, or with the whole conversation): approved, the call runs and the
model answers from its output; declined, no call is made and the model says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from xiaohu.emulator.errors import openai_error
from xiaohu.emulator.ids import item_id
from xiaohu.emulator.tools import tool_outputs_text

__all__ = [
    "approval_answers",
    "check_approval_items",
    "check_mcp_tool",
    "mcp_tools",
    "mcp_turn",
    "server_items",
]

_NAME = "search"
_TOOL: dict[str, Any] = {
    "name": _NAME,
    "description": "Search the server's documents.",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}},
    "annotations": {"read_only": True},
}


def mcp_tools(tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The request's ``mcp`` tools.

    Example:
        >>> mcp_tools([{"type": "mcp", "server_label": "docs"}, {"type": "web_search"}])
        [{'type': 'mcp', 'server_label': 'docs'}]
    """
    return [t for t in tools if t.get("type") == "mcp"]


def _missing(param: str) -> Exception:
    return openai_error(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def check_mcp_tool(tool: dict[str, Any], index: int) -> None:
    """Reject what the API rejects in an ``mcp`` tool (the tool at ``index``).

    Raises:
        EmulatorError: 400 without ``server_label``, without ``server_url`` or
            ``connector_id``, or with a ``require_approval`` that is neither ``"always"``,
            ``"never"`` nor an ``{"always": …, "never": …}`` filter.

    Example:
        >>> check_mcp_tool({"type": "mcp", "server_url": "https://x.example"}, 0)
        Traceback (most recent call last):
        ...
        xiaohu.emulator.errors.EmulatorError: 400: ...
    """
    where = f"tools[{index}]"
    if not isinstance(tool.get("server_label"), str) or not tool["server_label"]:
        raise _missing(f"{where}.server_label")
    if not tool.get("server_url") and not tool.get("connector_id"):
        raise _missing(f"{where}.server_url")
    approval = tool.get("require_approval")
    ok = approval is None or approval in ("always", "never")
    if isinstance(approval, Mapping):
        ok = set(approval) <= {"always", "never"} and all(
            isinstance(v, Mapping) for v in approval.values()
        )
    if not ok:
        raise openai_error(
            400,
            f"Invalid value for '{where}.require_approval': expected 'always', 'never' or an "
            "object with 'always' and/or 'never' tool filters.",
            param=f"{where}.require_approval",
            code="invalid_value",
        )


def check_approval_items(items: list[dict[str, Any]]) -> None:
    """Reject an ``mcp_approval_response`` input item without its id or its decision.

    Example:
        >>> check_approval_items([{"type": "mcp_approval_response", "approve": True}])
        Traceback (most recent call last):
        ...
        xiaohu.emulator.errors.EmulatorError: 400: ...
    """
    for index, item in enumerate(items):
        if item.get("type") != "mcp_approval_response":
            continue
        if not isinstance(item.get("approval_request_id"), str):
            raise _missing(f"input[{index}].approval_request_id")
        if not isinstance(item.get("approve"), bool):
            raise _missing(f"input[{index}].approve")


def _names(spec: Any) -> list[str] | None:
    if isinstance(spec, list):
        return [str(n) for n in spec]
    if isinstance(spec, Mapping) and isinstance(spec.get("tool_names"), list):
        return [str(n) for n in spec["tool_names"]]
    return None


def _needs_approval(tool: dict[str, Any], name: str) -> bool:
    approval = tool.get("require_approval")
    if approval == "never":
        return False
    if isinstance(approval, Mapping):
        never = approval.get("never")
        if isinstance(never, Mapping) and (
            name in (_names(never) or []) or never.get("read_only") is True
        ):
            return False
    return True  # "always", an "always" filter, or nothing said: the API asks first


def _output(label: str, query: str) -> str:
    found = [{"title": f"{label}: {query.strip()[:60]}", "score": 0.9}]
    return json.dumps(found, ensure_ascii=False)


def _call(label: str, arguments: str, approval_id: str | None) -> dict[str, Any]:
    query = json.loads(arguments).get("query", "")
    call: dict[str, Any] = {
        "id": item_id("mcp"),
        "type": "mcp_call",
        "server_label": label,
        "name": _NAME,
        "arguments": arguments,
        "output": _output(label, str(query)),
        "error": None,
        "status": "completed",
    }
    if approval_id is not None:
        call["approval_request_id"] = approval_id
    return call


def _quoted(call: dict[str, Any], name: str) -> str:
    return tool_outputs_text(
        [{"call_id": call["id"], "output": call["output"]}], {call["id"]: name}
    )


def approval_answers(context: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``mcp_approval_response`` items the conversation ends with.

    Example:
        >>> approval_answers(
        ...     [{"type": "message"}, {"type": "mcp_approval_response", "approve": True}]
        ... )
        [{'type': 'mcp_approval_response', 'approve': True}]
    """
    answers: list[dict[str, Any]] = []
    for item in reversed(context):
        if item.get("type") != "mcp_approval_response":
            break
        answers.insert(0, item)
    return answers


def _answered(
    context: list[dict[str, Any]], answers: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], str]:
    requests = {i.get("id"): i for i in context if i.get("type") == "mcp_approval_request"}
    output: list[dict[str, Any]] = []
    said: list[str] = []
    for answer in answers:
        request = requests.get(answer["approval_request_id"])
        if request is None:
            raise openai_error(
                400,
                f"No MCP approval request found with id '{answer['approval_request_id']}'.",
                param="input",
                code="invalid_value",
            )
        label, name = str(request.get("server_label")), str(request.get("name"))
        if answer["approve"]:
            call = _call(label, str(request.get("arguments") or "{}"), request["id"])
            output.append(call)
            said.append(_quoted(call, name))
        else:
            why = f" ({answer['reason']})" if answer.get("reason") else ""
            said.append(
                f"The call to {name} on {label} was not approved{why}, so I did not run it."
            )
    return output, " ".join(said)


def _listing(label: str) -> dict[str, Any]:
    return {
        "id": item_id("mcpl"),
        "type": "mcp_list_tools",
        "server_label": label,
        "tools": [dict(_TOOL)],
        "error": None,
    }


def server_items(tool: dict[str, Any], question: str) -> list[dict[str, Any]]:
    """List a server's tools and call ``search`` at once (deep research: no one to approve).

    Example:
        >>> [i["type"] for i in server_items({"type": "mcp", "server_label": "docs"}, "tea")]
        ['mcp_list_tools', 'mcp_call']
    """
    label = str(tool.get("server_label") or "mcp")
    arguments = json.dumps({"query": question}, ensure_ascii=False)
    return [_listing(label), _call(label, arguments, None)]


def mcp_turn(
    tools: list[dict[str, Any]], context: list[dict[str, Any]], question: str
) -> tuple[list[dict[str, Any]], str | None]:
    """The MCP items of this turn, and the answer text (``None``: the turn ends waiting).

    Returns ``([], None)`` when no MCP tool is offered or usable.

    Raises:
        EmulatorError: 400 when an approval answers no request in the conversation.

    Example:
        >>> server = {"type": "mcp", "server_label": "docs", "server_url": "https://x.example"}
        >>> items, answer = mcp_turn([server], [], "tea")
        >>> [i["type"] for i in items], answer
        (['mcp_list_tools', 'mcp_approval_request'], None)
        >>> items, answer = mcp_turn([{**server, "require_approval": "never"}], [], "tea")
        >>> [i["type"] for i in items], answer.startswith("Based on the tool result")
        (['mcp_list_tools', 'mcp_call'], True)
    """
    answers = approval_answers(context)
    if answers:
        return _answered(context, answers)
    output: list[dict[str, Any]] = []
    said: list[str] = []
    waiting = False
    listed = {i.get("server_label") for i in context if i.get("type") == "mcp_list_tools"}
    for tool in mcp_tools(tools):
        label = str(tool["server_label"])
        allowed = _names(tool.get("allowed_tools"))
        if allowed is not None and _NAME not in allowed:
            continue
        if label not in listed:
            output.append(_listing(label))
        arguments = json.dumps({"query": question}, ensure_ascii=False)
        if _needs_approval(tool, _NAME):
            output.append(
                {
                    "id": item_id("mcpr"),
                    "type": "mcp_approval_request",
                    "server_label": label,
                    "name": _NAME,
                    "arguments": arguments,
                }
            )
            waiting = True
            continue
        call = _call(label, arguments, None)
        output.append(call)
        said.append(_quoted(call, _NAME))
    if not output:
        return [], None
    return output, None if waiting else " ".join(said)
