"""What every command shares: the client from the environment, and one-line error reports.

Expected errors (every `XiaohuError`, a missing optional package, Ctrl-C) end the command with
one readable line on stderr and a non-zero exit code, never a traceback. The exit codes:

====  ===========================================================================================
0     done
1     the relay or the connection failed (an `APIError`: HTTP error, dropped stream, deadline),
      or another error (a missing extra)
2     bad input or settings, refused before anything was sent (`ConfigurationError`; click's
      own usage errors exit 2 too)
3     the cost guard: a run stopped at its budget (`BudgetExceededError`), or a call refused
      for its cost (`CostLimitError`: an expensive model without opt-in, an estimate past
      `--max-cost`)
130   Ctrl-C (what was streamed so far stays on screen; a background run is cancelled)
====  ===========================================================================================
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from xiaohu import (
    Budget,
    BudgetExceededError,
    ConfigurationError,
    CostLimitError,
    MissingExtraError,
    XiaohuClient,
    XiaohuError,
)

from .render import make_console, one_line

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUDGET",
    "EXIT_CANCELLED",
    "EXIT_ERROR",
    "MissingExtraError",
    "exit_code",
    "guarded",
    "make_client",
]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_ERROR = 1
"""Exit code for an error of the relay or the connection (or any other expected error)."""
EXIT_BAD_INPUT = 2
"""Exit code for bad input or settings, refused before sending (as click's usage errors)."""
EXIT_BUDGET = 3
"""Exit code when the cost guard stopped a run at its budget or refused a call for its cost."""
EXIT_CANCELLED = 130
"""Exit code after Ctrl-C, as shells use for SIGINT."""


def exit_code(exc: XiaohuError) -> int:
    """The command's exit code for an expected error (see the table in this module).

    Example:
        >>> exit_code(ConfigurationError("the question is empty"))
        2
        >>> exit_code(CostLimitError("o3-deep-research is an expensive model"))
        3
    """
    if isinstance(exc, BudgetExceededError | CostLimitError):
        return EXIT_BUDGET
    if isinstance(exc, ConfigurationError):
        return EXIT_BAD_INPUT
    return EXIT_ERROR


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
    """Wrap a command so expected errors print one line and exit with their code.

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
            raise typer.Exit(exit_code(exc)) from None

    return wrapper
