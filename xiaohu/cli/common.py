"""What every command shares: the client from the environment, and one-line error reports.

Expected errors (every `XiaohuError`, a missing optional package, Ctrl-C) end the command with
one readable line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from xiaohu import Budget, MissingExtraError, XiaohuClient, XiaohuError

from .render import make_console, one_line

__all__ = ["EXIT_CANCELLED", "EXIT_ERROR", "MissingExtraError", "guarded", "make_client"]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_ERROR = 1
"""Exit code for an error the relay or the input caused."""
EXIT_CANCELLED = 130
"""Exit code after Ctrl-C, as shells use for SIGINT."""


def make_client(timeout: float | None = None, budget: Budget | None = None) -> XiaohuClient:
    """A client configured from `XIAOHU_API_KEY` and `XIAOHU_BASE_URL`, charged to `budget`.

    Raises:
        ConfigurationError: Either variable is missing (the message says which).

    Example:
        >>> make_client()  # doctest: +SKIP
        XiaohuClient(base_url='http://127.0.0.1:8000/v1', max_retries=2)
    """
    return XiaohuClient(timeout=timeout, budget=budget)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Wrap a command so expected errors print one line and exit non-zero.

    Example:
        >>> @guarded
        ... def hello() -> None:
        ...     raise XiaohuError("无效的令牌")
        >>> hello()  # doctest: +SKIP
        error: 无效的令牌
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            make_console(stderr=True).print("cancelled")
            raise typer.Exit(EXIT_CANCELLED) from None
        except XiaohuError as exc:
            make_console(stderr=True).print(f"error: {one_line(exc)}", markup=False)
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper
