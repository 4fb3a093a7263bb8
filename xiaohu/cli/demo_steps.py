"""The three parts of `xiaohu demo`, each printing as it streams.

1. A LangChain agent (`create_agent` + `ChatXiaohu` + web search) that shows its citations.
2. A LlamaIndex RAG query over the documents shipped in `xiaohu/demo_docs/`, streamed, with its
   sources (`XiaohuResponses` + `XiaohuEmbedding`).
3. A structured-output call (`ChatXiaohu.with_structured_output`).
4. Deep research the safe way (`o3-deep-research` + `web_search_preview`): the estimate before
   sending, the guard refusing the call without a budget, then a budgeted, streamed run with its
   searches as they happen, a status line, the cited report's first lines, its sources and its
   cost against the budget.

LangChain and LlamaIndex are imported inside the steps, so the rest of the CLI works without
them; a missing one is reported as the extra to install.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import httpx
from pydantic import BaseModel, Field
from rich.console import Console
from rich.text import Text

from xiaohu import (
    Annotation,
    APIResponseValidationError,
    CostLimitError,
    ItemDone,
    ToolProgress,
    Usage,
    WebSearchCall,
)

from .common import MissingExtraError
from .render import sources_text
from .tally import Tally, usage_from_langchain

__all__ = [
    "AGENT_QUESTION",
    "RAG_QUESTION",
    "RESEARCH_BUDGET_USD",
    "RESEARCH_MODEL",
    "RESEARCH_QUESTION",
    "Relay",
    "Release",
    "demo_documents",
    "run_agent",
    "run_rag",
    "run_research",
    "run_structured",
]

AGENT_QUESTION = "What is new in Python 3.13? Search the web and cite your sources."
RAG_QUESTION = "What do deep research models need, and why run them in background mode?"
STRUCTURED_INPUT = (
    "Python 3.13 was released on 7 October 2024 with a free-threaded build, an experimental JIT"
    " compiler and a new interactive shell."
)
EMBEDDING_MODEL = "text-embedding-3-small"
RESEARCH_MODEL = "o3-deep-research"
RESEARCH_QUESTION = "Research how LLM APIs use server-sent events to stream their answers."
RESEARCH_BUDGET_USD = 3.0
"""The demo's deep-research budget: the run is stopped if its cost passes it."""
_REPORT_LINES = 6
_SHOWN_SOURCES = 5


@dataclass(frozen=True)
class Relay:
    """Where the demo sends its calls, over one connection pool. The key never appears in `repr`.

    Example:
        >>> Relay("sk-secret", "http://127.0.0.1:8000/v1", httpx.Client())
        Relay(base_url='http://127.0.0.1:8000/v1')
    """

    api_key: str
    base_url: str
    http: httpx.Client
    """Shared by every model of the demo; whoever made the `Relay` closes it."""
    live: bool = False
    """Whether this is the user's relay (spends quota), not the emulator."""

    def __repr__(self) -> str:
        return f"Relay(base_url={self.base_url!r})"


class Release(BaseModel):
    """What the structured-output step extracts.

    Example:
        >>> Release(product="Python", version="3.13", released="2024-10-07", highlights=[]).version
        '3.13'
    """

    product: str = Field(description="The product name.")
    version: str = Field(description="The version number.")
    released: str = Field(description="The release date, ISO 8601.")
    highlights: list[str] = Field(description="Notable changes.")


@contextlib.contextmanager
def _needs(package: str, extra: str) -> Iterator[None]:
    try:
        yield
    except ImportError as exc:
        raise MissingExtraError(package, extra) from exc


def _heading(console: Console, text: str) -> None:
    console.print()
    console.print(text, style="bold magenta")


def on_chat_wire(relay: Relay, model: str) -> bool:
    """Whether the client would call `model` on the chat wire at this relay (as `api="auto"`).

    Decided by the client's rule, from the relay's `GET /v1/models` list: a model listed
    without `openai-response` (but with a chat type) goes on Chat Completions, which cannot
    carry the built-in web search.

    Example:
        >>> on_chat_wire(relay, "deepseek-chat")  # doctest: +SKIP
        True
    """
    from xiaohu import XiaohuClient

    client = XiaohuClient(api_key=relay.api_key, base_url=relay.base_url, http_client=relay.http)
    for entry in client.list_models():
        if entry.get("id") == model:
            types = entry.get("supported_endpoint_types")
            if not isinstance(types, list) or "openai-response" in types:
                return False
            return not {"openai", "anthropic", "gemini"}.isdisjoint(types)
    return False  # not listed: the client tries the Responses API


def run_agent(console: Console, relay: Relay, model: str, tally: Tally) -> None:
    """A LangChain agent answers with web search, streaming; then its numbered citations.

    Example:
        >>> run_agent(make_console(), relay, "gpt-5-mini", Tally())  # doctest: +SKIP
    """
    with _needs("langchain", "all"):
        from langchain.agents import create_agent

        from langchain_xiaohu import ChatXiaohu

    _heading(console, "1. LangChain agent with web search (create_agent + ChatXiaohu)")
    console.print(f"Q: {AGENT_QUESTION}", style="bold")
    llm = ChatXiaohu(
        model=model, api_key=relay.api_key, base_url=relay.base_url, http_client=relay.http
    )
    agent: Any = create_agent(llm, tools=[{"type": "web_search"}])
    final: list[Any] = []
    request = {"messages": [{"role": "user", "content": AGENT_QUESTION}]}
    for mode, data in agent.stream(request, stream_mode=["messages", "updates"]):
        if mode == "messages":
            _show_agent_chunk(console, data[0])
        else:
            final.extend(m for update in data.values() for m in (update or {}).get("messages", []))
    console.print()
    answers = [m for m in final if getattr(m, "type", "") == "ai"]
    for message in answers:
        searches = sum(1 for b in message.content_blocks if b.get("type") == "server_tool_call")
        tally.add(
            message.response_metadata.get("model_name", model),
            usage_from_langchain(message.usage_metadata),
            searches,
        )
    _show_citations(console, answers[-1].content_blocks if answers else [])


def _show_agent_chunk(console: Console, chunk: Any) -> None:
    if getattr(chunk, "type", "") != "AIMessageChunk":
        return
    for block in chunk.content if isinstance(chunk.content, list) else []:
        kind = block.get("type") if isinstance(block, dict) else None
        if kind == "text":
            console.print(Text(block.get("text", "")), end="")
        elif kind == "web_search_call" and isinstance(block.get("action"), dict):
            query = block["action"].get("query") or ""
            console.print(Text(f"[searched the web: {query}]", style="dim"))


def _show_citations(console: Console, blocks: list[Any]) -> None:
    cited = [
        Annotation(type="url_citation", url=a.get("url"), title=a.get("title"))
        for block in blocks
        if block.get("type") == "text"
        for a in block.get("annotations") or []
        if a.get("url")
    ]
    if not cited:
        console.print("(no citations)", style="dim")
        return
    console.print("Sources:", style="bold")
    for line in sources_text(cited):
        console.print(line)


def demo_documents() -> list[tuple[str, str]]:
    """The `(file name, text)` of each document shipped for the RAG step.

    Example:
        >>> sorted(name for name, _ in demo_documents())[0]
        'deep-research.md'
    """
    folder = resources.files("xiaohu") / "demo_docs"
    return sorted(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".md")
    )


class _UsageCatcher:
    """Collects the usage of every LlamaIndex LLM call through its instrumentation events."""

    def __init__(self, tally: Tally, model: str) -> None:
        self.tally, self.model = tally, model

    def handle(self, event: Any) -> None:
        raw = getattr(getattr(event, "response", None), "raw", None)
        if isinstance(raw, dict) and isinstance(raw.get("usage"), dict):
            searches = sum(
                1
                for item in raw.get("output") or []
                if isinstance(item, dict) and item.get("type") == "web_search_call"
            )
            usage = Usage.model_validate(raw["usage"])
            self.tally.add(str(raw.get("model") or self.model), usage, searches)


@contextlib.contextmanager
def _llama_usage(tally: Tally, model: str) -> Iterator[None]:
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.llm import (
        LLMChatEndEvent,
        LLMCompletionEndEvent,
    )
    from llama_index_instrumentation import get_dispatcher

    catcher = _UsageCatcher(tally, model)

    class Handler(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, LLMChatEndEvent | LLMCompletionEndEvent):
                catcher.handle(event)

    dispatcher = get_dispatcher()
    handler = Handler()
    dispatcher.add_event_handler(handler)
    try:
        yield
    finally:
        dispatcher.event_handlers.remove(handler)


def run_rag(console: Console, relay: Relay, model: str, tally: Tally) -> None:
    """A LlamaIndex query over the shipped documents, streamed, then its sources.

    Example:
        >>> run_rag(make_console(), relay, "gpt-5-mini", Tally())  # doctest: +SKIP
    """
    with _needs("llama-index-core", "all"):
        from llama_index.core import Document, VectorStoreIndex

        from llama_index_xiaohu import XiaohuEmbedding, XiaohuResponses

    _heading(
        console, "2. LlamaIndex RAG over the shipped documents (XiaohuResponses + XiaohuEmbedding)"
    )
    documents = [
        Document(text=text, metadata={"file_name": name}) for name, text in demo_documents()
    ]
    embed = XiaohuEmbedding(
        model=EMBEDDING_MODEL,
        api_key=relay.api_key,
        base_url=relay.base_url,
        http_client=relay.http,
    )
    llm = XiaohuResponses(
        model=model, api_key=relay.api_key, api_base=relay.base_url, http_client=relay.http
    )
    index = VectorStoreIndex.from_documents(documents, embed_model=embed)
    engine = index.as_query_engine(llm=llm, streaming=True, similarity_top_k=2)
    console.print(f"Q: {RAG_QUESTION}", style="bold")
    with _llama_usage(tally, model):
        answer: Any = engine.query(RAG_QUESTION)
        for text in answer.response_gen:
            console.print(Text(text), end="")
    console.print()
    console.print("Sources:", style="bold")
    for number, source in enumerate(answer.source_nodes, 1):
        name = source.node.metadata.get("file_name", "?")
        console.print(f"[{number}] {name} (similarity {source.score or 0:.2f})", markup=False)


def run_structured(console: Console, relay: Relay, model: str, tally: Tally) -> Release:
    """Extract a typed `Release` from a sentence with `with_structured_output`.

    Example:
        >>> run_structured(make_console(), relay, "gpt-5-mini", Tally()).version  # doctest: +SKIP
        '3.13'
    """
    with _needs("langchain", "all"):
        from langchain_xiaohu import ChatXiaohu

    _heading(console, "3. Structured output (ChatXiaohu.with_structured_output)")
    console.print(f"Input: {STRUCTURED_INPUT}", style="bold")
    llm = ChatXiaohu(
        model=model, api_key=relay.api_key, base_url=relay.base_url, http_client=relay.http
    )
    result: Any = llm.with_structured_output(Release, include_raw=True).invoke(STRUCTURED_INPUT)
    raw = result["raw"]
    tally.add(
        raw.response_metadata.get("model_name", model), usage_from_langchain(raw.usage_metadata)
    )
    if result.get("parsing_error") is not None:
        raise APIResponseValidationError(
            f"the structured answer did not match the schema: {result['parsing_error']}"
        )
    release: Release = result["parsed"]
    console.print(release.model_dump_json(indent=2), markup=False)
    return release


def run_research(console: Console, relay: Relay, tally: Tally) -> None:
    """Deep research the safe way: estimate, refusal without a budget, a budgeted streamed run.

    Example:
        >>> run_research(make_console(), relay, Tally())  # doctest: +SKIP
    """
    from xiaohu import XiaohuClient

    from .render import ChatView, ResearchStatus, one_line

    _heading(
        console, f"4. Deep research with the cost guard ({RESEARCH_MODEL} + web_search_preview)"
    )
    console.print(f"Q: {RESEARCH_QUESTION}", style="bold")
    request: dict[str, Any] = {
        "model": RESEARCH_MODEL,
        "input": RESEARCH_QUESTION,
        "tools": [{"type": "web_search_preview"}],
    }
    client = XiaohuClient(api_key=relay.api_key, base_url=relay.base_url, http_client=relay.http)
    typical = client.estimate_cost(**request)
    console.print(f"Estimate before sending: {typical} for a typical run")
    try:
        client.stream_response(**request).close()
    except CostLimitError as exc:
        reason = one_line(exc).split(":")[0]
        console.print(
            Text(f"Without a budget: refused ({type(exc).__name__}: {reason}).", "yellow")
        )
    console.print(f"With a budget of ${RESEARCH_BUDGET_USD:.2f} (stopped if it passes it):")
    view = ChatView(console)
    status = ResearchStatus(view)
    with client.stream_response(**request, max_cost_usd=RESEARCH_BUDGET_USD) as stream:
        for _event, deltas in stream.iter_pairs():
            for delta in deltas:
                if isinstance(delta, ToolProgress):
                    view.show(delta)
                if isinstance(delta, ItemDone) and isinstance(delta.item, WebSearchCall):
                    status.cost_so_far = stream.meter.running()
                    console.print(Text(f"  {_search_line(delta.item)}", style="dim"))
                    console.print(Text(f"  {status.line()}", style="cyan"))
        response = stream.get_final_response()
        cost = stream.cost
    tally.add(response.model or RESEARCH_MODEL, response.usage, len(response.web_search_calls))
    console.print("Report (first lines):", style="bold")
    lines = [line for line in response.output_text.splitlines() if line.strip()]
    for line in lines[:_REPORT_LINES]:
        console.print(Text(f"  {line if len(line) <= 100 else line[:99] + '…'}"))
    console.print(Text(f"  ... ({len(lines) - _REPORT_LINES} more lines)", style="dim"))
    sources = sources_text(response.citations)
    console.print(
        f"Sources ({len(sources)}, first {min(len(sources), _SHOWN_SOURCES)}):", style="bold"
    )
    for line in sources[:_SHOWN_SOURCES]:
        console.print(line, markup=False)
    console.print(
        f"Cost: {cost} of the ${RESEARCH_BUDGET_USD:.2f} budget "
        f"({_search_counts(response.web_search_calls)})",
        markup=False,
    )
    if status.cost_so_far is not None and status.cost_so_far.priced:
        per_call = typical.input_tokens // max(typical.web_search_calls, 1)
        console.print(
            Text(
                f"  The running figure was an estimate ({status.cost_so_far} at the last search):"
                f" until the bill it counts about {per_call:,}"
                " input tokens per web search call, a typical run's reading, so it errs high.",
                style="dim",
            )
        )


def _search_counts(calls: list[WebSearchCall]) -> str:
    """'20 web search calls: 12 searches, 8 page visits' (each call is billed)."""
    searches = sum(1 for c in calls if (c.action or {}).get("type", "search") == "search")
    pages = len(calls) - searches
    text = f"{len(calls)} web search call" + ("" if len(calls) == 1 else "s")
    if not pages:
        return text
    return (
        f"{text}: {searches} search" + ("" if searches == 1 else "es")
        + f", {pages} page visit" + ("" if pages == 1 else "s")
    )  # fmt: skip


def _search_line(item: WebSearchCall) -> str:
    action = item.action or {}
    kind = action.get("type", "search")
    if kind == "open_page":
        return f"[opened {action.get('url') or 'a page'}]"
    if kind == "find_in_page":
        return f"[looked for {action.get('pattern')!r} in {action.get('url') or 'a page'}]"
    return f"[searched: {action.get('query') or '?'}]"
