"""`xiaohu emulator`: serve the local relay emulator in the foreground until Ctrl-C."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

import typer

from .common import MissingExtraError, guarded

__all__ = ["RelayModeChoice", "emulator_command"]


class RelayModeChoice(str, Enum):
    """`--relay-mode`: every endpoint, or only what the studied new-api relay serves.

    Example:
        >>> RelayModeChoice("new-api").value
        'new-api'
    """

    full = "full"
    new_api = "new-api"


@guarded
def emulator_command(
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (0 picks a free one).")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    api_key: Annotated[
        str | None, typer.Option("--api-key", help="Accept only this key (default: any).")
    ] = None,
    relay_mode: Annotated[
        RelayModeChoice, typer.Option(help="Which endpoints to serve.")
    ] = RelayModeChoice.full,
    delay: Annotated[float, typer.Option(help="Seconds between streamed events.")] = 0.0,
) -> None:
    """Run the local relay emulator; point XIAOHU_BASE_URL at the URL it prints.

    \f
    Example:
        $ xiaohu emulator --port 8000
    """
    try:
        from xiaohu.emulator import run_forever
    except ImportError as exc:
        raise MissingExtraError("the emulator's server (starlette, uvicorn)", "emulator") from exc
    run_forever(host=host, port=port, api_key=api_key, relay_mode=relay_mode.value, delay=delay)
