"""Every error the client raises, in one tree.

```
XiaohuError
├── ConfigurationError             (also ValueError) bad settings or input, raised before any request
│   ├── CostLimitError             an expensive call without opt-in, or a budget passed
│   └── WireUnsupportedError       a feature the chosen wire (Chat Completions) cannot carry
├── BudgetExceededError            a run passed its budget and was stopped (not bad input)
├── MissingExtraError              an optional package (an extra) is not installed
├── ClientClosedError              (also RuntimeError) a call on a closed client or model
└── APIError                       anything that came from (or failed on the way to) the relay
    ├── APIConnectionError         the request never got an HTTP answer
    │   └── APITimeoutError        ... because a timeout fired
    │       └── DeadlineExceededError  a stream's or background run's overall deadline passed
    ├── APIResponseValidationError the answer could not be understood (bad JSON, bad SSE)
    ├── StreamError                a stream broke, ended early or could not be resumed
    │   └── IncompleteStreamError  the stream ended without a terminal event
    ├── ResponseFailedError        the response failed (`error` event, `response.failed`, a poll)
    ├── BackgroundUnsupportedError a background run cannot be followed on this relay
    ├── PossiblyBilledError        a POST answered 200 whose body broke: never sent again
    └── APIStatusError             a 4xx/5xx answer
        ├── BadRequestError              400
        ├── AuthenticationError          401
        ├── PermissionDeniedError        403
        │   └── InsufficientQuotaError   quota exhausted (also on 429 `insufficient_quota`)
        ├── NotFoundError                404
        ├── ConflictError                409
        ├── UnprocessableEntityError     422
        ├── RateLimitError               429
        └── InternalServerError          5xx
            └── ModelUnavailableError    503 `model_not_found` (no channel for the model)
```
`str(exc)` always carries the HTTP status, the error code and the server's message verbatim.
Every error pickles (it is rebuilt from its attributes, not by calling `__init__` again).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # httpx is imported on first use, not with this module (issue 20)
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BackgroundUnsupportedError",
    "BadRequestError",
    "BudgetExceededError",
    "ConfigurationError",
    "ConflictError",
    "CostLimitError",
    "DeadlineExceededError",
    "IncompleteStreamError",
    "InsufficientQuotaError",
    "InternalServerError",
    "MissingExtraError",
    "ModelUnavailableError",
    "NotFoundError",
    "PermissionDeniedError",
    "PossiblyBilledError",
    "RateLimitError",
    "ResponseFailedError",
    "StreamError",
    "UnprocessableEntityError",
    "WireUnsupportedError",
    "XiaohuError",
    "classify_relay_error",
    "error_for",
    "error_from_body",
    "make_status_error",
    "scrub_secrets",
]

#: Error codes that mean the key or the account has run out of money. Never retried.
QUOTA_CODES = frozenset(
    {"insufficient_user_quota", "pre_consume_token_quota_failed", "insufficient_quota"}
)
_MAX_BODY_PREVIEW = 200

#: The relay's known messages for errors it sends without a code, in one place: `(text the
#: message contains, what it means, where it comes from)`. Checked after the code, in order.
#: "quota" means `InsufficientQuotaError`, "no_channel" means `ModelUnavailableError`.
RELAY_MESSAGES: tuple[tuple[str, str, str], ...] = (
    ("用户额度不足", "quota", "new-api: the user's balance is exhausted (insufficient_user_quota)"),
    ("该令牌额度已用尽", "quota", "new-api: the token's own quota is used up"),
    ("令牌额度不足", "quota", "new-api: pre-consume of the token quota failed"),
    ("预扣费额度失败", "quota", "new-api: pre_consume_token_quota_failed"),
    ("insufficient_quota", "quota", "OpenAI upstream, relayed as text"),
    ("exceeded your current quota", "quota", "OpenAI upstream: 'You exceeded your current quota'"),
    ("user quota is not enough", "quota", "new-api English locale"),
    ("token quota is not enough", "quota", "new-api English locale"),
    ("额度已用尽", "quota", "new-api before 2025-05, one-api: '令牌 X（#N）额度已用尽'"),
    ("TokenStatusExhausted", "quota", "new-api before 2025-05: the token status in the message"),
    ("订阅额度不足", "quota", "new-api: subscription billing exhausted (billing_session.go)"),
    ("无可用渠道", "no_channel", "new-api: '当前分组 X 下对于模型 Y 无可用渠道'"),
    ("可用渠道不存在", "no_channel", "new-api: the channel vanished during a retry (relay.go)"),
    ("no available channel", "no_channel", "new-api English locale"),
)
_NO_CHANNEL_CODES = frozenset({"model_not_found"})


def classify_relay_error(code: str | None, message: str | None) -> str | None:
    """What a relay error means: by its code first, then by the relay's known messages.

    Returns:
        `"quota"`, `"no_channel"` or `None` (nothing special: classify by status).

    Example:
        >>> classify_relay_error(None, "当前分组 default 下对于模型 gpt-9 无可用渠道")
        'no_channel'
        >>> classify_relay_error("insufficient_user_quota", "")
        'quota'
    """
    if code in QUOTA_CODES:
        return "quota"
    if code in _NO_CHANNEL_CODES:
        return "no_channel"
    text = (message or "").lower()
    for needle, kind, _source in RELAY_MESSAGES:
        if needle.lower() in text:
            return kind
    return None


def _rebuild(cls: type[XiaohuError], args: tuple[Any, ...]) -> XiaohuError:
    """Unpickle an error without its `__init__` (whose keyword arguments pickle cannot give)."""
    error = cls.__new__(cls)
    error.args = args
    return error


class XiaohuError(Exception):
    """Root of every error raised by xiaohu.

    Example:
        >>> issubclass(RateLimitError, XiaohuError)
        True
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self), self.args), self.__dict__


class ConfigurationError(XiaohuError, ValueError):
    """Raised for bad settings or bad input, before any request is sent.

    Example:
        >>> isinstance(ConfigurationError("XIAOHU_BASE_URL is not set"), ValueError)
        True
    """


class CostLimitError(ConfigurationError):
    """Raised before sending: an expensive call without opt-in, or a budget already spent.

    Example:
        >>> str(CostLimitError("o3-deep-research costs about $30 a call"))
        'o3-deep-research costs about $30 a call'
    """


class WireUnsupportedError(ConfigurationError):
    """Raised before sending: the request needs what the model's wire cannot carry.

    Example:
        >>> error = WireUnsupportedError("claude-sonnet-4-5", "chat", "the web_search tool")
        >>> error.model, error.wire
        ('claude-sonnet-4-5', 'chat')
        >>> str(error).startswith("claude-sonnet-4-5 is served on the chat wire")
        True
    """

    def __init__(self, model: str, wire: str, feature: str) -> None:
        super().__init__(
            f"{model} is served on the {wire} wire (POST /v1/chat/completions), which cannot "
            f"carry {feature}; nothing was sent. Drop it, or pick a model the relay serves on "
            "the Responses API"
        )
        self.model = model
        """The model of the call."""
        self.wire = wire
        """The wire that was chosen (`chat`)."""
        self.feature = feature
        """What it cannot carry."""


class MissingExtraError(XiaohuError):
    """Raised when a feature needs an optional package that is not installed.

    Example:
        >>> str(MissingExtraError("langchain", "langchain"))
        'this needs langchain: pip install "xiaohu[langchain]"'
    """

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(f'this needs {package}: pip install "xiaohu[{extra}]"')


class ClientClosedError(XiaohuError, RuntimeError):
    """Raised for a call on a client (or an adapter model) after `close()`/`aclose()`.

    Example:
        >>> isinstance(ClientClosedError("XiaohuClient is closed"), RuntimeError)
        True
    """


class BudgetExceededError(XiaohuError):
    """Raised when a run's cost passes its budget; the run was stopped.

    Not a `ConfigurationError`: the request was good and was sent; the guard stopped it. A plain
    stream is stopped by closing its connection, a background run is also cancelled.

    Attributes:
        cost: The cost counted when the run was stopped (an estimate until usage arrives).
        spent_usd: The same cost in US dollars.
        limit_usd: The budget that was passed.
        response_id: The stopped response, when known.
        partial_text: The answer text received before the stop.

    Example:
        >>> err = BudgetExceededError("over", cost=None, limit_usd=1.0, spent_usd=1.2)
        >>> err.limit_usd, err.spent_usd, isinstance(err, ValueError)
        (1.0, 1.2, False)
    """

    def __init__(
        self,
        message: str,
        *,
        cost: Any,  # a `xiaohu.Cost` (not imported: `_pricing` imports this module)
        limit_usd: float,
        spent_usd: float | None = None,
        response_id: str | None = None,
        partial_text: str = "",
    ) -> None:
        super().__init__(message)
        self.cost = cost
        self.limit_usd = limit_usd
        self.spent_usd = spent_usd if spent_usd is not None else (cost.total_usd if cost else 0.0)
        self.response_id = response_id
        self.partial_text = partial_text


class APIError(XiaohuError):
    """Raised for anything that came from, or failed on the way to, the relay.

    Attributes:
        message: The human-readable message, verbatim from the server where there is one.
        request: The request that failed, when known.
        body: The decoded error body (a dict for JSON, a short string otherwise).
        code: The error's `code`, when the server gave one.
        type: The error's `type`, when the server gave one.

    Example:
        >>> str(APIError("boom", code="x"))
        'boom'
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        body: object = None,
        code: str | None = None,
        type: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body
        self.code = code or None
        self.type = type or None
        self.param = param or None


class APIConnectionError(APIError):
    """Raised when the request never got an HTTP answer (DNS, refused, reset).

    Example:
        >>> str(APIConnectionError())
        'Connection error.'
    """

    def __init__(self, message: str = "Connection error.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class APITimeoutError(APIConnectionError):
    """Raised when a connect, read, write or pool timeout fired.

    Example:
        >>> str(APITimeoutError())
        'Request timed out.'
    """

    def __init__(self, message: str = "Request timed out.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class DeadlineExceededError(APITimeoutError):
    """Raised when a stream or a background run/wait outlives its overall `deadline`.

    Unlike the per-read timeout, keep-alive comments do not extend it. A background run goes on
    on the server (`response_id` says which): wait for it again, or cancel it.

    Attributes:
        deadline_s: The deadline that passed, in seconds.
        response_id: The run's id, when known.
        partial_text: The text received before the deadline (never passed off as whole).

    Example:
        >>> err = DeadlineExceededError("deadline of 5 s passed", deadline_s=5.0)
        >>> isinstance(err, APITimeoutError), err.deadline_s
        (True, 5.0)
    """

    def __init__(
        self,
        message: str = "Deadline exceeded.",
        *,
        deadline_s: float | None = None,
        response_id: str | None = None,
        partial_text: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.deadline_s = deadline_s
        self.response_id = response_id
        self.partial_text = partial_text


class APIResponseValidationError(APIError):
    """Raised when a 2xx answer cannot be understood (invalid JSON, wrong content type).

    Example:
        >>> str(APIResponseValidationError("expected JSON"))
        'expected JSON'
    """


class StreamError(APIError):
    """Raised when a stream breaks, ends before its terminal event, or cannot be resumed.

    Example:
        >>> issubclass(IncompleteStreamError, StreamError)
        True
    """


class IncompleteStreamError(StreamError):
    """Raised when a stream ends without `response.completed`, `.incomplete` or `.failed`.

    The partial text is kept in `partial_text` for diagnosis; it is never passed off as a
    whole answer.

    Example:
        >>> IncompleteStreamError("cut", partial_text="Hel").partial_text
        'Hel'
    """

    def __init__(self, message: str, *, partial_text: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.partial_text = partial_text


class ResponseFailedError(APIError):
    """Raised when the response failed: an `error` event, `response.failed`, or a failed poll.

    Not a `StreamError`: a non-streamed call and a background poll raise it too.

    Attributes:
        response_id: The id of the failed response, when known.

    Example:
        >>> str(ResponseFailedError("too large", code="rate_limit_exceeded"))
        'rate_limit_exceeded: too large'
    """

    def __init__(self, message: str, *, response_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.response_id = response_id

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


class BackgroundUnsupportedError(APIError):
    """Raised when a background run cannot be followed: the relay does not route it.

    Example:
        >>> str(BackgroundUnsupportedError("no GET /v1/responses/{id}"))
        'no GET /v1/responses/{id}'
    """


class PossiblyBilledError(APIError):
    """Raised when a POST was answered 200 but its body broke: it is never sent again.

    The relay bills a run once it answered 200, so a retry could pay twice. Check the run
    (`retrieve_response(exc.response_id)`) before asking again.

    Attributes:
        response_id: The response's id, when it arrived before the break.

    Example:
        >>> PossiblyBilledError("cut", response_id="resp_1").response_id
        'resp_1'
    """

    def __init__(self, message: str, *, response_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.response_id = response_id


class APIStatusError(APIError):
    """Raised for a 4xx or 5xx answer.

    Attributes:
        response: The HTTP response.
        status_code: Its status.
        request_id: The relay's request id (`X-Oneapi-Request-Id`, `x-request-id`, or the
            "(request id: ...)" suffix of the message).

    Example:
        >>> import httpx
        >>> r = httpx.Response(429, json={"error": {"message": "slow down", "code": "rl"}})
        >>> str(make_status_error(r))
        'Error code: 429 rl - slow down'
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        request_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        try:
            request: httpx.Request | None = response.request
        except RuntimeError:
            request = None
        super().__init__(message, request=request, body=body, **kwargs)
        self.response = response
        self.status_code = response.status_code
        self.request_id = request_id

    def __str__(self) -> str:
        code = f" {self.code}" if self.code else ""
        return f"Error code: {self.status_code}{code} - {self.message}"


class BadRequestError(APIStatusError):
    """Raised for HTTP 400: the request was malformed or refused.

    Example:
        >>> BadRequestError.__mro__[1].__name__
        'APIStatusError'
    """


class AuthenticationError(APIStatusError):
    """Raised for HTTP 401: the key (令牌) is missing, wrong, expired or disabled.

    Example:
        >>> issubclass(AuthenticationError, APIStatusError)
        True
    """


class PermissionDeniedError(APIStatusError):
    """Raised for HTTP 403: the key may not use this model, group (分组) or IP.

    Example:
        >>> issubclass(PermissionDeniedError, APIStatusError)
        True
    """


class InsufficientQuotaError(PermissionDeniedError):
    """Raised when the key or account has no quota left (never retried).

    Relay codes `insufficient_user_quota`, `pre_consume_token_quota_failed`; OpenAI's
    `insufficient_quota` (which OpenAI sends with status 429).

    Example:
        >>> issubclass(InsufficientQuotaError, PermissionDeniedError)
        True
    """


class NotFoundError(APIStatusError):
    """Raised for HTTP 404: unknown response id, route or model.

    Example:
        >>> issubclass(NotFoundError, APIStatusError)
        True
    """


class ConflictError(APIStatusError):
    """Raised for HTTP 409.

    Example:
        >>> issubclass(ConflictError, APIStatusError)
        True
    """


class UnprocessableEntityError(APIStatusError):
    """Raised for HTTP 422.

    Example:
        >>> issubclass(UnprocessableEntityError, APIStatusError)
        True
    """


class RateLimitError(APIStatusError):
    """Raised for HTTP 429 once retries are spent.

    Example:
        >>> issubclass(RateLimitError, APIStatusError)
        True
    """


class InternalServerError(APIStatusError):
    """Raised for HTTP 5xx once retries are spent.

    Example:
        >>> issubclass(InternalServerError, APIStatusError)
        True
    """


class ModelUnavailableError(InternalServerError):
    """Raised when the relay has no channel for the model in the key's group (无可用渠道).

    Never retried: asking again does not create a channel.

    Example:
        >>> issubclass(ModelUnavailableError, InternalServerError)
        True
    """


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def _request_id(response: httpx.Response, message: str) -> str | None:
    for header in ("x-oneapi-request-id", "x-request-id"):
        value: str | None = response.headers.get(header)
        if value:
            return value
    marker = "(request id: "
    start = message.rfind(marker)
    if start != -1 and message.endswith(")"):
        return message[start + len(marker) : -1]
    return None


def _decode_error_body(response: httpx.Response) -> tuple[object, dict[str, Any]]:
    """Return the body (dict or short text) and the `error` dict inside it, if any."""
    import httpx  # on first use, not at module import (issue 20)

    try:
        raw = response.content
    except httpx.ResponseNotRead:  # the body broke while being read
        raw = b""
    try:
        body: object = json.loads(raw) if raw else None
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return body, error
        if isinstance(error, str):
            return body, {"message": error}
        if isinstance(body.get("message"), str):
            return body, body
        return body, {}
    text = raw.decode("utf-8", "replace").strip()
    return (text[:_MAX_BODY_PREVIEW] or None), {}


def _describe_non_json(response: httpx.Response, text: object) -> str:
    reason = response.reason_phrase or "HTTP error"
    if not text:
        return f"{reason} (empty body)"
    content_type = response.headers.get("content-type", "")
    if "html" in content_type or (isinstance(text, str) and text.lstrip().startswith("<")):
        return f"{reason} (the relay or a proxy answered with an HTML page)"
    return f"{reason}: {text}"


def make_status_error(response: httpx.Response) -> APIStatusError:
    """Build the most specific `APIStatusError` for an error response.

    The response body must already be read.

    Args:
        response: An HTTP response with status >= 400.

    Returns:
        The matching exception instance (not raised).

    Example:
        >>> import httpx
        >>> body = {"error": {"message": "无效的令牌", "type": "new_api_error", "code": ""}}
        >>> type(make_status_error(httpx.Response(401, json=body))).__name__
        'AuthenticationError'
    """
    body, error = _decode_error_body(response)
    message = error.get("message")
    if not isinstance(message, str) or not message:
        message = _describe_non_json(response, body if not error else None)
    code = error.get("code") if isinstance(error.get("code"), str) else None
    etype = error.get("type") if isinstance(error.get("type"), str) else None
    param = error.get("param") if isinstance(error.get("param"), str) else None
    status = response.status_code
    kind = "quota" if etype == "insufficient_quota" else classify_relay_error(code, message)
    cls: type[APIStatusError]
    if kind == "quota":
        cls = InsufficientQuotaError
    elif kind == "no_channel" and (status >= 500 or code in _NO_CHANNEL_CODES):
        cls = ModelUnavailableError
    elif status >= 500:
        cls = InternalServerError
    else:
        cls = _BY_STATUS.get(status, APIStatusError)
    return cls(
        message,
        response=response,
        body=body,
        code=code,
        type=etype,
        param=param,
        request_id=_request_id(response, message),
    )


_REDACTED = "Bearer [redacted]"


def scrub_secrets(exc: BaseException) -> BaseException:
    """Mask the API key on every request reachable from ``exc``; return ``exc``.

    Error trackers and ``repr`` record an exception's attributes and its chain: the request
    (``exc.request``, ``exc.response.request``) of the exception, of its ``__cause__`` and of
    its ``__context__``, at any depth. Only requests that will never be sent again are
    raised with, so masking them changes nothing on the wire.

    Example:
        >>> import httpx
        >>> request = httpx.Request("POST", "http://x", headers={"Authorization": "Bearer sk-1"})
        >>> try:
        ...     try:
        ...         raise httpx.ReadError("boom", request=request)
        ...     except httpx.ReadError as inner:
        ...         raise APIConnectionError("broke") from inner
        ... except APIConnectionError as exc:
        ...     _ = scrub_secrets(exc)
        >>> request.headers["authorization"]
        'Bearer [redacted]'
    """
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        for request in _requests_of(current):
            if "authorization" in request.headers:
                request.headers["Authorization"] = _REDACTED
        pending += [current.__cause__, current.__context__]
    return exc


def _requests_of(exc: BaseException) -> list[httpx.Request]:
    import httpx  # on first use, not at module import (issue 20)

    found: list[httpx.Request] = []
    for holder in (exc, getattr(exc, "__dict__", {}).get("response")):
        try:  # httpx's `.request` raises RuntimeError when it was never set
            request = getattr(holder, "request", None)
        except RuntimeError:
            request = None
        if isinstance(request, httpx.Request):
            found.append(request)
    return found


def map_transport_error(exc: Exception, request: httpx.Request | None = None) -> APIError:
    """Translate an httpx transport exception into our tree (the one seam for this).

    Args:
        exc: The httpx exception.
        request: The request, when known.

    Returns:
        An `APITimeoutError` for timeouts, an `APIConnectionError` otherwise.

    Example:
        >>> import httpx
        >>> type(map_transport_error(httpx.ReadTimeout("slow"))).__name__
        'APITimeoutError'
    """
    import httpx  # on first use, not at module import (issue 20)

    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(f"Request timed out ({type(exc).__name__}).", request=request)
    detail = str(exc) or type(exc).__name__
    return APIConnectionError(f"Connection error: {detail}", request=request)


_KIND_STATUS = {"quota": 403, "no_channel": 503}


def error_from_body(data: object, *, request: httpx.Request | None = None) -> APIError | None:
    """The error a 2xx body carries (new-api answers some errors with HTTP 200), else `None`.

    An `error` object, or a Response with `status: "failed"`, is an error; a relay condition
    ("quota", "no channel") gets the same class as over HTTP.

    Example:
        >>> body = {"error": {"message": "该令牌额度已用尽", "type": "new_api_error"}}
        >>> type(error_from_body(body)).__name__
        'InsufficientQuotaError'
        >>> error_from_body({"id": "r", "status": "completed"}) is None
        True
    """
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    failed = data.get("status") == "failed"
    if not isinstance(error, dict) and not failed:
        return None
    error = error if isinstance(error, dict) else {}
    code = error.get("code") if isinstance(error.get("code"), str) else None
    etype = error.get("type") if isinstance(error.get("type"), str) else None
    message = str(error.get("message") or "the response failed")
    found = error_for(
        code,
        message,
        etype=etype,
        body=data,
        request=request,
        response_id=data.get("id") if failed else None,
    )
    if isinstance(found, ResponseFailedError) and not failed:
        # An error body, not a failed run: the relay refused before any response existed.
        return APIError(message, body=data, code=code, type=etype, request=request)
    return found


def error_for(
    code: str | None,
    message: str,
    *,
    etype: str | None = None,
    body: object = None,
    request: httpx.Request | None = None,
    response_id: object = None,
) -> APIError:
    """The error for a failure reported inside a 200 answer (a body or a stream event).

    A quota or missing-channel condition is the same class it is over HTTP (its `status_code`
    is the one the relay uses for it over HTTP); anything else is a `ResponseFailedError`.

    Example:
        >>> type(error_for("insufficient_quota", "no money")).__name__
        'InsufficientQuotaError'
        >>> type(error_for("server_error", "boom")).__name__
        'ResponseFailedError'
    """
    kind = "quota" if etype == "insufficient_quota" else classify_relay_error(code, message)
    if kind is not None:
        import httpx  # on first use, not at module import (issue 20)

        status = _KIND_STATUS[kind]
        payload = body if isinstance(body, dict) else {"error": {"message": message, "code": code}}
        response = httpx.Response(status, json=payload, request=request)
        cls: type[APIStatusError] = (
            InsufficientQuotaError if kind == "quota" else ModelUnavailableError
        )
        return cls(message, response=response, body=body, code=code, type=etype)
    rid = response_id if isinstance(response_id, str) else None
    return ResponseFailedError(
        message, code=code, type=etype, body=body, request=request, response_id=rid
    )
