"""Constructor keywords of the LlamaIndex classes: the URL's two names, and no unknown one.

LlamaIndex models ignore a keyword that is not a field, so a typo (`temprature=0.1`) or the
core's name for the URL (`base_url=`) would be dropped without a word. Here the URL takes both
names (`api_base` is LlamaIndex's, `base_url` the core's and LangChain's) and any other unknown
keyword raises before anything is built.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from xiaohu import ConfigurationError

__all__ = ["check_keywords", "field_names", "one_base_url"]


def one_base_url(api_base: str | None, base_url: str | None) -> str | None:
    """The relay URL given as `api_base=` or `base_url=` (the same setting, two names).

    Raises:
        ConfigurationError: Both were given, with different values.

    Example:
        >>> one_base_url(None, "http://127.0.0.1:8000/v1")
        'http://127.0.0.1:8000/v1'
        >>> one_base_url("http://a/v1", "http://b/v1")
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: api_base='http://a/v1' and base_url='http://b/v1' are the same setting (two names); pass one
    """
    if api_base is not None and base_url is not None and api_base != base_url:
        raise ConfigurationError(
            f"api_base={api_base!r} and base_url={base_url!r} are the same setting (two names); "
            "pass one"
        )
    return base_url if api_base is None else api_base


def check_keywords(owner: str, given: Iterable[str], known: Iterable[str]) -> None:
    """Refuse a constructor keyword that is not a field, naming it and its close match.

    Raises:
        ConfigurationError: One (or more) is unknown.

    Example:
        >>> check_keywords("XiaohuResponses", ["temprature"], ["temperature", "top_p"])
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: XiaohuResponses got an unknown keyword 'temprature' (did you mean 'temperature'?); nothing was built
    """
    names = sorted(set(known))
    unknown = [name for name in given if name not in names]
    if not unknown:
        return
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, names, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    noun = "keyword" if len(parts) == 1 else "keywords"
    raise ConfigurationError(f"{owner} got an unknown {noun} {', '.join(parts)}; nothing was built")


def field_names(model: Any) -> set[str]:
    """Every field name and alias of a pydantic model class."""
    names = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
    return names
