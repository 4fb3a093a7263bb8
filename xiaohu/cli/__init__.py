"""The `xiaohu` command line: `demo`, `chat`, `models`, `quota`, `emulator`.

Needs the `cli` extra (typer, rich). One small module per command; `render` holds the terminal
output and `common` the shared client and error handling.

Example:
    >>> from xiaohu.cli import run
    >>> run(["--help"])  # doctest: +SKIP
    Usage: xiaohu [OPTIONS] COMMAND [ARGS]...
"""

from __future__ import annotations

from typing import Annotated

import typer

from xiaohu import __version__

from .chat import chat_command
from .demo import demo_command
from .emulator import emulator_command
from .models import models_command
from .quota import quota_command

__all__ = ["app", "run"]

app = typer.Typer(
    name="xiaohu",
    help="LangChain and LlamaIndex on the 小胡 relay through the OpenAI Responses API.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"xiaohu {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", help="Print the version and exit.", is_eager=True, callback=_print_version
        ),
    ] = False,
) -> None:
    """LangChain and LlamaIndex on the 小胡 relay through the OpenAI Responses API."""


app.command("demo")(demo_command)
app.command("chat")(chat_command)
app.command("models")(models_command)
app.command("quota")(quota_command)
app.command("emulator")(emulator_command)


def run(argv: list[str]) -> int:
    """Run the command line with `argv` and return its exit code.

    Example:
        >>> run(["models", "--help"])  # doctest: +SKIP
        Usage: xiaohu models [OPTIONS]
    """
    try:
        app(args=argv, prog_name="xiaohu")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
