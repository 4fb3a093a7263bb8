"""The benchmark server: a raw asyncio HTTP/1.1 server on loopback, run as its own process.

It runs in a separate process so that its CPU is never counted in a client's
`time.process_time()`. Every answer is pre-built bytes, so serving costs almost nothing:

- `POST <anything>/n/<N>/v1/responses` with `"stream": true` in the body: the synthetic
  Responses stream of N text deltas (chunked, in 16 KiB chunks like a real socket would carry).
- the same path without `"stream": true`: a Response JSON.
- anything else: a 404 JSON error.

The base URL for a stream of N deltas is therefore `http://127.0.0.1:<port>/n/<N>/v1`.
Run: `python benchmarks/server.py` prints `PORT <port>` on its first line, then serves
until killed.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.synth import response_body, stream_body

SIZES = (1000, 5000, 20000)
CHUNK = 16 * 1024
_PATH = re.compile(rb"^/n/(\d+)/v1/responses$")


def _chunked(body: bytes) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + CHUNK]), body[i : i + CHUNK])
        for i in range(0, len(body), CHUNK)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def _head(status: str, content_type: str, extra: str) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\n"
        f"x-request-id: req_bench\r\n{extra}\r\n"
    ).encode()


def build_answers(sizes: tuple[int, ...] = SIZES) -> dict[str, bytes]:
    """Every answer the server gives, as complete HTTP responses."""
    answers = {}
    for n in sizes:
        answers[f"stream:{n}"] = _head(
            "200 OK", "text/event-stream; charset=utf-8", "transfer-encoding: chunked\r\n"
        ) + _chunked(stream_body(n))
    body = response_body()
    answers["json"] = _head("200 OK", "application/json", f"content-length: {len(body)}\r\n") + body
    missing = b'{"error":{"message":"not found","type":"invalid_request_error","code":null}}'
    answers["404"] = (
        _head("404 Not Found", "application/json", f"content-length: {len(missing)}\r\n") + missing
    )
    return answers


async def _handle(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answers: dict[str, bytes]
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            _method, path, _version = lines[0].split(b" ", 2)
            length = 0
            for line in lines[1:]:
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:].strip())
            body = await reader.readexactly(length) if length else b""
            match = _PATH.match(path.split(b"?", 1)[0])
            if match is None:
                answer = answers["404"]
            elif b'"stream":true' in body.replace(b" ", b""):
                answer = answers.get(f"stream:{int(match.group(1))}", answers["404"])
            else:
                answer = answers["json"]
            writer.write(answer)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _main() -> None:
    sizes = tuple(int(n) for n in sys.argv[1:]) or SIZES  # `server.py 30 60`: other stream sizes
    answers = build_answers(sizes)
    server = await asyncio.start_server(
        lambda r, w: _handle(r, w, answers), "127.0.0.1", 0, backlog=1024, limit=1 << 20
    )
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(_main())
