"""Which wire a model is called on: the Responses API, or Chat Completions.

`WireRouter` (no I/O) holds a client's setting (`api="responses" | "chat" | "auto"`), the
relay's `GET /v1/models` answer (`supported_endpoint_types`, read once per client) and what the
relay's refusals taught it. In `auto` a model goes on the Responses API unless the relay lists
it without `openai-response`, or refused it there (`convert_request_failed`, "not
implemented"); such a refusal is a pre-billing error, so the call is sent again, once, on chat.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from ._chat_wire import WireChoice
from ._exceptions import APIError, APIStatusError, ConfigurationError

__all__ = ["WIRES", "WireRouter", "check_api", "is_wire_refusal"]

log = logging.getLogger("xiaohu")

WIRES = ("responses", "chat", "auto")
"""The values of the `api` setting."""

_REFUSAL_CODES = frozenset({"convert_request_failed", "api_not_implemented"})


def check_api(value: Any, where: str = "api") -> str:
    """The `api` setting, checked.

    Example:
        >>> check_api("chat")
        'chat'
        >>> check_api("grpc")
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: api must be 'responses', 'chat' or 'auto', got 'grpc'
    """
    if value not in WIRES:
        raise ConfigurationError(f"{where} must be 'responses', 'chat' or 'auto', got {value!r}")
    return str(value)


def is_wire_refusal(error: APIError) -> bool:
    """Whether the relay refused the Responses API for this model's channel (never billed).

    new-api's Claude adaptor leaves the Responses conversion unimplemented: `500 not
    implemented (code: convert_request_failed)`. Sending it again cannot help.

    Example:
        >>> import httpx
        >>> request = httpx.Request("POST", "http://x/v1/responses")
        >>> body = {"error": {"message": "not implemented", "code": "convert_request_failed"}}
        >>> from xiaohu._exceptions import make_status_error
        >>> is_wire_refusal(make_status_error(httpx.Response(500, json=body, request=request)))
        True
    """
    if not isinstance(error, APIStatusError) or error.status_code not in (500, 501):
        return False
    request = error.request
    if request is not None and not request.url.path.endswith("/responses"):
        return False
    code = getattr(error, "code", None)
    return code in _REFUSAL_CODES or "not implemented" in str(error).lower()


class WireRouter:
    """A client's wire choices, per model.

    Example:
        >>> router = WireRouter("auto")
        >>> router.learn_catalog(
        ...     [{"id": "claude-sonnet-4-5", "supported_endpoint_types": ["anthropic", "openai"]}]
        ... )
        >>> router.choose("claude-sonnet-4-5", None).api
        'chat'
        >>> router.choose("gpt-5", None)
        WireChoice(api='responses', reason='gpt-5 is not in the relay model list')
        >>> WireRouter().choose("gpt-5", None).reason
        'the default wire for this name'
    """

    def __init__(self, api: str = "auto") -> None:
        self.api = check_api(api)
        """The client's setting."""
        self.catalog: dict[str, list[str]] | None = None
        """`supported_endpoint_types` by model, once `GET /v1/models` was read."""
        self.learned: dict[str, WireChoice] = {}
        """Models whose wire a refusal decided."""

    @property
    def needs_catalog(self) -> bool:
        """Whether `auto` still has to read the relay's model list.

        Example:
            >>> WireRouter("chat").needs_catalog
            False
        """
        return self.api == "auto" and self.catalog is None

    def learn_catalog(self, models: Iterable[Mapping[str, Any]] | None) -> None:
        """Record the `GET /v1/models` entries (`None`: the list could not be read).

        Example:
            >>> router = WireRouter()
            >>> router.learn_catalog(None)
            >>> router.catalog
            {}
        """
        catalog: dict[str, list[str]] = {}
        for entry in models or ():
            types = entry.get("supported_endpoint_types")
            if isinstance(entry.get("id"), str) and isinstance(types, list):
                catalog[entry["id"]] = [str(t) for t in types]
        self.catalog = catalog

    def learn_refusal(self, model: str) -> WireChoice:
        """The relay refused `/v1/responses` for `model`: remember to use chat.

        Example:
            >>> WireRouter().learn_refusal("claude-sonnet-4-5").api
            'chat'
        """
        choice = WireChoice("chat", "the relay refused /v1/responses for it (not implemented)")
        self.learned[model] = choice
        log.debug("xiaohu wire: %s -> chat (%s)", model, choice.reason)
        return choice

    def choose(self, model: str, override: Any) -> WireChoice:
        """The wire of one call (`override` is the call's own `api=`, if any).

        Example:
            >>> WireRouter("responses").choose("deepseek-chat", "chat").reason
            "set by api='chat'"
        """
        api = self.api if override is None else check_api(override)
        if api != "auto":
            choice = WireChoice(api, f"set by api={api!r}")
        elif model in self.learned:
            choice = self.learned[model]
        else:
            choice = self._from_catalog(model)
        log.debug("xiaohu wire: %s -> %s (%s)", model, choice.api, choice.reason)
        return choice

    def _from_catalog(self, model: str) -> WireChoice:
        if self.catalog is None:
            return WireChoice("responses", "the default wire for this name")
        types = self.catalog.get(model)
        if types is None:
            return WireChoice("responses", f"{model} is not in the relay model list")
        if "openai-response" in types:
            return WireChoice("responses", "the relay lists openai-response for it")
        if types and not {"openai", "anthropic", "gemini"}.isdisjoint(types):
            return WireChoice("chat", f"the relay lists {types} for it, not openai-response")
        return WireChoice("responses", f"the relay lists {types} for it")
