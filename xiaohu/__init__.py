"""xiaohu: the OpenAI Responses API on the 小胡 mini-api relay, for LangChain and LlamaIndex.

The core (this package) needs only httpx and pydantic.

Example:
    >>> from xiaohu import XiaohuClient
    >>> client = XiaohuClient(api_key="sk-...", base_url="http://127.0.0.1:8000/v1")
    >>> client
    XiaohuClient(base_url='http://127.0.0.1:8000/v1', max_retries=2)
"""

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
from ._params import build_payload
from ._pricing import DEFAULT_PRICES, Cost, ModelPrice, PriceTable, cost_of, estimate_cost
from ._quota import Quota
from ._stream import AsyncResponseStream, ResponseStream
from ._tally import UsageTally
from ._version import __version__

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_CONTEXT_WINDOW",
    "DEFAULT_PRICES",
    "DEFAULT_TIMEOUT",
    "MODEL_LIMITS",
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
