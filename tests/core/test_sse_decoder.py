"""The SSE decoder against the WHATWG event-stream interpretation rules.

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
Every case is also fed split at every byte boundary and one byte at a time: chunking must
never change the events.
"""

from __future__ import annotations

import pytest

from tests.core.wire import sse_events
from xiaohu._sse import ServerSentEvent, SSEDecoder


def _events(chunks: list[bytes]) -> list[tuple[str, str, str, int | None]]:
    return [(e.event, e.data, e.id, e.retry) for e in sse_events(chunks)]


def _all_chunkings(raw: bytes) -> list[list[bytes]]:
    """Whole, split at every boundary, and one byte per chunk."""
    splits = [[raw[:i], raw[i:]] for i in range(1, len(raw))]
    return [[raw], *splits, [raw[i : i + 1] for i in range(len(raw))]]


def _decode_every_way(raw: bytes) -> list[tuple[str, str, str, int | None]]:
    expected = _events([raw])
    for chunks in _all_chunkings(raw):
        assert _events(chunks) == expected, chunks
    return expected


CASES = [
    pytest.param(b"data: hello\n\n", [("message", "hello", "", None)], id="lf"),
    pytest.param(b"data: hello\r\n\r\n", [("message", "hello", "", None)], id="crlf"),
    pytest.param(b"data: hello\r\r", [("message", "hello", "", None)], id="cr"),
    pytest.param(
        b"data: a\r\n\r\ndata: b\n\ndata: c\r\r",
        [("message", "a", "", None), ("message", "b", "", None), ("message", "c", "", None)],
        id="mixed-line-endings",
    ),
    pytest.param(
        b"event: response.created\ndata: {}\n\n",
        [("response.created", "{}", "", None)],
        id="event-name",
    ),
    pytest.param(
        b"data: line one\ndata: line two\ndata:\n\n",
        [("message", "line one\nline two\n", "", None)],
        id="multi-line-data",
    ),
    pytest.param(b"data:no-space\n\n", [("message", "no-space", "", None)], id="no-space"),
    pytest.param(b"data:  two\n\n", [("message", " two", "", None)], id="only-one-space-removed"),
    pytest.param(b"data\n\n", [("message", "", "", None)], id="field-without-colon"),
    pytest.param(
        b": PING\n\n: keep-alive\ndata: x\n:\n\n",
        [("message", "x", "", None)],
        id="comments-and-keepalives",
    ),
    pytest.param(b"event: only\n\n", [], id="event-without-data-not-dispatched"),
    pytest.param(
        b"event: a\n\ndata: b\n\n",
        [("message", "b", "", None)],
        id="event-type-reset-after-blank-line",
    ),
    pytest.param(
        b"id: 7\ndata: a\n\ndata: b\n\n",
        [("message", "a", "7", None), ("message", "b", "7", None)],
        id="last-event-id-persists",
    ),
    pytest.param(b"id: a\0b\ndata: x\n\n", [("message", "x", "", None)], id="id-with-nul-ignored"),
    pytest.param(
        b"retry: 1500\ndata: x\n\nretry: soon\ndata: y\n\n",
        [("message", "x", "", 1500), ("message", "y", "", 1500)],
        id="retry-digits-only",
    ),
    pytest.param(b"unknown: 1\ndata: x\n\n", [("message", "x", "", None)], id="unknown-field"),
    pytest.param(b"data: [DONE]\n\n", [("message", "[DONE]", "", None)], id="done-is-plain-data"),
    pytest.param(
        b"\xef\xbb\xbfdata: bom\n\n", [("message", "bom", "", None)], id="leading-bom-stripped"
    ),
    pytest.param(
        b"data: \xef\xbb\xbfkept\n\n",
        [("message", "\ufeffkept", "", None)],
        id="bom-inside-kept",
    ),
    pytest.param(
        "data: 你好，世界 🌏\n\n".encode(),
        [("message", "你好，世界 🌏", "", None)],
        id="multibyte-utf8",
    ),
    pytest.param(b"data: a\n\ndata: cut", [("message", "a", "", None)], id="no-final-newline"),
    pytest.param(
        b"data: a\n\ndata: cut\n",
        [("message", "a", "", None)],
        id="event-without-blank-line-discarded",
    ),
    pytest.param(b"", [], id="empty"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_decoder_by_the_spec_at_every_chunking(raw: bytes, expected: list[object]) -> None:
    assert _decode_every_way(raw) == expected


def test_cr_then_lf_split_across_chunks_is_one_line_ending() -> None:
    # "data: a\r" | "\n\r" | "\ndata: b\r\n\r\n": two CRLFs, each torn between chunks.
    chunks = [b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n"]
    assert _events(chunks) == [("message", "a", "", None), ("message", "b", "", None)]


def test_lone_cr_before_lf_in_next_chunk_does_not_eat_a_real_blank_line() -> None:
    # CR at a chunk end then LF: one line ending; the next LF is the blank line.
    decoder = SSEDecoder()
    assert decoder.decode(b"data: x\r") == []
    assert [e.data for e in decoder.decode(b"\n\n")] == ["x"]


def test_multibyte_character_split_inside_a_chunk_boundary() -> None:
    raw = "data: 无效的令牌\n\n".encode()
    cut = raw.index("效".encode()) + 1  # inside the 3-byte sequence
    assert _events([raw[:cut], raw[cut:]]) == [("message", "无效的令牌", "", None)]


def test_invalid_utf8_is_replaced_not_raised() -> None:
    assert _events([b"data: \xff\xfe\n\n"]) == [("message", "\ufffd\ufffd", "", None)]


def test_bom_split_across_first_chunks() -> None:
    assert _events([b"\xef", b"\xbb", b"\xbfdata: x\n\n"]) == [("message", "x", "", None)]


def test_partial_bom_prefix_that_is_not_a_bom_is_kept_as_its_own_line() -> None:
    # Not a BOM: the bytes stay (an unknown field line) and the next line still decodes.
    assert _events([b"\xef", b"\xbb", b"!\ndata: x\n\n"]) == [("message", "x", "", None)]
    assert _events([b"\xef", b"data: x\n\n"]) == []  # "\ufffddata" is not the data field


def test_only_the_first_bom_is_stripped() -> None:
    raw = b"\xef\xbb\xbfdata: a\n\n\xef\xbb\xbfdata: b\n\n"
    # The second BOM makes "\ufeffdata" an unknown field name, so that event has no data.
    assert _events([raw]) == [("message", "a", "", None)]


def test_flush_discards_pending_event_and_resets() -> None:
    decoder = SSEDecoder()
    assert decoder.decode(b"event: e\ndata: x\n") == []
    assert decoder.flush() == []
    assert [e.event for e in decoder.decode(b"data: y\n\n")] == ["message"]


def test_repr_is_short() -> None:
    event = ServerSentEvent(event="e", data="x" * 500)
    assert len(repr(event)) < 120


def test_a_large_event_in_small_reads() -> None:
    # A deep-research response.completed can be megabytes; it arrives in many small reads.
    payload = ("研究" * 100_000).encode()
    raw = b"event: big\r\ndata: " + payload + b"\r\n\r\n"
    events = _events([raw[i : i + 1000] for i in range(0, len(raw), 1000)])
    assert [(e[0], len(e[1])) for e in events] == [("big", 200_000)]
