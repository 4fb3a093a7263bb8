"""`xiaohu chat "question"`: one streamed answer from the relay, in the terminal.

`chat_params` (pure) turns the options into a request body and checks it before anything is
sent; `ChatRun` streams it through the core's `stream_response` (or, with `--background`, the
core's `stream_background`, which resumes a dropped stream and detects a relay that ignores
`background`), shows a live status line for deep research, and on Ctrl-C closes the stream and
cancels a background run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.live import Live

from xiaohu import (
    REASONING_EFFORTS,
    BackgroundStream,
    Budget,
    ConfigurationError,
    CostLimitError,
    GuardedResponseStream,
    Response,
    TextDelta,
    XiaohuClient,
    XiaohuError,
    build_payload,
    is_deep_research,
)

from .common import guarded, make_client
from .render import ChatView, ResearchStatus, make_console

__all__ = [
    "DEFAULT_MODEL",
    "EFFORTS",
    "ChatRun",
    "chat_command",
    "chat_params",
    "effort_choice",
    "json_format",
]

_Stream = GuardedResponseStream | BackgroundStream

DEFAULT_MODEL = "gpt-5-mini"
"""The model `xiaohu chat` uses without `--model`: cheap, fast, and reasons."""


EFFORTS = REASONING_EFFORTS
"""`--effort`'s choices: exactly the `reasoning.effort` values the library accepts.

Example:
    >>> EFFORTS[:3]
    ('none', 'minimal', 'low')
"""


def effort_choice(value: str) -> str:
    """`--effort`, checked against `EFFORTS` (click's usage error otherwise).

    Example:
        >>> effort_choice("xhigh")
        'xhigh'
    """
    if value not in EFFORTS:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(EFFORTS)}")
    return value


def json_format(spec: str) -> dict[str, Any]:
    """The `text.format` for `--json`: a JSON schema given inline or as a file path.

    A `{"name": ..., "schema": ...}` object is used as is; anything else is the schema itself.

    Text starting with `{` or `[` is inline JSON; anything else is a path, and a path that is
    missing, a directory, unreadable or not UTF-8 is named as such (not as "invalid JSON").

    Raises:
        ConfigurationError: `spec` is neither valid JSON nor a readable file holding a JSON
            object (the message says which, and why).

    Example:
        >>> json_format('{"type": "object", "properties": {"city": {"type": "string"}}}')["name"]
        'answer'
        >>> json_format("/no/such/schema.json")
        Traceback (most recent call last):
        ...
        xiaohu._exceptions.ConfigurationError: --json: no such file: '/no/such/schema.json' (give a JSON schema inline, or the path of a file holding one)
    """
    inline = spec.lstrip().startswith(("{", "[")) or "\n" in spec
    text = spec if inline else _schema_file(spec)
    try:
        value = json.loads(text)
    except ValueError as exc:
        where = "the inline schema" if inline else repr(spec[:80])
        raise ConfigurationError(f"--json: {where} is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise ConfigurationError("--json: the schema must be a JSON object")
    if isinstance(value.get("schema"), dict):
        fmt = {"type": "json_schema", "name": value.get("name") or "answer", **value}
        fmt["type"] = "json_schema"
        return fmt
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(value.get("title") or "answer"))[:64]
    return {"type": "json_schema", "name": name, "schema": value}


_MAX_SCHEMA_BYTES = 5_000_000


def _schema_file(spec: str) -> str:
    """The text of the schema file `spec`, or a `ConfigurationError` saying why it is not one."""
    path = Path(spec).expanduser()
    hint = "give a JSON schema inline, or the path of a file holding one"
    shown = spec if len(spec) <= 80 else spec[:77] + "..."
    try:
        if path.exists() and not path.is_dir():
            if not path.is_file():  # a FIFO or a device would block or never end
                raise ConfigurationError(f"--json: {shown!r} is not a regular file ({hint})")
            if path.stat().st_size > _MAX_SCHEMA_BYTES:
                raise ConfigurationError(
                    f"--json: {shown!r} is over {_MAX_SCHEMA_BYTES // 1_000_000} MB: not a schema"
                )
        return path.read_text(encoding="utf-8-sig")  # a BOM (from some editors) is not JSON
    except FileNotFoundError:
        raise ConfigurationError(f"--json: no such file: {shown!r} ({hint})") from None
    except IsADirectoryError:
        raise ConfigurationError(f"--json: {shown!r} is a directory ({hint})") from None
    except PermissionError:
        raise ConfigurationError(f"--json: cannot read {shown!r}: permission denied") from None
    except UnicodeDecodeError as exc:
        raise ConfigurationError(
            f"--json: {shown!r} is not UTF-8 text (byte {exc.start}); save the schema as UTF-8"
        ) from None
    except OSError as exc:  # a name too long, a FIFO, ...: say what the system said
        raise ConfigurationError(f"--json: cannot read {shown!r}: {exc.strerror or exc}") from None


def chat_params(
    question: str,
    *,
    model: str = DEFAULT_MODEL,
    web_search: bool = False,
    effort: str | None = None,
    summary: bool = False,
    json_spec: str | None = None,
    max_cost_usd: float | None = None,
    allow_expensive: bool = False,
) -> dict[str, Any]:
    """The request body for `xiaohu chat`, checked before anything is sent.

    Deep-research models always get a web search tool: the API refuses them without one.
    `max_cost_usd` and `allow_expensive` are the core cost guard's per-call options.

    Raises:
        ConfigurationError: An empty question, or an invalid option.

    Example:
        >>> chat_params("hi", web_search=True, effort="low")
        {'model': 'gpt-5-mini', 'input': 'hi', 'tools': [{'type': 'web_search'}], 'reasoning': {'effort': 'low'}}
    """
    if not question.strip():
        raise ConfigurationError("the question is empty")
    params: dict[str, Any] = {"model": model, "input": question}
    deep = is_deep_research(model)
    if web_search or deep:
        params["tools"] = [{"type": "web_search_preview" if deep else "web_search"}]
    reasoning = {"effort": effort, "summary": "auto" if summary else None}
    if any(reasoning.values()):
        params["reasoning"] = {k: v for k, v in reasoning.items() if v}
    if json_spec is not None:
        params["text"] = {"format": json_format(json_spec)}
    if max_cost_usd is not None:
        params["max_cost_usd"] = max_cost_usd
    if allow_expensive:
        params["allow_expensive"] = True
    return build_payload(params)


class ChatRun:
    """One streamed chat answer; remembers its stream so Ctrl-C can close and cancel it.

    With `background=True` the run goes through the core's `stream_background` (resumed
    across dropped connections; a warning, and a plain stream, where the relay ignores it).

    Example:
        >>> run = ChatRun(make_client(), {"model": "gpt-5-mini", "input": "hi"})  # doctest: +SKIP
        >>> run.run().status  # doctest: +SKIP
        'completed'
    """

    def __init__(
        self,
        client: XiaohuClient,
        params: dict[str, Any],
        *,
        background: bool = False,
        budget: Budget | None = None,
    ) -> None:
        self.client = client
        self.params = params
        self.background = background
        self.budget = budget
        """The `--max-cost` budget the client is charged to, reported after the answer."""
        self.console = make_console()
        self.view = ChatView(self.console)
        self.stream: _Stream | None = None

    def run(self) -> Response:
        """Stream the answer to the terminal and return the final response.

        Example:
            >>> ChatRun(make_client(), {"model": "gpt-5", "input": "hi"}).run()  # doctest: +SKIP
        """
        try:
            response = self._stream()
        except KeyboardInterrupt:
            self._cancel()
            raise
        except BaseException:
            self.view.end_line()  # the error goes below the partial answer, not after it
            raise
        self.view.finish(response, self.stream.cost if self.stream is not None else None)
        if self.budget is not None and self.budget.max_usd is not None:
            self.console.print(
                f"budget: ${self.budget.spent_usd:.4f} of ${self.budget.max_usd:.4f} spent",
                style="dim",
                markup=False,
            )
        return response

    def _stream(self) -> Response:
        deep = is_deep_research(str(self.params.get("model")))
        start = self.client.stream_background if self.background else self.client.stream_response
        with start(**self.params) as stream:
            self.stream = stream
            if not deep:
                for delta in stream.iter_deltas():
                    self.view.show(delta)
                return stream.get_final_response()
            return self._stream_with_status(stream)

    def _stream_with_status(self, stream: _Stream) -> Response:
        status = ResearchStatus(self.view)
        self.view.hold_partial_lines = True
        with Live(status, console=self.console, transient=True, refresh_per_second=4) as live:
            for delta in stream.iter_deltas():
                if live.is_started and isinstance(delta, TextDelta):
                    live.stop()
                    self.view.hold_partial_lines = False
                    self.view.flush()
                    self.console.print(status.line(), style="cyan")
                self.view.show(delta)
                status.cost_so_far = stream.cost
        return stream.get_final_response()

    def _cancel(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self.view.end_line()  # the partial answer stays; "cancelled" goes below it
        if not isinstance(self.stream, BackgroundStream) or not self.stream.response_id:
            return
        response_id = self.stream.response_id
        try:
            self.client.cancel_response(response_id)
        except XiaohuError as exc:
            self.console.print(f"could not cancel {response_id}: {exc}", markup=False)
        else:
            self.console.print(f"cancelled background response {response_id}", markup=False)


@guarded
def chat_command(
    question: Annotated[
        str, typer.Argument(help="What to ask.", metavar="QUESTION", show_default=False)
    ],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Any model the relay routes.", metavar="MODEL")
    ] = DEFAULT_MODEL,
    web_search: Annotated[
        bool, typer.Option("--web-search", help="Let the model search the web.")
    ] = False,
    effort: Annotated[
        str | None,
        typer.Option(
            help=f"Reasoning effort: {', '.join(EFFORTS)}.", parser=effort_choice, metavar="EFFORT"
        ),
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="Show reasoning summaries (dimmed).")
    ] = False,
    json_spec: Annotated[
        str | None,
        typer.Option(
            "--json", help="Answer as JSON: a schema, inline or a file.", metavar="SCHEMA"
        ),
    ] = None,
    background: Annotated[
        bool, typer.Option("--background", help="Run in background mode (Ctrl-C cancels it).")
    ] = False,
    max_cost: Annotated[
        float | None,
        typer.Option(
            "--max-cost", help="Budget in US dollars; the run stops past it.", metavar="USD"
        ),
    ] = None,
    allow_expensive: Annotated[
        bool,
        typer.Option(
            "--allow-expensive", help="Run deep-research and *-pro models without a budget."
        ),
    ] = False,
) -> None:
    """Stream one answer: reasoning dimmed, citations numbered, usage at the end.

    \f
    Example:
        $ xiaohu chat "What changed in Python 3.13?" --web-search
    """
    params = chat_params(
        question,
        model=model,
        web_search=web_search,
        effort=effort,
        summary=summary,
        json_spec=json_spec,
        allow_expensive=allow_expensive,
    )
    # `--max-cost` is a `Budget` the client charges every call to (checked here, before sending).
    try:
        budget = Budget(max_usd=max_cost) if max_cost is not None else None
    except ConfigurationError:
        raise ConfigurationError(
            f"--max-cost must be a finite number of US dollars > 0, got {max_cost}"
        ) from None
    with make_client(budget=budget) as client:
        try:
            ChatRun(client, params, background=background, budget=budget).run()
        except CostLimitError as exc:
            if max_cost is not None or allow_expensive:
                raise
            raise CostLimitError(
                f"{exc} On the command line: --max-cost USD or --allow-expensive."
            ) from None
