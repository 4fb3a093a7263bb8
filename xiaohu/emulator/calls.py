"""One emulated call: the emulator's state, Bearer auth, faults, the JSON body and answers.

Every endpoint (:mod:`xiaohu.emulator.app`, :mod:`xiaohu.emulator.responses_api`) admits a
request through here; this module imports no endpoint, so the emulator's imports run one way.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse

from xiaohu.emulator.catalog import model_types
from xiaohu.emulator.errors import (
    Lang,
    invalid_token,
    language_of,
    openai_error,
    relay_error,
)
from xiaohu.emulator.faults import (
    FAULT_HEADER,
    Fault,
    FaultCounter,
    fault_error,
    no_channel_error,
    parse_fault,
)
from xiaohu.emulator.habits import MAX_HOLD_S
from xiaohu.emulator.ids import openai_request_id
from xiaohu.emulator.store import ResponseStore

__all__ = [
    "Call",
    "Emulator",
    "RelayMode",
    "admit",
    "apply_fault",
    "authenticate",
    "check_context_size",
    "check_model",
    "emulator_of",
    "json_body",
    "upstream_json",
]

RelayMode = Literal["full", "new-api"]
DELAY_HEADER = "x-emulator-delay"
#: The largest request body accepted (bytes); a larger one gets the relay's 413 at once.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: The deepest JSON nesting accepted; deeper gets a 400 (never a RecursionError 500).
MAX_JSON_DEPTH = 64
#: Seconds a request body may stall between two chunks before the 408. Real front ends allow
#: more (nginx's `client_body_timeout` is 60 s); 1 s 408'd a healthy client whose chunk waited
#: on a busy event loop (500 concurrent streams on 2 cores). Read at call time: tests may lower it.
BODY_TIMEOUT_S = 10.0
#: The longest ``X-Emulator-Delay`` accepted, in seconds.
MAX_DELAY_S = 10.0
#: The most characters of conversation a request may carry (about the largest context window).
MAX_CONTEXT_CHARS = 4_000_000


@dataclass
class Emulator:
    """Settings and memory of one app instance.

    Attributes:
        api_key: the only accepted key, or ``None`` to accept any non-empty key.
        relay_mode: ``full`` (every endpoint) or ``new-api`` (as the studied relay: no background,
            no response retrieval).
        delay: seconds between streamed events.
    """

    api_key: str | None = None
    relay_mode: RelayMode = "full"
    delay: float = 0.0
    store: ResponseStore = field(default_factory=ResponseStore)
    faults: FaultCounter = field(default_factory=FaultCounter)


@dataclass
class Call:
    """One admitted request: who sent it, in which language, and the fault it carries.

    Attributes:
        key: the Bearer key (for billing).
        lang: relay message language.
        request_id: this request's ``X-Oneapi-Request-Id``.
        faults: the firing behaviour faults (several when a spec joins them with ``+``).
        delay: seconds between streamed events for this request.
    """

    key: str
    lang: Lang
    request_id: str
    faults: tuple[Fault, ...] = ()
    delay: float = 0.0

    @property
    def fault(self) -> Fault | None:
        """The first firing behaviour fault, or ``None``."""
        return self.faults[0] if self.faults else None

    def has(self, name: str) -> bool:
        """Say whether this call carries the behaviour fault ``name``."""
        return any(f.name == name for f in self.faults)

    def number(self, name: str, key: str, default: float) -> float:
        """Parameter ``key`` of the firing fault ``name`` as a float, else ``default``."""
        for fault in self.faults:
            if fault.name == name:
                return fault.number(key, default)
        return default


def emulator_of(request: Request) -> Emulator:
    """Return the :class:`Emulator` behind the app serving ``request``."""
    emulator: Emulator = request.app.state.emulator
    return emulator


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("relay_request_id", ""))


def authenticate(request: Request) -> Call:
    """Check the Bearer key: any non-empty key, or only the configured one.

    Raises:
        EmulatorError: the relay's 401 ``Invalid token`` / ``无效的令牌``.
    """
    emulator = emulator_of(request)
    lang = language_of(request.headers.get("accept-language"))
    request_id = _request_id(request)
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    key = key.strip()
    expected = emulator.api_key
    if scheme.lower() != "bearer" or not key:
        raise invalid_token(lang, request_id)
    if expected is not None and key.removeprefix("sk-") != expected.removeprefix("sk-"):
        raise invalid_token(lang, request_id)
    try:
        delay = float(request.headers.get(DELAY_HEADER, emulator.delay))
    except ValueError:
        delay = emulator.delay
    if not delay <= MAX_DELAY_S:  # inf and nan too: nothing may hold a stream for ever
        raise relay_error(
            400, f"X-Emulator-Delay must be at most {MAX_DELAY_S:g} seconds", request_id
        )
    return Call(key=key, lang=lang, request_id=request_id, delay=max(0.0, delay))


async def apply_fault(
    request: Request, call: Call, *, model: str | None = None, suffix: str | None = None
) -> None:
    """Apply the fault the request asks for (the header first, else the model-name suffix).

    Error faults raise their error; ``slow_first_byte`` sleeps here (at most
    :data:`~xiaohu.emulator.habits.MAX_HOLD_S`), before any header is sent; other faults are
    recorded on ``call``. ``A+B`` asks for several faults, each counted on its own.

    Raises:
        EmulatorError: the error the fault stands for.
    """
    spec = request.headers.get(FAULT_HEADER) or suffix
    if not spec:
        return
    firing: list[Fault] = []
    for part in spec.split("+"):
        fault = parse_fault(part)
        if not fault.name or not emulator_of(request).faults.fires(fault):
            continue
        error = fault_error(
            fault, model=model or "gpt-5", lang=call.lang, request_id=call.request_id
        )
        if error is not None:
            raise error
        if fault.name == "slow_first_byte":
            await asyncio.sleep(min(MAX_HOLD_S, max(0.0, fault.number("seconds", 2.0))))
        firing.append(fault)
    call.faults = tuple(firing)


def check_model(call: Call, model: Any, *, endpoint: Literal["responses", "chat"]) -> None:
    """Refuse a model as the relay does, before any work: unlisted, or on a wire it lacks.

    The request's own fault, if any, was applied first.

    * a name the model list lacks: 503 ``model_not_found`` "无可用渠道" (new-api's distributor);
    * ``/v1/responses`` for a model listed without ``openai-response`` (Claude, DeepSeek, Qwen
      channels): 500 ``convert_request_failed`` "not implemented", as those adaptors leave
      ``ConvertOpenAIResponsesRequest`` unimplemented;
    * ``/v1/chat/completions`` for a Responses-only model (``gpt-5-pro``, deep research): the
      upstream's 404 "only supported in v1/responses".

    A missing or non-string ``model`` is left to the body's own checks.

    Raises:
        EmulatorError: the relay's answer.
    """
    if not isinstance(model, str) or not model:
        return
    types = model_types(model)
    if types is None:
        raise no_channel_error(model, call.lang, call.request_id)
    chat_channel = not {"openai", "anthropic"}.isdisjoint(types)
    if endpoint == "responses" and chat_channel and "openai-response" not in types:
        raise relay_error(
            500, "not implemented", call.request_id, code="convert_request_failed",
            with_param=True,
        )  # fmt: skip
    if endpoint == "chat" and "openai" not in types and "openai-response" in types:
        raise openai_error(
            404,
            "This model is only supported in v1/responses and not in v1/chat/completions.",
            param="model",
        )


async def admit(request: Request) -> Call:
    """Authenticate and apply a header fault: the start of every body-less endpoint."""
    call = authenticate(request)
    await apply_fault(request, call)
    return call


async def _read_body(request: Request, call: Call) -> bytes:
    """The body, refused at once past :data:`MAX_BODY_BYTES` and when it stalls."""
    too_large = relay_error(
        413,
        ("请求体过大" if call.lang == "zh" else "Request body too large")
        + f" (limit {MAX_BODY_BYTES // (1024 * 1024)} MB)",
        call.request_id,
        code="read_request_body_failed",
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    stream = request.stream().__aiter__()
    while True:
        try:
            chunk = await asyncio.wait_for(stream.__anext__(), BODY_TIMEOUT_S)
        except StopAsyncIteration:
            break
        except asyncio.TimeoutError:
            raise relay_error(
                408, "Request body read timed out", call.request_id, code="read_request_body_failed"
            ) from None
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``value`` nests deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


async def json_body(request: Request, call: Call) -> Any:
    """Decode the JSON body, answering a bad one as the relay does (400 ``Invalid request``).

    Bounded: the size (413), a stalled upload (408) and the nesting depth (400) are refused
    before any work, so one request cannot pin the server.
    """
    raw = await _read_body(request, call)
    prefix = "无效的请求，" if call.lang == "zh" else "Invalid request: "
    try:
        data = json.loads(raw)
    except RecursionError:
        data, deep = None, True
    except ValueError as exc:
        raise relay_error(400, f"{prefix}{exc}", call.request_id) from exc
    else:
        deep = _too_deep(data)
    if deep:
        raise relay_error(
            400, f"{prefix}JSON nested deeper than {MAX_JSON_DEPTH} levels", call.request_id
        )
    return data


def check_context_size(context: list[dict[str, Any]], req: Any, call: Call) -> None:
    """Refuse a conversation too long for any model, before the model reads it (bounded CPU).

    Raises:
        EmulatorError: OpenAI's 400 ``context_length_exceeded``.
    """
    size = len(req.instructions or "")
    for item in context:
        size += len(json.dumps(item, ensure_ascii=False, default=str))
        if size > MAX_CONTEXT_CHARS:
            raise openai_error(
                400,
                "Your input exceeds the context window of this model. Please adjust your input "
                "and try again.",
                param="input",
                code="context_length_exceeded",
            )


def upstream_json(content: Any, status_code: int = 200) -> JSONResponse:
    """Return JSON as the upstream sends it, with its ``x-request-id`` header."""
    return JSONResponse(
        content, status_code=status_code, headers={"x-request-id": openai_request_id()}
    )
