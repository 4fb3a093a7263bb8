"""`xiaohu demo`: the whole plugin in one run, on the emulator offline or on your relay.

Without `XIAOHU_API_KEY` it starts the emulator on loopback and says so in its first line; with
a key (and `XIAOHU_BASE_URL`) it uses the relay. Then it runs the three steps of
`demo_steps` (the last a budgeted deep-research run) and prints the tokens and cost of every call.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import typer
from rich.console import Console

from xiaohu import API_KEY_ENV, DEFAULT_TIMEOUT
from xiaohu.adapters import resolve_api_key, resolve_base_url

from .common import MissingExtraError, guarded
from .demo_steps import Relay, run_agent, run_rag, run_research, run_structured
from .render import make_console, usage_text
from .tally import Tally

__all__ = ["DEMO_MODEL", "demo_command", "demo_relay"]

DEMO_MODEL = "gpt-5-mini"
"""The demo's model: cheap on a live relay, and it reasons and searches."""

_EMULATOR_KEY = "sk-xiaohu-demo"


@contextlib.contextmanager
def demo_relay(console: Console) -> Iterator[Relay]:
    """The relay to use: yours when `XIAOHU_API_KEY` is set, else the emulator on loopback.

    Raises:
        ConfigurationError: A key is set but `XIAOHU_BASE_URL` is not.

    Example:
        >>> with demo_relay(make_console()) as relay:  # doctest: +SKIP
        ...     relay.base_url
        'http://127.0.0.1:51234/v1'
    """
    if os.environ.get(API_KEY_ENV, "").strip():
        key, url = resolve_api_key(None), resolve_base_url(None)
        console.print(f"Using your relay at {url} ({API_KEY_ENV} is set): this spends quota.")
        with httpx.Client(timeout=DEFAULT_TIMEOUT) as http:
            yield Relay(key, url, http)
        return
    try:
        from xiaohu.emulator import serve
    except ImportError as exc:
        raise MissingExtraError("the emulator (starlette, uvicorn)", "emulator") from exc
    console.print(f"No {API_KEY_ENV} set: starting the local emulator on loopback (offline, free).")
    with serve(port=0) as base_url:
        console.print(f"Emulator at {base_url}", style="dim")
        with httpx.Client(timeout=DEFAULT_TIMEOUT) as http:
            yield Relay(_EMULATOR_KEY, base_url, http)


@guarded
def demo_command(
    model: Annotated[
        str, typer.Option("--model", "-m", help="The chat model to use.")
    ] = DEMO_MODEL,
) -> None:
    """Run the tour: LangChain agent, LlamaIndex RAG, structured output, guarded deep research.

    \f
    Example:
        $ xiaohu demo
    """
    console = make_console()
    tally = Tally()
    started = time.monotonic()
    with demo_relay(console) as relay:
        run_agent(console, relay, model, tally)
        run_rag(console, relay, model, tally)
        run_structured(console, relay, model, tally)
        run_research(console, relay, tally)
    console.print()
    console.print("Usage", style="bold magenta")
    searches = f"{tally.searches} web search" + ("" if tally.searches == 1 else "es")
    console.print(f"{tally.calls} calls, {searches}; {usage_text(tally.usage)}")
    console.print(tally.cost_line() + " (chat calls at list prices; embeddings not counted)")
    console.print(f"done in {time.monotonic() - started:.1f}s", style="dim")
