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
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from ._background import AsyncBackgroundMixin, BackgroundMixin
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
    ConfigurationError,
    PossiblyBilledError,
    error_from_body,
    make_status_error,
    map_transport_error,
    scrub_secrets,
)
from ._guard import AsyncGuardedResponseStream, CostGuard, GuardedResponseStream
from ._models import Response
from ._params import build_payload
from ._pricing import Cost, ModelPrice, PriceTable
from ._retry import retry_delay
from ._stream import AsyncResponseStream, ResponseStream
from ._version import __version__

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
    ) -> None:
        self.cost_guard = CostGuard(
            PriceTable(prices, group_ratio),
            allow_expensive=allow_expensive,
            max_cost_usd=max_cost_usd,
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


class XiaohuClient(BackgroundMixin, _BaseClient):
    """Blocking client for the relay's Responses API.

    Args:
        api_key: The relay key (令牌). Defaults to `XIAOHU_API_KEY`.
        base_url: The relay's URL (`https://host/v1`). Defaults to `XIAOHU_BASE_URL`.
        timeout: Seconds, or an `httpx.Timeout`. The default waits up to 600 s for data
            (deep research is quiet for minutes) but only 10 s to connect.
        max_retries: Retries for connection errors, 408, 409, 429 and 5xx (default 2).
        default_headers: Headers sent with every request.
        http_client: Your own `httpx.Client` (proxies, custom CA, tests); you close it.

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
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout)

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
                raise error from cause
            time.sleep(delay)
            attempt += 1

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
        params, meter = self.cost_guard.check(params)
        body = self._payload(params, stream=False)
        data = self._json(
            "POST",
            "/responses",
            json=body,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
        response = self._decode_model(Response, data)
        if response.status not in ("queued", "in_progress"):
            meter.finish(response)
        return response

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
        params, meter = self.cost_guard.check(params)
        body = self._payload(params, stream=True)
        response = self.request(
            "POST",
            "/responses",
            json=body,
            stream=True,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
        return GuardedResponseStream(response, meter, on_stop=self._cancel_quietly)

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
        params: dict[str, Any] = {"stream": "true"}
        if starting_after >= 0:
            params["starting_after"] = starting_after
        response = self.request(
            "GET", f"/responses/{_checked_id(response_id)}", params=params, stream=True
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
        """Close the connection pool (if this client created it).

        Example:
            >>> client.close()  # doctest: +SKIP
        """
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> XiaohuClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncXiaohuClient(AsyncBackgroundMixin, _BaseClient):
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
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout)

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
                response = await self._http.send(request, stream=True)
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
                raise error from cause
            await asyncio.sleep(delay)
            attempt += 1

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
        params, meter = self.cost_guard.check(params)
        body = self._payload(params, stream=False)
        data = await self._json(
            "POST",
            "/responses",
            json=body,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
        response = self._decode_model(Response, data)
        if response.status not in ("queued", "in_progress"):
            meter.finish(response)
        return response

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
        params, meter = self.cost_guard.check(params)
        body = self._payload(params, stream=True)
        response = await self.request(
            "POST",
            "/responses",
            json=body,
            stream=True,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
        )
        return AsyncGuardedResponseStream(response, meter, on_stop=self._cancel_quietly)

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
        params: dict[str, Any] = {"stream": "true"}
        if starting_after >= 0:
            params["starting_after"] = starting_after
        response = await self.request(
            "GET", f"/responses/{_checked_id(response_id)}", params=params, stream=True
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
        """Close the connection pool (if this client created it).

        Example:
            >>> await client.aclose()  # doctest: +SKIP
        """
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncXiaohuClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


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
