"""Token logprobs asked for on the Chat Completions wire arrive as on the Responses API.

A chat choice carries `logprobs.content`; the translator puts it on the `output_text` part (and
on each streamed `output_text.delta`), so `Response` readers (LangChain's
`response_metadata["logprobs"]`, LlamaIndex's `ChatResponse.logprobs`) find it on either wire,
streamed or not.
"""

from __future__ import annotations

from typing import Any

from langchain_xiaohu._messages import output_logprobs
from xiaohu import OutputMessage, OutputText
from xiaohu._chat_wire import ChatChunkTranslator, WireChoice, chat_response
from xiaohu._events import OutputTextDeltaEvent
from xiaohu._fold import ResponseState

WIRE = WireChoice("chat", "test")
TOKENS = [
    {"token": "Hel", "logprob": -0.01, "bytes": [72, 101, 108], "top_logprobs": []},
    {
        "token": "lo",
        "logprob": -0.2,
        "bytes": [108, 111],
        "top_logprobs": [{"token": "lo", "logprob": -0.2, "bytes": [108, 111]}],
    },
]


def _completion() -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "deepseek-chat",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello"},
                "logprobs": {"content": TOKENS},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    }


def _chunks() -> list[dict[str, Any]]:
    head = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    parts = [
        {
            **head,
            "choices": [
                {"index": 0, "delta": {"content": t["token"]}, "logprobs": {"content": [t]}}
            ],
        }
        for t in TOKENS
    ]
    parts.append({**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    parts.append(
        {
            **head,
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
        }
    )
    return parts


def test_a_chat_completion_keeps_its_logprobs() -> None:
    response = chat_response(_completion(), WIRE)
    assert response.output_text == "Hello"
    assert output_logprobs(response) == TOKENS


def test_a_chat_stream_keeps_its_logprobs_like_the_whole_answer() -> None:
    translator, state = ChatChunkTranslator(WIRE), ResponseState()
    streamed: list[Any] = []
    for chunk in _chunks():
        for event in translator.chunk(chunk):
            state.apply(event)
            if isinstance(event, OutputTextDeltaEvent):
                streamed.extend((event.model_extra or {}).get("logprobs") or [])
    assert state.done
    assert state.snapshot is not None
    assert streamed == TOKENS
    assert (
        output_logprobs(state.snapshot)
        == TOKENS
        == output_logprobs(chat_response(_completion(), WIRE))
    )


def test_no_logprobs_asked_means_none_added() -> None:
    plain = _completion()
    del plain["choices"][0]["logprobs"]
    response = chat_response(plain, WIRE)
    assert output_logprobs(response) == []
    message = response.output[0]
    assert isinstance(message, OutputMessage)
    part = message.content[0]
    assert isinstance(part, OutputText)
    assert "logprobs" not in part.model_dump(exclude_unset=True)
