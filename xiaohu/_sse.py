"""Server-sent events, decoded by the WHATWG rules.

https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

Why not `httpx-sse`: the core depends on httpx and pydantic only, and httpx-sse decodes
text lines that httpx has already split and decoded one at a time. This decoder works on raw
bytes: it splits complete lines with `bytes.splitlines` (which breaks on exactly CR, LF and
CRLF, the spec's three line endings) and decodes UTF-8 per complete line, so a multibyte
character split across network chunks can never be torn. The same `SSEDecoder` serves the sync
and async streams; only their outer loops differ.
"""

from __future__ import annotations

__all__ = ["SSEDecoder", "ServerSentEvent"]

_BOM = b"\xef\xbb\xbf"


class ServerSentEvent:
    """One dispatched event: its type, data, last event id and retry hint.

    Example:
        >>> ServerSentEvent(event="ping", data="{}").event
        'ping'
    """

    __slots__ = ("data", "event", "id", "retry")

    def __init__(
        self, event: str = "message", data: str = "", id: str = "", retry: int | None = None
    ) -> None:
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry

    def __repr__(self) -> str:
        return f"ServerSentEvent(event={self.event!r}, data={self.data[:60]!r})"


class SSEDecoder:
    """Incremental decoder: feed byte chunks, get complete events.

    Example:
        >>> d = SSEDecoder()
        >>> d.decode(b"event: a\\ndata: 1\\n")
        []
        >>> [e.data for e in d.decode(b"\\n")]
        ['1']
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._started = False
        self._skip_lf = False
        self._event = ""
        self._data: list[str] = []
        self._last_id = ""
        self._retry: int | None = None

    def decode(self, chunk: bytes) -> list[ServerSentEvent]:
        """Feed one chunk; return the events it completed (possibly none).

        Args:
            chunk: The next bytes of the stream, split anywhere.

        Returns:
            The events whose terminating blank line was in this chunk.

        Example:
            >>> [e.data for e in SSEDecoder().decode(b"data: x\\r\\n\\r\\n")]
            ['x']
        """
        if not chunk:
            return []
        if self._skip_lf:
            self._skip_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        buffer = self._buffer
        buffer += chunk
        if not self._started:
            if len(buffer) < len(_BOM) and _BOM.startswith(bytes(buffer)):
                return []
            self._started = True
            if buffer.startswith(_BOM):
                del buffer[: len(_BOM)]
        # Earlier bytes hold no line ending (they would have been consumed): search only the
        # new chunk, so a long event arriving in many small reads stays linear, not quadratic.
        last = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
        if last == -1:
            return []
        end = len(buffer) - (len(chunk) - last)
        complete = bytes(buffer[: end + 1])
        del buffer[: end + 1]
        if complete[-1:] == b"\r":
            # A CR at the very end may be the first half of a CRLF split across chunks.
            self._skip_lf = True
        events: list[ServerSentEvent] = []
        data = self._data
        for line in complete.splitlines():
            # The hot path inline (data, event and blank lines); everything else in `_line`.
            if line.startswith(b"data: "):
                data.append(line[6:].decode("utf-8", "replace"))
            elif not line:
                if data:
                    joined = data[0] if len(data) == 1 else "\n".join(data)
                    events.append(
                        ServerSentEvent(
                            self._event or "message", joined, self._last_id, self._retry
                        )
                    )
                    data.clear()
                self._event = ""
            elif line.startswith(b"event: "):
                self._event = line[7:].decode("utf-8", "replace")
            else:
                self._line(line)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: a trailing line without its line ending still counts.

        Per the spec, an event not yet dispatched by a blank line is discarded.

        Returns:
            Always an empty list today; kept for symmetry with `decode`.

        Example:
            >>> SSEDecoder().flush()
            []
        """
        if self._buffer:
            self._line(bytes(self._buffer))
            self._buffer.clear()
        self._event = ""
        self._data.clear()
        return []

    def _line(self, raw: bytes) -> None:
        # Never blank: `decode` handles blank lines inline and `flush` passes a non-empty rest.
        if raw.startswith(b"data:"):
            value = raw[5:]
            if value[:1] == b" ":
                value = value[1:]
            self._data.append(value.decode("utf-8", "replace"))
            return
        if raw.startswith(b"event:"):  # the other line of every Responses event
            value = raw[6:]
            if value[:1] == b" ":
                value = value[1:]
            self._event = value.decode("utf-8", "replace")
            return
        if raw[:1] == b":":
            return  # comment or keep-alive
        line = raw.decode("utf-8", "replace")
        name, sep, value_s = line.partition(":")
        if sep and value_s[:1] == " ":
            value_s = value_s[1:]
        if name == "event":
            self._event = value_s
        elif name == "data":
            self._data.append(value_s)
        elif name == "id":
            if "\0" not in value_s:
                self._last_id = value_s
        elif name == "retry" and value_s.isascii() and value_s.isdigit():
            self._retry = int(value_s)
        return
