"""One call's options apart from its request body: `RequestOptions`, split off in one place.

A create or stream call takes one set of keywords: the request body (`model`, `input`,
`tools`, ...) and the options that configure the call itself. `split_options` is the only
code that tells them apart; the clients and the adapters hand it the caller's keywords as
given, so an option is never sent as a body field nor popped in two places.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from ._background import ProgressCallback
from ._exceptions import ConfigurationError
from ._guard import Budget
from ._params import BODY_FIELDS
from ._readcap import DEFAULT_DEADLINE_S, Deadline, deadline_at
from ._wire import check_api

__all__ = [
    "HTTP_OPTIONS",
    "USE_CLIENT_DEFAULT",
    "RequestOptions",
    "TimeoutTypes",
    "split_options",
]


class _UseClientDefault:
    """Sentinel: "use the client's setting", distinct from `None` (which can mean "no limit").

    Example:
        >>> USE_CLIENT_DEFAULT
        USE_CLIENT_DEFAULT
    """

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"


USE_CLIENT_DEFAULT = _UseClientDefault()
"""Pass as `timeout=` or `max_retries=` to use the client's own setting."""

TimeoutTypes = float | httpx.Timeout | None

HTTP_OPTIONS = ("extra_headers", "timeout", "max_retries")
"""The options of one HTTP exchange (all that `create_embeddings` takes)."""


@dataclass(frozen=True)
class RequestOptions:
    """The per-call options of a create or stream call: everything that is not the body.

    Pass any of them as keywords next to the body, e.g.
    `client.create_response(model="gpt-5", input="hi", timeout=30, max_cost_usd=0.5)`.

    Example:
        >>> body, options = split_options({"model": "gpt-5", "input": "hi", "timeout": 30})
        >>> body, options.timeout
        ({'model': 'gpt-5', 'input': 'hi'}, 30)
    """

    extra_headers: Mapping[str, str] | None = None
    """Headers for this call only."""
    timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT
    """Seconds (or an `httpx.Timeout`) for this call instead of the client's."""
    max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT
    """Retries for this call instead of the client's."""
    background: bool = False
    """Run in background mode: a stream is then resumed after a dropped connection."""
    allow_expensive: bool = False
    """Allow a deep-research or `*-pro` model without a budget, for this call."""
    max_cost_usd: float | None = None
    """Stop this call when its cost passes this many US dollars."""
    budget: Budget | None = None
    """A `xiaohu.Budget` this call is charged to (besides the client's)."""
    api: str | None = None
    """The wire for this call: `"responses"`, `"chat"` or `"auto"`; `None`: the client's."""
    on_progress: ProgressCallback | None = None
    """A background stream's progress callback (queued, in progress, each web search...)."""
    max_resumes: int | None = None
    """How many times a background stream is resumed after a drop (`None`: 5)."""
    deadline: float | _UseClientDefault | None = USE_CLIENT_DEFAULT
    """Seconds a stream (a background one with all its resumes) may take in all, unlike
    `timeout`, which every read (keep-alive comments too) restarts. Default an hour
    (`DEFAULT_DEADLINE_S`); `None`: no deadline. Past it: `DeadlineExceededError`."""

    def deadline_from_now(self) -> Deadline | None:
        """The deadline of a call starting now.

        Example:
            >>> RequestOptions(deadline=None).deadline_from_now() is None
            True
        """
        seconds = self.deadline
        if isinstance(seconds, _UseClientDefault):
            seconds = DEFAULT_DEADLINE_S
        return deadline_at(seconds)

    def http(self) -> dict[str, Any]:
        """The keywords of `request` (one HTTP exchange).

        Example:
            >>> RequestOptions(timeout=5).http()["timeout"]
            5
        """
        return {name: getattr(self, name) for name in HTTP_OPTIONS}

    def only(self, names: tuple[str, ...], call: str) -> RequestOptions:
        """Refuse options set here that `call` has no use for (none is silently ignored).

        Raises:
            ConfigurationError: One was set.

        Example:
            >>> RequestOptions(background=True).only(HTTP_OPTIONS, "create_embeddings")
            Traceback (most recent call last):
            ...
            xiaohu._exceptions.ConfigurationError: create_embeddings does not take background; nothing was sent
        """
        unused = [
            field.name
            for field in dataclasses.fields(self)
            if field.name not in names and getattr(self, field.name) != field.default
        ]
        if unused:
            raise ConfigurationError(f"{call} does not take {', '.join(unused)}; nothing was sent")
        return self


_NAMES = frozenset(field.name for field in dataclasses.fields(RequestOptions))
_NONE_IS_A_VALUE = frozenset({"deadline"})  # `deadline=None` turns it off; it is not "not given"


def split_options(params: Mapping[str, Any]) -> tuple[dict[str, Any], RequestOptions]:
    """Split a call's keywords into the request body and its `RequestOptions`.

    A `None` option means "not given" (but `deadline=None` means "no deadline"). The caller's
    mapping is not changed.

    Raises:
        ConfigurationError: An option has the wrong type, or a keyword is a near miss of an
            option's name (`max_cost=`), not a request field (nothing was sent).

    Example:
        >>> body, options = split_options({"model": "o3", "background": True, "budget": None})
        >>> body, options.background, options.budget
        ({'model': 'o3'}, True, None)
    """
    body = {key: value for key, value in params.items() if key not in _NAMES}
    for key in body:
        close = difflib.get_close_matches(key, sorted(_NAMES), n=1, cutoff=0.8)
        if close and key not in BODY_FIELDS:
            raise ConfigurationError(
                f"{key!r} is neither a request field nor an option; did you mean {close[0]!r}? "
                "(nothing was sent)"
            )
    given = {
        key: params[key]
        for key in _NAMES & params.keys()
        if params[key] is not None or key in _NONE_IS_A_VALUE
    }
    for flag in ("background", "allow_expensive"):
        if not isinstance(given.get(flag, False), bool):
            raise ConfigurationError(f"{flag} must be True or False, got {given[flag]!r}")
    resumes = given.get("max_resumes", 0)
    if isinstance(resumes, bool) or not isinstance(resumes, int) or resumes < 0:
        raise ConfigurationError(f"max_resumes must be an int >= 0, got {resumes!r}")
    if not callable(given.get("on_progress", print)):
        raise ConfigurationError(f"on_progress must be callable, got {given['on_progress']!r}")
    if "api" in given:
        check_api(given["api"])
    if "deadline" in given:
        try:
            deadline_at(given["deadline"])
        except ValueError as exc:
            raise ConfigurationError(f"{exc}; nothing was sent") from None
    headers = given.get("extra_headers", {})
    if not isinstance(headers, Mapping):
        raise ConfigurationError(f"extra_headers must be a dict, got {type(headers).__name__}")
    return body, RequestOptions(**given)
