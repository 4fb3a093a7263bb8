"""`XiaohuClient` and `AsyncXiaohuClient`: the Responses API over one connection pool.

Everything that does no I/O (settings, headers, request building, payload checks, retry
decisions, decoding) lives in `_BaseClient` and the modules it calls; the two clients hold
only the blocking or awaited calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
import weakref
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

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
from ._retry import retry_delay
from ._stream import AsyncResponseStream, ResponseStream
from ._version import __version__
from ._wire import WireRouter, is_wire_refusal

__all__ = ["USE_CLIENT_DEFAULT", "AsyncXiaohuClient", "XiaohuClient"]

log = logging.getLogger("xiaohu")

T = TypeVar("T")


class _UseClientDefault:
    """Sentinel: "use the client's setting", distinct from `None` (which can mean "no limit").

    Example:
        >>> USE_CLIENT_DEFAULT
        USE_CLIENT_DEFAULT
    """

    def __repr__(self) -> str:
        return "USE_CLIENT_DEFAULT"


USE_CLIENT_DEFAULT = _UseClientDefault()
"""Pass as `timeout=` or `max_retries=` to use the client's own setting."""

TimeoutTypes = float | httpx.Timeout | None


class _BaseClient:
    """Settings and request building shared by the sync and async clients."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
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

    @staticmethod
    def _payload(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
        body = build_payload({**params, "stream": True if stream else params.get("stream")})
        if not stream:
            body.pop("stream", None)
        return body

    @staticmethod
    def _chat_body(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
        build_payload(params)  # the same checks as on the Responses wire, first
        return chat_payload(params, stream=stream)

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

    def _switch(
        self, error: APIError, params: Mapping[str, Any], override: Any
    ) -> WireChoice | None:
        """After a failed Responses call: the chat wire if `auto` may switch to it, else `None`.

        The relay's refusal comes before billing, so the one retry on chat is safe.
        """
        if override is None and self.wires.api == "auto" and is_wire_refusal(error):
            return self.wires.learn_refusal(str(params.get("model")))
        return None

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
        return self.cost_guard.table.estimate(params)


class XiaohuClient(_BaseClient):
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

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        allow_expensive: bool = False,
        max_cost_usd: float | None = None,
        prices: Mapping[str, ModelPrice] | None = None,
        group_ratio: float = 1.0,
        budget: Budget | None = None,
        api: str = "auto",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            allow_expensive=allow_expensive,
            max_cost_usd=max_cost_usd,
            prices=prices,
            group_ratio=group_ratio,
            budget=budget,
            api=api,
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout)
        self._closed = False
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
    ) -> httpx.Response:
        """Send one logical request, retrying as the policy allows; raise typed errors.

        With `stream=True` the body is left unread for the caller (who must close it).

        Example:
            >>> client.request("GET", "/models").json()["object"]  # doctest: +SKIP
            'list'
        """
        if self._closed or self._http.is_closed:
            raise self._closed_error()
        retries = self._retries(max_retries)
        key = self._new_key() if method == "POST" else None
        attempt = 0
        while True:
            request = self._build(
                self._http,
                method,
                path,
                json=json,
                params=params,
                stream=stream,
                extra_headers=extra_headers,
                timeout=timeout,
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
            delay = retry_delay(error, attempt, retries, headers)
            if delay is None:
                _redact(request)
                if cause is not None:
                    scrub_secrets(cause)
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

    def create_response(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> Response:
        """Create a response and wait for it (`POST /v1/responses`).

        Args:
            extra_headers: Headers for this call only.
            timeout: Override the client's timeout for this call.
            max_retries: Override the client's retries for this call.
            **params: The request body: `model`, `input`, `tools`, `reasoning`, ...

        Raises:
            ConfigurationError: A parameter is invalid (nothing was sent).
            APIStatusError: The relay answered with an error (a subclass says which).

        Example:
            >>> client.create_response(model="gpt-5", input="2+2?").output_text  # doctest: +SKIP
            '4'
        """
        override = params.pop("api", None)
        params, meter = self.cost_guard.check(params)
        options = {"extra_headers": extra_headers, "timeout": timeout, "max_retries": max_retries}
        wire = self._wire(params.get("model"), override)
        if wire.api == "chat":
            return self._create_chat(params, meter, wire, options)
        try:
            return self._create_on_responses(params, meter, options)
        except APIStatusError as exc:
            switched = self._switch(exc, params, override)
            if switched is None:
                raise
        return self._create_chat(params, meter, switched, options)

    def _create_on_responses(
        self, params: dict[str, Any], meter: CostMeter, options: dict[str, Any]
    ) -> Response:
        if _metered_as_stream(params, meter):
            # Only a stream lets the meter see progress; fold it into the same Response.
            with self._guarded_stream(params, meter, **options) as stream:
                return stream.get_final_response()
        body = self._payload(params, stream=False)
        data = self._json("POST", "/responses", json=body, **options)
        response = self._decode_model(Response, data)
        if response.status not in PENDING_STATUSES:
            meter.finish(response)
        elif response.id:
            self.cost_guard.queued(response.id, meter)
        return response

    # -- the Chat Completions wire ------------------------------------------------------------

    def _wire(self, model: Any, override: Any) -> WireChoice:
        choice = self._wire_now(model, override)
        if choice is None:
            try:
                self.wires.learn_catalog(_model_list(self._json("GET", "/models", max_retries=0)))
            except APIError as exc:
                log.debug("xiaohu wire: no model list (%s); Responses by default", exc)
                self.wires.learn_catalog(None)
            choice = self.wires.choose(model if isinstance(model, str) else "", override)
        return choice

    def _create_chat(
        self, params: dict[str, Any], meter: CostMeter, wire: WireChoice, options: dict[str, Any]
    ) -> Response:
        if _metered_as_stream(params, meter):
            with self._chat_stream(params, meter, wire, options) as stream:
                return stream.get_final_response()
        body = self._chat_body(params, stream=False)
        data = self._json("POST", "/chat/completions", json=body, **options)
        response = _chat_answer(data, wire)
        meter.finish(response)
        return response

    def _chat_stream(
        self, params: dict[str, Any], meter: CostMeter, wire: WireChoice, options: dict[str, Any]
    ) -> ChatStream:
        body = self._chat_body(params, stream=True)
        response = self.request("POST", "/chat/completions", json=body, stream=True, **options)
        return ChatStream(response, meter, wire)

    def _background_wire(self, params: dict[str, Any]) -> None:
        """Background runs exist only on the Responses API: refuse a chat model before sending."""
        wire = self._wire(params.get("model"), params.pop("api", None))
        if wire.api == "chat":
            raise WireUnsupportedError(str(params.get("model")), "chat", "background runs")

    def stream_response(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> GuardedResponseStream:
        """Create a response and stream its events (`"stream": true`).

        Retries happen only until the stream starts; errors before that raise here.

        Example:
            >>> with client.stream_response(model="gpt-5", input="hi") as stream:  # doctest: +SKIP
            ...     for delta in stream.iter_deltas():
            ...         print(getattr(delta, "text", ""), end="")
        """
        override = params.pop("api", None)
        params, meter = self.cost_guard.check(params)
        options = {"extra_headers": extra_headers, "timeout": timeout, "max_retries": max_retries}
        wire = self._wire(params.get("model"), override)
        if wire.api == "chat":
            return self._chat_stream(params, meter, wire, options)
        try:
            return self._guarded_stream(params, meter, **options)
        except APIStatusError as exc:
            switched = self._switch(exc, params, override)
            if switched is None:
                raise
        return self._chat_stream(params, meter, switched, options)

    def _guarded_stream(
        self, params: dict[str, Any], meter: CostMeter, **options: Any
    ) -> GuardedResponseStream:
        body = self._payload(params, stream=True)
        response = self.request("POST", "/responses", json=body, stream=True, **options)
        # A plain stream is stopped by closing it; only a background run has a server-side cancel.
        on_stop = self._cancel_quietly if params.get("background") else None
        return GuardedResponseStream(response, meter, on_stop=on_stop)

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

    def run_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> Response:
        """Run a (long) response in background mode, streamed, and return the final Response.

        Progress (queued, in progress, each web search, ...) goes to `on_progress`. A dropped
        stream is resumed after the last event received, up to `max_resumes` times. On a relay
        that drops `background` this warns and reads the plain stream to its end.

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
        with self.stream_background(
            on_progress=on_progress,
            max_resumes=max_resumes,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
            **params,
        ) as stream:
            return stream.get_final_response()

    def stream_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> BackgroundStream:
        """Start a background run and stream it, resuming dropped connections.

        The same guard, progress and fallback as `run_background`; read it like a
        `ResponseStream` (`iter_pairs`, `iter_deltas`, `get_final_response`).

        Example:
            >>> with client.stream_background(model="o3", input="...") as stream:  # doctest: +SKIP
            ...     for delta in stream.iter_deltas():
            ...         print(delta)
        """
        options: dict[str, Any] = {
            "extra_headers": extra_headers,
            "timeout": timeout,
            "max_retries": max_retries,
        }
        self._background_wire(params)
        body, meter = self.cost_guard.check({**params, "background": True, "store": True})
        response = self.request(
            "POST", "/responses", json=self._payload(body, stream=True), stream=True, **options
        )
        return BackgroundStream(self, response, _Follow(meter, on_progress), max_resumes, options)

    def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float | None = 3600.0,
        max_cost_usd: float | None = None,
    ) -> Response:
        """Poll a background response until it ends; return it (completed, incomplete, cancelled).

        The interval grows from `interval` to `max_interval`; after `timeout` seconds this
        gives up (the run goes on: wait again, or cancel it). A budget (`max_cost_usd`, and
        what is left of the client's) applies: a run whose polled output passes it is cancelled.

        Raises:
            ResponseFailedError: The run failed.
            APITimeoutError: Still running at the timeout.
            BackgroundUnsupportedError: The relay does not route `GET /v1/responses/{id}`.
            BudgetExceededError: The client's budget was passed; the run was cancelled.

        Example:
            >>> queued = client.create_response(
            ...     model="o3", input="...", background=True
            ... )  # doctest: +SKIP
            >>> client.wait_response(queued, on_progress=print).status  # doctest: +SKIP
            'completed'
        """
        schedule = PollSchedule(interval=interval, max_interval=max_interval, timeout=timeout)
        waiter = _Waiter(
            self.cost_guard.meter_for, response, on_progress, schedule, max_cost_usd, self._now
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = self.retrieve_response(waiter.response_id)
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
        self,
        *,
        input: list[str],
        model: str,
        dimensions: int | None = None,
        encoding_format: str = "base64",
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
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
        body = embeddings_payload(
            input, model=model, dimensions=dimensions, encoding_format=encoding_format, **params
        )
        data = self._json(
            "POST",
            "/embeddings",
            json=body,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
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


class AsyncXiaohuClient(_BaseClient):
    """Async twin of `XiaohuClient`: same arguments, same methods, awaited.

    Example:
        >>> async with AsyncXiaohuClient(
        ...     api_key="sk-...", base_url="http://127.0.0.1:8000/v1"
        ... ) as client:  # doctest: +SKIP
        ...     response = await client.create_response(model="gpt-5", input="hi")
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes = None,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        allow_expensive: bool = False,
        max_cost_usd: float | None = None,
        prices: Mapping[str, ModelPrice] | None = None,
        group_ratio: float = 1.0,
        budget: Budget | None = None,
        api: str = "auto",
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            allow_expensive=allow_expensive,
            max_cost_usd=max_cost_usd,
            prices=prices,
            group_ratio=group_ratio,
            budget=budget,
            api=api,
        )
        self._closed = False
        self._http = http_client
        # A pool belongs to the event loop that opened its connections, and callers run calls
        # in many loops (`asyncio.run` per call, framework sync wrappers): ours is one pool per
        # loop, closed when that loop shuts down (or by `aclose()` in it).
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
    ) -> httpx.Response:
        """Async twin of `XiaohuClient.request`.

        Example:
            >>> (await client.request("GET", "/models")).status_code  # doctest: +SKIP
            200
        """
        http = await self._pool()
        retries = self._retries(max_retries)
        key = self._new_key() if method == "POST" else None
        attempt = 0
        while True:
            request = self._build(
                http,
                method,
                path,
                json=json,
                params=params,
                stream=stream,
                extra_headers=extra_headers,
                timeout=timeout,
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
            delay = retry_delay(error, attempt, retries, headers)
            if delay is None:
                _redact(request)
                if cause is not None:
                    scrub_secrets(cause)
                raise scrub_secrets(error) from cause
            await self._sleep(delay)
            attempt += 1

    async def _sleep(self, seconds: float) -> None:
        """Wait between retries and polls; a test (or a caller) overrides this, not `asyncio`."""
        await asyncio.sleep(seconds)

    async def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.request(method, path, **kwargs)
        return self._decode_json(response)

    async def create_response(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> Response:
        """Async twin of `XiaohuClient.create_response`.

        Example:
            >>> (await client.create_response(model="gpt-5", input="hi")).status  # doctest: +SKIP
            'completed'
        """
        override = params.pop("api", None)
        params, meter = self.cost_guard.check(params)
        options = {"extra_headers": extra_headers, "timeout": timeout, "max_retries": max_retries}
        wire = await self._wire(params.get("model"), override)
        if wire.api == "chat":
            return await self._create_chat(params, meter, wire, options)
        try:
            return await self._create_on_responses(params, meter, options)
        except APIStatusError as exc:
            switched = self._switch(exc, params, override)
            if switched is None:
                raise
        return await self._create_chat(params, meter, switched, options)

    async def _create_on_responses(
        self, params: dict[str, Any], meter: CostMeter, options: dict[str, Any]
    ) -> Response:
        if _metered_as_stream(params, meter):
            # Only a stream lets the meter see progress; fold it into the same Response.
            stream = await self._guarded_stream(params, meter, **options)
            async with stream:
                return await stream.get_final_response()
        body = self._payload(params, stream=False)
        data = await self._json("POST", "/responses", json=body, **options)
        response = self._decode_model(Response, data)
        if response.status not in PENDING_STATUSES:
            meter.finish(response)
        elif response.id:
            self.cost_guard.queued(response.id, meter)
        return response

    # -- the Chat Completions wire ------------------------------------------------------------

    async def _wire(self, model: Any, override: Any) -> WireChoice:
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

    async def _create_chat(
        self, params: dict[str, Any], meter: CostMeter, wire: WireChoice, options: dict[str, Any]
    ) -> Response:
        if _metered_as_stream(params, meter):
            stream = await self._chat_stream(params, meter, wire, options)
            async with stream:
                return await stream.get_final_response()
        body = self._chat_body(params, stream=False)
        data = await self._json("POST", "/chat/completions", json=body, **options)
        response = _chat_answer(data, wire)
        meter.finish(response)
        return response

    async def _chat_stream(
        self, params: dict[str, Any], meter: CostMeter, wire: WireChoice, options: dict[str, Any]
    ) -> AsyncChatStream:
        body = self._chat_body(params, stream=True)
        response = await self.request(
            "POST", "/chat/completions", json=body, stream=True, **options
        )
        return AsyncChatStream(response, meter, wire)

    async def _background_wire(self, params: dict[str, Any]) -> None:
        """Background runs exist only on the Responses API: refuse a chat model before sending."""
        wire = await self._wire(params.get("model"), params.pop("api", None))
        if wire.api == "chat":
            raise WireUnsupportedError(str(params.get("model")), "chat", "background runs")

    async def stream_response(
        self,
        *,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> AsyncGuardedResponseStream:
        """Async twin of `XiaohuClient.stream_response`.

        Example:
            >>> stream = await client.stream_response(model="gpt-5", input="hi")  # doctest: +SKIP
            >>> async for event in stream:  # doctest: +SKIP
            ...     pass
        """
        override = params.pop("api", None)
        params, meter = self.cost_guard.check(params)
        options = {"extra_headers": extra_headers, "timeout": timeout, "max_retries": max_retries}
        wire = await self._wire(params.get("model"), override)
        if wire.api == "chat":
            return await self._chat_stream(params, meter, wire, options)
        try:
            return await self._guarded_stream(params, meter, **options)
        except APIStatusError as exc:
            switched = self._switch(exc, params, override)
            if switched is None:
                raise
        return await self._chat_stream(params, meter, switched, options)

    async def _guarded_stream(
        self, params: dict[str, Any], meter: CostMeter, **options: Any
    ) -> AsyncGuardedResponseStream:
        body = self._payload(params, stream=True)
        response = await self.request("POST", "/responses", json=body, stream=True, **options)
        # A plain stream is stopped by closing it; only a background run has a server-side cancel.
        on_stop = self._cancel_quietly if params.get("background") else None
        return AsyncGuardedResponseStream(response, meter, on_stop=on_stop)

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

    async def resume_stream(
        self, response_id: str, *, starting_after: int = -1
    ) -> AsyncResponseStream:
        """Async twin of `XiaohuClient.resume_stream`.

        Example:
            >>> stream = await client.resume_stream("resp_123", starting_after=41)  # doctest: +SKIP
        """
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

    async def run_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> Response:
        """Async twin of `XiaohuClient.run_background`.

        Example:
            >>> (await client.run_background(model="o3", input="...")).status  # doctest: +SKIP
            'completed'
        """
        stream = await self.stream_background(
            on_progress=on_progress,
            max_resumes=max_resumes,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
            **params,
        )
        async with stream:
            return await stream.get_final_response()

    async def stream_background(
        self,
        *,
        on_progress: ProgressCallback | None = None,
        max_resumes: int = 5,
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> AsyncBackgroundStream:
        """Async twin of `XiaohuClient.stream_background`.

        Example:
            >>> stream = await client.stream_background(model="o3", input="...")  # doctest: +SKIP
        """
        options: dict[str, Any] = {
            "extra_headers": extra_headers,
            "timeout": timeout,
            "max_retries": max_retries,
        }
        await self._background_wire(params)
        body, meter = self.cost_guard.check({**params, "background": True, "store": True})
        response = await self.request(
            "POST", "/responses", json=self._payload(body, stream=True), stream=True, **options
        )
        follow = _Follow(meter, on_progress)
        return AsyncBackgroundStream(self, response, follow, max_resumes, options)

    async def wait_response(
        self,
        response: Response | str,
        *,
        on_progress: ProgressCallback | None = None,
        interval: float = 2.0,
        max_interval: float = 30.0,
        timeout: float | None = 3600.0,
        max_cost_usd: float | None = None,
    ) -> Response:
        """Async twin of `XiaohuClient.wait_response`.

        Example:
            >>> (await client.wait_response("resp_123")).status  # doctest: +SKIP
            'completed'
        """
        schedule = PollSchedule(interval=interval, max_interval=max_interval, timeout=timeout)
        waiter = _Waiter(
            self.cost_guard.meter_for, response, on_progress, schedule, max_cost_usd, self._now
        )
        current = waiter.first
        while True:
            if current is None:
                try:
                    current = await self.retrieve_response(waiter.response_id)
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
        self,
        *,
        input: list[str],
        model: str,
        dimensions: int | None = None,
        encoding_format: str = "base64",
        extra_headers: Mapping[str, str] | None = None,
        timeout: TimeoutTypes | _UseClientDefault = USE_CLIENT_DEFAULT,
        max_retries: int | _UseClientDefault = USE_CLIENT_DEFAULT,
        **params: Any,
    ) -> EmbeddingsResponse:
        """Async twin of `XiaohuClient.create_embeddings`.

        Example:
            >>> answer = await client.create_embeddings(
            ...     input=["hi"], model="text-embedding-3-small"
            ... )  # doctest: +SKIP
        """
        body = embeddings_payload(
            input, model=model, dimensions=dimensions, encoding_format=encoding_format, **params
        )
        data = await self._json(
            "POST",
            "/embeddings",
            json=body,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
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
        """Close the running loop's connection pool (if this client created it).

        Pools of other loops close when their loop shuts down. Any later call raises
        `ClientClosedError`.

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


def _metered_as_stream(params: Mapping[str, Any], meter: CostMeter) -> bool:
    """Whether a non-streamed create must run as a stream so its budget can stop it.

    A background create returns the queued run at once; its budget holds in `wait_response`.
    """
    return meter.bounded and not params.get("background")


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
