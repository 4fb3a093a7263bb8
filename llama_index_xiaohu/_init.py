"""The relay URL's two constructor names on the LlamaIndex classes.

`api_base` is LlamaIndex's name, `base_url` the core's and LangChain's; without this the core's
name was dropped silently (unknown keywords are refused by `_fields.refuse_unknown`).
"""

from __future__ import annotations

from xiaohu import ConfigurationError

__all__ = ["one_base_url"]


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
