"""Request building and message conversion of `XiaohuResponses`, faked at the transport."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    AudioBlock,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.tools import FunctionTool

from llama_index_xiaohu import XiaohuResponses
from llama_index_xiaohu._messages import continuation, resolve_tool_choice, to_request_input
from tests.conftest import TEST_API_KEY
from tests.llama_index.conftest import Recorder
from xiaohu import ConfigurationError

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


ADD = FunctionTool.from_defaults(fn=add)


def test_import_paths_and_all() -> None:
    import llama_index_xiaohu
    from llama_index.llms.xiaohu import XiaohuResponses as Alias

    assert Alias is XiaohuResponses
    assert "XiaohuResponses" in llama_index_xiaohu.__all__


def test_any_model_name_gets_a_default_context_window() -> None:
    llm = XiaohuResponses(model="my-relay-alias-2099", api_key="sk-x", api_base="http://h/v1")
    assert llm.metadata.context_window == 128_000
    assert llm.metadata.is_function_calling_model
    assert (
        XiaohuResponses(
            model="m", api_key="sk-x", api_base="http://h/v1", context_window=8000
        ).metadata.context_window
        == 8000
    )


def test_every_field_is_described() -> None:
    own = set(XiaohuResponses.model_fields) - set(FunctionCallingLLM.model_fields)
    assert own
    for name in own:
        assert XiaohuResponses.model_fields[name].description, name


def test_key_never_in_repr_json_or_payload(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-very-secret-key-0123456789"
    llm = XiaohuResponses(api_key=secret, api_base="http://h/v1")
    for text in (repr(llm), str(llm), llm.to_json(), str(llm.to_payload()), str(llm.to_dict())):
        assert secret not in text


def test_env_fallbacks_and_missing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", "sk-from-env-123456")
    monkeypatch.setenv("XIAOHU_BASE_URL", "http://env-relay/v1")
    assert XiaohuResponses().api_base == "http://env-relay/v1"
    monkeypatch.delenv("XIAOHU_API_KEY")
    with pytest.raises(ConfigurationError):
        XiaohuResponses()


def test_body_has_no_nulls_or_empty_tools_and_keeps_temperature(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    mock_llm.temperature = 0.3
    mock_llm.reasoning_effort = "high"
    mock_llm.chat([ChatMessage(role="user", content="hi")])
    body = recorder.bodies[-1]
    assert body == {
        "model": "any-relay-alias",
        "temperature": 0.3,
        "reasoning": {"effort": "high"},
        "input": "hi",
    }


def test_system_becomes_instructions_and_history_is_kept(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    mock_llm.instructions = "Answer in English."
    messages = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(role="user", content="Hi"),
        ChatMessage(role="assistant", content="Hello"),
        ChatMessage(role="user", content="Again"),
    ]
    mock_llm.chat(messages)
    body = recorder.bodies[-1]
    assert body["instructions"] == "Answer in English.\n\nBe brief."
    assert [item["role"] for item in body["input"]] == ["user", "assistant", "user"]
    # The easy-message shape: a bare `output_text` part without the original item's id,
    # status and annotations is not a valid input item (openai's ResponseInputItemParam).
    assert body["input"][1] == {"type": "message", "role": "assistant", "content": "Hello"}


def test_system_as_developer(mock_llm: XiaohuResponses, recorder: Recorder) -> None:
    mock_llm.system_as = "developer"
    mock_llm.chat([ChatMessage(role="system", content="Be brief."), ChatMessage(content="Hi")])
    assert recorder.bodies[-1]["input"][0] == {
        "type": "message",
        "role": "developer",
        "content": [{"type": "input_text", "text": "Be brief."}],
    }


def test_image_and_document_blocks(tmp_path: Path) -> None:
    path = tmp_path / "dot.png"
    path.write_bytes(PNG)
    pdf = b"%PDF-1.4 tiny"
    message = ChatMessage(
        role="user",
        blocks=[
            TextBlock(text="What is this?"),
            ImageBlock(url="https://example.org/cat.png"),
            ImageBlock(image=PNG, image_mimetype="image/png", detail="low"),
            ImageBlock(path=path),
            DocumentBlock(data=pdf, title="report.pdf"),
            DocumentBlock(url="https://example.org/a.pdf"),
        ],
    )
    _, items = to_request_input([message])
    assert isinstance(items, list)
    parts = items[0]["content"]
    assert parts[1] == {
        "type": "input_image",
        "image_url": "https://example.org/cat.png",
        "detail": "auto",
    }
    assert parts[2]["image_url"].startswith("data:image/png;base64,")
    assert parts[2]["detail"] == "low"
    assert parts[3]["image_url"].startswith("data:image/png;base64,")
    assert parts[4]["type"] == "input_file"
    assert parts[4]["filename"] == "report.pdf"
    assert parts[4]["file_data"] == "data:application/pdf;base64," + base64.b64encode(pdf).decode()
    assert parts[5] == {"type": "input_file", "file_url": "https://example.org/a.pdf"}


def test_unsupported_block_fails_before_any_request(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    message = ChatMessage(role="user", blocks=[AudioBlock(audio=b"RIFF", format="wav")])
    with pytest.raises(ValueError, match="AudioBlock"):
        mock_llm.chat([message])
    assert recorder.bodies == []


def test_tool_result_needs_call_id() -> None:
    with pytest.raises(ValueError, match="tool_call_id"):
        to_request_input(
            [ChatMessage(role="user", content="x"), ChatMessage(role="tool", content="5")]
        )


def test_assistant_tool_calls_results_and_encrypted_thinking_round_trip() -> None:
    assistant = ChatMessage(
        role="assistant",
        blocks=[
            ThinkingBlock(
                content="I should add.",
                additional_information={"id": "rs_1", "encrypted_content": "gAAAA"},
            ),
            ThinkingBlock(content="no proof, not replayable"),
            ToolCallBlock(tool_call_id="call_1", tool_name="add", tool_kwargs={"a": 2, "b": 3}),
        ],
    )
    tool = ChatMessage(role="tool", content="5", additional_kwargs={"tool_call_id": "call_1"})
    _, items = to_request_input([ChatMessage(content="2+3?"), assistant, tool])
    assert items[1:] == [
        {
            "type": "reasoning",
            "encrypted_content": "gAAAA",
            "summary": [{"type": "summary_text", "text": "I should add."}],
            "id": "rs_1",
        },
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "add",
            "arguments": '{"a": 2, "b": 3}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": "5"},
    ]


def test_continuation_sends_only_new_messages(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    mock_llm.track_previous_responses = True
    history = [
        ChatMessage(role="system", content="Be brief."),
        ChatMessage(content="Hi"),
        ChatMessage(role="assistant", content="Hello", additional_kwargs={"response_id": "resp_7"}),
        ChatMessage(content="Again"),
    ]
    mock_llm.chat(history)
    body = recorder.bodies[-1]
    assert body["previous_response_id"] == "resp_7"
    assert body["store"] is True
    assert body["input"] == "Again"
    assert body["instructions"] == "Be brief."
    assert continuation(history[:2]) == (None, history[:2])


def test_prepare_chat_with_tools_never_mutates_history(mock_llm: XiaohuResponses) -> None:
    history = [ChatMessage(content="hello")]
    prepared = mock_llm._prepare_chat_with_tools(
        [ADD], user_msg="2+3?", chat_history=history, tool_required=True
    )
    assert len(history) == 1
    assert [m.content for m in prepared["messages"]] == ["hello", "2+3?"]
    assert prepared["tool_choice"] == "required"
    assert prepared["parallel_tool_calls"] is False
    assert prepared["tools"][0]["name"] == "add"


def test_named_tool_choice_in_responses_shape(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    mock_llm.chat_with_tools([ADD], user_msg="2+3?", tool_choice="add")
    assert recorder.bodies[-1]["tool_choice"] == {"type": "function", "name": "add"}
    chat_shape = {"type": "function", "function": {"name": "add"}}
    assert resolve_tool_choice(chat_shape, False) == {"type": "function", "name": "add"}


def test_strict_tools_and_built_in_tools(mock_llm: XiaohuResponses, recorder: Recorder) -> None:
    mock_llm.built_in_tools = [{"type": "web_search"}]
    mock_llm.strict = True
    mock_llm.chat_with_tools([ADD], user_msg="2+3?")
    tools: list[dict[str, Any]] = recorder.bodies[-1]["tools"]
    assert tools[0] == {"type": "web_search"}
    assert tools[1]["strict"] is True
    assert tools[1]["parameters"]["additionalProperties"] is False
    # The tool's own metadata was not changed by the strict copy.
    assert "additionalProperties" not in ADD.metadata.get_parameters_dict()


def test_invalid_parameter_fails_before_sending(
    mock_llm: XiaohuResponses, recorder: Recorder
) -> None:
    with pytest.raises(ConfigurationError, match="max_output_tokens"):
        mock_llm.chat([ChatMessage(content="hi")], max_output_tokens=0)
    assert recorder.bodies == []


def test_per_call_options_reach_the_core(mock_llm: XiaohuResponses, recorder: Recorder) -> None:
    mock_llm.chat(
        [ChatMessage(content="hi")],
        extra_headers={"X-Trace": "t1"},
        metadata={"user": "u1"},
        timeout=5.0,
    )
    assert recorder.headers[-1]["x-trace"] == "t1"
    assert recorder.bodies[-1]["metadata"] == {"user": "u1"}
    assert "timeout" not in recorder.bodies[-1]


def test_get_tool_calls_uses_call_id(mock_llm: XiaohuResponses) -> None:
    from llama_index.core.base.llms.types import ChatResponse

    response = ChatResponse(
        message=ChatMessage(
            role="assistant",
            blocks=[
                ToolCallBlock(tool_call_id="call_9", tool_name="add", tool_kwargs='{"a": 1, "b')
            ],
        )
    )
    [selection] = mock_llm.get_tool_calls_from_response(response)
    assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == (
        "call_9",
        "add",
        {"a": 1},
    )
    empty = ChatResponse(message=ChatMessage(role="assistant", content="no tools"))
    assert mock_llm.get_tool_calls_from_response(empty, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="tool call"):
        mock_llm.get_tool_calls_from_response(empty)


def test_non_streaming_response_shape(mock_llm: XiaohuResponses) -> None:
    response = mock_llm.chat([ChatMessage(content="hi")])
    assert response.message.content == "ok"
    assert response.raw["usage"]["input_tokens"] == 3
    assert response.additional_kwargs["usage"]["output_tokens"] == 2
    assert response.message.additional_kwargs["response_id"] == "resp_1"
    assert TEST_API_KEY not in response.model_dump_json()
