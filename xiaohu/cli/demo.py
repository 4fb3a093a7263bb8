"""`xiaohu demo`: the whole plugin in one run, on the emulator offline or on your relay.

By default it starts the emulator on loopback and says so in its first line, even when
`XIAOHU_API_KEY` is set: spending quota takes `--live`, which uses `XIAOHU_API_KEY` and
`XIAOHU_BASE_URL`. Live, the deep-research step states its budget and runs only after a yes at
the prompt (or `--yes`). Then it runs the steps of `demo_steps` (the last a budgeted
deep-research run) and prints the tokens and cost of every call. A model the relay serves on the
chat wire (`-m deepseek-chat`) skips the steps that need the Responses API's built-in tools.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import typer
from rich.console import Console

from xiaohu import API_KEY_ENV, DEFAULT_TIMEOUT
from xiaohu.adapters import resolve_api_key, resolve_base_url

from .common import MissingExtraError, guarded
from .demo_steps import (
    RESEARCH_BUDGET_USD,
    RESEARCH_MODEL,
    Relay,
    on_chat_wire,
    run_agent,
    run_rag,
    run_research,
    run_structured,
)
from .render import make_console, usage_text
from .tally import Tally

__all__ = ["DEMO_MODEL", "demo_command", "demo_relay"]

DEMO_MODEL = "gpt-5-mini"
"""The demo's model: cheap on a live relay, and it reasons and searches."""

_EMULATOR_KEY = "sk-xiaohu-demo"


@contextlib.contextmanager
def demo_relay(console: Console, *, live: bool = False) -> Iterator[Relay]:
    """The relay to use: yours with `live=True`, else the emulator on loopback.

    An exported `XIAOHU_API_KEY` alone never sends the demo to the relay: that spends quota,
    so it takes `--live`.

    Raises:
        ConfigurationError: `live` without `XIAOHU_API_KEY` or `XIAOHU_BASE_URL`.

    Example:
        >>> with demo_relay(make_console()) as relay:  # doctest: +SKIP
        ...     relay.base_url
        'http://127.0.0.1:51234/v1'
    """
    if live:
        key, url = resolve_api_key(None), resolve_base_url(None)
        console.print(f"Using your relay at {url} (--live): this spends quota.")
        with httpx.Client(timeout=DEFAULT_TIMEOUT) as http:
            yield Relay(key, url, http, live=True)
        return
    try:
        from xiaohu.emulator import serve
    except ImportError as exc:
        raise MissingExtraError("the emulator (starlette, uvicorn)", "emulator") from exc
    why = (
        f"{API_KEY_ENV} is set, but the demo goes to your relay only with --live"
        if os.environ.get(API_KEY_ENV, "").strip()
        else f"no {API_KEY_ENV} needed"
    )
    console.print(f"Starting the local emulator on loopback (offline, free; {why}).")
    with serve(port=0) as base_url:
        console.print(f"Emulator at {base_url}", style="dim")
        with httpx.Client(timeout=DEFAULT_TIMEOUT) as http:
            yield Relay(_EMULATOR_KEY, base_url, http)


@guarded
def demo_command(
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            metavar="MODEL",
            help=(
                "The chat model to use. A model the relay serves on the chat wire (claude-*,"
                " deepseek-*, qwen-*, gemini-*) skips the web-search and deep-research steps."
            ),
        ),
    ] = DEMO_MODEL,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Use your relay (XIAOHU_API_KEY, XIAOHU_BASE_URL) instead of the emulator:"
            " this spends quota.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes",
            "-y",
            help=f"With --live, run the deep-research step (budget ${RESEARCH_BUDGET_USD:.2f})"
            " without asking.",
        ),
    ] = False,
) -> None:
    """Run the tour: LangChain agent, LlamaIndex RAG, structured output, guarded deep research.

    \f
    Example:
        $ xiaohu demo
    """
    console = make_console()
    tally = Tally()
    started = time.monotonic()
    with demo_relay(console, live=live) as relay:
        chat_wire = on_chat_wire(relay, model)
        if chat_wire:
            console.print(
                f"{model} is served on the chat wire (Chat Completions), which cannot carry the"
                " built-in web search: steps 1 and 4 are skipped.",
                style="yellow",
                markup=False,
            )
        else:
            run_agent(console, relay, model, tally)
        run_rag(console, relay, model, tally)
        run_structured(console, relay, model, tally)
        if not chat_wire and _research_confirmed(console, relay, yes):
            run_research(console, relay, tally)
    console.print()
    console.print("Usage", style="bold magenta")
    searches = f"{tally.searches} web search call" + ("" if tally.searches == 1 else "s")
    console.print(f"{tally.calls} calls in the tour, {searches}; {usage_text(tally.usage)}")
    console.print(tally.cost_line() + " (chat calls at list prices; embeddings not counted)")
    console.print(f"done in {time.monotonic() - started:.1f}s", style="dim")


def _research_confirmed(console: Console, relay: Relay, yes: bool) -> bool:
    """Whether to run the deep-research step: always offline; live, after a yes (or `--yes`)."""
    if not relay.live or yes:
        return True
    console.print()
    console.print(
        f"4. Deep research ({RESEARCH_MODEL}) on your relay: a budget of"
        f" ${RESEARCH_BUDGET_USD:.2f} (the run is stopped if its cost passes it).",
        markup=False,
    )
    if sys.stdin.isatty() and typer.confirm("Run it?", default=False):
        return True
    console.print("Skipped (pass --yes to run it without asking).", style="yellow")
    return False
