"""The core's errors, re-raised as classes LangChain's retry and fallback logic understands.

Each class inherits both the `xiaohu` error and the matching `langchain_core.exceptions`
`Model*Error`, so `except xiaohu.RateLimitError` and `except ModelRateLimitError` both catch
it, and `is_retryable` tells LangChain middleware whether another attempt may help. The core
has already retried (it is the only retry layer); these are raised once retries are spent.

```
core error                      also a langchain-core ...
AuthenticationError        ->   ModelAuthenticationError
PermissionDeniedError      ->   ModelPermissionDeniedError
InsufficientQuotaError     ->   ModelPermissionDeniedError   (never retryable)
BadRequestError            ->   ModelInvalidRequestError / ContextOverflowError
UnprocessableEntityError   ->   ModelInvalidRequestError
NotFoundError              ->   ModelNotFoundError
ModelUnavailableError      ->   ModelNotFoundError           (no channel for the model)
RateLimitError             ->   ModelRateLimitError
InternalServerError        ->   ModelAPIError
ConflictError, other 4xx   ->   ModelAPIError
APITimeoutError            ->   ModelTimeoutError
DeadlineExceededError      ->   ModelTimeoutError            (the overall deadline passed)
APIConnectionError         ->   ModelConnectionError
APIResponseValidationError ->   ModelAPIError                (bad JSON, malformed SSE)
IncompleteStreamError      ->   ModelAPIError
StreamError                ->   ModelAPIError                (e.g. resumes ran out)
ResponseFailedError        ->   ModelAPIError
BackgroundUnsupportedError ->   ModelAPIError
PossiblyBilledError        ->   ModelAPIError                (a 200 whose body broke: not resent)
APIError (the rest)        ->   ModelAPIError
```

Every class is defined here, statically: it pickles, and `except XiaohuStreamError` catches it
by name. A subclass of a core error that has no class of its own here converts to the class of
its nearest mapped ancestor. Errors that are not relay errors (bad input, cost limits) are
returned unchanged.
"""

from __future__ import annotations

from typing import Any

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

import xiaohu

__all__ = [
    "XiaohuAPIError",
    "XiaohuAuthenticationError",
    "XiaohuBackgroundUnsupportedError",
    "XiaohuBadRequestError",
    "XiaohuConflictError",
    "XiaohuConnectionError",
    "XiaohuContextOverflowError",
    "XiaohuDeadlineExceededError",
    "XiaohuIncompleteStreamError",
    "XiaohuInsufficientQuotaError",
    "XiaohuInternalServerError",
    "XiaohuModelUnavailableError",
    "XiaohuNotFoundError",
    "XiaohuPermissionDeniedError",
    "XiaohuPossiblyBilledError",
    "XiaohuRateLimitError",
    "XiaohuResponseFailedError",
    "XiaohuResponseValidationError",
    "XiaohuStatusError",
    "XiaohuStreamError",
    "XiaohuTimeoutError",
    "XiaohuUnprocessableEntityError",
    "to_langchain_error",
]

#: Error codes that mean the conversation no longer fits the model's context window.
CONTEXT_OVERFLOW_CODES = frozenset({"context_length_exceeded", "string_above_max_length"})


class XiaohuAuthenticationError(xiaohu.AuthenticationError, ModelAuthenticationError):
    """HTTP 401: the key is missing, wrong, expired or disabled.

    Example:
        >>> issubclass(XiaohuAuthenticationError, ModelAuthenticationError)
        True
    """


class XiaohuPermissionDeniedError(xiaohu.PermissionDeniedError, ModelPermissionDeniedError):
    """HTTP 403: the key may not use this model, group or IP.

    Example:
        >>> issubclass(XiaohuPermissionDeniedError, ModelPermissionDeniedError)
        True
    """


class XiaohuInsufficientQuotaError(xiaohu.InsufficientQuotaError, ModelPermissionDeniedError):
    """The key or account has no quota left; retrying cannot help.

    Example:
        >>> XiaohuInsufficientQuotaError.is_retryable
        False
    """


class XiaohuBadRequestError(xiaohu.BadRequestError, ModelInvalidRequestError):
    """HTTP 400: the relay refused the request as malformed.

    Example:
        >>> issubclass(XiaohuBadRequestError, ModelInvalidRequestError)
        True
    """


class XiaohuContextOverflowError(xiaohu.BadRequestError, ContextOverflowError):
    """HTTP 400 `context_length_exceeded`: the input does not fit the model's context.

    Example:
        >>> issubclass(XiaohuContextOverflowError, ContextOverflowError)
        True
    """


class XiaohuUnprocessableEntityError(xiaohu.UnprocessableEntityError, ModelInvalidRequestError):
    """HTTP 422.

    Example:
        >>> issubclass(XiaohuUnprocessableEntityError, ModelInvalidRequestError)
        True
    """


class XiaohuNotFoundError(xiaohu.NotFoundError, ModelNotFoundError):
    """HTTP 404: unknown model, route or response id.

    Example:
        >>> issubclass(XiaohuNotFoundError, ModelNotFoundError)
        True
    """


class XiaohuModelUnavailableError(xiaohu.ModelUnavailableError, ModelNotFoundError):
    """HTTP 503 `model_not_found`: the relay has no channel for the model in the key's group.

    Example:
        >>> XiaohuModelUnavailableError.is_retryable
        False
    """

    is_retryable = False


class XiaohuRateLimitError(xiaohu.RateLimitError, ModelRateLimitError):
    """HTTP 429 after the core's retries.

    Example:
        >>> XiaohuRateLimitError.is_retryable
        True
    """


class XiaohuInternalServerError(xiaohu.InternalServerError, ModelAPIError):
    """HTTP 5xx after the core's retries.

    Example:
        >>> XiaohuInternalServerError.is_retryable
        True
    """


class XiaohuConflictError(xiaohu.ConflictError, ModelAPIError):
    """HTTP 409 after the core's retries.

    Example:
        >>> issubclass(XiaohuConflictError, ModelAPIError)
        True
    """


class XiaohuStatusError(xiaohu.APIStatusError, ModelAPIError):
    """Any other HTTP error status.

    Example:
        >>> issubclass(XiaohuStatusError, xiaohu.APIStatusError)
        True
    """

    is_retryable = False


class XiaohuTimeoutError(xiaohu.APITimeoutError, ModelTimeoutError):
    """A connect, read or write timeout fired.

    Example:
        >>> XiaohuTimeoutError.is_retryable
        True
    """


class XiaohuDeadlineExceededError(xiaohu.DeadlineExceededError, ModelTimeoutError):
    """A stream's or a background run's overall deadline passed (keep-alives do not extend it).

    Example:
        >>> issubclass(XiaohuDeadlineExceededError, ModelTimeoutError)
        True
    """


class XiaohuConnectionError(xiaohu.APIConnectionError, ModelConnectionError):
    """The relay could not be reached.

    Example:
        >>> XiaohuConnectionError.is_retryable
        True
    """


class XiaohuIncompleteStreamError(xiaohu.IncompleteStreamError, ModelAPIError):
    """The stream ended before its terminal event; `partial_text` keeps what arrived.

    Example:
        >>> XiaohuIncompleteStreamError("cut", partial_text="He").partial_text
        'He'
    """


class XiaohuResponseFailedError(xiaohu.ResponseFailedError, ModelAPIError):
    """The response failed (`response.failed` or an `error` event in the stream).

    Example:
        >>> str(XiaohuResponseFailedError("boom", code="server_error"))
        'server_error: boom'
    """


class XiaohuStreamError(xiaohu.StreamError, ModelAPIError):
    """The stream broke and could not be resumed (e.g. `max_resumes` ran out).

    Example:
        >>> issubclass(XiaohuStreamError, xiaohu.StreamError)
        True
    """


class XiaohuPossiblyBilledError(xiaohu.PossiblyBilledError, ModelAPIError):
    """A POST was answered 200 but its body broke: it may be billed, so it is not sent again.

    Example:
        >>> issubclass(XiaohuPossiblyBilledError, ModelAPIError)
        True
    """

    is_retryable = False


class XiaohuBackgroundUnsupportedError(xiaohu.BackgroundUnsupportedError, ModelAPIError):
    """A background run cannot be followed: the relay does not route it.

    Example:
        >>> issubclass(XiaohuBackgroundUnsupportedError, ModelAPIError)
        True
    """

    is_retryable = False


class XiaohuResponseValidationError(xiaohu.APIResponseValidationError, ModelAPIError):
    """The answer could not be understood (invalid JSON, a malformed stream event).

    Example:
        >>> issubclass(XiaohuResponseValidationError, xiaohu.APIResponseValidationError)
        True
    """


class XiaohuAPIError(xiaohu.APIError, ModelAPIError):
    """Any other relay error (e.g. an answer that could not be understood).

    Example:
        >>> issubclass(XiaohuAPIError, xiaohu.APIError)
        True
    """


#: Each core class and its LangChain-side class (a static, complete mapping).
_BY_CORE: dict[type[xiaohu.XiaohuError], type[ModelError]] = {
    xiaohu.AuthenticationError: XiaohuAuthenticationError,
    xiaohu.PermissionDeniedError: XiaohuPermissionDeniedError,
    xiaohu.InsufficientQuotaError: XiaohuInsufficientQuotaError,
    xiaohu.BadRequestError: XiaohuBadRequestError,
    xiaohu.UnprocessableEntityError: XiaohuUnprocessableEntityError,
    xiaohu.NotFoundError: XiaohuNotFoundError,
    xiaohu.ModelUnavailableError: XiaohuModelUnavailableError,
    xiaohu.RateLimitError: XiaohuRateLimitError,
    xiaohu.InternalServerError: XiaohuInternalServerError,
    xiaohu.ConflictError: XiaohuConflictError,
    xiaohu.APIStatusError: XiaohuStatusError,
    xiaohu.DeadlineExceededError: XiaohuDeadlineExceededError,
    xiaohu.APITimeoutError: XiaohuTimeoutError,
    xiaohu.APIConnectionError: XiaohuConnectionError,
    xiaohu.IncompleteStreamError: XiaohuIncompleteStreamError,
    xiaohu.StreamError: XiaohuStreamError,
    xiaohu.ResponseFailedError: XiaohuResponseFailedError,
    xiaohu.BackgroundUnsupportedError: XiaohuBackgroundUnsupportedError,
    xiaohu.PossiblyBilledError: XiaohuPossiblyBilledError,
    xiaohu.APIResponseValidationError: XiaohuResponseValidationError,
    xiaohu.APIError: XiaohuAPIError,
}


def _target(exc: xiaohu.XiaohuError) -> type[ModelError] | None:
    if isinstance(exc, xiaohu.BadRequestError):
        overflow = exc.code in CONTEXT_OVERFLOW_CODES or "context length" in exc.message.lower()
        return XiaohuContextOverflowError if overflow else XiaohuBadRequestError
    for cls in type(exc).__mro__:  # the class itself, else its nearest mapped ancestor
        target = _BY_CORE.get(cls)
        if target is not None:
            return target
    return None


def to_langchain_error(exc: BaseException) -> BaseException:
    """Return `exc` as the class that also inherits LangChain's `Model*Error`.

    The result carries every attribute of the original (status, code, request id, body);
    errors that are not relay errors (bad input, cost limits) are returned unchanged.

    Example:
        >>> err = to_langchain_error(xiaohu.APITimeoutError())
        >>> type(err).__name__, isinstance(err, ModelTimeoutError)
        ('XiaohuTimeoutError', True)
    """
    if not isinstance(exc, xiaohu.XiaohuError) or isinstance(exc, ModelError):
        return exc
    target = _target(exc)
    if target is None:
        return exc
    converted: Any = target.__new__(target)
    converted.__dict__.update(exc.__dict__)
    converted.args = exc.args
    converted.__cause__ = exc.__cause__
    converted.__traceback__ = exc.__traceback__
    return converted  # type: ignore[no-any-return]
