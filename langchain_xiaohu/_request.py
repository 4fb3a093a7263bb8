"""The LangChain conventions a request accepts, mapped to the Responses API body.

Pure functions: the unknown constructor arguments moved into `model_kwargs` (with a warning,
as `ChatOpenAI` does), and a chat-completions `response_format` (what LangChain's agents bind
for provider structured output) turned into `text.format`.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_tool

from xiaohu import ConfigurationError
from xiaohu.adapters import strict_json_schema

__all__ = ["move_unknown_to_model_kwargs", "response_format_to_text_format"]


def move_unknown_to_model_kwargs(
    values: dict[str, Any], known: Iterable[str], own: Iterable[str] = ()
) -> dict[str, Any]:
    """Move constructor arguments that are not fields into `model_kwargs`, warning for each.

    Args:
        values: The constructor arguments.
        known: Every field name and alias (LangChain's `tags`, `metadata`, ... included).
        own: The names of the model's own request fields, refused inside `model_kwargs`
            (LangChain's `metadata` is not one: `model_kwargs={"metadata": ...}` is the
            request's).

    Raises:
        ValueError: `model_kwargs` holds the name of an own field (pass it as one).

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as seen:
        ...     warnings.simplefilter("always")
        ...     out = move_unknown_to_model_kwargs({"model": "m", "top_k": 3}, {"model"}, {"model"})
        >>> out["model_kwargs"], len(seen)
        ({'top_k': 3}, 1)
    """
    known = set(known)
    model_kwargs = dict(values.get("model_kwargs") or {})
    clash = sorted(set(model_kwargs) & (set(own) - {"model_kwargs"}))
    if clash:
        raise ValueError(
            f"pass {', '.join(clash)} as constructor argument(s), not inside model_kwargs"
        )
    out = {}
    for name, value in values.items():
        if name in known:
            out[name] = value
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        warnings.warn(
            f"{name!r} is not a ChatXiaohu field: it is sent in the request body as given "
            f"(moved to model_kwargs).{hint}",
            UserWarning,
            stacklevel=5,
        )
        model_kwargs[name] = value
    if model_kwargs:
        out["model_kwargs"] = model_kwargs
    return out


def response_format_to_text_format(response_format: Any) -> dict[str, Any]:
    """A chat-completions `response_format` as the Responses API's `text.format`.

    Accepts `{"type": "json_schema", "json_schema": {...}}`, `{"type": "json_object"}`,
    `{"type": "text"}`, a `text.format` already in the Responses shape, or a pydantic model /
    TypedDict / JSON schema (sent strict).

    Raises:
        ConfigurationError: The value is none of these (nothing was sent).

    Example:
        >>> response_format_to_text_format(
        ...     {"type": "json_schema", "json_schema": {"name": "W", "schema": {"type": "object"}}}
        ... )
        {'type': 'json_schema', 'name': 'W', 'schema': {'type': 'object'}}
    """
    if isinstance(response_format, Mapping):
        kind = response_format.get("type")
        if kind == "json_schema" and isinstance(response_format.get("json_schema"), Mapping):
            spec = response_format["json_schema"]
            if not isinstance(spec.get("schema"), Mapping) or not spec.get("name"):
                raise ConfigurationError(
                    "response_format['json_schema'] needs a 'name' and a 'schema' object"
                )
            fmt = {"type": "json_schema", "name": spec["name"], "schema": dict(spec["schema"])}
            for key in ("description", "strict"):
                if spec.get(key) is not None:
                    fmt[key] = spec[key]
            if fmt.get("strict"):
                fmt["schema"] = strict_json_schema(fmt["schema"])
            return fmt
        if kind == "json_schema" and isinstance(response_format.get("schema"), Mapping):
            return dict(response_format)  # already the Responses shape
        if kind in ("json_object", "text") and len(response_format) == 1:
            return {"type": kind}
        if "type" in response_format and kind != "object":
            raise ConfigurationError(
                f"unsupported response_format {dict(response_format)!r}: use "
                '{"type": "json_schema", "json_schema": {"name", "schema"}}, '
                '{"type": "json_object"} or a pydantic model'
            )
    try:
        function = convert_to_openai_tool(response_format, strict=True)["function"]
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"unsupported response_format {response_format!r}") from exc
    fmt = {
        "type": "json_schema",
        "name": function["name"],
        "schema": strict_json_schema(function["parameters"]),
        "strict": True,
    }
    if function.get("description"):
        fmt["description"] = function["description"]
    return fmt
