"""`XiaohuClient` and `AsyncXiaohuClient`: the Responses API over one connection pool.

Everything that does no I/O (settings, headers, request building, payload checks, retry
decisions, decoding) lives in `_BaseClient` and the modules it calls; the two clients hold
only the blocking or awaited calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import time
import uuid
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, overload

import httpx
from pydantic import ValidationError

from ._background import (
    PENDING_STATUSES,
    PollSchedule,
    ProgressCallback,
    _Follow,
    _Waiter,
    resume_params,
)
from ._background_stream import AsyncBackgroundStream, BackgroundStream
from ._chat_stream import AsyncChatStream, ChatStream
from ._chat_wire import WireChoice, chat_payload, chat_response
from ._config import (
    DEFAULT_MAX_RETRIES,
    resolve_api_key,
    resolve_base_url,
    resolve_timeout,
)
from ._embeddings import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_MAX_BATCH_BYTES,
    DEFAULT_MAX_CONCURRENCY,
    EmbeddingJob,
    EmbeddingsResponse,
    embeddings_payload,
    gather_limited,
)
from ._exceptions import (
    APIError,
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    ClientClosedError,
    ConfigurationError,
    DeadlineExceededError,
    NotFoundError,
    PossiblyBilledError,
    WireUnsupportedError,
    error_from_body,
    make_status_error,
    map_transport_error,
    scrub_secrets,
)
from ._guard import AsyncGuardedResponseStream, Budget, CostGuard, CostMeter, GuardedResponseStream
from ._loops import PerLoop
from ._models import Response
from ._opening import StreamOpening
from ._options import (
    HTTP_OPTIONS,
    USE_CLIENT_DEFAULT,
    RequestOptions,
    TimeoutTypes,
    _UseClientDefault,
    split_options,
)
from ._params import build_payload
from ._pricing import Cost, ModelPrice, PriceTable
from ._quota import (
    SUBSCRIPTION_PATH,
    USAGE_PATH,
    Quota,
    check_billing_answer,
    parse_quota,
    quota_error,
)
from ._readcap import DEFAULT_DEADLINE_S, Deadline, deadline_at
from ._retry import retry_delay
from ._stream import AsyncPairReader, AsyncResponseStream, PairReader, ResponseStream
from ._version import __version__
from ._wire import WireRouter, is_wire_refusal

__all__ = ["USE_CLIENT_DEFAULT", "AsyncXiaohuClient", "XiaohuClient"]

log = logging.getLogger("xiaohu")

T = TypeVar("T")


_PLAIN_OPTIONS = tuple(
    name
    for name in RequestOptions.__dataclass_fields__
    if name not in ("on_progress", "max_resumes")
)


@dataclass(frozen=True)
class _Call:
    """One create/stream call, decided: its JSON body, options and meter, streamed or not."""

    payload: dict[str, Any]
    options: RequestOptions
    meter: CostMeter
    streamed: bool
    deadline: Deadline | None = None
    body: dict[str, Any] = dataclasses.field(default_factory=dict)
    """The checked body before it became a Responses payload (the chat wire translates it)."""
    wire: WireChoice | None = None
    """The wire chosen for it (carried in the answer's `xiaohu_wire`), once chosen."""

    def on(self, wire: WireChoice) -> _Call:
        """This call, on `wire`."""
        return dataclasses.replace(self, wire=wire)

    @property
    def wire_metadata(self) -> dict[str, str] | None:
        return self.wire.as_metadata() if self.wire is not None else None

    @property
    def resumes(self) -> int:
        return 5 if self.options.max_resumes is None else self.options.max_resumes


HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)

_MIN_WAIT_S = 0.001  # a zero socket timeout would mean "non-blocking", not "expired"


class _BaseClient(Generic[HttpT]):
    """Settings and request building shared by the sync and async clients (one signature)."""

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: HttpT | None = None,
        allow_expensive: bool = False,
        max_cost_usd: float | None = None,
        prices: Mapping[str, ModelPrice] | None = None,
        group_ratio: float = 1.0,
        budget: Budget | None = None,
        api: str = "auto",
    ) -> None:
        self.wires = WireRouter(api)
        """Which wire (Responses or Chat Completions) each model goes on, and why."""
        self.cost_guard = CostGuard(
            PriceTable(prices, group_ratio),
            allow_expensive=allow_expensive,
            max_cost_usd=max_cost_usd,
            budget=budget,
        )
        """Prices, the expensive-model check, the budget and what was spent."""
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        self.__api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url)
        """The relay's base URL, ending in `/v1`."""
        self.timeout = resolve_timeout(timeout)
        """The default timeout of every call."""
        self.max_retries = max_retries
        """How many times a failed call is retried."""
        self._headers = {
            "Accept": "application/json",
            "User-Agent": f"xiaohu/{__version__}",
            **(default_headers or {}),
        }
        self._closed = False
        self._adopt(http_client)

    def _adopt(self, http_client: HttpT | None) -> None:
        """Take the caller's pool, or set up our own (the twins differ only here)."""
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        """Refuse to pickle, with the reason (never a bare "cannot pickle '_thread.lock'").

        Raises:
            TypeError: Always.
        """
        raise TypeError(
            f"a {type(self).__name__} cannot be pickled: it holds a connection pool and this "
            "process's spend and budget. Make one in each worker process, or pickle an adapter "
            "(ChatXiaohu, XiaohuEmbeddings, XiaohuResponses, XiaohuEmbedding), which carries "
            "its settings and key"
        )

    def __repr__(self) -> str:
        # Never the key.
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"

    @property
    def api_key_hint(self) -> str:
        """The key with all but its first 3 and last 4 characters masked, for display.

        Example:
            >>> XiaohuClient(api_key="sk-abcdefgh12345678", base_url="http://x").api_key_hint
            'sk-************5678'
        """
        key = self.__api_key
        return key[:3] + "*" * max(len(key) - 7, 4) + key[-4:] if len(key) > 10 else "****"

    def _closed_error(self) -> ClientClosedError:
        return ClientClosedError(
            f"this {type(self).__name__} (or its http_client) is closed; make a new one"
        )

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.__api_key}"}

    def _build(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        idempotency_key: str | None = None,
        attempt: int = 0,
    ) -> httpx.Request:
        headers = {**self._headers, **self._auth_headers(), **(extra_headers or {})}
        if stream:
            headers["Accept"] = "text/event-stream"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        if attempt:
            headers["X-Xiaohu-Retry-Count"] = str(attempt)
        chosen = (
            self.timeout if isinstance(timeout, _UseClientDefault) else resolve_timeout(timeout)
        )
        try:
            return http.build_request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=headers,
                timeout=chosen,
            )
        except UnicodeEncodeError as exc:  # never chain it: its .object is the header value
            raise ConfigurationError(
                f"a header value has a character HTTP cannot carry ({exc.reason}, position "
                f"{exc.start}); check extra_headers / default_headers"
            ) from None
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(
                f"invalid request: the body is not JSON ({exc}); use str, int, float (finite), "
                "bool, None, list and dict values"
            ) from None

    def _retries(self, max_retries: int | _UseClientDefault) -> int:
        if isinstance(max_retries, _UseClientDefault):
            return self.max_retries
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an int >= 0, got {max_retries!r}")
        return max_retries

    def _within(
        self, timeout: TimeoutTypes | _UseClientDefault, deadline: Deadline | None
    ) -> TimeoutTypes | _UseClientDefault:
        """One attempt's timeout, each phase capped at what is left of the call's deadline.

        The phases are connect, write, the wait for the response headers and each read: a
        server that accepts and never answers cannot hold the call past it, and a retry does
        not restart it.
        """
        if deadline is None:
            return timeout
        base = self.timeout if isinstance(timeout, _UseClientDefault) else resolve_timeout(timeout)
        left = max(_MIN_WAIT_S, deadline.at - time.monotonic())

        def cap(phase: float | None) -> float:
            return left if phase is None else min(phase, left)

        return httpx.Timeout(
            connect=cap(base.connect),
            read=cap(base.read),
            write=cap(base.write),
            pool=cap(base.pool),
        )

    @staticmethod
    def _past(
        deadline: Deadline | None, method: str, path: str, cause: BaseException | None = None
    ) -> DeadlineExceededError | None:
        """The error for a call whose deadline passed before the relay answered, else `None`."""
        if deadline is None or time.monotonic() < deadline.at:
            return None
        why = f" ({type(cause).__name__})" if cause is not None else ""
        still = "; the request may still run on the relay" if method == "POST" else ""
        return DeadlineExceededError(
            f"the deadline of {deadline.seconds:g} s passed before the relay answered {method} "
            f"{path}{why}: no answer arrived{still}",
            deadline_s=deadline.seconds,
        )

    def _prepare(
        self, params: Mapping[str, Any], *, stream: bool, background: bool = False
    ) -> _Call:
        """Split, guard and build one create/stream call: every decision of it, no I/O."""
        body, options = split_options(params)
        if background and not options.background:
            options = dataclasses.replace(options, background=True)
        if options.background:
            if body.get("store") is False:
                raise ConfigurationError(
                    "a background run needs store=True (the relay keeps it to resume or poll); "
                    "nothing was sent"
                )
            body = {**body, "background": True, "store": True}
        # Only a stream lets a budget see progress: a bounded plain create runs as one, folded
        # into the same Response. A background create returns the queued run at once; its
        # budget holds in `wait_response`.
        follows = stream and options.background
        if not follows:
            options.only(_PLAIN_OPTIONS, "a call other than a background stream")
        if options.background and not stream and (options.max_cost_usd or options.budget):
            # Nothing would watch the run's cost: the create returns it queued at once.
            raise ConfigurationError(
                "a background create returns the queued run at once, so nothing would hold "
                "its max_cost_usd/budget; use run_background(...) or stream_response(..., "
                "background=True), which follow the run and cancel it past the budget, or "
                "create it with allow_expensive=True and give the budget to wait_response(run, "
                "max_cost_usd=..., budget=...) (nothing was sent)"
            )
        body, meter = self.cost_guard.check(
            body,
            allow_expensive=options.allow_expensive,
            max_cost_usd=options.max_cost_usd,
            budget=options.budget,
        )
        # A plain call with a budget or a deadline runs as a stream, folded into the same
        # Response: only a stream lets the meter and the clock stop it mid-way.
        deadline_given = not isinstance(options.deadline, _UseClientDefault)
        streamed = stream or ((meter.bounded or deadline_given) and not options.background)
        if not streamed and deadline_given:
            raise ConfigurationError(
                "deadline bounds a stream or a background run; a background create returns the"
                " queued run at once (give wait_response the deadline) (nothing was sent)"
            )
        payload = build_payload({**body, "stream": True if streamed else body.get("stream")})
        if not streamed:
            payload.pop("stream", None)
        return _Call(payload, options, meter, streamed, options.deadline_from_now(), body)

    # -- the Chat Completions wire (no I/O) -----------------------------------------------------

    @staticmethod
    def _chat_call(call: _Call) -> _Call:
        """The same call as a `POST /v1/chat/completions` body; refuses what chat cannot carry."""
        if call.options.background:
            raise WireUnsupportedError(str(call.body.get("model")), "chat", "background runs")
        return dataclasses.replace(call, payload=chat_payload(call.body, stream=call.streamed))

    def _wire_now(self, model: Any, override: Any) -> WireChoice | None:
        """The wire, or `None` when `auto` must first read the relay's model list."""
        name = model if isinstance(model, str) else ""
        if (
            override is None
            and self.wires.needs_catalog
            and not _openai_name(name)
            and name not in self.wires.learned
        ):
            return None
        return self.wires.choose(name, override)

    def _switch(self, error: APIError, call: _Call, override: Any) -> WireChoice | None:
        """After a failed Responses call: the chat wire if `auto` may switch to it, else `None`.

        The relay's refusal comes before billing, so the one retry on chat is safe.
        """
        if override is None and self.wires.api == "auto" and is_wire_refusal(error):
            return self.wires.learn_refusal(str(call.body.get("model")))
        return None

    def _created(self, call: _Call, response: Response) -> Response:
        """Count a plain create's bill, or remember a queued run's budget for its wait."""
        if call.wire is not None and not (response.model_extra or {}).get("xiaohu_wire"):
            response.xiaohu_wire = call.wire.as_metadata()  # type: ignore[attr-defined]
        if response.status not in PENDING_STATUSES:
            call.meter.finish(response)
        elif response.id:
            self.cost_guard.queued(response.id, call.meter)
        return response

    @staticmethod
    def _embeddings_call(
        texts: list[str], model: str, params: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The body and the HTTP options of one embeddings request (`dimensions`, ...)."""
        body, options = split_options(params)
        options.only(HTTP_OPTIONS, "create_embeddings")
        return embeddings_payload(texts, model=model, **body), options.http()

    @staticmethod
    def _decode_json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError as exc:
            raise APIResponseValidationError(
                f"expected JSON from {response.request.url.path}, got "
                f"{response.headers.get('content-type', 'no content type')}: "
                f"{response.text[:120]!r}",
                request=response.request,
            ) from exc

    @staticmethod
    def _decode_model(model: type[T], data: Any) -> T:
        # new-api answers some errors with HTTP 200 and an error body (or a failed Response).
        error = error_from_body(data)
        if error is not None:
            raise error
        try:
            return model.model_validate(data)  # type: ignore[attr-defined, no-any-return]
        except ValidationError as exc:
            raise APIResponseValidationError(f"unexpected {model.__name__}: {exc}") from exc

    def _now(self) -> float:
        """The clock of the poll loops (`time.monotonic`); overridable, as `_sleep` is."""
        return time.monotonic()

    @staticmethod
    def _new_key() -> str:
        return f"xiaohu-{uuid.uuid4()}"

    # -- cost (no I/O: shared by both clients) ----------------------------------------------

    @property
    def spent_usd(self) -> float:
        """What this client's calls have cost so far (bills; estimates for stopped runs).

        Example:
            >>> XiaohuClient(api_key="sk-test", base_url="http://x").spent_usd
            0.0
        """
        return self.cost_guard.ledger.spent_usd

    def cost_of(self, response: Response) -> Cost:
        """The bill of a response at this client's prices and group ratio.

        Example:
            >>> client.cost_of(response).total_usd  # doctest: +SKIP
            0.0021
        """
        return self.cost_guard.table.cost_of(response)

    def estimate_cost(self, **params: Any) -> Cost:
        """Estimate a request's cost at this client's prices, before sending it.

        Example:
            >>> XiaohuClient(api_key="sk-test", base_url="http://x").estimate_cost(
            ...     model="gpt-5", input="hi"
            ... ).estimated
            True
        """
        return self.cost_guard.table.estimate(split_options(params)[0])


class XiaohuClient(_BaseClient[httpx.Client]):
    """Blocking client for the relay's Responses API.

    Args:
        api_key: The relay key (令牌). Defaults to `XIAOHU_API_KEY`.
        base_url: The relay's URL (`https://host/v1`). Defaults to `XIAOHU_BASE_URL`.
        timeout: Seconds, or an `httpx.Timeout`. The default waits up to 600 s for data
            (deep research is quiet for minutes) but only 10 s to connect.
        max_retries: Retries for connection errors, 408, 409, 429 and 5xx (default 2).
        default_headers: Headers sent with every request.
        http_client: Your own `httpx.Client` (proxies, custom CA, tests); you close it.
        allow_expensive: Allow deep-research and `*-pro` models without a budget.
        max_cost_usd: A budget (US dollars) for all this client's calls together.
        prices: Your own price table (per-million-token prices by model).
        group_ratio: The relay group multiplier (分组倍率).
        budget: A `xiaohu.Budget` shared with other clients: every call is charged to it.
        api: The wire: `"responses"`, `"chat"` (Chat Completions) or `"auto"` (default: per
            model, from the relay's model list and its refusals). A call may pass `api=` too.

    Example:
        >>> from xiaohu import XiaohuClient
        >>> with XiaohuClient(
        ...     api_key="sk-...", base_url="http://127.0.0.1:8000/v1"
        ... ) as client:  # doctest: +SKIP
        ...     print(client.create_response(model="gpt-5", input="你好").output_text)
    """

    def _adopt(self, http_client: httpx.Client | None) -> None:
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout)
        # A forgotten client closes its own pool when collected or at interpreter exit, so
        # no socket is left for the garbage collector to warn about. Yours is yours to close.
        self._finalizer = weakref.finalize(self, self._http.close) if self._owns_http else None

    # -- plumbing ---------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: Deadline | float | None = None,
    ) -> httpx.Response:
        """Send one logical request, retrying as the policy allows; raise typed errors.

        With `stream=True` the body is left unread for the caller (who must close it).
        `deadline` (seconds from now) bounds every attempt, retries and the wait for the
        response headers included: past it, `DeadlineExceededError`.

        Example:
            >>> client.request("GET", "/models").json()["object"]  # doctest: +SKIP
            'list'
        """
        if self._closed or self._http.is_closed:
            raise self._closed_error()
        retries = self._retries(max_retries)
        deadline = _as_deadline(deadline)
        key = self._new_key() if method == "POST" else None
        attempt = 0
        while True:
            late = self._past(deadline, method, path)
            if late is not None:  # a retry never restarts the call's deadline
                raise late
            request = self._build(
                self._http,
                method,
                path,
                json=json,
                params=params,
                stream=stream,
                extra_headers=extra_headers,
                timeout=self._within(timeout, deadline),
                idempotency_key=key,
                attempt=attempt,
            )
            headers: Mapping[str, str] | None = None
            try:
                response = self._http.send(request, stream=True)
            except httpx.TransportError as exc:
                error: APIError = map_transport_error(exc, request)
                cause: Exception | None = exc
            else:
                if response.is_success:
                    if stream:
                        return response
                    try:
                        response.read()
                    except httpx.TransportError as exc:
                        response.close()
                        raise _scrubbed(_torn(method, response, exc, request)) from exc
                    return response
                with contextlib.suppress(httpx.TransportError):  # a torn body: status suffices
                    response.read()
                response.close()
                error, cause, headers = make_status_error(response), None, response.headers
            delay = _retry_within(retry_delay(error, attempt, retries, headers), deadline)
            if delay is None:
                _redact(request)
                if cause is not None:
                    scrub_secrets(cause)
                    error = self._past(deadline, method, path, cause) or error
                raise scrub_secrets(error) from cause
            self._sleep(delay)
            attempt += 1

    def _sleep(self, seconds: float) -> None:
        """Wait between retries and polls; a test (or a caller) overrides this, not `time`."""
        time.sleep(seconds)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        return self._decode_json(response)

    # -- Responses API ------------------------------------------------------------------------

    def create_response(self, **params: Any) -> Response:
        """Create a response and wait for it (`POST /v1/responses`).

        Args:
            **params: The request body (`model`, `input`, `tools`, `reasoning`, ...) and any
                per-call option of `RequestOptions` (`timeout`, `extra_headers`,
                `max_retries`, `max_cost_usd`, `allow_expensive`, `budget`, `background`, and
                `deadline` for a streamed or background call).
                With `background=True` the queued run is returned at once (`wait_response`).

        Raises:
            ConfigurationError: A parameter is invalid (nothing was sent).
            APIStatusError: The relay answered with an error (a subclass says which).

        Example:
            >>> client.create_response(model="gpt-5", input="2+2?").output_text  # doctest: +SKIP
            '4'
        """
        call = self._prepare(params, stream=False)
        override = call.options.api
        wire = self._wire(call, override)
        call = call.on(wire)
        if wire.api == "chat":
            return self._create_chat(call, wire)
        try:
            return self._create_on_responses(call)
        except APIStatusError as exc:
            switched = self._switch(exc, call, override)
            if switched is None:
                raise
        return self._create_chat(call, switched)

    def _create_on_responses(self, call: _Call) -> Response:
        if call.streamed:
            with self._stream(call) as stream:
                return stream.get_final_response()
        data = self._json(
            "POST", "/responses", json=call.payload, deadline=call.deadline, **call.options.http()
        )
        return self._created(call, self._decode_model(Response, data))

    def _wire(self, call: _Call, override: Any) -> WireChoice:
        model = call.body.get("model")
        choice = self._wire_now(model, override)
        if choice is None:
            try:
                self.wires.learn_catalog(_model_list(self._json("GET", "/models", max_retries=0)))
            except APIError as exc:
                log.debug("xiaohu wire: no model list (%s); Responses by default", exc)
                self.wires.learn_catalog(None)
            choice = self.wires.choose(model if isinstance(model, str) else "", override)
        return choice

    def _create_chat(self, call: _Call, wire: WireChoice) -> Response:
        chat = self._chat_call(call)
        if chat.streamed:
            with self._chat_stream(chat, wire) as stream:
                return stream.get_final_response()
        data = self._json(
            "POST",
            "/chat/completions",
            json=chat.payload,
            deadline=chat.deadline,
            **chat.options.http(),
        )
        response = _chat_answer(data, wire)
        chat.meter.finish(response)
        return response

    def _chat_stream(self, chat: _Call, wire: WireChoice) -> ChatStream:
        response = self.request(
            "POST",
            "/chat/completions",
            json=chat.payload,
            stream=True,
            deadline=chat.deadline,
            **chat.options.http(),
        )
        return ChatStream(response, chat.meter, wire, deadline=chat.deadline)

    @overload
    def stream_response(
        self, *, background: Literal[False] = ..., **params: Any
    ) -> GuardedResponseStream: ...
    @overload
    def stream_response(
        self, *, background: bool, **params: Any
    ) -> GuardedResponseStream | BackgroundStream: ...
    def stream_response(self, **params: Any) -> GuardedResponseStream | BackgroundStream:
        """Create a response and stream its events (`"stream": true`).

        Takes what `create_response` takes. Retries happen only until the stream starts;
        errors before that raise here. With `background=True` this is `stream_background`:
        the resumable stream of a background run.

        Example:
            >>> with client.stream_response(model="gpt-5", input="hi") as stream:  # doctest: +SKIP
            ...     for delta in stream.iter_deltas():
            ...         print(getattr(delta, "text", ""), end="")
        """
        call = self._prepare(params, stream=True)
        override = call.options.api
        wire = self._wire(call, override)
        call = call.on(wire)
        if wire.api == "chat":
            return _kept(self._chat_stream(self._chat_call(call), wire), self)
        try:
            return _kept(
                self._follow(call) if call.options.background else self._stream(call), self
            )
        except APIStatusError as exc:
            switched = self._switch(exc, call, override)
            if switched is None:
                raise
        return _kept(self._chat_stream(self._chat_call(call), switched), self)

    def _open(self, call: _Call) -> httpx.Response:
        return self.request(
            "POST",
            "/responses",
            json=call.payload,
            stream=True,
            deadline=call.deadline,
            **call.options.http(),
        )

    def _stream(self, call: _Call) -> GuardedResponseStream:
        return GuardedResponseStream(
            self._open(call), call.meter, deadline=call.deadline, wire=call.wire_metadata
        )

    def _follow(self, call: _Call) -> BackgroundStream:
        follow = _Follow(call.meter, call.options.on_progress)
        return BackgroundStream(
            self,
            self._open(call),
            follow,
            call.resumes,
            call.options.http(),
            deadline=call.deadline,
            wire=call.wire_metadata,
        )

    def retrieve_response(self, response_id: str, *, include: list[str] | None = None) -> Response:
        """Fetch a stored response (`GET /v1/responses/{id}`), e.g. to poll a background run.

        Example:
            >>> client.retrieve_response("resp_123").status  # doctest: +SKIP
            'completed'
        """
        params = {"include[]": include} if include else None
        data = self._json("GET", f"/responses/{_checked_id(response_id)}", params=params)
        return self._decode_model(Response, data)

    def resume_stream(self, response_id: str, *, starting_after: int = -1) -> ResponseStream:
        """Resume a background stream after the given sequence number.

        Example:
            >>> stream = client.resume_stream("resp_123", starting_after=41)  # doctest: +SKIP
        """
        response = self.request(
            "GET",
            f"/responses/{_checked_id(response_id)}",
            params=resume_params(starting_after),
            stream=True,
        )
        return ResponseStream(response)

    def cancel_response(self, response_id: str) -> Response:
        """Cancel a background response (`POST /v1/responses/{id}/cancel`).

        Example:
            >>> client.cancel_response("resp_123").status  # doctest: +SKIP
            'cancelled'
        """
        data = self._json("POST", f"/responses/{_checked_id(response_id)}/cancel")
        return self._decode_model(Response, data)

    def delete_response(self, response_id: str) -> None:
        """Delete a stored response (`DELETE /v1/responses/{id}`).

        Example:
            >>> client.delete_response("resp_123")  # doctest: +SKIP
        """
        self.request("DELETE", f"/responses/{_checked_id(response_id)}").close()

    # -- background runs ----------------------------------------------------------------------

    def run_background(self, **params: Any) -> Response:
        """Run a (long) response in background mode, streamed, and return the final Response.

        Takes what `create_response` takes, plus `on_progress` and `max_resumes`. Progress
        (queued, in progress, each web search, ...) goes to `on_progress`. A dropped stream is
        resumed after the last event received, up to `max_resumes` times (default 5). On a
        relay that drops `background` this warns and reads the plain stream to its end.

        Raises:
            CostLimitError: Refused before sending, or stopped (`BudgetExceededError`, the run
                is then cancelled).
            BackgroundUnsupportedError: The stream dropped and the relay cannot resume it.
            StreamError: The stream dropped more than `max_resumes` times.

        Example:
            >>> client.run_background(
            ...     model="o4-mini-deep-research",
            ...     input="...",
            ...     tools=[{"type": "web_search_preview"}],
            ...     allow_expensive=True,
            ... ).output_text  # doctest: +SKIP
        """
        with self.stream_background(**params) as stream:
            return stream.get_final_response()

    def run_response(self, **params: Any) -> Response:
        """The finished Response of a call: background or plain, the core decides.

        With `background=True` this is `run_background` (streamed, resumed, to its end);
        otherwise `create_response`. Adapters call this, so none picks the path itself.

        Example:
            >>> client.run_response(
            ...     model="o3", input="...", background=True
            ... ).status  # doctest: +SKIP
            'completed'
        """
        if split_options(params)[1].background:
            return self.run_background(**params)
        return self.create_response(**params)

    def stream_background(self, **params: Any) -> BackgroundStream:
        """Start a background run and stream it, resuming dropped connections.

        The same keywords, guard, progress and fallback as `run_background`; read it like a
        `ResponseStream` (`iter_pairs`, `iter_deltas`, `get_final_response`).

        Example:
            >>> with client.stream_background(model="o3", input="...") as stream:  # doctest: +SKIP
            ...     for delta in stream.iter_deltas():
            ...         print(delta)
        """
        call = self._prepare(params, stream=True, background=True)
        override = call.options.api
        call = call.on(self._wire(call, override))
        if call.wire is not None and call.wire.api == "chat":
            self._chat_call(call)  # raises: chat has no background runs
        return _kept(self._follow(call), self)

    def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        deadline: float | None = DEFAULT_DEADLINE_S,
        max_cost_usd: float | None = None,
        timeout: float | _UseClientDefault | None = USE_CLIENT_DEFAULT,
        budget: Budget | None = None,
        **options: Any,
    ) -> Response:
        """Poll a background response until it ends; return it (completed, incomplete, cancelled).

        The interval grows from `interval` to `max_interval`; after `deadline` seconds (default
        an hour; `None`: never) this raises `DeadlineExceededError` (the run goes on: wait
        again, or cancel it). `timeout` is the older name of `deadline`. A budget (`max_cost_usd`,
        `budget=` a shared `xiaohu.Budget`, and what is left of the client's) applies: a run
        whose polled output passes it is cancelled. With a budget the interval stays at
        `interval` (polls see the run only between steps, so the stop can come several steps
        past it; a stream, `stream_response(..., background=True)`, stops within one). Any
        other keyword raises `ConfigurationError`.

        Raises:
            ResponseFailedError: The run failed.
            DeadlineExceededError: Still running at the deadline (an `APITimeoutError`).
            BackgroundUnsupportedError: The relay does not route `GET /v1/responses/{id}`.
            BudgetExceededError: The client's budget was passed; the run was cancelled.

        Example:
            >>> queued = client.create_response(
            ...     model="o3", input="...", background=True
            ... )  # doctest: +SKIP
            >>> client.wait_response(queued, on_progress=print).status  # doctest: +SKIP
            'completed'
        """
        _wait_options(options)
        schedule, limit = _wait_schedule(interval, max_interval, _wait_deadline(deadline, timeout))
        waiter = _Waiter(
            self.cost_guard.meter_for,
            response,
            on_progress,
            schedule,
            max_cost_usd,
            self._now,
            budget=budget,
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = self._poll(waiter.response_id, limit)
                except NotFoundError as exc:
                    raise waiter.unroutable(exc) from exc
            step = waiter.step(current)
            if step.final is not None:
                return step.final
            if step.stop is not None:
                self._cancel_quietly(current.id)
                raise step.stop
            self._sleep(step.delay)
            current = None

    def _poll(self, response_id: str, limit: Deadline | None) -> Response:
        """One poll of `wait_response`, within its deadline."""
        try:
            data = self._json("GET", f"/responses/{_checked_id(response_id)}", deadline=limit)
        except DeadlineExceededError as late:
            late.response_id = response_id
            raise
        return self._decode_model(Response, data)

    def _cancel_quietly(self, response_id: str) -> None:
        try:
            self.cancel_response(response_id)
        except APIError as exc:
            log.warning("could not cancel %s: %s", response_id, exc)

    def quota(self) -> Quota:
        """The key's balance: grant, used, remaining (relay billing endpoints).

        Raises:
            InsufficientQuotaError: The key's quota is used up.

        Example:
            >>> client.quota().remaining_usd  # doctest: +SKIP
            97.5
        """
        answers = [self._billing(path) for path in (SUBSCRIPTION_PATH, USAGE_PATH)]
        for http_response, data in answers:
            check_billing_answer(http_response, data)
        return parse_quota(answers[0][1], answers[1][1])

    def _billing(self, path: str) -> tuple[httpx.Response, Any]:
        try:
            http_response = self.request("GET", path)
        except AuthenticationError as exc:
            raise quota_error(exc) from exc
        return http_response, self._decode_json(http_response)

    def list_models(self) -> list[dict[str, Any]]:
        """The models this key may use (`GET /v1/models`), in the relay's shape.

        Example:
            >>> [m["id"] for m in client.list_models()][:2]  # doctest: +SKIP
            ['gpt-5', 'gpt-5-mini']
        """
        return _model_list(self._json("GET", "/models"))

    # -- Embeddings -----------------------------------------------------------------------------

    def create_embeddings(
        self, *, input: list[str], model: str, **params: Any
    ) -> EmbeddingsResponse:
        """Embed up to 2,048 texts in one request (`POST /v1/embeddings`), answer as sent.

        Use `embed` for any number of texts as plain float lists.

        Example:
            >>> answer = client.create_embeddings(
            ...     input=["你好"], model="text-embedding-3-small"
            ... )  # doctest: +SKIP
            >>> len(answer.vectors(expected=1)[0])  # doctest: +SKIP
            1536
        """
        body, http = self._embeddings_call(input, model, params)
        data = self._json("POST", "/embeddings", json=body, **http)
        return self._decode_model(EmbeddingsResponse, data)

    def embed(
        self,
        texts: list[str],
        *,
        model: str,
        dimensions: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        **options: Any,
    ) -> list[list[float]]:
        """Embed any number of texts, batched; one vector per text, in the texts' order.

        `embed([])` is `[]` with no request. Empty strings and non-strings raise
        `ConfigurationError` before anything is sent. `options` go to `create_embeddings`.

        Example:
            >>> vectors = client.embed(
            ...     ["猫", "dog"], model="text-embedding-3-small"
            ... )  # doctest: +SKIP
            >>> len(vectors)  # doctest: +SKIP
            2
        """
        job = EmbeddingJob(
            texts,
            model=model,
            dimensions=dimensions,
            chunk_size=chunk_size,
            max_batch_bytes=max_batch_bytes,
        )
        return job.join([self.create_embeddings(**body, **options) for body in job.payloads])

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool (if this client created it); later calls raise.

        A client you forget is closed when collected, but closing it (or `with`) is prompt.

        Example:
            >>> client.close()  # doctest: +SKIP
        """
        self._closed = True
        if self._finalizer is not None:
            self._finalizer()  # closes the pool once

    def __enter__(self) -> XiaohuClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncXiaohuClient(_BaseClient[httpx.AsyncClient]):
    """Async twin of `XiaohuClient`: same arguments, same methods, awaited.

    Example:
        >>> async with AsyncXiaohuClient(
        ...     api_key="sk-...", base_url="http://127.0.0.1:8000/v1"
        ... ) as client:  # doctest: +SKIP
        ...     response = await client.create_response(model="gpt-5", input="hi")
    """

    def _adopt(self, http_client: httpx.AsyncClient | None) -> None:
        self._http = http_client
        # A pool belongs to the event loop that opened its connections, and callers run calls
        # in many loops (`asyncio.run` per call, framework sync wrappers): ours is one pool per
        # loop, closed when that loop shuts down (or by `aclose()`).
        self._pools: PerLoop[httpx.AsyncClient] | None = (
            PerLoop(partial(httpx.AsyncClient, timeout=self.timeout), httpx.AsyncClient.aclose)
            if http_client is None
            else None
        )

    async def _pool(self) -> httpx.AsyncClient:
        """The connection pool for the running event loop (yours, if you passed one)."""
        if self._closed or (self._http is not None and self._http.is_closed):
            raise self._closed_error()
        if self._pools is None:
            assert self._http is not None
            return self._http
        return await self._pools.get()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        stream: bool = False,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        deadline: Deadline | float | None = None,
    ) -> httpx.Response:
        """Async twin of `XiaohuClient.request`.

        Example:
            >>> (await client.request("GET", "/models")).status_code  # doctest: +SKIP
            200
        """
        http = await self._pool()
        retries = self._retries(max_retries)
        deadline = _as_deadline(deadline)
        key = self._new_key() if method == "POST" else None
        attempt = 0
        while True:
            late = self._past(deadline, method, path)
            if late is not None:  # a retry never restarts the call's deadline
                raise late
            request = self._build(
                http,
                method,
                path,
                json=json,
                params=params,
                stream=stream,
                extra_headers=extra_headers,
                timeout=self._within(timeout, deadline),
                idempotency_key=key,
                attempt=attempt,
            )
            headers: Mapping[str, str] | None = None
            try:
                response = await http.send(request, stream=True)
            except httpx.TransportError as exc:
                error: APIError = map_transport_error(exc, request)
                cause: Exception | None = exc
            else:
                if response.is_success:
                    if stream:
                        return response
                    try:
                        await response.aread()
                    except httpx.TransportError as exc:
                        await response.aclose()
                        raise _scrubbed(_torn(method, response, exc, request)) from exc
                    return response
                with contextlib.suppress(httpx.TransportError):  # a torn body: status suffices
                    await response.aread()
                await response.aclose()
                error, cause, headers = make_status_error(response), None, response.headers
            delay = _retry_within(retry_delay(error, attempt, retries, headers), deadline)
            if delay is None:
                _redact(request)
                if cause is not None:
                    scrub_secrets(cause)
                    error = self._past(deadline, method, path, cause) or error
                raise scrub_secrets(error) from cause
            await self._sleep(delay)
            attempt += 1

    async def _sleep(self, seconds: float) -> None:
        """Wait between retries and polls; a test (or a caller) overrides this, not `asyncio`."""
        await asyncio.sleep(seconds)

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        return self._decode_json(response)

    async def create_response(self, **params: Any) -> Response:
        """Async twin of `XiaohuClient.create_response`.

        Example:
            >>> (await client.create_response(model="gpt-5", input="hi")).status  # doctest: +SKIP
            'completed'
        """
        call = self._prepare(params, stream=False)
        override = call.options.api
        wire = await self._wire(call, override)
        call = call.on(wire)
        if wire.api == "chat":
            return await self._create_chat(call, wire)
        try:
            return await self._create_on_responses(call)
        except APIStatusError as exc:
            switched = self._switch(exc, call, override)
            if switched is None:
                raise
        return await self._create_chat(call, switched)

    async def _create_on_responses(self, call: _Call) -> Response:
        if call.streamed:
            async with await self._stream(call) as stream:
                return await stream.get_final_response()
        data = await self._json(
            "POST", "/responses", json=call.payload, deadline=call.deadline, **call.options.http()
        )
        return self._created(call, self._decode_model(Response, data))

    async def _wire(self, call: _Call, override: Any) -> WireChoice:
        model = call.body.get("model")
        choice = self._wire_now(model, override)
        if choice is None:
            try:
                answer = await self._json("GET", "/models", max_retries=0)
                self.wires.learn_catalog(_model_list(answer))
            except APIError as exc:
                log.debug("xiaohu wire: no model list (%s); Responses by default", exc)
                self.wires.learn_catalog(None)
            choice = self.wires.choose(model if isinstance(model, str) else "", override)
        return choice

    async def _create_chat(self, call: _Call, wire: WireChoice) -> Response:
        chat = self._chat_call(call)
        if chat.streamed:
            async with await self._chat_stream(chat, wire) as stream:
                return await stream.get_final_response()
        data = await self._json(
            "POST",
            "/chat/completions",
            json=chat.payload,
            deadline=chat.deadline,
            **chat.options.http(),
        )
        response = _chat_answer(data, wire)
        chat.meter.finish(response)
        return response

    async def _chat_stream(self, chat: _Call, wire: WireChoice) -> AsyncChatStream:
        response = await self.request(
            "POST",
            "/chat/completions",
            json=chat.payload,
            stream=True,
            deadline=chat.deadline,
            **chat.options.http(),
        )
        return AsyncChatStream(response, chat.meter, wire, deadline=chat.deadline)

    @overload
    def stream_response(
        self, *, background: Literal[False] = ..., **params: Any
    ) -> StreamOpening[AsyncGuardedResponseStream]: ...
    @overload
    def stream_response(
        self, *, background: bool, **params: Any
    ) -> StreamOpening[AsyncGuardedResponseStream | AsyncBackgroundStream]: ...
    def stream_response(
        self, **params: Any
    ) -> StreamOpening[AsyncGuardedResponseStream | AsyncBackgroundStream]:
        """Async twin of `XiaohuClient.stream_response`: `async with` it, or `await` it.

        Example:
            >>> async with client.stream_response(
            ...     model="gpt-5", input="hi"
            ... ) as stream:  # doctest: +SKIP
            ...     async for delta in stream.iter_deltas():
            ...         pass
            >>> stream = await client.stream_response(model="gpt-5", input="hi")  # doctest: +SKIP
        """
        return StreamOpening(partial(self._stream_response, **params))

    async def _stream_response(
        self, **params: Any
    ) -> AsyncGuardedResponseStream | AsyncBackgroundStream:
        call = self._prepare(params, stream=True)
        override = call.options.api
        wire = await self._wire(call, override)
        call = call.on(wire)
        if wire.api == "chat":
            return _kept(await self._chat_stream(self._chat_call(call), wire), self)
        try:
            stream = await (self._follow(call) if call.options.background else self._stream(call))
            return _kept(stream, self)
        except APIStatusError as exc:
            switched = self._switch(exc, call, override)
            if switched is None:
                raise
        return _kept(await self._chat_stream(self._chat_call(call), switched), self)

    async def _open(self, call: _Call) -> httpx.Response:
        return await self.request(
            "POST",
            "/responses",
            json=call.payload,
            stream=True,
            deadline=call.deadline,
            **call.options.http(),
        )

    async def _stream(self, call: _Call) -> AsyncGuardedResponseStream:
        return AsyncGuardedResponseStream(
            await self._open(call), call.meter, deadline=call.deadline, wire=call.wire_metadata
        )

    async def _follow(self, call: _Call) -> AsyncBackgroundStream:
        follow = _Follow(call.meter, call.options.on_progress)
        response = await self._open(call)
        return AsyncBackgroundStream(
            self,
            response,
            follow,
            call.resumes,
            call.options.http(),
            deadline=call.deadline,
            wire=call.wire_metadata,
        )

    async def retrieve_response(
        self, response_id: str, *, include: list[str] | None = None
    ) -> Response:
        """Async twin of `XiaohuClient.retrieve_response`.

        Example:
            >>> (await client.retrieve_response("resp_123")).status  # doctest: +SKIP
            'queued'
        """
        params = {"include[]": include} if include else None
        data = await self._json("GET", f"/responses/{_checked_id(response_id)}", params=params)
        return self._decode_model(Response, data)

    def resume_stream(
        self, response_id: str, *, starting_after: int = -1
    ) -> StreamOpening[AsyncResponseStream]:
        """Async twin of `XiaohuClient.resume_stream`: `async with` it, or `await` it.

        Example:
            >>> stream = await client.resume_stream("resp_123", starting_after=41)  # doctest: +SKIP
        """
        return StreamOpening(partial(self._resume_stream, response_id, starting_after))

    async def _resume_stream(self, response_id: str, starting_after: int) -> AsyncResponseStream:
        response = await self.request(
            "GET",
            f"/responses/{_checked_id(response_id)}",
            params=resume_params(starting_after),
            stream=True,
        )
        return AsyncResponseStream(response)

    async def cancel_response(self, response_id: str) -> Response:
        """Async twin of `XiaohuClient.cancel_response`.

        Example:
            >>> (await client.cancel_response("resp_123")).status  # doctest: +SKIP
            'cancelled'
        """
        data = await self._json("POST", f"/responses/{_checked_id(response_id)}/cancel")
        return self._decode_model(Response, data)

    async def delete_response(self, response_id: str) -> None:
        """Async twin of `XiaohuClient.delete_response`.

        Example:
            >>> await client.delete_response("resp_123")  # doctest: +SKIP
        """
        await (await self.request("DELETE", f"/responses/{_checked_id(response_id)}")).aclose()

    # -- background runs ----------------------------------------------------------------------

    async def run_background(self, **params: Any) -> Response:
        """Async twin of `XiaohuClient.run_background`.

        Example:
            >>> (await client.run_background(model="o3", input="...")).status  # doctest: +SKIP
            'completed'
        """
        async with await self.stream_background(**params) as stream:
            return await stream.get_final_response()

    async def run_response(self, **params: Any) -> Response:
        """Async twin of `XiaohuClient.run_response`.

        Example:
            >>> (await client.run_response(model="o3", input="...")).status  # doctest: +SKIP
            'completed'
        """
        if split_options(params)[1].background:
            return await self.run_background(**params)
        return await self.create_response(**params)

    def stream_background(self, **params: Any) -> StreamOpening[AsyncBackgroundStream]:
        """Async twin of `XiaohuClient.stream_background`: `async with` it, or `await` it.

        Example:
            >>> async with client.stream_background(
            ...     model="o3", input="..."
            ... ) as stream:  # doctest: +SKIP
            ...     final = await stream.get_final_response()
        """
        return StreamOpening(partial(self._stream_background, **params))

    async def _stream_background(self, **params: Any) -> AsyncBackgroundStream:
        call = self._prepare(params, stream=True, background=True)
        override = call.options.api
        call = call.on(await self._wire(call, override))
        if call.wire is not None and call.wire.api == "chat":
            self._chat_call(call)  # raises: chat has no background runs
        return _kept(await self._follow(call), self)

    async def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        deadline: float | None = DEFAULT_DEADLINE_S,
        max_cost_usd: float | None = None,
        timeout: float | _UseClientDefault | None = USE_CLIENT_DEFAULT,
        budget: Budget | None = None,
        **options: Any,
    ) -> Response:
        """Async twin of `XiaohuClient.wait_response`.

        Example:
            >>> (await client.wait_response("resp_123")).status  # doctest: +SKIP
            'completed'
        """
        _wait_options(options)
        schedule, limit = _wait_schedule(interval, max_interval, _wait_deadline(deadline, timeout))
        waiter = _Waiter(
            self.cost_guard.meter_for,
            response,
            on_progress,
            schedule,
            max_cost_usd,
            self._now,
            budget=budget,
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = await self._poll(waiter.response_id, limit)
                except NotFoundError as exc:
                    raise waiter.unroutable(exc) from exc
            step = waiter.step(current)
            if step.final is not None:
                return step.final
            if step.stop is not None:
                await self._cancel_quietly(current.id)
                raise step.stop
            await self._sleep(step.delay)
            current = None

    async def _poll(self, response_id: str, limit: Deadline | None) -> Response:
        """One poll of `wait_response`, within its deadline."""
        try:
            data = await self._json("GET", f"/responses/{_checked_id(response_id)}", deadline=limit)
        except DeadlineExceededError as late:
            late.response_id = response_id
            raise
        return self._decode_model(Response, data)

    async def _cancel_quietly(self, response_id: str) -> None:
        try:
            await self.cancel_response(response_id)
        except APIError as exc:
            log.warning("could not cancel %s: %s", response_id, exc)

    async def quota(self) -> Quota:
        """Async twin of `XiaohuClient.quota`.

        Example:
            >>> (await client.quota()).remaining_usd  # doctest: +SKIP
            97.5
        """
        answers = [await self._billing(path) for path in (SUBSCRIPTION_PATH, USAGE_PATH)]
        for http_response, data in answers:
            check_billing_answer(http_response, data)
        return parse_quota(answers[0][1], answers[1][1])

    async def _billing(self, path: str) -> tuple[httpx.Response, Any]:
        try:
            http_response = await self.request("GET", path)
        except AuthenticationError as exc:
            raise quota_error(exc) from exc
        return http_response, self._decode_json(http_response)

    async def list_models(self) -> list[dict[str, Any]]:
        """Async twin of `XiaohuClient.list_models`.

        Example:
            >>> len(await client.list_models()) > 0  # doctest: +SKIP
            True
        """
        return _model_list(await self._json("GET", "/models"))

    async def create_embeddings(
        self, *, input: list[str], model: str, **params: Any
    ) -> EmbeddingsResponse:
        """Async twin of `XiaohuClient.create_embeddings`.

        Example:
            >>> answer = await client.create_embeddings(
            ...     input=["hi"], model="text-embedding-3-small"
            ... )  # doctest: +SKIP
        """
        body, http = self._embeddings_call(input, model, params)
        data = await self._json("POST", "/embeddings", json=body, **http)
        return self._decode_model(EmbeddingsResponse, data)

    async def embed(
        self,
        texts: list[str],
        *,
        model: str,
        dimensions: int | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        **options: Any,
    ) -> list[list[float]]:
        """Async twin of `XiaohuClient.embed`; at most `max_concurrency` batches in flight.

        Example:
            >>> vectors = await client.embed(
            ...     ["猫", "dog"], model="text-embedding-3-small"
            ... )  # doctest: +SKIP
        """
        job = EmbeddingJob(
            texts,
            model=model,
            dimensions=dimensions,
            chunk_size=chunk_size,
            max_batch_bytes=max_batch_bytes,
        )
        calls = [partial(self.create_embeddings, **body, **options) for body in job.payloads]
        return job.join(await gather_limited(calls, max_concurrency))

    async def aclose(self) -> None:
        """Close this client's connection pools (those it created), one per event loop.

        The running loop's pool closes now, a pool of a loop running in another thread is
        closed in that loop, and one of an idle loop when that loop shuts down. Any later
        call raises `ClientClosedError`.

        Example:
            >>> await client.aclose()  # doctest: +SKIP
        """
        self._closed = True
        if self._pools is not None:
            await self._pools.aclose()

    async def __aenter__(self) -> AsyncXiaohuClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


_Kept = TypeVar("_Kept", bound="PairReader | AsyncPairReader")


def _kept(stream: _Kept, client: object) -> _Kept:
    """The stream, holding the client that opened it until the stream itself is let go."""
    stream.opened_by = client
    return stream


def _as_deadline(deadline: Deadline | float | None) -> Deadline | None:
    """`request`'s deadline: a `Deadline` (shared by a call's attempts and resumes) or seconds."""
    if deadline is None or isinstance(deadline, Deadline):
        return deadline
    try:
        return deadline_at(deadline)
    except ValueError as exc:
        raise ConfigurationError(f"{exc}; nothing was sent") from None


def _retry_within(delay: float | None, deadline: Deadline | None) -> float | None:
    """The retry's wait, or `None` (give up now) when the deadline would pass during it."""
    if delay is None or deadline is None or time.monotonic() + delay < deadline.at:
        return delay
    log.debug("not retrying: the deadline of %gs would pass first", deadline.seconds)
    return None


_WAIT_KEYWORDS = (
    "on_progress, interval, max_interval, deadline (or timeout), max_cost_usd and budget"
)


def _wait_options(options: Mapping[str, Any]) -> None:
    """Refuse a keyword `wait_response` has no use for (a per-call option of a create, a typo).

    Raises:
        ConfigurationError: One was given.
    """
    if options:
        names = ", ".join(sorted(options))
        raise ConfigurationError(
            f"wait_response does not take {names}; it takes {_WAIT_KEYWORDS} (the request's "
            "options belong to the create that started the run) (nothing was sent)"
        )


def _wait_schedule(
    interval: float, max_interval: float, seconds: float | None
) -> tuple[PollSchedule, Deadline | None]:
    """`wait_response`'s poll schedule and its deadline (which bounds each poll too).

    Raises:
        ConfigurationError: A bad interval or deadline (NaN, zero, negative): nothing is sent.
    """
    if seconds == float("inf"):
        seconds = None  # "never", as None
    try:
        limit = deadline_at(seconds)  # first: its message names `deadline`
        return PollSchedule(interval=interval, max_interval=max_interval, timeout=seconds), limit
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"wait_response: {exc}; nothing was sent") from None


def _wait_deadline(
    deadline: float | None, timeout: float | _UseClientDefault | None
) -> float | None:
    """`wait_response`'s deadline: `deadline`, or `timeout` (its older name), never both."""
    if isinstance(timeout, _UseClientDefault):
        return deadline
    if deadline != DEFAULT_DEADLINE_S:
        raise ConfigurationError("pass deadline= or its older name timeout=, not both")
    return timeout


#: Families other vendors' models are named by: for these `auto` reads the relay's model list
#: (once per client) before the first call. Any other name (OpenAI's, an alias) goes on the
#: Responses API first and moves to chat only if the relay refuses it there.
_OTHER_VENDORS = re.compile(
    r"(claude|deepseek|qwen|qwq|gemini|gemma|glm|chatglm|kimi|moonshot|doubao|ernie|hunyuan|"
    r"mistral|mixtral|llama|grok|yi-|baichuan|minimax|abab|spark|step-|internlm|sensechat)",
    re.IGNORECASE,
)


def _openai_name(model: str) -> bool:
    """Not another vendor's name: `auto` tries the Responses API without reading the list."""
    return _OTHER_VENDORS.search(model) is None


def _chat_answer(data: Any, wire: WireChoice) -> Response:
    error = error_from_body(data)
    if error is not None:
        raise error
    if not isinstance(data, dict):
        raise APIResponseValidationError(f"unexpected chat.completion: {str(data)[:120]}")
    try:
        return chat_response(data, wire)
    except (ValidationError, AttributeError, TypeError, IndexError) as exc:
        raise APIResponseValidationError(f"unexpected chat.completion: {exc}") from exc


def _checked_id(response_id: str) -> str:
    if not isinstance(response_id, str) or not response_id or "/" in response_id:
        raise ConfigurationError(f"invalid response id {response_id!r}")
    return response_id


def _model_list(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise APIResponseValidationError(f"unexpected /models answer: {str(data)[:120]}")
    return [m for m in data["data"] if isinstance(m, dict)]


_RESPONSE_ID = re.compile(rb'"id"\s*:\s*"(resp_[A-Za-z0-9_-]+)"')


def _torn(
    method: str, response: httpx.Response, exc: httpx.TransportError, request: httpx.Request
) -> APIError:
    """A 2xx answer whose body broke: a POST is never sent again (it may have been billed)."""
    if method != "POST":
        return map_transport_error(exc, request)
    found = _RESPONSE_ID.search(_read_so_far(response))
    response_id = found.group(1).decode() if found else None
    seen = f" (response id {response_id})" if response_id else ""
    return PossiblyBilledError(
        f"the relay answered {response.status_code} but the body broke "
        f"({type(exc).__name__}: {exc}); not sent again: the run may have been billed{seen}",
        response_id=response_id,
        request=request,
    )


def _read_so_far(response: httpx.Response) -> bytes:
    try:
        return response.content
    except httpx.ResponseNotRead:
        return b""


def _scrubbed(error: APIError) -> APIError:
    if error.request is not None:
        _redact(error.request)
    return error


def _redact(request: httpx.Request) -> None:
    """Mask the key on a request an exception will carry (error trackers record attributes).

    Each attempt builds a fresh request, so the one being raised with is never sent again.
    """
    if "authorization" in request.headers:
        request.headers["Authorization"] = "Bearer [redacted]"
