"""`xiaohu emulator`: serve the local relay emulator in the foreground until Ctrl-C."""

from __future__ import annotations

import ipaddress
from enum import Enum
from typing import Annotated

import typer

from xiaohu import ConfigurationError

from .common import MissingExtraError, guarded
from .render import make_console

__all__ = ["RelayModeChoice", "check_port", "emulator_command", "host_warning"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def check_port(port: int) -> int:
    """`--port`, checked: a TCP port number, 0 to 65535 (0 picks a free one).

    Raises:
        ConfigurationError: Out of range (the message names the option and the range).

    Example:
        >>> check_port(8000)
        8000
        >>> check_port(99999)
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: --port: 99999 is not a TCP port (0-65535; 0 picks a free one)
    """
    if not 0 <= port <= 65535:
        raise ConfigurationError(f"--port: {port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def host_warning(host: str, api_key: str | None = None) -> str | None:
    """The warning to print for `--host`, or `None` (a loopback interface, or `--api-key` set).

    Without `--api-key` the emulator accepts any key, so listening on another interface lets
    anyone who can reach it use it.

    Example:
        >>> host_warning("127.0.0.1") is None and host_warning("::1") is None
        True
        >>> host_warning("0.0.0.0")[:40]
        'warning: listening on 0.0.0.0, not only '
        >>> host_warning("0.0.0.0", api_key="sk-mine") is None
        True
    """
    name = host.strip().strip("[]").lower()
    if api_key or name in _LOOPBACK_NAMES:
        return None
    try:
        if ipaddress.ip_address(name).is_loopback:
            return None
    except ValueError:
        pass  # a host name other than localhost: it may resolve to any interface
    return (
        f"warning: listening on {host}, not only on this machine's loopback: anyone who can"
        " reach it can use the emulator, and it accepts any key unless --api-key names one"
    )


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
    port: Annotated[
        int, typer.Option(help="TCP port, 0 to 65535 (0 picks a free one).", metavar="PORT")
    ] = 8000,
    host: Annotated[
        str,
        typer.Option(
            help="Interface to listen on (other than loopback: a warning).", metavar="HOST"
        ),
    ] = "127.0.0.1",
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", help="Accept only this key (default: any).", metavar="KEY"),
    ] = None,
    relay_mode: Annotated[
        RelayModeChoice, typer.Option(help="Which endpoints to serve.")
    ] = RelayModeChoice.full,
    delay: Annotated[
        float, typer.Option(help="Seconds between streamed events (0 to 10).", metavar="SECONDS")
    ] = 0.0,
) -> None:
    """Run the local relay emulator; point XIAOHU_BASE_URL at the URL it prints.

    \f
    Example:
        $ xiaohu emulator --port 8000
    """
    check_port(port)
    try:
        from xiaohu.emulator import run_forever
        from xiaohu.emulator.calls import MAX_DELAY_S
    except ImportError as exc:
        raise MissingExtraError("the emulator's server (starlette, uvicorn)", "emulator") from exc
    if not 0 <= delay <= MAX_DELAY_S:  # nan too
        raise ConfigurationError(f"--delay: {delay} is not 0 to {MAX_DELAY_S:g} seconds")
    warning = host_warning(host, api_key)
    if warning is not None:
        make_console(stderr=True).print(warning, style="yellow", markup=False)
    try:
        run_forever(host=host, port=port, api_key=api_key, relay_mode=relay_mode.value, delay=delay)
    except OSError as exc:  # the port in use, a host that is not this machine's, ...
        reason = exc.strerror or str(exc)
        raise ConfigurationError(f"cannot listen on {host}:{port}: {reason}") from None
