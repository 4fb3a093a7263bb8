"""Terminal output for the CLI: streamed answers, dimmed reasoning, numbered citations.

`ChatView` turns the core's normalised deltas (`xiaohu.StreamDelta`) into terminal output as
they arrive. It keeps only what the terminal needs (the numbered sources, a search counter);
the answer itself is folded once, by the core's `ResponseState`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text

from xiaohu import (
    Annotation,
    AnnotationDelta,
    Cost,
    ReasoningDelta,
    RefusalDelta,
    Response,
    StreamDelta,
    TextDelta,
    ToolProgress,
    Usage,
)

__all__ = ["ChatView", "ResearchStatus", "make_console", "one_line", "sources_text", "usage_text"]


def make_console(*, stderr: bool = False) -> Console:
    """A console that never re-wraps streamed text or highlights numbers on its own.

    Example:
        >>> make_console().soft_wrap
        True
    """
    return Console(stderr=stderr, soft_wrap=True, highlight=False, emoji=False)


def one_line(exc: BaseException) -> str:
    """The error as one readable line: the relay's message verbatim, newlines folded.

    Example:
        >>> one_line(ValueError("bad\\nvalue"))
        'bad value'
    """
    return " ".join(str(exc).split("\n")).strip() or type(exc).__name__


def sources_text(citations: list[Annotation]) -> list[str]:
    """Number the cited sources, once each, in order of first citation.

    Example:
        >>> a = Annotation(type="url_citation", url="https://a.example", title="A")
        >>> sources_text([a, a])
        ['[1] A - https://a.example']
    """
    seen: dict[str, str] = {}
    for citation in citations:
        url = citation.url
        if url and url not in seen:
            seen[url] = citation.title or url
    return [f"[{n}] {title} - {url}" for n, (url, title) in enumerate(seen.items(), 1)]


def usage_text(usage: Usage | None, cost: Cost | None = None) -> str:
    """One line of token usage (and cost, when it could be priced).

    Example:
        >>> usage_text(Usage(input_tokens=10, output_tokens=5, total_tokens=15))
        'tokens: 10 in, 5 out (0 reasoning, 0 cached), 15 total'
    """
    if usage is None:
        return "tokens: not reported by the relay"
    line = (
        f"tokens: {usage.input_tokens} in, {usage.output_tokens} out "
        f"({usage.reasoning_tokens} reasoning, {usage.cached_tokens} cached), "
        f"{usage.total_tokens} total"
    )
    return f"{line}; cost {cost}" if cost is not None and cost.priced else line


@dataclass
class ChatView:
    """Print deltas as they stream: answer text plain, reasoning summaries dimmed.

    While `hold_partial_lines` is set (a live status line is on screen), reasoning is printed
    a whole line at a time so the status line is never torn; answer text always streams.

    Example:
        >>> view = ChatView(make_console())
        >>> view.show(TextDelta("Hello"))
        Hello
    """

    console: Console
    hold_partial_lines: bool = False
    searches: int = 0
    """Web search calls started so far (searches and page visits: each is billed)."""
    citations: list[Annotation] = field(default_factory=list)
    """Citations in the order they arrived."""
    _mode: str = ""
    _pending: str = ""
    _part: tuple[str | None, int] = (None, -1)
    _mid_line: bool = False

    def show(self, delta: StreamDelta) -> None:
        """Print one delta (or count it, for tool progress and citations).

        Example:
            >>> ChatView(make_console()).show(ReasoningDelta("Thinking"))
            Thinking
        """
        if isinstance(delta, TextDelta | RefusalDelta):
            self._write("answer", delta.text, "red" if isinstance(delta, RefusalDelta) else "")
        elif isinstance(delta, ReasoningDelta):
            part = (delta.item_id, delta.summary_index)
            if self._mode == "reasoning" and part != self._part:
                self._write("reasoning", "\n\n", "dim")
            self._part = part
            self._write("reasoning", delta.text, "dim")
        elif isinstance(delta, AnnotationDelta):
            self.citations.append(delta.annotation)
        elif isinstance(delta, ToolProgress) and delta.phase == "searching":
            self.searches += 1

    def _write(self, mode: str, text: str, style: str) -> None:
        if mode != self._mode:
            self.flush()
            if self._mode:
                self.console.print("\n")
            self._mode = mode
        if self.hold_partial_lines and mode == "reasoning":
            self._pending += text
            head, sep, self._pending = self._pending.rpartition("\n")
            if sep:
                self.console.print(Text(head, style=style))
                self._mid_line = False
            return
        if text:  # set first: Ctrl-C may land while the text is being written
            self._mid_line = not text.endswith("\n")
        self.console.print(Text(text, style=style), end="")

    def flush(self) -> None:
        """Print any held partial line.

        Example:
            >>> ChatView(make_console()).flush()
        """
        if self._pending:
            self.console.print(Text(self._pending, style="dim"))
            self._pending = ""
            self._mid_line = False

    def end_line(self) -> None:
        """End a partly printed line (before an error or "cancelled" is shown below it).

        What was streamed stays on screen; only a newline is added, and only when needed.

        Example:
            >>> view = ChatView(make_console())
            >>> view.show(TextDelta("Partial"))
            Partial
            >>> view.end_line()
            <BLANKLINE>
            >>> view.end_line()
        """
        self.flush()
        if self._mid_line:
            self.console.print()
            self._mid_line = False

    def finish(self, response: Response | None, cost: Cost | None = None) -> None:
        """End the answer: numbered sources, then the usage line.

        Example:
            >>> ChatView(make_console()).finish(None)
            <BLANKLINE>
        """
        self.flush()
        self.console.print()
        self._mid_line = False
        cited = self.citations or (response.citations if response else [])
        if cited:
            self.console.print("\nSources:", style="bold")
            for line in sources_text(cited):
                self.console.print(line)
        if response is not None:
            self.console.print(usage_text(response.usage, cost), style="dim")


@dataclass
class ResearchStatus:
    """The live status line of a deep-research run: searches, elapsed time, cost so far.

    Example:
        >>> status = ResearchStatus(ChatView(make_console()), started=0.0)
        >>> status.line(now=75.0)
        'researching... 0 web search calls, 1m15s elapsed'
    """

    view: ChatView
    started: float = field(default_factory=time.monotonic)
    cost_so_far: Cost | None = None
    """The running cost estimate, when the model has a price."""

    def line(self, now: float | None = None) -> str:
        """The status text at time `now` (default: the current time).

        Example:
            >>> ResearchStatus(ChatView(make_console()), started=0.0).line(now=3.0)
            'researching... 0 web search calls, 0m03s elapsed'
        """
        elapsed = int((time.monotonic() if now is None else now) - self.started)
        n = self.view.searches  # every web_search_call (searches and page visits), as billed
        searches = f"{n} web search call" + ("" if n == 1 else "s")
        text = f"researching... {searches}, {elapsed // 60}m{elapsed % 60:02d}s elapsed"
        cost = self.cost_so_far
        return f"{text}, {cost} so far (estimate)" if cost is not None and cost.priced else text

    def __rich__(self) -> Text:
        return Text(self.line(), style="cyan")
