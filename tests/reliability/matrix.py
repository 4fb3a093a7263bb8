"""The fault matrix: every relay fault through both adapters, sync and async, stream and not,
on both wires (the Responses API with an OpenAI model, Chat Completions with a Claude one).

Shared by `test_fault_matrix.py` (which asserts the expectations) and `scripts/fault_matrix.py`
(which prints the README's table). Each run builds a fresh `ChatXiaohu` or `XiaohuResponses`
with its own `httpx` client whose request hook counts the attempts that reached the wire, asks
the emulator for a fault with the `X-Emulator-Fault` header, and records what came back.
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
import uuid
from collections import deque
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from langchain_core import exceptions as lc_errors
from langchain_core.messages import AIMessage, AIMessageChunk
from llama_index.core.base.llms.types import ChatMessage, ChatResponse

import xiaohu
from langchain_xiaohu import ChatXiaohu
from llama_index_xiaohu import XiaohuResponses

KEY = "sk-reliability-0123456789abcdef0123"
MODEL = "gpt-4.1-mini"
#: The model each wire is run with (the chat one is set with `api="chat"`, so no model list
#: is read and the attempts are the same as on the Responses API).
MODELS = {"responses": MODEL, "chat": "claude-sonnet-4-5"}
WIRES = ("responses", "chat")
PROMPT = "Tell me about the history of tea in China in a few sentences."
#: Retries per call in the matrix: one retry shows the policy without long waits.
MAX_RETRIES = 1
#: The timeout of the slow-first-byte case (the emulator waits 1 s before its headers).
SHORT_TIMEOUT = 0.3

ADAPTERS = ("langchain", "llama_index")
MODES = ("sync", "async")


@dataclass(frozen=True)
class Case:
    """One fault and what every adapter must do with it.

    Attributes:
        name: Row label.
        spec: `X-Emulator-Fault` value (`None`: no header).
        error: The core class raised (`None`: the call returns).
        lc_error: The langchain-core class the LangChain adapter's error also is.
        words: Text the message must contain (the relay's words and code).
        attempts: Requests that reach the wire with `MAX_RETRIES` retries.
        streams: Which of stream / non-stream calls the fault applies to.
        status: The status the returned answer must report (when it returns).
        refused: Point the client at a closed loopback port instead of the emulator.
        timeout: Per-call timeout in seconds (`None`: the default).
        min_seconds: The least time the call can take (retry waits, timeouts).
        max_seconds: The most time the call may take (`None`: no bound of its own).
        wires: The wires the fault is run on.
        chat_invoke: On the chat wire without a stream, the class and words instead of
            `error` and `words`: Chat Completions has no failed answer, so new-api relays the
            upstream's failure as a 200 JSON error body (an `APIError`, as on Responses).
    """

    name: str
    spec: str | None
    error: type[xiaohu.XiaohuError] | None
    lc_error: type[Exception] | None
    words: tuple[str, ...]
    attempts: int
    streams: tuple[bool, ...] = (False, True)
    status: str = "completed"
    refused: bool = False
    timeout: float | None = None
    min_seconds: float = 0.0
    max_seconds: float | None = None
    wires: tuple[str, ...] = WIRES
    chat_invoke: tuple[type[xiaohu.XiaohuError], tuple[str, ...]] | None = None

    def expected(
        self, wire: str, stream: bool
    ) -> tuple[type[xiaohu.XiaohuError] | None, tuple[str, ...]]:
        """The error class (`None`: the call returns) and words of one run.

        Example:
            >>> CASES[0].expected("chat", False)[0].__name__
            'RateLimitError'
        """
        if wire == "chat" and not stream and self.chat_invoke is not None:
            return self.chat_invoke
        return self.error, self.words


CASES: tuple[Case, ...] = (
    Case("429 relay limit, no Retry-After", "rate_limit", xiaohu.RateLimitError,
         lc_errors.ModelRateLimitError, ("429", "您已达到请求数限制"), 2, min_seconds=0.375),
    Case("429 Retry-After (ms=50)", "rate_limit_retry_after;ms=50", xiaohu.RateLimitError,
         lc_errors.ModelRateLimitError, ("429", "rate_limit_exceeded", "Rate limit reached"), 2,
         min_seconds=0.05),
    Case("429 Retry-After once, then OK", "rate_limit_retry_after;ms=50;times=1", None, None,
         (), 2, min_seconds=0.05),
    Case("429 empty body", "rate_limit_empty", xiaohu.RateLimitError,
         lc_errors.ModelRateLimitError, ("429", "empty body"), 2, min_seconds=0.375),
    Case("500 server_error", "server_error", xiaohu.InternalServerError,
         lc_errors.ModelAPIError, ("500", "The server had an error"), 2, min_seconds=0.375),
    Case("502 nginx HTML", "bad_gateway", xiaohu.InternalServerError,
         lc_errors.ModelAPIError, ("502", "Bad Gateway"), 2, min_seconds=0.375),
    Case("503 text/plain", "unavailable", xiaohu.InternalServerError,
         lc_errors.ModelAPIError, ("503", "Service Unavailable"), 2, min_seconds=0.375),
    Case("401 invalid key", "invalid_key", xiaohu.AuthenticationError,
         lc_errors.ModelAuthenticationError, ("401", "Invalid token"), 1),
    Case("403 user quota", "quota", xiaohu.InsufficientQuotaError,
         lc_errors.ModelPermissionDeniedError, ("403", "insufficient_user_quota", "用户额度不足"), 1),
    Case("403 token quota", "token_quota", xiaohu.InsufficientQuotaError,
         lc_errors.ModelPermissionDeniedError,
         ("403", "pre_consume_token_quota_failed", "token quota is not enough"), 1),
    Case("503 no channel", "no_channel", xiaohu.ModelUnavailableError,
         lc_errors.ModelNotFoundError, ("503", "model_not_found", "No available channel"), 1),
    Case("connection refused", None, xiaohu.APIConnectionError,
         lc_errors.ModelConnectionError, ("Connection error",), 2, refused=True,
         min_seconds=0.375),
    Case("slow first byte > timeout", "slow_first_byte;seconds=1", xiaohu.APITimeoutError,
         lc_errors.ModelTimeoutError, ("timed out",), 2, timeout=SHORT_TIMEOUT,
         min_seconds=2 * SHORT_TIMEOUT + 0.375),
    Case("stream dropped midway", "drop_stream", xiaohu.IncompleteStreamError,
         lc_errors.ModelAPIError, ("terminal",), 1, streams=(True,)),
    Case("malformed SSE", "malformed_sse", xiaohu.APIResponseValidationError,
         lc_errors.ModelAPIError, ("malformed stream event",), 1, streams=(True,)),
    Case("`error` event + response.failed", "error_event", xiaohu.ResponseFailedError,
         lc_errors.ModelAPIError, ("rate_limit_exceeded",), 1, streams=(True,)),
    Case("failed Response (non-stream)", "error_event", xiaohu.ResponseFailedError,
         lc_errors.ModelAPIError, ("rate_limit_exceeded",), 1, streams=(False,),
         chat_invoke=(xiaohu.APIError, ("Request too large",))),
    Case("response.incomplete", "incomplete", None, None, (), 1, status="incomplete"),
    # The relay's habits (issue 15): what new-api and the nginx in front of it do to a stream.
    Case("200 JSON error body", "json_error_stream", xiaohu.APIError, lc_errors.ModelAPIError,
         ("bad response status code",), 1),
    Case("failed Response as `response.completed`", "completed_failed",
         xiaohu.ResponseFailedError, lc_errors.ModelAPIError, ("upstream channel failed",), 1,
         chat_invoke=(xiaohu.APIError, ("upstream channel failed",))),
    Case("blank `data:` frames", "blank_data", None, None, (), 1, streams=(True,)),
    Case("`data: [DONE]` after completion", "done_after", None, None, (), 1, streams=(True,)),
    Case("connection held 3 s after completion", "linger;seconds=3", None, None, (), 1,
         streams=(True,), max_seconds=1.5),
    Case("no `event:` lines", "no_event_lines", None, None, (), 1, streams=(True,)),
    Case("no `sequence_number`", "no_sequence", None, None, (), 1, streams=(True,)),
    Case("gzip body", "gzip", None, None, (), 1),
    Case("real-traffic shape (no cache_write_tokens, bare added search, some obfuscation)",
         "real_traffic", None, None, (), 1),
    Case("403 该令牌额度已用尽, no code", "codeless_token_quota", xiaohu.InsufficientQuotaError,
         lc_errors.ModelPermissionDeniedError, ("403", "该令牌额度已用尽"), 1),
    Case("429 用户额度不足, no code", "codeless_user_quota", xiaohu.InsufficientQuotaError,
         lc_errors.ModelPermissionDeniedError, ("429", "用户额度不足"), 1),
    Case("503 当前分组 … 无可用渠道, no code", "codeless_no_channel", xiaohu.ModelUnavailableError,
         lc_errors.ModelNotFoundError, ("503", "无可用渠道"), 1),
    Case("in-stream `insufficient_quota`", "quota_event", xiaohu.InsufficientQuotaError,
         lc_errors.ModelPermissionDeniedError, ("exceeded your current quota",), 1),
    # What only the Chat Completions wire can do (issue 22).
    Case("chat stream without `data: [DONE]`", "no_done", None, None, (), 1, streams=(True,),
         wires=("chat",)),
    Case("chat stream without its usage chunk", "no_usage", None, None, (), 1,
         streams=(True,), wires=("chat",)),
)  # fmt: skip
"""Every row of the matrix (the `response.failed` that follows the `error` event included)."""


@dataclass
class Outcome:
    """What one run of a case did.

    Attributes:
        case: The case.
        adapter: `langchain` or `llama_index`.
        mode: `sync` or `async`.
        stream: Whether the answer was streamed.
        wire: `responses` or `chat`.
        error: The exception raised, if any.
        attempts: Requests that reached the transport.
        seconds: Wall time of the whole call, stream consumed.
        text: The answer's text when the call returned.
        status: The status the returned answer reports.
    """

    case: Case
    adapter: str
    mode: str
    stream: bool
    wire: str = "responses"
    error: BaseException | None = None
    attempts: int = 0
    seconds: float = 0.0
    text: str = ""
    status: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def partial_passed(self) -> bool:
        """A cut or failed answer came back looking complete."""
        failing = self.case.expected(self.wire, self.stream)[0] is not None
        cut = self.case.status != "completed" or failing
        return self.error is None and cut and self.status == "completed"


def closed_port_url() -> str:
    """A loopback base URL on which nothing listens (the port was just released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def _headers(case: Case) -> dict[str, str]:
    if case.spec is None:
        return {}
    # A unique id makes the spec (and so the emulator's `times` counter) this run's own.
    return {"X-Emulator-Fault": f"{case.spec};id={uuid.uuid4().hex}"}


def _settings(case: Case, base_url: str, wire: str) -> dict[str, Any]:
    return {
        "model": MODELS[wire],
        "api": wire,
        "api_key": KEY,
        "max_retries": MAX_RETRIES,
        "timeout": case.timeout,
        "default_headers": _headers(case),
        "url": closed_port_url() if case.refused else base_url,
    }


def _langchain(settings: dict[str, Any], **clients: Any) -> ChatXiaohu:
    url = settings.pop("url")
    return ChatXiaohu(base_url=url, **settings, **clients)


def _llama_index(settings: dict[str, Any], **clients: Any) -> XiaohuResponses:
    url = settings.pop("url")
    return XiaohuResponses(api_base=url, **settings, **clients)


def _lc_result(message: AIMessage | AIMessageChunk | None) -> tuple[str, str | None]:
    if message is None:
        return "", None
    return message.text, message.response_metadata.get("status")


def _li_result(response: ChatResponse | None) -> tuple[str, str | None]:
    if response is None:
        return "", None
    return response.message.content or "", response.additional_kwargs.get("status")


def _sum(chunks: Iterable[AIMessageChunk]) -> AIMessageChunk | None:
    total: AIMessageChunk | None = None
    for chunk in chunks:
        total = chunk if total is None else total + chunk
    return total


def _last(chunks: Iterable[ChatResponse]) -> ChatResponse | None:
    """The last chunk of a LlamaIndex stream (it holds the whole message and its status)."""
    tail = deque(chunks, maxlen=1)
    return tail[0] if tail else None


def run_sync(
    case: Case, adapter: str, stream: bool, base_url: str, wire: str = "responses"
) -> Outcome:
    """Run one case through a blocking adapter call.

    Example:
        >>> run_sync(CASES[0], "langchain", False, url).attempts  # doctest: +SKIP
        2
    """
    outcome = Outcome(case, adapter, "sync", stream, wire)

    def count(_: httpx.Request) -> None:
        outcome.attempts += 1

    http = httpx.Client(event_hooks={"request": [count]})
    settings = _settings(case, base_url, wire)
    start = time.perf_counter()
    try:
        if adapter == "langchain":
            llm = _langchain(settings, http_client=http)
            message = _sum(llm.stream(PROMPT)) if stream else llm.invoke(PROMPT)
            outcome.text, outcome.status = _lc_result(message)
        else:
            li = _llama_index(settings, http_client=http)
            messages = [ChatMessage(role="user", content=PROMPT)]
            last = _last(li.stream_chat(messages)) if stream else li.chat(messages)
            outcome.text, outcome.status = _li_result(last)
    except Exception as exc:
        outcome.error = exc
    finally:
        outcome.seconds = time.perf_counter() - start
        http.close()
    return outcome


async def run_async(
    case: Case, adapter: str, stream: bool, base_url: str, wire: str = "responses"
) -> Outcome:
    """Run one case through an awaited adapter call.

    Example:
        >>> (await run_async(CASES[0], "llama_index", True, url)).attempts  # doctest: +SKIP
        2
    """
    outcome = Outcome(case, adapter, "async", stream, wire)

    async def count(_: httpx.Request) -> None:
        outcome.attempts += 1

    http = httpx.AsyncClient(event_hooks={"request": [count]})
    settings = _settings(case, base_url, wire)
    start = time.perf_counter()
    try:
        if adapter == "langchain":
            llm = _langchain(settings, http_async_client=http)
            message: AIMessage | AIMessageChunk | None
            if stream:
                message = _sum([chunk async for chunk in llm.astream(PROMPT)])
            else:
                message = await llm.ainvoke(PROMPT)
            outcome.text, outcome.status = _lc_result(message)
        else:
            li = _llama_index(settings, async_http_client=http)
            messages = [ChatMessage(role="user", content=PROMPT)]
            if stream:
                last = _last([chunk async for chunk in await li.astream_chat(messages)])
            else:
                last = await li.achat(messages)
            outcome.text, outcome.status = _li_result(last)
    except Exception as exc:
        outcome.error = exc
    finally:
        outcome.seconds = time.perf_counter() - start
        await http.aclose()
    return outcome


def combinations(case: Case) -> list[tuple[str, str, bool]]:
    """Every (adapter, mode, stream) the case applies to.

    Example:
        >>> len(combinations(CASES[0]))
        8
    """
    return [(a, m, s) for a in ADAPTERS for m in MODES for s in case.streams]


def run(
    case: Case, adapter: str, mode: str, stream: bool, base_url: str, wire: str = "responses"
) -> Outcome:
    """Run one combination, sync or async (in its own event loop), and check it.

    Example:
        >>> run(CASES[0], "langchain", "async", True, url).problems  # doctest: +SKIP
        []
    """
    if mode == "sync":
        outcome = run_sync(case, adapter, stream, base_url, wire)
    else:
        outcome = asyncio.run(run_async(case, adapter, stream, base_url, wire))
    outcome.problems = check(outcome)
    return outcome


def run_case(
    case: Case, base_url: str, *, workers: int = 1, wire: str = "responses"
) -> list[Outcome]:
    """Every combination of one case; `workers > 1` runs them side by side in threads.

    Example:
        >>> [o.problems for o in run_case(CASES[7], url, workers=8)]  # doctest: +SKIP
        [[], [], [], [], [], [], [], []]
    """
    combos = combinations(case)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        return list(pool.map(lambda c: run(case, c[0], c[1], c[2], base_url, wire), combos))


def check(outcome: Outcome) -> list[str]:
    """Every way the outcome differs from its case's expectations (empty: as expected).

    Example:
        >>> check(Outcome(CASES[2], "langchain", "sync", False, attempts=2, status="completed"))
        []
    """
    case, error, problems = outcome.case, outcome.error, []
    expected, words = case.expected(outcome.wire, outcome.stream)
    if outcome.attempts != case.attempts:
        problems.append(f"{outcome.attempts} attempts, expected {case.attempts}")
    if outcome.seconds < case.min_seconds:
        problems.append(f"took {outcome.seconds:.2f}s, less than {case.min_seconds}s")
    if case.max_seconds is not None and outcome.seconds > case.max_seconds:
        problems.append(f"took {outcome.seconds:.2f}s, more than {case.max_seconds}s")
    if expected is None:
        if error is not None:
            problems.append(f"raised {type(error).__name__}: {error}")
        elif outcome.status != case.status:
            problems.append(f"status {outcome.status!r}, expected {case.status!r}")
        elif not outcome.text:
            problems.append("returned no text")
        return problems
    if not isinstance(error, expected):
        problems.append(f"raised {type(error).__name__}: {error}, expected {expected.__name__}")
        return problems
    if outcome.adapter == "langchain" and case.lc_error and not isinstance(error, case.lc_error):
        problems.append(f"{type(error).__name__} is not a {case.lc_error.__name__}")
    missing = [w for w in words if w not in str(error)]
    if missing:
        problems.append(f"message {str(error)!r} lacks {missing}")
    if KEY in str(error) or KEY in repr(error):
        problems.append("the API key is in the error")
    return problems


_REQUEST_ID = re.compile(r"\s*\(request id: [^)]*\)|\s*\[request id [^\]]*\]")


def excerpt(error: BaseException | None, width: int = 90) -> str:
    """The start of an error message without request ids, for the table.

    Example:
        >>> excerpt(ValueError("429 (request id: abc) slow down"))
        '429 slow down'
    """
    if error is None:
        return ""
    text = _REQUEST_ID.sub("", " ".join(str(error).split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def table(outcomes: Sequence[Outcome]) -> str:
    """The README's markdown table: one row per case, over all its runs.

    Example:
        >>> print(table([]).splitlines()[0])
        | fault | exception (xiaohu / langchain-core) | message excerpt | attempts | seconds | partial answer passed? |
    """
    lines = [
        "| fault | exception (xiaohu / langchain-core) | message excerpt | attempts | seconds "
        "| partial answer passed? |",
        "|---|---|---|---|---|---|",
    ]
    for case in CASES:
        runs = [o for o in outcomes if o.case is case]
        if runs:
            lines.append(_row(case, runs))
    return "\n".join(lines)


def _row(case: Case, runs: Sequence[Outcome]) -> str:
    attempts = sorted({o.attempts for o in runs})
    seconds = [o.seconds for o in runs]
    partial = sum(o.partial_passed for o in runs)
    if case.error is None:
        statuses = sorted({str(o.status) for o in runs})
        verdict = f"no (status={'/'.join(statuses)})" if not partial else f"YES ({partial} runs)"
    else:
        verdict = "no (raises)" if not partial else f"YES ({partial} runs)"
    message = excerpt(next((o.error for o in runs if o.error is not None), None))
    spread = f"{min(seconds):.2f}–{max(seconds):.2f}"
    failures = sum(bool(o.problems) for o in runs)
    label = case.name if not failures else f"{case.name} (**{failures} runs off**)"
    return (
        f"| {label} | {_error_names(runs)} | {message.replace('|', '/')} | "
        f"{'/'.join(map(str, attempts))} | {spread} | {verdict} |"
    )


def _error_names(runs: Sequence[Outcome]) -> str:
    """The most specific core class and langchain-core class raised (`—` when it returns)."""
    core: set[str] = set()
    framework: set[str] = set()
    for outcome in runs:
        mro = type(outcome.error).__mro__ if outcome.error is not None else ()
        core.update(_first(mro, "xiaohu."))
        framework.update(_first(mro, "langchain_core."))
    if not core:
        return "— (returns)"
    text = " ".join(f"`{name}`" for name in sorted(core))
    return text + "".join(f" / `{name}`" for name in sorted(framework))


def _first(mro: Sequence[type], prefix: str) -> list[str]:
    return next(([c.__name__] for c in mro if c.__module__.startswith(prefix)), [])
