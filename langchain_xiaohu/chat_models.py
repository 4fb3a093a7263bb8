"""`ChatXiaohu`: a LangChain chat model over the relay's Responses API (`POST /v1/responses`).

The HTTP, retries, SSE decoding and the stream fold are the core's (`xiaohu`); this module
only builds the request, calls the core client and translates its output with the pure
functions of `_messages` and `_chunks`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import aclosing
from operator import itemgetter
from typing import Any, Literal, NoReturn, Protocol

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import (
    BaseChatModel,
    LangSmithParams,
    LanguageModelInput,
    ModelProfile,
)
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, convert_to_messages
from langchain_core.messages.block_translators import register_translator
from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import (
    JsonOutputKeyToolsParser,
    PydanticToolsParser,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.tools import BaseTool
from langchain_core.utils import from_env, secret_from_env
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import get_fields, is_basemodel_subclass
from pydantic import ConfigDict, Field, PrivateAttr, SecretStr, model_validator

import xiaohu
from xiaohu.adapters import estimate_tokens, resolve_api_key, strict_json_schema

from . import _blocks as blocks
from ._clients import ClientCache, key_to_use
from ._errors import to_langchain_error
from ._lazy_types import Budget, HttpAsyncClient, HttpClient, HttpTimeout
from ._messages import (
    PROVIDER,
    convert_tool_choice,
    convert_tools,
    messages_to_input,
    response_to_message,
    split_after_last_response,
    text_format,
)
from ._profiles import estimate_input_tokens, model_profile
from ._request import move_unknown_to_model_kwargs, response_format_to_text_format
from ._stop import StopFilter, cut_message

__all__ = ["ChatXiaohu"]

# Content is in the Responses item shape langchain-openai uses, so its translator applies
# (with container file citations made standard).
register_translator(PROVIDER, blocks.translate_content, blocks.translate_content_chunk)


class ChatXiaohu(BaseChatModel):
    """Chat model for the 小胡 relay's OpenAI Responses API (gpt-5, web search, deep research).

    Setup:
        `pip install "xiaohu[langchain]"`, then set `XIAOHU_API_KEY` and `XIAOHU_BASE_URL`
        (`https://your-relay/v1`) or pass `api_key` / `base_url`.

    Key init args:
        model: Any model name the relay routes (aliases included).
        reasoning / reasoning_effort: `{"effort": "low", "summary": "auto"}` or just `"low"`.
        max_tokens: Sent as `max_output_tokens` (reasoning tokens count against it).
        store / include: `store=False` + `include=["reasoning.encrypted_content"]` for
            stateless multi-turn with reasoning models.
        use_previous_response_id: Send only the messages after the last answer.
        max_retries: Retries in the core (the only retry layer; default 2).

    Instantiate:
        >>> from langchain_xiaohu import ChatXiaohu
        >>> llm = ChatXiaohu(
        ...     model="gpt-5-mini", api_key="sk-...", base_url="http://127.0.0.1:8000/v1"
        ... )
        >>> llm.model
        'gpt-5-mini'

    Invoke:
        >>> llm.invoke("用一句话介绍你自己").text  # doctest: +SKIP
        '我是一个由 OpenAI 训练的语言模型……'

    Stream:
        >>> for chunk in llm.stream("Count to three"):  # doctest: +SKIP
        ...     print(chunk.text, end="")

    Async:
        >>> await llm.ainvoke("hi")  # doctest: +SKIP

    Tool calling:
        >>> def get_weather(city: str) -> str:
        ...     '''Weather of a city.'''
        ...     return "sunny"
        >>> llm.bind_tools([get_weather, {"type": "web_search"}]).invoke(
        ...     "Weather in Paris?"
        ... ).tool_calls  # doctest: +SKIP
        [{'name': 'get_weather', 'args': {'city': 'Paris'}, 'id': 'call_...', 'type': 'tool_call'}]

    Structured output:
        >>> from pydantic import BaseModel
        >>> class Answer(BaseModel):
        ...     value: int
        >>> llm.with_structured_output(Answer).invoke("2+2?")  # doctest: +SKIP
        Answer(value=4)
    """

    model: str = Field(alias="model_name")
    """The model (any name the relay routes, aliases included)."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("XIAOHU_API_KEY", default=None)
    )
    """The relay key; defaults to `XIAOHU_API_KEY`. Never serialized or shown."""
    base_url: str | None = Field(default_factory=from_env("XIAOHU_BASE_URL", default=None))
    """The relay URL ending in `/v1`; defaults to `XIAOHU_BASE_URL`."""
    temperature: float | None = None
    """Sampling temperature, 0 to 2 (reasoning models may reject it)."""
    top_p: float | None = None
    """Nucleus sampling, 0 to 1."""
    max_tokens: int | None = Field(default=None, alias="max_output_tokens")
    """Cap on output tokens, reasoning included; sent as `max_output_tokens`."""
    reasoning: dict[str, Any] | None = None
    """`{"effort": ..., "summary": "auto" | "concise" | "detailed"}`."""
    reasoning_effort: str | None = None
    """Shortcut for `reasoning["effort"]` (`reasoning` wins when it sets an effort)."""
    verbosity: Literal["low", "medium", "high"] | None = None
    """Answer length; sent as `text.verbosity`."""
    include: list[str] | None = None
    """Extra output, e.g. `["reasoning.encrypted_content"]`."""
    store: bool | None = None
    """Whether the relay keeps responses (server default true)."""
    previous_response_id: str | None = None
    """Continue from this stored response on every call."""
    use_previous_response_id: bool = False
    """Send only the messages after the last AI message with a response id."""
    truncation: Literal["auto", "disabled"] | None = None
    """What to do when the context overflows."""
    service_tier: str | None = None
    """`auto`, `default`, `flex`, `priority`, ..."""
    max_tool_calls: int | None = None
    """Cap on built-in tool calls (web searches) per response."""
    parallel_tool_calls: bool | None = None
    """Allow several function calls in one turn."""
    top_logprobs: int | None = None
    """Log probabilities of this many likely tokens at each position, 0 to 20 (with
    `include=["message.output_text.logprobs"]`)."""
    stop: list[str] | None = Field(default=None, alias="stop_sequences")
    """Stop sequences, applied client-side (the Responses API has none): the text ends before
    the first one, the stream is closed there, and `response_metadata["stop_reason"]` is
    `"stop_sequence"`."""
    # httpx's types without importing httpx to build the class (`_lazy_types`, issue 20).
    timeout: float | HttpTimeout | None = Field(default=None, alias="request_timeout")
    """Seconds (or an `httpx.Timeout`); `None` uses the core's default."""
    max_retries: int = 2
    """Retries for connection errors, 408, 409, 429 and 5xx, done by the core."""
    streaming: bool = False
    """Stream under the hood even for `invoke`."""
    stream_usage: bool = True
    """Put usage on the last streamed chunk."""
    default_headers: dict[str, str] | None = None
    """Headers sent with every request."""
    http_client: HttpClient | None = Field(default=None, exclude=True)
    """Your own `httpx.Client` (proxies, CA); you close it."""
    http_async_client: HttpAsyncClient | None = Field(default=None, exclude=True)
    """Your own `httpx.AsyncClient`; you close it."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request-body fields, sent as given (unknown constructor arguments land here,
    with a warning)."""
    extra_body: dict[str, Any] | None = None
    """Fields merged into the top level of every request body, last (they win)."""
    background: bool = False
    """Run in background mode, streamed and resumed after a dropped connection (deep research)."""
    allow_expensive: bool = False
    """Allow deep-research and `*-pro` models without a budget."""
    max_cost_usd: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """Stop any single call whose cost passes this many US dollars (a call's own wins)."""
    # `Budget` from `_lazy_types`: the core's guard module is not imported to build the class.
    budget: Budget | None = Field(default=None, exclude=True)
    """A `xiaohu.Budget` shared across calls (and clients): their total is bounded."""
    api: Literal["responses", "chat", "auto"] = "auto"
    """The wire: the Responses API, Chat Completions, or per model as the relay serves it."""
    group_ratio: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """The relay group multiplier (分组倍率) applied to `cost_usd` in the metadata (None: 1)."""

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True)

    _cache: ClientCache = PrivateAttr(default_factory=ClientCache)

    @model_validator(mode="before")
    @classmethod
    def _unknown_to_model_kwargs(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        known: set[str] = set()
        own = set(get_fields(cls)) - set(get_fields(BaseChatModel))  # the request's fields
        for name, field in get_fields(cls).items():
            known.add(name)
            if field.alias:
                known.add(field.alias)
                if name in own:
                    own.add(field.alias)
        return move_unknown_to_model_kwargs(values, known, own)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        # An explicit key is checked now (a blank one is refused, never swapped for the
        # environment's); raised here, not in a validator, whose error would echo the input.
        if "api_key" in self.model_fields_set and self.api_key is not None:
            resolve_api_key(key_to_use(self))

    @model_validator(mode="after")
    def _check(self) -> ChatXiaohu:
        if not self.base_url:
            raise ValueError(
                "ChatXiaohu needs the relay's URL: pass base_url= or set XIAOHU_BASE_URL"
            )
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {self.max_retries}")
        return self

    # -- LangChain plumbing ---------------------------------------------------------------------

    @property
    def _llm_type(self) -> str:
        return "xiaohu-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        """Where the key comes from when a serialized model is loaded.

        Example:
            >>> ChatXiaohu(model="gpt-5", api_key="k", base_url="http://x/v1").lc_secrets
            {'api_key': 'XIAOHU_API_KEY'}
        """
        return {"api_key": "XIAOHU_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        """`dumpd`/`load` round-trip the settings (never the key).

        Example:
            >>> ChatXiaohu.is_lc_serializable()
            True
        """
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        """The import path `load` uses.

        Example:
            >>> ChatXiaohu.get_lc_namespace()
            ['langchain_xiaohu', 'chat_models']
        """
        return ["langchain_xiaohu", "chat_models"]

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model, **self._settings()}

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider=PROVIDER,
            ls_model_name=kwargs.get("model") or self.model,
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_output_tokens") or kwargs.get("max_tokens") or self.max_tokens
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        if stop or self.stop:
            params["ls_stop"] = stop or self.stop
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        return model_profile(self.model)

    def get_num_tokens(self, text: str) -> int:
        """An offline estimate of a text's tokens (no tokenizer is downloaded).

        One token per CJK character, one per four other characters: good for budgets and
        `trim_messages`, not for billing (the usage on each answer is exact).

        Example:
            >>> ChatXiaohu(model="gpt-5", base_url="http://x/v1").get_num_tokens("你好 hello")
            4
        """
        return estimate_tokens(text)

    def get_num_tokens_from_messages(
        self,
        messages: list[BaseMessage],
        tools: Sequence[Any] | None = None,
    ) -> int:
        """An offline estimate of the input tokens these messages (and tools) make.

        The messages are converted as a request would send them; see `get_num_tokens` for
        the estimate. Accepts what `invoke` accepts (messages, `("user", "hi")` tuples, ...).

        Example:
            >>> from langchain_core.messages import HumanMessage
            >>> llm = ChatXiaohu(model="gpt-5", base_url="http://x/v1")
            >>> llm.get_num_tokens_from_messages([HumanMessage("hello world!")])
            7
        """
        items = messages_to_input(convert_to_messages(messages), store=self.store)
        return estimate_input_tokens(items, convert_tools(tools) if tools else None)

    # -- clients, copies and pickling -----------------------------------------------------------

    @property
    def _client(self) -> xiaohu.XiaohuClient:
        return self._cache.sync(self._client_settings(), self.http_client)

    @property
    def _async_client(self) -> xiaohu.AsyncXiaohuClient:
        return self._cache.async_(self._client_settings(), self.http_async_client)

    def __copy__(self) -> ChatXiaohu:
        copied = super().__copy__()
        copied._cache = ClientCache()  # a copy never shares (or outlives) the original's pool
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> ChatXiaohu:
        memo = {} if memo is None else memo
        for own in (self.http_client, self.http_async_client):
            if own is not None:  # your clients are shared by the copy, never copied
                memo[id(own)] = own
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        if self.http_client is not None or self.http_async_client is not None:
            raise TypeError(
                "a ChatXiaohu holding your own http_client / http_async_client cannot be "
                "pickled (an httpx client cannot): pickle one without them"
            )
        return super().__getstate__()

    def _client_settings(self) -> dict[str, Any]:
        return {
            "api_key": key_to_use(self),
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
            "group_ratio": 1.0 if self.group_ratio is None else self.group_ratio,
        }

    # -- the request ----------------------------------------------------------------------------

    def _settings(self) -> dict[str, Any]:
        """Request-body fields from the constructor (None = unset)."""
        reasoning = dict(self.reasoning) if self.reasoning else None
        if self.reasoning_effort and not (reasoning or {}).get("effort"):
            reasoning = {**(reasoning or {}), "effort": self.reasoning_effort}
        return {
            "temperature": self.temperature,
            "top_p": self.top_p,
            "max_output_tokens": self.max_tokens,
            "reasoning": reasoning,
            "text": {"verbosity": self.verbosity} if self.verbosity else None,
            "include": self.include,
            "store": self.store,
            "previous_response_id": self.previous_response_id,
            "truncation": self.truncation,
            "service_tier": self.service_tier,
            "max_tool_calls": self.max_tool_calls,
            "parallel_tool_calls": self.parallel_tool_calls,
            "top_logprobs": self.top_logprobs,
            # Options of the core call (`xiaohu.RequestOptions`), split from the body there.
            "background": self.background or None,
            "allow_expensive": self.allow_expensive or None,
            "max_cost_usd": self.max_cost_usd,
            "budget": self.budget,
            "api": None if self.api == "auto" else self.api,
            **self.model_kwargs,
        }

    def _prepare(
        self, messages: Sequence[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], bool, list[str]]:
        """A call's core keywords (body and the core's options, split there), usage, stops."""
        stops = _stops(self.stop if stop is None else stop)
        kwargs = dict(kwargs)
        kwargs.pop("stream", None)
        stream_usage = kwargs.pop("stream_usage", None)
        if "max_tokens" in kwargs:
            kwargs["max_output_tokens"] = kwargs.pop("max_tokens")
        effort = kwargs.pop("reasoning_effort", None)
        extra_body = kwargs.pop("extra_body", None)
        response_format = kwargs.pop("response_format", None)
        params = {"model": self.model, **self._settings(), **kwargs}
        if effort and not (params.get("reasoning") or {}).get("effort"):
            params["reasoning"] = {**(params.get("reasoning") or {}), "effort": effort}
        if self.verbosity and isinstance(kwargs.get("text"), dict):
            params["text"] = {"verbosity": self.verbosity, **kwargs["text"]}
        if response_format is not None:
            params["text"] = _with_format(params.get("text"), response_format)
        if self.use_previous_response_id and not params.get("previous_response_id"):
            previous, messages = split_after_last_response(messages)
            params["previous_response_id"] = previous
        params["input"] = messages_to_input(messages, store=params.get("store"))
        for extra in (self.extra_body, extra_body):
            if extra is not None and not isinstance(extra, Mapping):
                raise TypeError(f"extra_body must be a dict, got {type(extra).__name__}")
            params.update(extra or {})
        usage = self.stream_usage if stream_usage is None else bool(stream_usage)
        return params, usage, stops

    # -- calls ----------------------------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        params, _, stops = self._prepare(messages, stop, kwargs)
        client = self._client
        try:
            response = client.run_response(**params)
        except xiaohu.XiaohuError as exc:
            _reraise(exc)
        return _result(response, params["model"], client.cost_of(response), stops)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        params, _, stops = self._prepare(messages, stop, kwargs)
        client = self._async_client
        try:
            response = await client.run_response(**params)
        except xiaohu.XiaohuError as exc:
            _reraise(exc)
        return _result(response, params["model"], client.cost_of(response), stops)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        params, usage, stops = self._prepare(messages, stop, kwargs)
        converter = _Converter(params["model"], usage, stops)
        client = self._client
        try:
            stream = client.stream_response(**params)
            with stream:
                for event, deltas in stream.iter_pairs():
                    for chunk in converter.convert(event, deltas):
                        yield _with_cost(chunk, stream)
                    if converter.done:
                        break  # a stop sequence: leaving the block closes the connection
        except xiaohu.XiaohuError as exc:
            _reraise(exc)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        params, usage, stops = self._prepare(messages, stop, kwargs)
        converter = _Converter(params["model"], usage, stops)
        client = self._async_client
        try:
            stream = await client.stream_response(**params)
            # `aclosing`: when the caller breaks out early, the pairs generator is closed here,
            # in this task, rather than by a finalizer task racing this one's close.
            async with stream, aclosing(stream.iter_pairs()) as pairs:
                async for event, deltas in pairs:
                    for chunk in converter.convert(event, deltas):
                        yield _with_cost(chunk, stream)
                    if converter.done:
                        break
        except xiaohu.XiaohuError as exc:
            _reraise(exc)

    # -- tools and structured output ------------------------------------------------------------

    def bind_tools(
        self,
        tools: Sequence[Mapping[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | bool | Mapping[str, Any] | None = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind function tools and built-in tools (`{"type": "web_search"}`, ...).

        Args:
            tools: LangChain tools, pydantic models, functions, OpenAI-style dicts, or
                built-in tool dicts (`web_search`, `web_search_preview`, `file_search`,
                `code_interpreter`, `image_generation`, `mcp`), passed through.
            tool_choice: "auto", "none", "required"/"any"/True, a tool's name or a
                built-in type.
            strict: Ask for schema-exact function arguments.
            parallel_tool_calls: Allow several calls in one turn.
            **kwargs: More request fields to bind.

        Raises:
            ValueError: `tool_choice` names no bound tool.

        Example:
            >>> llm = ChatXiaohu(model="gpt-5", api_key="k", base_url="http://x/v1")
            >>> bound = llm.bind_tools([{"type": "web_search_preview"}], tool_choice="auto")
            >>> bound.kwargs["tools"]
            [{'type': 'web_search_preview'}]
        """
        formatted = convert_tools(tools, strict=strict)
        choice = convert_tool_choice(tool_choice, formatted)
        if choice is not None:
            kwargs["tool_choice"] = choice
        if parallel_tool_calls is not None:
            kwargs["parallel_tool_calls"] = parallel_tool_calls
        return super().bind(tools=formatted, **kwargs)

    def with_structured_output(
        self,
        schema: Mapping[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema",
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, Any]:
        """Answer as a pydantic object or a dict.

        Args:
            schema: A pydantic model, a TypedDict, or a JSON schema (not needed for json_mode).
            method: `json_schema` (the server enforces the schema; default),
                `function_calling` (one forced tool call) or `json_mode` (any JSON object).
            include_raw: Return `{"raw", "parsed", "parsing_error"}` instead of raising.
            strict: For json_schema / function_calling; json_schema defaults to strict.
            **kwargs: More request fields to bind (e.g. `tools=`).

        Raises:
            ValueError: The method needs a schema and none was given.

        Example:
            >>> from pydantic import BaseModel
            >>> class Answer(BaseModel):
            ...     value: int
            >>> llm = ChatXiaohu(model="gpt-5", api_key="k", base_url="http://x/v1")
            >>> structured = llm.with_structured_output(Answer)
        """
        is_model = isinstance(schema, type) and is_basemodel_subclass(schema)
        parser: Runnable[Any, Any]
        if schema is not None:  # traced by LangChain (LangSmith shows the schema asked for)
            kwargs["ls_structured_output_format"] = {
                "kwargs": {"method": method, "strict": strict},
                "schema": convert_to_json_schema(
                    dict(schema) if isinstance(schema, Mapping) else schema
                ),
            }
        if method == "json_mode":
            llm: Runnable[LanguageModelInput, AIMessage] = self.bind(
                text={"format": {"type": "json_object"}}, **kwargs
            )
            parser = (
                PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
            )
        elif schema is None:
            raise ValueError(f"with_structured_output(method={method!r}) needs a schema")
        elif method == "function_calling":
            name = _object_function(schema, strict=None)["name"]
            llm = self.bind_tools(
                [schema], tool_choice=name, strict=strict, parallel_tool_calls=False, **kwargs
            )
            parser = (
                PydanticToolsParser(tools=[schema], first_tool_only=True)
                if is_model
                else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
            )
        elif method == "json_schema":
            function = _object_function(schema, strict=strict is not False)
            parameters = (
                strict_json_schema(function["parameters"])
                if strict is not False
                else function["parameters"]
            )
            fmt = text_format(parameters, name=function["name"], strict=strict is not False)
            llm = self.bind(text={"format": fmt}, **kwargs)
            parser = (
                PydanticOutputParser(pydantic_object=schema) if is_model else JsonOutputParser()
            )
        else:
            raise ValueError(
                f"unknown method {method!r}: use json_schema, function_calling or json_mode"
            )
        if not include_raw:
            return llm | parser
        parsed = RunnablePassthrough.assign(
            parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
        )
        failed = RunnablePassthrough.assign(parsed=lambda _: None)
        with_fallback = parsed.with_fallbacks([failed], exception_key="parsing_error")
        return RunnableMap(raw=llm) | with_fallback


def _object_function(schema: Mapping[str, Any] | type, *, strict: bool | None) -> dict[str, Any]:
    """The schema as an OpenAI function; refuse a non-object root before anything is sent."""
    root = schema.get("type", "object") if isinstance(schema, Mapping) else "object"
    function: dict[str, Any] = (
        convert_to_openai_tool(schema, strict=strict)["function"] if root == "object" else {}
    )
    parameters = function.get("parameters")
    if not isinstance(parameters, dict) or parameters.get("type", "object") != "object":
        raise xiaohu.ConfigurationError(
            "structured output needs a JSON schema whose root is an object (the Responses "
            "API rejects others): wrap the array or value in an object property, e.g. "
            '{"type": "object", "properties": {"items": <your schema>}}'
        )
    return function


def _stops(stop: Any) -> list[str]:
    """Stop sequences as a list, checked before anything is sent."""
    if stop is None:
        return []
    stops = [stop] if isinstance(stop, str) else list(stop)
    if not all(isinstance(s, str) for s in stops):
        raise TypeError(f"stop must be a string or a list of strings, got {stop!r}")
    return [s for s in stops if s]


def _with_format(text: Any, response_format: Any) -> dict[str, Any]:
    """`text` with the `format` a chat-completions `response_format` asks for."""
    fmt = response_format_to_text_format(response_format)
    merged: dict[str, Any] = dict(text or {})
    if merged.get("format") not in (None, fmt):
        raise xiaohu.ConfigurationError(
            "both response_format and text.format are set (e.g. with_structured_output and "
            "an agent's response_format): keep one"
        )
    merged["format"] = fmt
    return merged


class _Converter:
    """The chunk converter, with the stop sequences applied to what it gives."""

    __slots__ = ("_chunks", "_stop")

    def __init__(self, model: str, stream_usage: bool, stops: list[str]) -> None:
        # Imported on the first stream, not with ChatXiaohu: it loads the core's event models
        # and fold (issue 20: the import budget); later calls find it in `sys.modules`.
        from ._chunks import ChunkConverter

        self._chunks = ChunkConverter(model, stream_usage=stream_usage)
        self._stop = StopFilter(stops, model=model) if stops else None

    @property
    def done(self) -> bool:
        return self._stop is not None and self._stop.done

    def convert(self, event: Any, deltas: Any) -> list[ChatGenerationChunk]:
        chunks = self._chunks.convert(event, deltas)
        return chunks if self._stop is None else self._stop.filter(chunks)


def _result(
    response: xiaohu.Response, model: str, cost: xiaohu.Cost, stops: list[str]
) -> ChatResult:
    message = response_to_message(response, model)
    if stops:
        message = cut_message(message, stops)
    if cost.priced:
        message.response_metadata["cost_usd"] = cost.total_usd
    return ChatResult(
        generations=[ChatGeneration(message=message)],
        llm_output={"model_name": message.response_metadata["model_name"], "id": response.id},
    )


class _Metered(Protocol):
    @property
    def cost(self) -> xiaohu.Cost: ...


def _with_cost(chunk: ChatGenerationChunk, stream: _Metered) -> ChatGenerationChunk:
    """Put the bill on the chunk that carries the usage (the last one).

    The cost is read only there: pricing every delta's running estimate was ~15% of the
    stream's CPU for a number no other chunk shows.
    """
    message = chunk.message
    if isinstance(message, AIMessageChunk) and message.usage_metadata:
        cost = stream.cost
        if cost.priced:
            message.response_metadata["cost_usd"] = cost.total_usd
    return chunk


def _reraise(exc: xiaohu.XiaohuError) -> NoReturn:
    converted = to_langchain_error(exc)
    if converted is exc:
        raise exc
    raise converted from exc
