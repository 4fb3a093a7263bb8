"""`XiaohuResponses`: a LlamaIndex `FunctionCallingLLM` over the relay's Responses API.

The class only builds request bodies and translates results: HTTP, retries, SSE and the
folding of stream events all happen once, in the `xiaohu` core. Message conversion lives in
`_messages.py`, the stream-to-chunk translation in `_chunks.py`; both are shared by the sync
and the async methods.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import httpx
from llama_index.core.base.llms.generic_utils import prompt_to_messages
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import BaseModel, Field, PrivateAttr, SecretStr
from llama_index.core.constants import DEFAULT_NUM_OUTPUTS
from llama_index.core.instrumentation import get_dispatcher  # type: ignore[attr-defined]
from llama_index.core.instrumentation.events.llm import (
    LLMStructuredPredictEndEvent,
    LLMStructuredPredictStartEvent,
)
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection
from llama_index.core.llms.utils import parse_partial_json

from xiaohu import (
    DEFAULT_CONTEXT_WINDOW,
    AsyncBackgroundStream,
    AsyncGuardedResponseStream,
    AsyncXiaohuClient,
    BackgroundStream,
    Budget,
    ClientClosedError,
    Cost,
    GuardedResponseStream,
    Response,
    StreamDelta,
    XiaohuClient,
    model_limits,
)
from xiaohu.adapters import Closing, resolve_api_key

from ._chunks import ChunkBuilder, final_chat_response, final_completion_response, partial_arguments
from ._fields import refuse_unknown
from ._init import one_base_url
from ._messages import (
    continuation,
    custom_call_ids,
    custom_tools_win,
    json_schema_format,
    resolve_tool_choice,
    to_request_input,
    tool_spec,
)
from ._pickling import pickle_state

if TYPE_CHECKING:
    from llama_index.core.prompts import BasePromptTemplate
    from llama_index.core.tools.types import BaseTool

__all__ = ["DEFAULT_CONTEXT_WINDOW", "DEFAULT_MODEL", "XiaohuResponses"]

DEFAULT_MODEL = "gpt-5-mini"
"""The model used when none is given."""

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")
Chunk = TypeVar("Chunk", ChatResponse, CompletionResponse)
dispatcher = get_dispatcher(__name__)


class XiaohuResponses(FunctionCallingLLM, Closing):
    """LlamaIndex LLM for the 小胡 relay's Responses API (`POST /v1/responses`).

    Any model name the relay routes works. Errors are the core's typed `xiaohu` errors, and
    the core's retry policy is the only one (`max_retries`). Extra keyword arguments of
    `chat`/`complete`/... are sent in the request body (e.g. `previous_response_id`,
    `metadata`), except the core's per-call options (`xiaohu.RequestOptions`: `timeout`,
    `extra_headers`, `max_retries`, `max_cost_usd`, ...), which configure that call.

    Args:
        model: The model name.
        api_key: The relay key; defaults to `XIAOHU_API_KEY`, read once, here. Never in a field,
            `repr`, `to_dict()` or `to_json()`; a pickle does carry it, so that a worker process
            uses the key this object was made with (treat pickles as secrets).
        api_base: The relay URL (`https://host/v1`); defaults to `XIAOHU_BASE_URL`. LlamaIndex's
            name for it.
        base_url: Same as `api_base` (the name the core and LangChain use); both, different,
            raise `xiaohu.ConfigurationError`.
        http_client: Your own `httpx.Client` (proxies, custom CA); you close it. An object
            made with one cannot be pickled (a pool cannot cross processes).
        async_http_client: Your own `httpx.AsyncClient`; you close it.
        **kwargs: Any field below; another keyword (a typo such as `temprature=`) raises
            `xiaohu.ConfigurationError` naming it.

    Close it with `close()`/`aclose()` or use it in `with`/`async with`; a call after that
    raises `xiaohu.ClientClosedError`. One you forget closes its pool when collected, and each
    event loop's async pool closes when that loop shuts down.

    Example:
        >>> from llama_index_xiaohu import XiaohuResponses
        >>> llm = XiaohuResponses(
        ...     model="gpt-5-mini", api_key="sk-...", api_base="http://127.0.0.1:8000/v1"
        ... )
        >>> llm.metadata.context_window, llm.metadata.num_output
        (400000, 128000)
        >>> print(llm.complete("用一句话介绍你自己").text)  # doctest: +SKIP
        >>> for chunk in llm.stream_complete("Hello"):  # doctest: +SKIP
        ...     print(chunk.delta, end="")
    """

    model: str = Field(default=DEFAULT_MODEL, description="The model name the relay routes.")
    api_base: str | None = Field(
        default=None, description="The relay base URL ending in /v1 (env XIAOHU_BASE_URL)."
    )
    temperature: float | None = Field(
        default=None, ge=0, le=2, description="Sampling temperature; sent only when set."
    )
    top_p: float | None = Field(
        default=None, ge=0, le=1, description="Nucleus sampling; sent only when set."
    )
    max_output_tokens: int | None = Field(
        default=None, gt=0, description="Cap on output tokens, reasoning included."
    )
    reasoning_options: dict[str, Any] | None = Field(
        default=None,
        description='The `reasoning` object, e.g. {"effort": "low", "summary": "auto"}.',
    )
    reasoning_effort: str | None = Field(
        default=None, description="Shortcut for reasoning_options['effort'] (wins over it)."
    )
    include: list[str] | None = Field(
        default=None, description="Extra output to include, e.g. reasoning.encrypted_content."
    )
    instructions: str | None = Field(
        default=None, description="Instructions sent with every request (before system messages)."
    )
    system_as: Literal["instructions", "developer"] = Field(
        default="instructions",
        description="Send system messages as `instructions` or as developer messages.",
    )
    store: bool | None = Field(
        default=None, description="Whether the relay stores responses (server default: true)."
    )
    track_previous_responses: bool = Field(
        default=False,
        description=(
            "Continue from the last assistant message's response_id with previous_response_id "
            "and send only newer messages (implies store=True). The id lives in the chat "
            "history, not on this object, so concurrent conversations are safe."
        ),
    )
    built_in_tools: list[dict[str, Any]] | None = Field(
        default=None,
        description='Built-in tools added to every call, e.g. [{"type": "web_search"}].',
    )
    strict: bool = Field(
        default=False, description="Strict JSON schemas for function tools and structured output."
    )
    parallel_tool_calls: bool | None = Field(
        default=None, description="Allow several function calls per turn (server default)."
    )
    top_logprobs: int | None = Field(
        default=None,
        ge=0,
        le=20,
        description=(
            "Log probabilities of this many likely tokens per position (0-20), returned in "
            "`ChatResponse.logprobs`."
        ),
    )
    max_tool_calls: int | None = Field(
        default=None, gt=0, description="Cap on built-in tool calls (web searches) per response."
    )
    context_window: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Context window in tokens for `metadata`; None: the model's known figure, "
            f"{DEFAULT_CONTEXT_WINDOW:,} for a name the table does not know."
        ),
    )
    num_output: int | None = Field(
        default=None,
        gt=0,
        description=(
            "Output tokens `metadata` reserves (not sent); None: max_output_tokens, else the "
            f"model's known cap, else {DEFAULT_NUM_OUTPUTS}."
        ),
    )
    timeout: float | None = Field(
        default=None, description="Seconds per request (default: 600 s read, 10 s connect)."
    )
    max_retries: int = Field(
        default=2, ge=0, description="Retries of the core's single retry layer."
    )
    default_headers: dict[str, str] | None = Field(
        default=None, description="Headers sent with every request."
    )
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="Extra request-body parameters sent with every call."
    )
    background: bool = Field(
        default=False,
        description="Run in background mode, streamed and resumed after a dropped connection.",
    )
    allow_expensive: bool = Field(
        default=False, description="Allow deep-research and *-pro models without a budget."
    )
    api: Literal["responses", "chat", "auto"] = Field(
        default="auto",
        description="The wire: the Responses API, Chat Completions, or per model (auto).",
    )
    max_cost_usd: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="Stop any single call whose cost passes this many US dollars.",
    )
    budget: Budget | None = Field(
        default=None,
        exclude=True,
        description="A xiaohu.Budget shared across calls (and clients): the total is bounded.",
    )
    group_ratio: float = Field(
        default=1.0,
        gt=0,
        allow_inf_nan=False,
        description="The relay group multiplier (分组倍率) for cost_usd.",
    )

    _client: XiaohuClient = PrivateAttr()
    _aclient: AsyncXiaohuClient = PrivateAttr()
    _api_key: SecretStr = PrivateAttr()
    _own_http: bool = PrivateAttr(default=False)
    _closed: bool = PrivateAttr(default=False)

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        api_key: str | None = None,
        api_base: str | None = None,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
        *,
        base_url: str | None = None,
        **kwargs: Any,
    ) -> None:
        api_base = one_base_url(api_base, base_url)
        refuse_unknown(type(self), kwargs)  # LlamaIndex would drop a misspelt option silently
        super().__init__(model=model, api_base=api_base, **kwargs)
        self._api_key = SecretStr(resolve_api_key(api_key))
        settings: dict[str, Any] = {
            "api_key": self._api_key.get_secret_value(),
            "base_url": api_base,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "group_ratio": self.group_ratio,
        }
        self._own_http = http_client is not None or async_http_client is not None
        self._client = XiaohuClient(**settings, http_client=http_client)
        # Without yours, the core keeps one async pool per event loop (`asyncio.run` per call,
        # LlamaIndex's sync wrappers), closed when that loop shuts down.
        self._aclient = AsyncXiaohuClient(**settings, http_client=async_http_client)
        self.api_base = self._client.base_url

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the settings and the key (never the pools); refuse with your own pool."""
        return pickle_state(self, self._api_key, own_http=self._own_http)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild with the key this object was made with, never the environment's."""
        self.__init__(api_key=state["api_key"].get_secret_value(), **state["fields"])  # type: ignore[misc]

    def _sync_client(self) -> XiaohuClient:
        if self._closed:
            raise self._closed_error()
        return self._client

    async def _async_client(self) -> AsyncXiaohuClient:
        if self._closed:
            raise self._closed_error()
        return self._aclient

    def _closed_error(self) -> ClientClosedError:
        return ClientClosedError(
            f"{type(self).__name__} is closed (close()/aclose() or the end of its `with` block "
            "was reached); make a new one"
        )

    def close(self) -> None:
        """Close the sync pool; any later call, sync or async, raises `ClientClosedError`.

        Async pools close when their event loop shuts down, or with `aclose()` in that loop.
        Pools you passed in are yours to close.

        Example:
            >>> XiaohuResponses(api_key="sk-x", api_base="http://x/v1").close()
        """
        self._closed = True
        self._client.close()

    async def aclose(self) -> None:
        """Close the running loop's async pool and the sync pool; later calls raise.

        Example:
            >>> await llm.aclose()  # doctest: +SKIP
        """
        self.close()
        await self._aclient.aclose()

    @classmethod
    def class_name(cls) -> str:
        """The serialization name.

        Example:
            >>> XiaohuResponses.class_name()
            'xiaohu_responses_llm'
        """
        return "xiaohu_responses_llm"

    @property
    def metadata(self) -> LLMMetadata:
        """Model facts for LlamaIndex (no network call; unknown names get defaults).

        The context window and output cap of a known model come from `xiaohu.model_limits`;
        `context_window`, `num_output` and `max_output_tokens` override them.

        Example:
            >>> llm = XiaohuResponses(model="my-alias", api_key="sk-x", api_base="http://x/v1")
            >>> llm.metadata.is_function_calling_model, llm.metadata.context_window
            (True, 128000)
        """
        limits = model_limits(self.model)
        known_output = limits.max_output_tokens if limits else DEFAULT_NUM_OUTPUTS
        return LLMMetadata(
            context_window=self.context_window
            or (limits.context_window if limits else DEFAULT_CONTEXT_WINDOW),
            num_output=self.num_output or self.max_output_tokens or known_output,
            is_chat_model=True,
            is_function_calling_model=True,
            model_name=self.model,
            system_role=MessageRole.SYSTEM,
        )

    # -- request building (no I/O) -------------------------------------------------------------

    def _model_params(self) -> dict[str, Any]:
        reasoning = dict(self.reasoning_options or {})
        if self.reasoning_effort is not None:
            reasoning["effort"] = self.reasoning_effort
        return {
            "model": self.model,
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_output_tokens": self.max_output_tokens,
            "reasoning": reasoning or None,
            "include": self.include or None,
            "store": self.store,
            "parallel_tool_calls": self.parallel_tool_calls,
            "max_tool_calls": self.max_tool_calls,
            "top_logprobs": self.top_logprobs,
            **self.additional_kwargs,
        }

    def _request(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> dict[str, Any]:
        """One call's keywords for the core: body and `xiaohu.RequestOptions`, split there."""
        params = dict(kwargs)
        track = params.pop("track_previous_responses", self.track_previous_responses)
        previous = params.get("previous_response_id")
        custom = custom_call_ids(messages)  # before the split: the calls may precede it
        if track and previous is None:
            previous, messages = continuation(messages)
        system, items = to_request_input(messages, system_as=self.system_as, custom_calls=custom)
        own = params.pop("instructions", self.instructions)
        tools = custom_tools_win([*(self.built_in_tools or ()), *(params.pop("tools", None) or ())])
        body = {**self._model_params(), **params}
        body["input"] = items
        body["instructions"] = "\n\n".join(s for s in (own, system) if s) or None
        body["tools"] = tools or None
        if not tools:
            body.pop("tool_choice", None)
        if previous is not None:
            body["previous_response_id"] = previous
        if track:
            body["store"] = True
        # The core's call options (split from the body there); per-call values win.
        for name, value in (
            ("background", self.background or None),
            ("allow_expensive", self.allow_expensive or None),
            ("max_cost_usd", self.max_cost_usd),
            ("budget", self.budget),
            ("api", None if self.api == "auto" else self.api),
        ):
            if body.get(name) is None:
                body[name] = value
        return body

    # -- the calls (the core picks background or plain; sync and async) -----------------------

    def _create(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> Response:
        body = self._request(messages, kwargs)
        client = self._sync_client()
        return client.run_response(**body)

    async def _acreate(self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]) -> Response:
        body = self._request(messages, kwargs)
        client = await self._async_client()
        return await client.run_response(**body)

    def _start(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> GuardedResponseStream | BackgroundStream:
        body = self._request(messages, kwargs)
        client = self._sync_client()
        stream: GuardedResponseStream | BackgroundStream = client.stream_response(**body)
        return stream

    async def _astart(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> AsyncGuardedResponseStream | AsyncBackgroundStream:
        body = self._request(messages, kwargs)
        client = await self._async_client()
        stream: AsyncGuardedResponseStream | AsyncBackgroundStream
        stream = await client.stream_response(**body)
        return stream

    # -- chat ----------------------------------------------------------------------------------

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Send the conversation; return the assistant's answer.

        Example:
            >>> llm.chat([ChatMessage(role="user", content="Hi")]).message.content  # doctest: +SKIP
            'Hello!'
        """
        response = self._create(messages, kwargs)
        return _final_chat(response, self._client.cost_of(response))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        """Stream the answer: each chunk holds the message so far and the new `delta`.

        Reasoning summaries arrive in `additional_kwargs["thinking_delta"]`; the last chunk
        holds the complete message, usage and response id.

        Example:
            >>> for chunk in llm.stream_chat(
            ...     [ChatMessage(role="user", content="Hi")]
            ... ):  # doctest: +SKIP
            ...     print(chunk.delta, end="")
        """
        return _iter_chunks(
            self._start(messages, kwargs), ChunkBuilder(announce=self.background).feed, _final_chat
        )

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        """Async `chat`.

        Example:
            >>> (
            ...     await llm.achat([ChatMessage(role="user", content="Hi")])
            ... ).message.content  # doctest: +SKIP
            'Hello!'
        """
        response = await self._acreate(messages, kwargs)
        return _final_chat(response, (await self._async_client()).cost_of(response))

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        """Async `stream_chat`.

        Example:
            >>> async for chunk in await llm.astream_chat(messages):  # doctest: +SKIP
            ...     print(chunk.delta, end="")
        """
        stream = await self._astart(messages, kwargs)
        return _aiter_chunks(stream, ChunkBuilder(announce=self.background).feed, _final_chat)

    # -- complete (the chat request; completion events and chunks only) -----------------------

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        """Answer a prompt.

        Example:
            >>> llm.complete("2+2?").text  # doctest: +SKIP
            '4'
        """
        response = self._create(prompt_to_messages(prompt), kwargs)
        return _final_completion(response, self._client.cost_of(response))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        """Stream the answer to a prompt (`text` so far and `delta`, no message per chunk).

        Example:
            >>> "".join(c.delta for c in llm.stream_complete("Hi"))  # doctest: +SKIP
            'Hello!'
        """
        stream = self._start(prompt_to_messages(prompt), kwargs)
        return _iter_chunks(
            stream, ChunkBuilder(announce=self.background).feed_text, _final_completion
        )

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        """Async `complete`.

        Example:
            >>> (await llm.acomplete("2+2?")).text  # doctest: +SKIP
            '4'
        """
        response = await self._acreate(prompt_to_messages(prompt), kwargs)
        return _final_completion(response, (await self._async_client()).cost_of(response))

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        """Async `stream_complete`.

        Example:
            >>> async for c in await llm.astream_complete("Hi"):  # doctest: +SKIP
            ...     print(c.delta, end="")
        """
        stream = await self._astart(prompt_to_messages(prompt), kwargs)
        return _aiter_chunks(
            stream, ChunkBuilder(announce=self.background).feed_text, _final_completion
        )

    # -- function calling --------------------------------------------------------------------

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Build the `chat` arguments for a tool call; `chat_history` is copied, never changed.

        Example:
            >>> llm = XiaohuResponses(api_key="sk-x", api_base="http://x/v1")
            >>> history = [ChatMessage(role="user", content="Hi")]
            >>> args = llm._prepare_chat_with_tools([], user_msg="2+3?", chat_history=history)
            >>> len(args["messages"]), len(history)
            (2, 1)
        """
        specs = [
            tool_spec(tool, strict=self.strict if strict is None else strict) for tool in tools
        ]
        messages = list(chat_history or ())
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        if user_msg is not None:
            messages.append(user_msg)
        prepared: dict[str, Any] = {"messages": messages, **kwargs}
        if specs:
            prepared["tools"] = specs
            prepared["tool_choice"] = resolve_tool_choice(tool_choice, tool_required)
            prepared["parallel_tool_calls"] = allow_parallel_tool_calls
        return prepared

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls of a response (`tool_id` is the call's `call_id`).

        Raises:
            ValueError: There is none and `error_on_no_tool_call` is true.

        Example:
            >>> llm.get_tool_calls_from_response(response)[0].tool_name  # doctest: +SKIP
            'add'
        """
        blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
        if not blocks and error_on_no_tool_call:
            raise ValueError("expected at least one tool call, but the response has none")
        return [
            ToolSelection(
                tool_id=block.tool_call_id or "",
                tool_name=block.tool_name,
                tool_kwargs=_tool_kwargs(block.tool_kwargs),
            )
            for block in blocks
        ]

    # -- structured output through text.format json_schema -------------------------------------

    def _structured_args(
        self,
        output_cls: type[BaseModel],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None,
        prompt_args: dict[str, Any],
    ) -> tuple[list[ChatMessage], dict[str, Any]]:
        messages = self._extend_messages(prompt.format_messages(llm=self, **prompt_args))
        kwargs = {"text": json_schema_format(output_cls, strict=self.strict), **(llm_kwargs or {})}
        return messages, kwargs

    @dispatcher.span
    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Answer with an instance of `output_cls`, using the API's JSON-schema output.

        Example:
            >>> llm.structured_predict(
            ...     City, PromptTemplate("Capital of {c}?"), c="France"
            ... )  # doctest: +SKIP
            City(name='Paris')
        """
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._structured_args(output_cls, prompt, llm_kwargs, prompt_args)
        result = output_cls.model_validate_json(self.chat(messages, **kwargs).message.content or "")
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    @dispatcher.span
    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async `structured_predict`.

        Example:
            >>> await llm.astructured_predict(
            ...     City, PromptTemplate("Capital of {c}?"), c="France"
            ... )  # doctest: +SKIP
            City(name='Paris')
        """
        dispatcher.event(
            LLMStructuredPredictStartEvent(
                output_cls=output_cls, template=prompt, template_args=prompt_args
            )
        )
        messages, kwargs = self._structured_args(output_cls, prompt, llm_kwargs, prompt_args)
        response = await self.achat(messages, **kwargs)
        result = output_cls.model_validate_json(response.message.content or "")
        dispatcher.event(LLMStructuredPredictEndEvent(output=result))
        return result

    def _structured_stream_call(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Generator[Any, None, None]:
        messages, kwargs = self._structured_args(output_cls, prompt, llm_kwargs, prompt_args)
        parser = _PartialParser(output_cls)
        for chunk in self.stream_chat(messages, **kwargs):
            partial = parser.feed(chunk)
            if partial is not None:
                yield partial
        yield parser.final()

    async def _structured_astream_call(
        self,
        output_cls: type[Model],
        prompt: BasePromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> AsyncGenerator[Any, None]:
        messages, kwargs = self._structured_args(output_cls, prompt, llm_kwargs, prompt_args)
        parser = _PartialParser(output_cls)
        chunks = await self.astream_chat(messages, **kwargs)

        async def gen() -> AsyncGenerator[Any, None]:
            async for chunk in chunks:
                partial = parser.feed(chunk)
                if partial is not None:
                    yield partial
            yield parser.final()

        return gen()


# -- the two stream loops: only the I/O differs ------------------------------------------------


def _final_chat(response: Response, cost: Cost) -> ChatResponse:
    """The final chat response, with the bill in `additional_kwargs["cost_usd"]`."""
    chat = final_chat_response(response)
    if cost.priced:
        chat.additional_kwargs["cost_usd"] = cost.total_usd
    return chat


def _final_completion(response: Response, cost: Cost) -> CompletionResponse:
    """The final completion response, with the bill in `additional_kwargs["cost_usd"]`."""
    completion = final_completion_response(response)
    if cost.priced:
        completion.additional_kwargs["cost_usd"] = cost.total_usd
    return completion


def _iter_chunks(
    stream: GuardedResponseStream | BackgroundStream,
    feed: Callable[[Sequence[StreamDelta], Any], Chunk | None],
    finish: Callable[[Response, Cost], Chunk],
) -> Generator[Chunk, None, None]:
    with stream:
        for event, deltas in stream.iter_pairs():
            chunk = feed(deltas, event)
            if chunk is not None:
                yield chunk
        final = stream.get_final_response()
    yield finish(final, stream.cost)


async def _aiter_chunks(
    stream: AsyncGuardedResponseStream | AsyncBackgroundStream,
    feed: Callable[[Sequence[StreamDelta], Any], Chunk | None],
    finish: Callable[[Response, Cost], Chunk],
) -> AsyncGenerator[Chunk, None]:
    async with stream:
        async for event, deltas in stream.iter_pairs():
            chunk = feed(deltas, event)
            if chunk is not None:
                yield chunk
        final = await stream.get_final_response()
    yield finish(final, stream.cost)


def _tool_kwargs(kwargs: dict[str, Any] | str) -> dict[str, Any]:
    return kwargs if isinstance(kwargs, dict) else partial_arguments(kwargs)


class _PartialParser:
    """Partial objects from a structured-output stream; the strict model at the end."""

    def __init__(self, output_cls: type[BaseModel]) -> None:
        from llama_index.core.program.utils import create_flexible_model

        self.output_cls = output_cls
        self.flexible = create_flexible_model(output_cls)
        self.text = ""

    def feed(self, chunk: ChatResponse) -> BaseModel | None:
        if not chunk.delta:
            self.text = chunk.message.content or self.text
            return None
        self.text = chunk.message.content or ""
        try:
            data = parse_partial_json(self.text)
        except ValueError:
            return None
        return self.flexible.model_validate(data) if isinstance(data, dict) else None

    def final(self) -> BaseModel:
        return self.output_cls.model_validate_json(self.text)
