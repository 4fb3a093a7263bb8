"""The `xiaohu` console script: a thin entry point that needs the `cli` extra only when run.

Importing `xiaohu` never imports typer or rich; `main()` does, and prints a one-line hint when
they are missing instead of a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["INSTALL_HINT", "main"]

INSTALL_HINT = 'the xiaohu command needs its extra: pip install "xiaohu[cli]"'
"""What `xiaohu` prints when typer or rich is not installed."""

EXIT_CANCELLED = 130
"""The exit code after Ctrl-C (as `xiaohu.cli.common.EXIT_CANCELLED`, without importing it)."""


def main(argv: list[str] | None = None) -> int:
    """Run the `xiaohu` command line (`xiaohu demo`, `xiaohu chat`, ...).

    Args:
        argv: Arguments without the program name; defaults to `sys.argv[1:]`.

    Returns:
        The exit code: 0 on success, 1 for a relay or connection error, 2 for bad input or
        usage, 3 when the cost guard stopped or refused a call, 130 after Ctrl-C (the table is
        in `xiaohu.cli.common`).

    Example:
        >>> main(["--help"])  # doctest: +SKIP
        Usage: xiaohu [OPTIONS] COMMAND [ARGS]...
    """
    args = sys.argv[1:] if argv is None else argv
    try:
        if args == ["--version"]:  # needs neither typer nor rich: answer before importing them
            from xiaohu._version import __version__

            print(f"xiaohu {__version__}")
            return 0
        try:
            from xiaohu.cli import run
        except ImportError as exc:
            if (exc.name or "").split(".")[0] not in {"typer", "rich", "click"}:
                raise
            print(INSTALL_HINT, file=sys.stderr)
            return 1
        return run(args)
    except KeyboardInterrupt:  # Ctrl-C while the CLI is still importing: no traceback
        print("cancelled", file=sys.stderr)
        return EXIT_CANCELLED


if __name__ == "__main__":
    sys.exit(main())
