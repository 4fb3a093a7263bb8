"""One measurement of one contender, in a fresh process; prints one JSON line.

Usage: `python benchmarks/worker.py '{"task": "cpu", "client": "ChatXiaohu", "port": 1234, ...}'`

Tasks:
- `serve`: the stream-CPU measurement, driven by `run_all.py` so that the contenders are
  *interleaved*: the worker builds one client per N, warms each up (`WARMUPS` streams, so lazy
  imports, connection set-up and first-call caches are not counted), prints `{"ready": true}`,
  then answers every `{"n": N}` line on stdin with `{"cpu": seconds}` for one stream of N
  deltas (see `one_stream`: collector off while timing; `{"n": N, "gc": true}` keeps it on). Every contender is alive at once and the driver asks them in
  turn, so drift on the machine (other work, CPU frequency) hits all of them alike.
- `cpu`: the same measurement for one contender alone, `reps` times per N (for ad-hoc use).
- `ttft`: wall seconds from the call to the first non-empty text piece, per repetition.
- `conc`: wall seconds for k concurrent non-stream calls (`abatch`/`achat`/gather), per repetition.
- `mem`: tracemalloc peak (bytes) while consuming one stream of N deltas, and ru_maxrss growth.
- `profile`: a pyinstrument profile of one stream of N deltas; writes text + top self-time frames.

Every stream is checked against the expected text: a client that loses a piece fails loudly.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.contenders import CONTENDERS, Contender
from benchmarks.synth import deltas


def _url(port: int, n: int) -> str:
    return f"http://127.0.0.1:{port}/n/{n}/v1"


@functools.cache
def _expected(n: int) -> str:
    return "".join(deltas(n))


def _consume(c: Contender, model: Any, n: int) -> None:
    text = "".join(c.stream(model))
    expected = _expected(n)  # cached: built by the warm-up run, never inside a timed one
    if text != expected:
        raise SystemExit(f"{c.name}: got {len(text)} chars, expected {len(expected)}")


WARMUPS = 2  # untimed streams per client before the first timed one


def one_stream(c: Contender, model: Any, n: int, collector: bool = False) -> float:
    """Client CPU seconds (`time.process_time()`) of one stream of N deltas.

    The same for every contender: a full `gc.collect()` first, so no stream pays for the garbage
    of the previous one or of the imports, then the cyclic collector is off while timing (unless
    `collector`), and on again after. Why off: a generation-2 collection costs time in proportion
    to the whole heap, mostly the framework's own import-time objects, and whether one falls
    inside a given stream depends on allocation counters, not on the stream: with it on, the same
    code measured 0.64 or 1.29 s for 20k deltas (issue 20), which swung the per-N ratios and the
    growth ratio. Allocation itself is still timed. `run_all.py` also times a few streams with
    the collector on, printed apart, so its cost stays visible.
    """
    gc.collect()
    if not collector:
        gc.disable()
    try:
        start = time.process_time()
        _consume(c, model, n)
        return time.process_time() - start
    finally:
        gc.enable()


def warm(c: Contender, port: int, sizes: list[int]) -> dict[int, Any]:
    """One client per N, each warmed up by `WARMUPS` untimed streams."""
    models = {n: c.make(_url(port, n)) for n in sizes}
    for n, model in models.items():
        for _ in range(WARMUPS):
            _consume(c, model, n)
    return models


def serve(c: Contender, port: int, sizes: list[int]) -> None:
    """Answer `{"n": N}` lines with one timed stream each, until stdin closes (task `serve`)."""
    models = warm(c, port, sizes)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        n = ask["n"]
        print(json.dumps({"cpu": one_stream(c, models[n], n, ask.get("gc", False))}), flush=True)


def cpu(c: Contender, port: int, n: int, reps: int) -> list[float]:
    """`reps` timed streams of N deltas for one contender alone (not interleaved)."""
    model = warm(c, port, [n])[n]
    return [one_stream(c, model, n) for _ in range(reps)]


def ttft(c: Contender, port: int, n: int, reps: int) -> list[float]:
    model = c.make(_url(port, n))
    _consume(c, model, n)
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        it = c.stream(model)
        for piece in it:
            if piece:
                times.append(time.perf_counter() - start)
                break
        for _ in it:
            pass
    return times


def conc(c: Contender, port: int, k: int, reps: int) -> list[float]:
    model = c.make(_url(port, 1000))
    expected = _expected(40)

    async def run() -> list[float]:
        await c.concurrent(model, 2)  # warm-up: imports, first connections
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            texts = await c.concurrent(model, k)
            times.append(time.perf_counter() - start)
            if len(texts) != k or any(t != expected for t in texts):
                raise SystemExit(f"{c.name}: wrong answers in the concurrent batch")
        return times

    return asyncio.run(run())


def mem(c: Contender, port: int, n: int) -> dict[str, float]:
    model = c.make(_url(port, n))
    warm = c.make(_url(port, 1000))
    _consume(c, warm, 1000)  # lazy imports and first connection before measuring
    _expected(n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    _consume(c, model, n)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "peak": float(peak),
        "rss_growth_kib": float(rss_after - rss_before),
        "rss_kib": float(rss_after),
    }


def _package(file_path: str | None) -> str:
    """The top-level package a frame's file belongs to ("python" for the stdlib)."""
    if not file_path or file_path.startswith("<"):
        return "builtins / C code"
    parts = Path(file_path).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    for ours in ("xiaohu", "langchain_xiaohu", "llama_index_xiaohu", "benchmarks"):
        if ours in parts:
            return ours
    return "python stdlib"


def profile(c: Contender, port: int, n: int, out: str) -> dict[str, Any]:
    from pyinstrument import Profiler

    model = c.make(_url(port, n))
    _consume(c, model, n)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    _consume(c, model, n)
    profiler.stop()
    Path(out).write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    by_function: dict[str, float] = {}
    by_package: dict[str, float] = {}

    def walk(frame: Any, parent: Any, caller_pkg: str) -> None:
        owner = parent if frame.identifier.startswith("[self]") and parent is not None else frame
        pkg = _package(owner.file_path)
        if pkg == "builtins / C code":  # C code (pydantic-core, json) counts for its caller
            pkg = caller_pkg
        if not frame.children:
            key = f"{owner.function} ({owner.file_path_short}:{owner.line_no})"
            by_function[key] = by_function.get(key, 0.0) + frame.time
            by_package[pkg] = by_package.get(pkg, 0.0) + frame.time
        for child in frame.children:
            walk(child, frame, pkg)

    session = profiler.last_session
    root = session.root_frame() if session else None
    if root is not None:
        walk(root, None, "benchmarks")
    return {
        "total": root.time if root else 0.0,
        "top_functions": sorted(by_function.items(), key=lambda kv: -kv[1])[:10],
        "by_package": sorted(by_package.items(), key=lambda kv: -kv[1])[:8],
    }


def bench(c: Contender, spec: dict[str, Any]) -> dict[str, Any]:
    """Time to first token, then concurrency, in one process (stream CPU is `serve`'s)."""
    port = spec["port"]
    result: dict[str, Any] = {}
    result["ttft"] = ttft(c, port, spec["ttft_n"], spec["ttft_reps"])
    result["conc"] = conc(c, port, spec["k"], spec["conc_reps"])
    return result


def main(spec: dict[str, Any]) -> Any:
    c = CONTENDERS[spec["client"]]
    task = spec["task"]
    if task == "bench":
        return bench(c, spec)
    if task == "serve":
        return serve(c, spec["port"], spec["sizes"])
    if task == "cpu":
        return cpu(c, spec["port"], spec["n"], spec["reps"])
    if task == "ttft":
        return ttft(c, spec["port"], spec["n"], spec["reps"])
    if task == "conc":
        return conc(c, spec["port"], spec["k"], spec["reps"])
    if task == "mem":
        return mem(c, spec["port"], spec["n"])
    if task == "profile":
        return profile(c, spec["port"], spec["n"], spec["out"])
    raise SystemExit(f"unknown task {task!r}")


if __name__ == "__main__":
    answer = main(json.loads(sys.argv[1]))
    if answer is not None:  # `serve` has printed its own lines
        print(json.dumps(answer))
