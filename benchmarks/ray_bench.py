"""Rows per second of batch jobs on Ray Data: xiaohu's callables beside Ray's own and a plain one.

    python benchmarks/ray_bench.py            # the full run (a few minutes on 2 cores)
    python benchmarks/ray_bench.py --quick    # a smoke run: few rows, RESULTS.md left alone

One run, one local Ray cluster (`xiaohu.ray.local_cluster`: loopback only), one emulator in its
own process on 127.0.0.1, the same rows for every contender. Two jobs, each with 1 and 2
workers:

* responses: one Responses call per row (`What is i + i?`, answered `i + i = 2i.`);
* embeddings: one vector per row.

Contenders:

* `xiaohu`: `xiaohu.ray.ResponsesBatch` / `EmbeddingsBatch` (no job limits: the plain path).
* `ray.data.llm`: Ray's `HttpRequestProcessorConfig` + `build_processor`, posting the same
  Responses (or embeddings) payload per row to the same emulator. It ships in the `ray` wheel
  and needs only `aiohttp` beside `ray[data]`: no GPU package (the `ray[llm]` extra, which
  pins vLLM and CUDA libraries, is not needed for it).
* `openai`: the job as a user writes it by hand: a `map_batches` callable class holding one
  `AsyncOpenAI` client, `asyncio.gather` over the batch (8 in flight, as ours).

Every answer is checked (each row once, the expected text, the same vectors for every
contender) before a figure counts. The emulator answers at once, so rows per second measure each
stack's own cost per row (and Ray's per-job start-up, which every contender pays alike), not
network latency. The full run writes its section of `RESULTS.md` (between its markers, leaving
every other section as it is).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

# Ray's public switch for a machine that is no cluster node: read once, when Ray is imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

KEY = "sk-bench-0123456789abcdef"
MODEL = "gpt-5-mini"
EMBED = "text-embedding-3-small"
SECTION = "ray"
CONTENDERS = ("xiaohu", "ray.data.llm", "openai")
JOBS = ("responses", "embeddings")
CONFIGS = {
    # rows per job; batch sizes as each library's docs suggest for API calls
    "full": {"responses": 800, "embeddings": 4000, "workers": [1, 2], "reps": 2},
    "quick": {"responses": 96, "embeddings": 1000, "workers": [1, 2], "reps": 1},
}
RESPONSES_BATCH = 32
EMBED_BATCH = 500
EMBED_CHUNK = 256
IN_FLIGHT = 8

EMULATOR = """
import sys
from xiaohu.emulator import serve
with serve(port=0) as url:
    print(url, flush=True)
    sys.stdin.read()
"""


# -- the rows and their checks (pure) --------------------------------------------------------------


def prompts(n: int) -> list[dict[str, Any]]:
    return [{"i": i, "prompt": f"What is {i} + {i}?"} for i in range(n)]


def texts(n: int) -> list[dict[str, Any]]:
    return [{"i": i, "text": f"chunk {i}: tea grows on hill number {i}"} for i in range(n)]


def expected_answer(i: int) -> str:
    """What the emulator answers `What is i + i?`."""
    return f"{i} + {i} = {2 * i}."


def check_answers(rows: Sequence[Mapping[str, Any]], n: int) -> str | None:
    """None when every row is there once with its expected answer, else what is wrong."""
    seen = sorted(int(row["i"]) for row in rows)
    if seen != list(range(n)):
        return f"rows {len(rows)} of {n}, or some twice"
    for row in rows:
        if row.get("output_text") != expected_answer(int(row["i"])):
            return f"row {row['i']}: {row.get('output_text')!r} ({row.get('error_message')})"
    return None


def check_vectors(
    rows: Sequence[Mapping[str, Any]], n: int, reference: dict[int, list[float]] | None
) -> str | None:
    """None when every row has a vector, equal to the reference's (when given)."""
    seen = sorted(int(row["i"]) for row in rows)
    if seen != list(range(n)):
        return f"rows {len(rows)} of {n}, or some twice"
    for row in rows:
        vector = row.get("embedding")
        if vector is None or len(vector) == 0:
            return f"row {row['i']}: no vector ({row.get('error_message')})"
        if reference is not None:
            other = reference[int(row["i"])]
            if len(other) != len(vector) or any(
                not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)
                for a, b in zip(vector, other, strict=True)
            ):
                return f"row {row['i']}: a different vector from the first contender's"
    return None


def rows_per_second(n: int, seconds: list[float]) -> float:
    """Rows over the best (least) wall time of the repetitions."""
    return n / min(seconds)


def summary(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One line per job and worker count: each contender's rows/s and ours over theirs."""
    out = []
    for job in JOBS:
        n = results["config"][job]
        for workers in results["config"]["workers"]:
            line: dict[str, Any] = {"job": job, "workers": workers, "rows": n}
            for name in CONTENDERS:
                entry = results["runs"].get(f"{job}/{name}/{workers}")
                ok = entry is not None and "error" not in entry
                line[name] = rows_per_second(n, entry["seconds"]) if ok else None
                line[f"{name} seconds"] = entry["seconds"] if ok else None
            for name in CONTENDERS[1:]:
                ours, theirs = line["xiaohu"], line[name]
                line[f"xiaohu/{name}"] = ours / theirs if ours and theirs else None
            out.append(line)
    return out


def _fmt(x: float | None, digits: int = 1) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _times(seconds: list[float] | None) -> str:
    return "–" if not seconds else " / ".join(f"{t:.1f}" for t in seconds) + " s"


def table(results: Mapping[str, Any]) -> list[str]:
    """The Markdown table of `summary` (each run's wall time in brackets)."""
    lines = [
        "| job | workers | rows | xiaohu rows/s | ray.data.llm rows/s | openai rows/s "
        "| xiaohu / ray.data.llm | xiaohu / openai |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for line in summary(results):
        rates = " | ".join(
            f"{_fmt(line[name])} ({_times(line[name + ' seconds'])})" for name in CONTENDERS
        )
        lines.append(
            f"| {line['job']} | {line['workers']} | {line['rows']} | {rates} "
            f"| {_fmt(line['xiaohu/ray.data.llm'], 2)}× | {_fmt(line['xiaohu/openai'], 2)}× |"
        )
    return lines


def errors(results: Mapping[str, Any]) -> list[str]:
    return [
        f"- {key}: {entry['error']}" for key, entry in results["runs"].items() if "error" in entry
    ]


def markdown(results: Mapping[str, Any]) -> str:
    """The section of RESULTS.md (its heading included, its markers not)."""
    cfg = results["config"]
    failed = errors(results)
    lines = [
        "## Ray Data: rows per second (issue 21)",
        "",
        f"Generated by `python benchmarks/ray_bench.py` on {results['date']} in "
        f"{results['wall_seconds']:.0f} s ({results['code']}); {results['machine']}; "
        f"load average before / after {results['load_before']} / {results['load_after']}. "
        f"Ray {results['versions'].get('ray')}, openai {results['versions'].get('openai')}, "
        f"aiohttp {results['versions'].get('aiohttp')}.",
        "",
        "One local Ray cluster (`local_cluster(num_cpus=2)`, loopback only) and one emulator in "
        "its own process; the same rows for every contender, every answer checked. A figure is "
        f"rows over the best wall time of {cfg['reps']} run(s) of the whole job "
        "(`take_all()`, Ray's actor start-up included, which every contender pays alike). The "
        "emulator answers at once: these are each stack's own costs per row on a shared 2-core "
        "machine (the driver, Ray's processes and the emulator share the cores), not network "
        "latency; a second worker therefore adds contention more than capacity. In brackets: "
        "each run's wall time.",
        "",
        "- `xiaohu`: `ResponsesBatch` / `EmbeddingsBatch` with `map_options(workers=N)`, no job "
        "limits; embeddings 256 texts a request.",
        "- `ray.data.llm`: Ray's `HttpRequestProcessorConfig(concurrency=N)` + `build_processor`, "
        "the same Responses payload per row to `/v1/responses` (embeddings: one row a request, "
        "which is how it works). It installs without GPU packages: it ships in the `ray` wheel and "
        "needs only `aiohttp` (the `ray[llm]` extra, with vLLM and CUDA, is not needed).",
        "- `openai`: a hand-written `map_batches` class with one `AsyncOpenAI` client, "
        "`asyncio.gather` over the batch (8 in flight); embeddings 256 texts a request.",
        "",
        *table(results),
        "",
    ]
    if failed:
        lines += ["Failed runs (no figure):", "", *failed, ""]
    return "\n".join(lines)


_MARKERS = "<!-- section:{name} (written by benchmarks/{script}; do not edit by hand) -->"


def replace_section(text: str, name: str, body: str, script: str = "ray_bench.py") -> str:
    """`text` with its section `name` (between its markers) replaced by `body`, or appended.

    Everything outside the markers is kept byte for byte.
    """
    start = _MARKERS.format(name=name, script=script)
    end = f"<!-- /section:{name} -->"
    block = f"{start}\n{body.rstrip()}\n{end}\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    return text.rstrip("\n") + "\n\n" + block


# -- the contenders (run inside Ray) -----------------------------------------------------------------


class OpenAIResponses:
    """The hand-written contender: one `AsyncOpenAI` client per worker, the batch gathered."""

    def __init__(self, base_url: str, api_key: str) -> None:
        from openai import AsyncOpenAI

        self.loop = asyncio.new_event_loop()
        self.client = AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=2)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        async def all_rows() -> list[str]:
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def one(prompt: str) -> str:
                async with gate:
                    response = await self.client.responses.create(model=MODEL, input=prompt)
                    return response.output_text

            return await asyncio.gather(*(one(str(p)) for p in batch["prompt"]))

        return {"i": batch["i"], "output_text": self.loop.run_until_complete(all_rows())}


class OpenAIEmbeddings:
    """The hand-written embeddings contender: 256 texts a request, 8 requests in flight."""

    def __init__(self, base_url: str, api_key: str) -> None:
        from openai import AsyncOpenAI

        self.loop = asyncio.new_event_loop()
        self.client = AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=2)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        items = [str(t) for t in batch["text"]]
        chunks = [items[i : i + EMBED_CHUNK] for i in range(0, len(items), EMBED_CHUNK)]

        async def all_chunks() -> list[list[float]]:
            gate = asyncio.Semaphore(IN_FLIGHT)

            async def one(chunk: list[str]) -> list[list[float]]:
                async with gate:
                    answer = await self.client.embeddings.create(model=EMBED, input=chunk)
                    return [d.embedding for d in sorted(answer.data, key=lambda d: d.index)]

            parts = await asyncio.gather(*(one(c) for c in chunks))
            return [vector for part in parts for vector in part]

        return {"i": batch["i"], "embedding": self.loop.run_until_complete(all_chunks())}


def _responses_text(answer: Mapping[str, Any]) -> str:
    """The output text of a raw Responses JSON (what `ray.data.llm` hands back)."""
    return "".join(
        part.get("text", "")
        for item in answer.get("output") or ()
        if item.get("type") == "message"
        for part in item.get("content") or ()
        if part.get("type") == "output_text"
    )


def build(job: str, name: str, workers: int, url: str) -> Callable[[Any], Any]:
    """The job for one contender: a function from the input dataset to the output dataset."""
    import ray

    from xiaohu.ray import EmbeddingsBatch, ResponsesBatch

    ask = {"api_key": KEY, "base_url": url}
    if name == "xiaohu" and job == "responses":
        return lambda ds: ds.map_batches(
            ResponsesBatch,
            fn_constructor_kwargs={"model": MODEL, "concurrency": IN_FLIGHT, **ask},
            **ResponsesBatch.map_options(workers=workers, batch_size=RESPONSES_BATCH),
        )
    if name == "xiaohu":
        return lambda ds: ds.map_batches(
            EmbeddingsBatch,
            fn_constructor_kwargs={"model": EMBED, "chunk_size": EMBED_CHUNK, **ask},
            **EmbeddingsBatch.map_options(workers=workers, batch_size=EMBED_BATCH),
        )
    if name == "openai":
        cls: Any = OpenAIResponses if job == "responses" else OpenAIEmbeddings
        return lambda ds: ds.map_batches(
            cls,
            fn_constructor_kwargs={"base_url": url, "api_key": KEY},
            compute=ray.data.ActorPoolStrategy(size=workers),
            batch_size=RESPONSES_BATCH if job == "responses" else EMBED_BATCH,
            num_cpus=0.25,
            batch_format="numpy",
        )
    from ray.data.llm import HttpRequestProcessorConfig, build_processor

    if job == "responses":
        config = HttpRequestProcessorConfig(
            url=f"{url}/responses",
            headers={"Authorization": f"Bearer {KEY}"},
            concurrency=workers,
            batch_size=RESPONSES_BATCH,
        )
        return build_processor(
            config,
            preprocess=lambda row: {
                "i": row["i"],
                "payload": {"model": MODEL, "input": row["prompt"]},
            },
            postprocess=lambda row: {
                "i": row["i"],
                "output_text": _responses_text(row["http_response"]),
            },
        )
    config = HttpRequestProcessorConfig(
        url=f"{url}/embeddings",
        headers={"Authorization": f"Bearer {KEY}"},
        concurrency=workers,
        batch_size=EMBED_BATCH,
    )
    return build_processor(
        config,
        preprocess=lambda row: {"i": row["i"], "payload": {"model": EMBED, "input": row["text"]}},
        postprocess=lambda row: {
            "i": row["i"],
            "embedding": row["http_response"]["data"][0]["embedding"],
        },
    )


# -- the run --------------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    import importlib.metadata

    out = {}
    for name in ("ray", "openai", "aiohttp", "xiaohu"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "missing"
    return out


def _load() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def start_emulator() -> tuple[subprocess.Popen[str], str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", EMULATOR],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"the emulator did not start: {url!r}")
    return process, url


def run(config: Mapping[str, Any], log: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure every contender on every job and worker count; return the raw results."""
    import ray

    from xiaohu.ray import local_cluster

    started = time.perf_counter()
    results: dict[str, Any] = {
        "config": dict(config),
        "runs": {},
        "date": time.strftime("%Y-%m-%d"),
        "load_before": _load(),
        "versions": _versions(),
        "machine": f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
    }
    from benchmarks.report import commit

    results["code"] = commit()
    emulator, url = start_emulator()
    try:
        local_cluster(num_cpus=2)
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = False
        ctx.print_on_execution_start = False
        # Warm-up, not counted: the first jobs of a fresh cluster start its worker processes.
        for name in CONTENDERS:
            build("responses", name, 1, url)(ray.data.from_items(prompts(4))).take_all()
        reference: dict[int, list[float]] | None = None
        turn = 0
        for job in JOBS:
            n = config[job]
            items = prompts(n) if job == "responses" else texts(n)
            for workers in config["workers"]:
                turn += 1  # each contender goes first in turn: no one always meets a cold start
                order = CONTENDERS[turn % 3 :] + CONTENDERS[: turn % 3]
                for name in order:
                    key = f"{job}/{name}/{workers}"
                    seconds: list[float] = []
                    try:
                        for _ in range(config["reps"]):
                            pipeline = build(job, name, workers, url)
                            t0 = time.perf_counter()
                            rows = pipeline(ray.data.from_items(items)).take_all()
                            seconds.append(time.perf_counter() - t0)
                            if job == "responses":
                                problem = check_answers(rows, n)
                            else:
                                problem = check_vectors(rows, n, reference)
                                if problem is None and reference is None:
                                    reference = {int(r["i"]): list(r["embedding"]) for r in rows}
                            if problem is not None:
                                raise RuntimeError(problem)
                        results["runs"][key] = {"seconds": seconds}
                        log(f"{key}: {rows_per_second(n, seconds):.1f} rows/s ({_times(seconds)})")
                    except Exception as exc:  # one contender's failure is reported, not fatal
                        results["runs"][key] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                        log(f"{key}: FAILED {exc}")
        ray.shutdown()
    finally:
        assert emulator.stdin is not None
        emulator.stdin.close()
        emulator.wait(timeout=30)
    results["wall_seconds"] = time.perf_counter() - started
    results["load_after"] = _load()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rows; RESULTS.md left alone")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    args = parser.parse_args(argv)
    results = run(CONFIGS["quick" if args.quick else "full"])
    print()
    print("Contender: Ray's own ray.data.llm.HttpRequestProcessorConfig (it installs without GPU")
    print(
        "packages: it is in the ray wheel and needs only aiohttp), and a plain openai map_batches."
    )
    print("\n".join(table(results)))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=1))
    if not args.quick:
        text = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
        args.results.write_text(replace_section(text, SECTION, markdown(results)), encoding="utf-8")
        print(f"wrote the {SECTION!r} section of {args.results}")
    return 1 if errors(results) else 0


if __name__ == "__main__":
    sys.exit(main())
