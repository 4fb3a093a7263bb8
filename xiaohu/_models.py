"""Wire models: the Response object, its output items and usage.

One class per wire object, `type: Literal[...]` as discriminator. Every model allows extra
fields so a newer server's additions parse; an output item of a type we do not know is kept as
a plain dict, never dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Tag

__all__ = [
    "KEPT_WHOLE",
    "Annotation",
    "CustomToolCall",
    "FunctionCall",
    "IncompleteDetails",
    "InputTokensDetails",
    "OutputItem",
    "OutputMessage",
    "OutputRefusal",
    "OutputText",
    "OutputTokensDetails",
    "ReasoningItem",
    "ReasoningSummary",
    "Response",
    "ResponseError",
    "Usage",
    "WebSearchCall",
    "WireModel",
]


class WireModel(BaseModel):
    """Base of every wire model: unknown fields are kept, not rejected.

    Example:
        >>> WireModel.model_validate({"new_field": 1}).model_extra
        {'new_field': 1}
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        """Return the wire form, without fields that are `None`.

        Example:
            >>> ReasoningSummary(text="x").to_dict()
            {'type': 'summary_text', 'text': 'x'}
        """
        return self.model_dump(mode="json", exclude_none=True)


class Annotation(WireModel):
    """A citation on output text (`url_citation`, `file_citation`, ...).

    Example:
        >>> Annotation(type="url_citation", url="https://a.b", start_index=0, end_index=3).url
        'https://a.b'
    """

    type: str
    """`url_citation`, `file_citation`, `container_file_citation` or `file_path`."""
    url: str | None = None
    """The cited page (url_citation)."""
    title: str | None = None
    """The cited page's title (url_citation)."""
    start_index: int | None = None
    """First character of the cited span in the text."""
    end_index: int | None = None
    """One past the last character of the cited span."""
    file_id: str | None = None
    """The cited file (file citations)."""
    filename: str | None = None
    """The cited file's name."""
    index: int | None = None
    """Position in the text (file_citation, file_path)."""


class OutputText(WireModel):
    """A text part of an assistant message.

    Example:
        >>> OutputText(text="hi").annotations
        []
    """

    type: Literal["output_text"] = "output_text"
    text: str = ""
    """The text."""
    annotations: list[Annotation] = []
    """Citations into `text`."""
    logprobs: list[Any] | None = None
    """Token log probabilities, when requested."""


class OutputRefusal(WireModel):
    """A refusal part of an assistant message.

    Example:
        >>> OutputRefusal(refusal="no").refusal
        'no'
    """

    type: Literal["refusal"] = "refusal"
    refusal: str = ""
    """Why the model refused."""


def _content_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in ("output_text", "refusal") else "other"


ContentPart = Annotated[
    Annotated[OutputText, Tag("output_text")]
    | Annotated[OutputRefusal, Tag("refusal")]
    | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_content_tag),
]


class OutputMessage(WireModel):
    """An assistant message in `Response.output`.

    Example:
        >>> OutputMessage(id="msg_1", content=[OutputText(text="hi")]).text
        'hi'
    """

    type: Literal["message"] = "message"
    id: str | None = None
    """The item id (`msg_...`)."""
    role: str = "assistant"
    """Always `assistant` for output."""
    status: str | None = None
    """`in_progress`, `completed` or `incomplete`."""
    content: list[ContentPart] = []
    """Text and refusal parts."""
    phase: str | None = None
    """`commentary` or `final_answer` (newer models)."""

    @property
    def text(self) -> str:
        """All output text parts joined.

        Example:
            >>> OutputMessage(content=[OutputText(text="a"), OutputText(text="b")]).text
            'ab'
        """
        return "".join(p.text for p in self.content if isinstance(p, OutputText))


class FunctionCall(WireModel):
    """A call of one of the caller's function tools.

    Example:
        >>> FunctionCall(call_id="call_1", name="f", arguments='{"a": 1}').parsed_arguments()
        {'a': 1}
    """

    type: Literal["function_call"] = "function_call"
    id: str | None = None
    """The item id (`fc_...`)."""
    call_id: str
    """The id a `function_call_output` must quote."""
    name: str
    """The function's name."""
    arguments: str = ""
    """The arguments as a JSON string."""
    status: str | None = None
    """`in_progress`, `completed` or `incomplete`."""

    def parsed_arguments(self) -> Any:
        """Decode `arguments` (an empty string decodes to `{}`).

        Raises:
            ValueError: The model produced arguments that are not JSON.

        Example:
            >>> FunctionCall(call_id="c", name="f", arguments="").parsed_arguments()
            {}
        """
        import json

        return json.loads(self.arguments) if self.arguments.strip() else {}


class CustomToolCall(WireModel):
    """A call of one of the caller's custom (freeform) tools: its input is plain text.

    A custom tool (`{"type": "custom", "name": ..., "format": {...}}`) takes free text, or text
    matching a grammar, instead of JSON arguments; the answer goes back as a
    `custom_tool_call_output` input item quoting `call_id`.

    Example:
        >>> CustomToolCall(call_id="call_1", name="run_sql", input="SELECT 1").input
        'SELECT 1'
    """

    type: Literal["custom_tool_call"] = "custom_tool_call"
    id: str | None = None
    """The item id (`ctc_...`)."""
    call_id: str
    """The id a `custom_tool_call_output` must quote."""
    name: str
    """The tool's name."""
    input: str = ""
    """The input the model wrote for the tool."""
    status: str | None = None
    """`in_progress`, `completed` or `incomplete`, when sent."""


class ReasoningSummary(WireModel):
    """One part of a reasoning summary.

    Example:
        >>> ReasoningSummary(text="thinking").text
        'thinking'
    """

    type: Literal["summary_text"] = "summary_text"
    text: str = ""
    """The summary text."""


class ReasoningItem(WireModel):
    """The model's reasoning: summaries and, when included, the encrypted content.

    Example:
        >>> ReasoningItem(id="rs_1", summary=[ReasoningSummary(text="a")]).summary_text
        'a'
    """

    type: Literal["reasoning"] = "reasoning"
    id: str | None = None
    """The item id (`rs_...`)."""
    summary: list[ReasoningSummary] = []
    """Summary parts, when `reasoning.summary` was requested."""
    encrypted_content: str | None = None
    """Opaque reasoning state, when `reasoning.encrypted_content` was included."""
    content: list[dict[str, Any]] | None = None
    """Raw reasoning text parts (rare)."""
    status: str | None = None
    """Item status, when sent."""

    @property
    def summary_text(self) -> str:
        """All summary parts, separated by blank lines.

        Example:
            >>> ReasoningItem(
            ...     summary=[ReasoningSummary(text="a"), ReasoningSummary(text="b")]
            ... ).summary_text
            'a\\n\\nb'
        """
        return "\n\n".join(part.text for part in self.summary)


class WebSearchCall(WireModel):
    """A web search the model ran (built-in `web_search` / `web_search_preview` tool).

    Example:
        >>> WebSearchCall(id="ws_1", status="completed", action={"query": "q"}).query
        'q'
    """

    type: Literal["web_search_call"] = "web_search_call"
    id: str | None = None
    """The item id (`ws_...`)."""
    status: str | None = None
    """`in_progress`, `searching`, `completed`, `failed` or `incomplete`."""
    action: dict[str, Any] | None = None
    """What was done: `search` (query, sources), `open_page` (url) or `find_in_page`."""

    @property
    def query(self) -> str | None:
        """The search query, when the action has one.

        Example:
            >>> WebSearchCall().query is None
            True
        """
        query = (self.action or {}).get("query")
        return query if isinstance(query, str) else None


_ITEM_TYPES = frozenset(
    {"message", "function_call", "custom_tool_call", "reasoning", "web_search_call"}
)


KEPT_WHOLE: dict[str, str] = {
    # Built-in tool calls the server runs: every field is the server's, replayed verbatim.
    "file_search_call": "server-run tool; queries and results replayed as sent",
    "code_interpreter_call": "server-run tool; code streams as ToolInputDelta, item replayed",
    "image_generation_call": "server-run tool; `result` is the base64 image, replayed as sent",
    "mcp_call": "server-run tool; arguments stream as ToolInputDelta, item replayed",
    "mcp_list_tools": "the MCP server's tool list; replayed so the model need not list again",
    "mcp_approval_request": "answered by an `mcp_approval_response` input item, else replayed",
    "tool_search_call": "server-run tool search; replayed as sent",
    "compaction": "opaque compacted context; only ever replayed",
    "additional_tools": "tools the server added to the turn; replayed as sent",
    "program": "a hosted program run; replayed as sent",
    # Calls the caller's own harness executes (computer use, shell, patches): passed through.
    "computer_call": "the caller runs the action and answers with computer_call_output",
    "local_shell_call": "the caller runs the command and answers with local_shell_call_output",
    "shell_call": "hosted or local shell; its commands stream as ShellCallCommandEvent",
    "apply_patch_call": "the caller applies the patch and answers with apply_patch_call_output",
    # Input-side items the server may echo into `output`: the caller wrote them.
    "function_call_output": "the caller's own answer echoed back",
    "custom_tool_call_output": "the caller's own answer echoed back",
    "computer_call_output": "the caller's own answer echoed back",
    "local_shell_call_output": "the caller's own answer echoed back",
    "shell_call_output": "the shell's output, replayed as sent",
    "apply_patch_call_output": "the caller's own answer echoed back",
    "mcp_approval_response": "the caller's own answer echoed back",
    "program_output": "a hosted program's output, replayed as sent",
    "tool_search_output": "the tool search's result, replayed as sent",
}
"""Output item types kept as plain dicts on purpose, each with the reason (a test checks that
every item type of the newest `openai` SDK is either modelled or listed here)."""


def _item_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    return kind if kind in _ITEM_TYPES else "other"


OutputItem = Annotated[
    Annotated[OutputMessage, Tag("message")]
    | Annotated[FunctionCall, Tag("function_call")]
    | Annotated[CustomToolCall, Tag("custom_tool_call")]
    | Annotated[ReasoningItem, Tag("reasoning")]
    | Annotated[WebSearchCall, Tag("web_search_call")]
    | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_item_tag),
]
"""An output item: one of the known models, or the raw dict for any other type."""


class InputTokensDetails(WireModel):
    """Breakdown of input tokens.

    Example:
        >>> InputTokensDetails(cached_tokens=5).cached_tokens
        5
    """

    cached_tokens: int = 0
    """Input tokens served from the prompt cache."""


class OutputTokensDetails(WireModel):
    """Breakdown of output tokens.

    Example:
        >>> OutputTokensDetails(reasoning_tokens=7).reasoning_tokens
        7
    """

    reasoning_tokens: int = 0
    """Output tokens spent on reasoning (billed as output, not shown)."""


class Usage(WireModel):
    """Token usage of one response.

    Example:
        >>> Usage(input_tokens=3, output_tokens=4, total_tokens=7).cached_tokens
        0
    """

    input_tokens: int = 0
    """Tokens in the input, cached ones included."""
    input_tokens_details: InputTokensDetails | None = None
    """Cached-token breakdown."""
    output_tokens: int = 0
    """Tokens generated, reasoning included."""
    output_tokens_details: OutputTokensDetails | None = None
    """Reasoning-token breakdown."""
    total_tokens: int = 0
    """Input plus output."""

    @property
    def cached_tokens(self) -> int:
        """Input tokens served from cache (0 when not reported).

        Example:
            >>> Usage().cached_tokens
            0
        """
        return self.input_tokens_details.cached_tokens if self.input_tokens_details else 0

    @property
    def reasoning_tokens(self) -> int:
        """Reasoning tokens (0 when not reported).

        Example:
            >>> Usage().reasoning_tokens
            0
        """
        details = self.output_tokens_details
        return details.reasoning_tokens if details else 0


class ResponseError(WireModel):
    """Why a response failed.

    Example:
        >>> ResponseError(code="server_error", message="boom").code
        'server_error'
    """

    code: str | None = None
    """Machine-readable code (`server_error`, `rate_limit_exceeded`, ...)."""
    message: str = ""
    """The server's message."""


class IncompleteDetails(WireModel):
    """Why a response stopped early.

    Example:
        >>> IncompleteDetails(reason="max_output_tokens").reason
        'max_output_tokens'
    """

    reason: str | None = None
    """`max_output_tokens` or `content_filter`."""


class Response(WireModel):
    """The Response object (`POST /v1/responses`, `GET /v1/responses/{id}`).

    Example:
        >>> r = Response.model_validate(
        ...     {
        ...         "id": "resp_1",
        ...         "status": "completed",
        ...         "model": "gpt-5",
        ...         "output": [
        ...             {"type": "message", "content": [{"type": "output_text", "text": "hi"}]}
        ...         ],
        ...     }
        ... )
        >>> r.output_text
        'hi'
    """

    id: str = ""
    """The response id (`resp_...`)."""
    object: str = "response"
    """Always `response`."""
    created_at: float | None = None
    """Unix seconds."""
    status: str | None = None
    """`completed`, `failed`, `in_progress`, `cancelled`, `queued` or `incomplete`."""
    model: str = ""
    """The model that answered (often a dated snapshot of the one asked for)."""
    output: list[OutputItem] = []
    """Output items in order."""
    usage: Usage | None = None
    """Token usage; `None` until the response is done."""
    error: ResponseError | None = None
    """Set when `status` is `failed`."""
    incomplete_details: IncompleteDetails | None = None
    """Set when `status` is `incomplete`."""
    instructions: Any = None
    """The instructions sent."""
    previous_response_id: str | None = None
    """The response this one continues."""
    background: bool | None = None
    """Whether it ran in background mode."""
    service_tier: str | None = None
    """The tier actually used."""
    metadata: dict[str, Any] | None = None
    """The caller's metadata."""

    @property
    def output_text(self) -> str:
        """The text of every assistant message, joined.

        Example:
            >>> Response().output_text
            ''
        """
        return "".join(i.text for i in self.output if isinstance(i, OutputMessage))

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The function calls in output order.

        Example:
            >>> Response().function_calls
            []
        """
        return [i for i in self.output if isinstance(i, FunctionCall)]

    @property
    def custom_tool_calls(self) -> list[CustomToolCall]:
        """The custom (freeform) tool calls in output order.

        Example:
            >>> Response().custom_tool_calls
            []
        """
        return [i for i in self.output if isinstance(i, CustomToolCall)]

    @property
    def reasoning(self) -> list[ReasoningItem]:
        """The reasoning items in output order.

        Example:
            >>> Response().reasoning
            []
        """
        return [i for i in self.output if isinstance(i, ReasoningItem)]

    @property
    def web_search_calls(self) -> list[WebSearchCall]:
        """The web searches run, in order.

        Example:
            >>> Response().web_search_calls
            []
        """
        return [i for i in self.output if isinstance(i, WebSearchCall)]

    @property
    def citations(self) -> list[Annotation]:
        """Every annotation of every text part, in order.

        Example:
            >>> Response().citations
            []
        """
        return [
            a
            for item in self.output
            if isinstance(item, OutputMessage)
            for part in item.content
            if isinstance(part, OutputText)
            for a in part.annotations
        ]
