"""xiaohu: the OpenAI Responses API on the 小胡 mini-api relay, for LangChain and LlamaIndex.

The core (this package) needs only httpx and pydantic.

Example:
    >>> from xiaohu import XiaohuClient
    >>> client = XiaohuClient(api_key="sk-...", base_url="http://127.0.0.1:8000/v1")
    >>> client
    XiaohuClient(base_url='http://127.0.0.1:8000/v1', max_retries=2)
"""

# Every name below is imported from its submodule on first use (PEP 562 `__getattr__`), not when
# `xiaohu` is imported: an adapter that needs the errors and models then does not pay for the
# client, the streams, the background machinery or httpx at its own import (issue 20: the
# `from langchain_xiaohu import ChatXiaohu` import budget). `from xiaohu import X` works as
# before; type checkers read the imports under TYPE_CHECKING.

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._background import PollSchedule, Progress
    from ._background_stream import AsyncBackgroundStream, BackgroundStream
    from ._catalog import DEFAULT_CONTEXT_WINDOW, MODEL_LIMITS, ModelLimits, model_limits
    from ._client import USE_CLIENT_DEFAULT, AsyncXiaohuClient, XiaohuClient
    from ._config import API_KEY_ENV, BASE_URL_ENV, DEFAULT_TIMEOUT
    from ._embeddings import EmbeddingData, EmbeddingsResponse, EmbeddingUsage
    from ._events import ResponseStreamEvent, parse_event
    from ._exceptions import (
        APIConnectionError,
        APIError,
        APIResponseValidationError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BackgroundUnsupportedError,
        BadRequestError,
        ClientClosedError,
        ConfigurationError,
        ConflictError,
        CostLimitError,
        DeadlineExceededError,
        IncompleteStreamError,
        InsufficientQuotaError,
        InternalServerError,
        MissingExtraError,
        ModelUnavailableError,
        NotFoundError,
        PermissionDeniedError,
        PossiblyBilledError,
        RateLimitError,
        ResponseFailedError,
        StreamError,
        UnprocessableEntityError,
        WireUnsupportedError,
        XiaohuError,
    )
    from ._fold import (
        AnnotationDelta,
        AudioDelta,
        AudioDone,
        ImageDelta,
        ItemDone,
        ReasoningDelta,
        ReasoningTextDelta,
        RefusalDelta,
        ResponseState,
        ShellOutputDelta,
        StreamDelta,
        TextDelta,
        ToolCallDelta,
        ToolInputDelta,
        ToolProgress,
    )
    from ._guard import (
        AsyncGuardedResponseStream,
        Budget,
        BudgetExceededError,
        GuardedResponseStream,
        is_deep_research,
        is_expensive,
    )
    from ._models import (
        Annotation,
        CustomToolCall,
        FunctionCall,
        OutputMessage,
        OutputText,
        ReasoningItem,
        Response,
        Usage,
        WebSearchCall,
    )
    from ._opening import StreamOpening
    from ._options import RequestOptions
    from ._params import REASONING_EFFORTS, build_payload
    from ._pricing import DEFAULT_PRICES, Cost, ModelPrice, PriceTable, cost_of, estimate_cost
    from ._quota import Quota
    from ._stream import AsyncResponseStream, ResponseStream
    from ._tally import UsageTally
    from ._version import __version__

_EXPORTS: dict[str, str] = {
    "PollSchedule": "._background",
    "Progress": "._background",
    "AsyncBackgroundStream": "._background_stream",
    "StreamOpening": "._opening",
    "BackgroundStream": "._background_stream",
    "DEFAULT_CONTEXT_WINDOW": "._catalog",
    "MODEL_LIMITS": "._catalog",
    "ModelLimits": "._catalog",
    "model_limits": "._catalog",
    "USE_CLIENT_DEFAULT": "._client",
    "AsyncXiaohuClient": "._client",
    "XiaohuClient": "._client",
    "API_KEY_ENV": "._config",
    "BASE_URL_ENV": "._config",
    "DEFAULT_TIMEOUT": "._config",
    "EmbeddingData": "._embeddings",
    "EmbeddingsResponse": "._embeddings",
    "EmbeddingUsage": "._embeddings",
    "ResponseStreamEvent": "._events",
    "parse_event": "._events",
    "APIConnectionError": "._exceptions",
    "APIError": "._exceptions",
    "APIResponseValidationError": "._exceptions",
    "APIStatusError": "._exceptions",
    "APITimeoutError": "._exceptions",
    "AuthenticationError": "._exceptions",
    "BackgroundUnsupportedError": "._exceptions",
    "BadRequestError": "._exceptions",
    "ClientClosedError": "._exceptions",
    "ConfigurationError": "._exceptions",
    "ConflictError": "._exceptions",
    "CostLimitError": "._exceptions",
    "DeadlineExceededError": "._exceptions",
    "IncompleteStreamError": "._exceptions",
    "InsufficientQuotaError": "._exceptions",
    "InternalServerError": "._exceptions",
    "MissingExtraError": "._exceptions",
    "ModelUnavailableError": "._exceptions",
    "NotFoundError": "._exceptions",
    "PermissionDeniedError": "._exceptions",
    "PossiblyBilledError": "._exceptions",
    "RateLimitError": "._exceptions",
    "ResponseFailedError": "._exceptions",
    "StreamError": "._exceptions",
    "UnprocessableEntityError": "._exceptions",
    "WireUnsupportedError": "._exceptions",
    "XiaohuError": "._exceptions",
    "AnnotationDelta": "._fold",
    "AudioDelta": "._fold",
    "AudioDone": "._fold",
    "ShellOutputDelta": "._fold",
    "ImageDelta": "._fold",
    "ItemDone": "._fold",
    "ReasoningDelta": "._fold",
    "ReasoningTextDelta": "._fold",
    "RefusalDelta": "._fold",
    "ResponseState": "._fold",
    "StreamDelta": "._fold",
    "TextDelta": "._fold",
    "ToolCallDelta": "._fold",
    "ToolInputDelta": "._fold",
    "ToolProgress": "._fold",
    "AsyncGuardedResponseStream": "._guard",
    "Budget": "._guard",
    "BudgetExceededError": "._guard",
    "GuardedResponseStream": "._guard",
    "is_deep_research": "._guard",
    "is_expensive": "._guard",
    "Annotation": "._models",
    "CustomToolCall": "._models",
    "FunctionCall": "._models",
    "OutputMessage": "._models",
    "OutputText": "._models",
    "ReasoningItem": "._models",
    "Response": "._models",
    "Usage": "._models",
    "WebSearchCall": "._models",
    "RequestOptions": "._options",
    "build_payload": "._params",
    "REASONING_EFFORTS": "._params",
    "DEFAULT_PRICES": "._pricing",
    "Cost": "._pricing",
    "ModelPrice": "._pricing",
    "PriceTable": "._pricing",
    "cost_of": "._pricing",
    "estimate_cost": "._pricing",
    "Quota": "._quota",
    "AsyncResponseStream": "._stream",
    "ResponseStream": "._stream",
    "UsageTally": "._tally",
    "__version__": "._version",
}


def __getattr__(name: str) -> Any:
    """Import an exported name from its submodule on first use, and keep it here."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy exports included."""
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_PRICES",
    "DEFAULT_TIMEOUT",
    "MODEL_LIMITS",
    "REASONING_EFFORTS",
    "USE_CLIENT_DEFAULT",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "Annotation",
    "AnnotationDelta",
    "AsyncBackgroundStream",
    "AsyncGuardedResponseStream",
    "AsyncResponseStream",
    "AsyncXiaohuClient",
    "AudioDelta",
    "AudioDone",
    "AuthenticationError",
    "BackgroundStream",
    "BackgroundUnsupportedError",
    "BadRequestError",
    "Budget",
    "BudgetExceededError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "Cost",
    "CostLimitError",
    "CustomToolCall",
    "DeadlineExceededError",
    "EmbeddingData",
    "EmbeddingUsage",
    "EmbeddingsResponse",
    "FunctionCall",
    "GuardedResponseStream",
    "ImageDelta",
    "IncompleteStreamError",
    "InsufficientQuotaError",
    "InternalServerError",
    "ItemDone",
    "MissingExtraError",
    "ModelLimits",
    "ModelPrice",
    "ModelUnavailableError",
    "NotFoundError",
    "OutputMessage",
    "OutputText",
    "PermissionDeniedError",
    "PollSchedule",
    "PossiblyBilledError",
    "PriceTable",
    "Progress",
    "Quota",
    "RateLimitError",
    "ReasoningDelta",
    "ReasoningItem",
    "ReasoningTextDelta",
    "RefusalDelta",
    "RequestOptions",
    "Response",
    "ResponseFailedError",
    "ResponseState",
    "ResponseStream",
    "ResponseStreamEvent",
    "ShellOutputDelta",
    "StreamDelta",
    "StreamError",
    "StreamOpening",
    "TextDelta",
    "ToolCallDelta",
    "ToolInputDelta",
    "ToolProgress",
    "UnprocessableEntityError",
    "Usage",
    "UsageTally",
    "WebSearchCall",
    "WireUnsupportedError",
    "XiaohuClient",
    "XiaohuError",
    "__version__",
    "build_payload",
    "cost_of",
    "estimate_cost",
    "is_deep_research",
    "is_expensive",
    "model_limits",
    "parse_event",
]
