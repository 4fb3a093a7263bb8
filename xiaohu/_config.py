"""Where settings come from: arguments first, then `XIAOHU_*` environment variables."""

from __future__ import annotations

import functools
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ._exceptions import ConfigurationError

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "resolve_api_key",
    "resolve_base_url",
    "resolve_timeout",
]

API_KEY_ENV = "XIAOHU_API_KEY"
BASE_URL_ENV = "XIAOHU_BASE_URL"

if TYPE_CHECKING:  # httpx is imported on first use: ChatXiaohu's import needs none of it (issue 20)
    import httpx

    DEFAULT_TIMEOUT: httpx.Timeout
    """Connect fast or fail; then wait long: deep research streams go quiet for minutes."""


@functools.cache
def _default_timeout() -> httpx.Timeout:
    import httpx

    return httpx.Timeout(600.0, connect=10.0)


def __getattr__(name: str) -> object:
    """Build `DEFAULT_TIMEOUT` on first use (it needs httpx); nothing else is lazy."""
    if name == "DEFAULT_TIMEOUT":
        return _default_timeout()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


DEFAULT_MAX_RETRIES = 2


def resolve_api_key(api_key: str | None) -> str:
    """Return the key (令牌) from the argument or, when it is `None`, `XIAOHU_API_KEY`.

    A key given explicitly is used or refused, never replaced: an empty or blank `api_key=""`
    (an unset variable interpolated into a config, say) is an error, not "use the environment".
    A `pydantic.SecretStr` is accepted too.

    Raises:
        ConfigurationError: No key, a blank one, a non-string, or a key holding characters no
            HTTP header can carry (a pasted full-width quote or space); the message never
            repeats the key.

    Example:
        >>> resolve_api_key("sk-test")
        'sk-test'
        >>> resolve_api_key("  ")
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: api_key is empty: pass your relay key (令牌, sk-...), or leave api_key out (None) to use XIAOHU_API_KEY
    """
    if api_key is None:
        key = os.environ.get(API_KEY_ENV, "")
    else:
        reveal = getattr(api_key, "get_secret_value", None)
        key = reveal() if callable(reveal) else api_key
        if not isinstance(key, str):
            raise ConfigurationError(f"api_key must be a str, got {type(key).__name__}")
        if not key.strip():
            raise ConfigurationError(
                "api_key is empty: pass your relay key (令牌, sk-...), or leave api_key out "
                f"(None) to use {API_KEY_ENV}"
            )
    key = key.strip()
    if not key:
        raise ConfigurationError(
            f"no API key: pass api_key=... or set {API_KEY_ENV} to your relay key (令牌, sk-...)"
        )
    bad = next(
        (i for i, c in enumerate(key) if not (c.isascii() and c.isprintable()) or c == " "), -1
    )
    if bad >= 0:
        raise ConfigurationError(
            f"the API key has an invalid character at position {bad} (U+{ord(key[bad]):04X}): "
            "check for a pasted quote, space or full-width character (全角字符)"
        )
    return key


def resolve_base_url(base_url: str | None) -> str:
    """Return the relay's base URL, ending in `/v1`, from the argument or `XIAOHU_BASE_URL`.

    A URL with no path gets `/v1` appended; a trailing slash is dropped.

    Raises:
        ConfigurationError: Neither is set, an explicit `base_url` is empty, the value is not
            an http(s) URL, or it carries credentials (`user:key@host`).

    Example:
        >>> resolve_base_url("https://relay.example/")
        'https://relay.example/v1'
        >>> resolve_base_url("http://127.0.0.1:8000/v1")
        'http://127.0.0.1:8000/v1'
    """
    if base_url is not None and not (isinstance(base_url, str) and base_url.strip()):
        # Given, but empty (or not text): refused, never silently replaced by the environment.
        raise ConfigurationError(
            f"base_url is empty: pass the relay's URL, or leave base_url out (None) to use "
            f"{BASE_URL_ENV}"
        )
    url = (base_url or os.environ.get(BASE_URL_ENV, "")).strip()
    if not url:
        raise ConfigurationError(
            f"no base URL: pass base_url=... or set {BASE_URL_ENV} to your relay's address, "
            "e.g. https://<relay-host>/v1"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        # A key pasted into the URL variable must not end up in a traceback.
        shown = url[:3] + "..." if url.startswith("sk-") else url
        raise ConfigurationError(f"base URL must be an http(s) URL, got {shown!r}")
    if "@" in parts.netloc:
        # Credentials in the URL would be shown by every repr and request of the client.
        raise ConfigurationError(
            f"base URL must not carry credentials (user:password@): got "
            f"{parts.scheme}://***@{parts.netloc.rsplit('@', 1)[1]}; pass the key as api_key="
        )
    url = url.rstrip("/")
    if not parts.path.strip("/"):
        url += "/v1"
    return url


def resolve_timeout(timeout: float | httpx.Timeout | None) -> httpx.Timeout:
    """Turn a number of seconds (or `None` for the default) into an `httpx.Timeout`.

    A number sets every phase except connect, which stays at most 10 seconds.

    Raises:
        ConfigurationError: A negative, zero or NaN number.

    Example:
        >>> resolve_timeout(30).read
        30.0
    """
    import httpx

    if timeout is None:
        return _default_timeout()
    if isinstance(timeout, httpx.Timeout):
        return timeout
    # `not timeout > 0` also refuses NaN (every comparison with it is false).
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds, got {timeout!r}")
    return httpx.Timeout(float(timeout), connect=min(float(timeout), 10.0))
