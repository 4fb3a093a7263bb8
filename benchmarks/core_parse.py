"""Hot path of the core: 20k text deltas through `ResponseStream` vs a bare httpx loop.

Both sides read the same in-memory bytes, delivered by the same chunked `httpx` stream:
- bare: `response.iter_lines()` + `json.loads` of every `data:` line (no typing, no fold);
- core: `ResponseStream.iter_deltas()` (SSE decoding, typed events, the fold, deltas).

Target (issue 2): core <= 2x bare. Run: `python benchmarks/core_parse.py [--profile]`.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator

import httpx

from xiaohu import ResponseStream, TextDelta

N_DELTAS = 20_000
CHUNK = 4096  # bytes per network read
ROUNDS = 10


def make_stream_bytes(n: int = N_DELTAS) -> bytes:
    """A realistic plain-text stream: created, item/part added, n deltas, done, completed."""
    item = "msg_bench_000000000000000000000000000000000000000000"
    response = {"id": "resp_bench", "object": "response", "status": "in_progress", "output": []}
    events: list[dict[str, object]] = [
        {"type": "response.created", "response": response},
        {"type": "response.in_progress", "response": response},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": item, "type": "message", "status": "in_progress", "content": []},
        },
    ]
    words = ["你好", " world", "，", " the", " quick", " 狐狸", "!", " 42"]
    for i in range(n):
        events.append(
            {
                "type": "response.output_text.delta",
                "item_id": item,
                "output_index": 0,
                "content_index": 0,
                "delta": words[i % len(words)],
                "logprobs": [],
                "obfuscation": "aB3dE6gH9",
            }
        )
    done = {**response, "status": "completed"}
    events.append({"type": "response.completed", "response": done})
    out = []
    for seq, event in enumerate(events):
        event["sequence_number"] = seq
        data = json.dumps(event, ensure_ascii=False)
        out.append(f"event: {event['type']}\ndata: {data}\n\n")
    return "".join(out).encode()


class Chunked(httpx.SyncByteStream):
    """The bytes in fixed-size reads, as a socket would deliver them."""

    def __init__(self, raw: bytes, size: int = CHUNK) -> None:
        self.raw, self.size = raw, size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.raw), self.size):
            yield self.raw[start : start + self.size]


def _response(raw: bytes) -> httpx.Response:
    return httpx.Response(
        200,
        headers={"content-type": "text/event-stream"},
        stream=Chunked(raw),
        request=httpx.Request("POST", "http://bench.local/v1/responses"),
    )


def bare(raw: bytes) -> int:
    """httpx iter_lines + json.loads: the floor any SSE client pays."""
    count = 0
    for line in _response(raw).iter_lines():
        if line.startswith("data:"):
            event = json.loads(line[5:])
            if event["type"] == "response.output_text.delta":
                count += 1
    return count


def core(raw: bytes) -> int:
    """The real consumer path: typed events, the fold, normalised deltas."""
    count = 0
    with ResponseStream(_response(raw)) as stream:
        for delta in stream.iter_deltas():
            if isinstance(delta, TextDelta):
                count += 1
        assert stream.response is not None
    return count


def timed(fn: Callable[[bytes], int], raw: bytes) -> float:
    """CPU seconds of one run (CPU time: other processes on the machine do not count)."""
    start = time.process_time()
    assert fn(raw) == N_DELTAS
    return time.process_time() - start


def best_of(raw: bytes, rounds: int = ROUNDS) -> tuple[float, float]:
    """Fastest bare and core runs, interleaved so that both see the same machine."""
    bare_times, core_times = [], []
    for _ in range(rounds):
        bare_times.append(timed(bare, raw))
        core_times.append(timed(core, raw))
    return min(bare_times), min(core_times)


def main() -> None:
    """Time both loops and print the ratio; `--profile` profiles the core loop."""
    raw = make_stream_bytes()
    if "--profile" in sys.argv:
        from pyinstrument import Profiler

        with Profiler() as profiler:
            core(raw)
        print(profiler.output_text(unicode=True, color=False))
        return
    t_bare, t_core = best_of(raw)
    mb = len(raw) / 1e6
    print(f"{N_DELTAS} deltas, {mb:.1f} MB, {CHUNK}-byte reads, best CPU time of {ROUNDS}")
    print(f"bare httpx iter_lines + json.loads: {t_bare * 1e3:7.1f} ms")
    print(f"xiaohu ResponseStream.iter_deltas:  {t_core * 1e3:7.1f} ms")
    ratio = t_core / t_bare
    print(f"ratio: {ratio:.2f}x (target <= 2x) {'OK' if ratio <= 2 else 'ABOVE TARGET'}")


if __name__ == "__main__":
    main()
