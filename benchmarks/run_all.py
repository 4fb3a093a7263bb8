"""Run every benchmark offline and write `RESULTS.md`, `results.png` and `results.json`.

    python benchmarks/run_all.py            # the full run, a few minutes on 2 cores
    python benchmarks/run_all.py --quick    # a smoke run, fewer repetitions (written to a temp dir)

The synthetic server runs in its own process; every contender is measured in fresh worker
processes (`worker.py`), so no client pays for another's imports, caches or garbage. Stream CPU
is measured with every contender's worker alive at once and asked in turn, round after round
(`stream_cpu`), so drift on the machine reaches every contender alike.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if __package__ in (None, ""):
    sys.path.insert(0, str(HERE.parent))

from benchmarks.contenders import CONTENDERS  # noqa: E402
from benchmarks.report import commit, evaluate, write_chart, write_markdown  # noqa: E402

# (label, statement): the package imports the issues name, and the imports that give a user a
# usable class (the lazy packages only pay on the second kind).
IMPORTS = [
    ("httpx", "import httpx"),
    ("openai", "import openai"),
    ("xiaohu", "import xiaohu"),
    ("langchain_core.language_models", "import langchain_core.language_models"),
    ("langchain_xiaohu", "import langchain_xiaohu"),
    ("BaseChatModel", "from langchain_core.language_models import BaseChatModel"),
    ("ChatXiaohu", "from langchain_xiaohu import ChatXiaohu"),
    ("ChatOpenAI", "from langchain_openai import ChatOpenAI"),
    ("llama_index.core.llms", "import llama_index.core.llms"),
    ("llama_index_xiaohu", "import llama_index_xiaohu"),
    ("FunctionCallingLLM", "from llama_index.core.llms.function_calling import FunctionCallingLLM"),
    ("XiaohuResponses", "from llama_index_xiaohu import XiaohuResponses"),
    ("OpenAIResponses", "from llama_index.llms.openai import OpenAIResponses"),
]

# Stream CPU repetitions per N: many at N=1000, where a stream takes a few milliseconds and one
# preemption is a large part of it; fewer at 20k, where one stream is long enough to average out.
FULL = {
    "cpu": [[1000, 21], [5000, 9], [20000, 5]],
    "cpu_gc": [20000, 3],  # N and rounds of the extra streams timed with the collector on
    "ttft_n": 1000,
    "ttft_reps": 10,
    "k": 200,
    "conc_reps": 2,
    "mem_n": 20000,
    "import_rounds": 5,
}
QUICK = {
    "cpu": [[1000, 3], [5000, 2], [20000, 1]],
    "cpu_gc": [20000, 1],
    "ttft_n": 1000,
    "ttft_reps": 5,
    "k": 200,
    "conc_reps": 1,
    "mem_n": 20000,
    "import_rounds": 1,
}


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def start_server(sizes: tuple[int, ...] = ()) -> tuple[subprocess.Popen[str], int]:
    """Start the synthetic relay (streams of `sizes` deltas; the full run's by default)."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), *map(str, sizes)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("PORT "):
        proc.kill()
        raise SystemExit(f"benchmark server did not start: {line!r}")
    return proc, int(line.split()[1])


def worker(spec: dict[str, Any]) -> Any:
    done = subprocess.run(
        [sys.executable, str(HERE / "worker.py"), json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"error": " | ".join(tail)}
    return json.loads(done.stdout.strip().splitlines()[-1])


def stream_cpu(
    names: list[str], port: int, plan: list[list[int]], with_gc: list[int] | None = None
) -> dict[str, Any]:
    """Stream CPU of every contender, interleaved: `{name: {"cpu": {N: [seconds, ...]}}}`.

    One `serve` worker per contender, all started (and warmed up) before the first timed stream.
    Round r times one stream per contender for every N that still needs a repetition, in an order
    rotated by one contender each round, so no contender always runs first, last, or right after
    the same neighbour. Then `with_gc` ([N, rounds]) more rounds with the cyclic collector on
    while timing (`"cpu_gc"`; the judged figures have it off, see `worker.one_stream`). A worker
    that fails is reported as `{"error": ...}`; the others go on.
    """
    plan = [[n, reps, 0] for n, reps in plan]
    if with_gc:
        plan.append([with_gc[0], with_gc[1], 1])
    sizes = sorted({n for n, _, _ in plan})
    workers: dict[str, _Server] = {}
    out: dict[str, Any] = {}
    try:
        for name in names:
            workers[name] = _Server(name, port, sizes)
        for name, w in workers.items():  # they warm up in parallel; wait for each
            out[name] = w.ask(None) or {
                "cpu": {str(n): [] for n, _, on in plan if not on},
                "cpu_gc": {str(n): [] for n, _, on in plan if on},
            }
        live = [name for name in names if "error" not in out[name]]
        for r in range(max(reps for _, reps, _ in plan)):
            order = live[r % len(live) :] + live[: r % len(live)] if live else []
            for n, reps, on in plan:
                if r >= reps:
                    continue
                for name in order:
                    if "error" in out[name]:
                        continue
                    answer = workers[name].ask(n, bool(on))
                    if "error" in answer:
                        out[name] = answer
                    else:
                        out[name]["cpu_gc" if on else "cpu"][str(n)].append(answer["cpu"])
    finally:
        for w in workers.values():
            w.close()
    return out


class _Server:
    """One `serve` worker (`worker.py`): timed streams on request, one JSON line each."""

    def __init__(self, name: str, port: int, sizes: list[int]) -> None:
        spec = {"task": "serve", "client": name, "port": port, "sizes": sizes}
        # A file, not a pipe: a chatty worker cannot block; closed in `close`.
        self.err = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.err,
            text=True,
        )

    def ask(self, n: int | None, collector: bool = False) -> dict[str, Any]:
        """Time one stream of N deltas (None: await the ready line); the worker's answer.

        `{}` for the ready line, `{"cpu": seconds}` for a stream, `{"error": ...}` if it died.
        """
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        try:
            if n is not None:
                self.proc.stdin.write(json.dumps({"n": n, "gc": collector}) + "\n")
                self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except OSError:
            line = ""
        if not line:
            self.proc.wait()
            self.err.seek(0)
            tail = self.err.read().strip().splitlines()[-3:]
            return {"error": " | ".join(tail) or f"worker exited with {self.proc.returncode}"}
        answer: dict[str, Any] = json.loads(line)
        return {} if answer.get("ready") else answer

    def close(self) -> None:
        """End the worker (stdin closed: its loop ends) and free its pipes."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):  # a dead worker's pipe
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.err.close()


def importable(code: str) -> bool:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    return done.returncode == 0


def _child_cpu(code: str) -> float | None:
    """User + system CPU seconds of one fresh `python -c code` (robust to a busy machine).

    None if the import failed (e.g. a package being edited while the benchmarks run).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        return None
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_times(rounds: int, labels: list[str] | None = None) -> dict[str, Any]:
    """Median CPU seconds of `python -c "import X"` minus `python -c "pass"`, interleaved.

    CPU rather than wall time: other work on the machine then barely moves the figure. Every
    round runs every statement once (after one untimed run each, which also warms the .pyc
    caches), so drift reaches all alike; the raw samples are kept (`samples`) for the spread.
    `labels` picks some of `IMPORTS` (all by default).
    """
    chosen = [(label, code) for label, code in IMPORTS if labels is None or label in labels]
    wanted = [(label, code) for label, code in chosen if importable(code)]  # warms .pyc caches
    samples: dict[str, list[float]] = {label: [] for label, _ in [("", "pass"), *wanted]}
    for _ in range(rounds):
        for label, code in [("", "pass"), *wanted]:
            cpu = _child_cpu(code)
            if cpu is not None:
                samples[label].append(cpu)
    samples = {label: cpu for label, cpu in samples.items() if cpu}
    base = statistics.median(samples.pop(""))
    return {
        "interpreter": base,
        "modules": {m: statistics.median(s) - base for m, s in samples.items()},
        "samples": {m: [x - base for x in s] for m, s in samples.items()},
        "statements": dict(chosen),
        "missing": [label for label, _ in chosen if label not in samples],
    }


def run(
    cfg: dict[str, Any],
    out: Path,
    profile: bool,
    names: list[str] | None = None,
    imports: list[str] | None = None,
) -> dict[str, Any]:
    """Measure the contenders `names` (all by default) and the imports `imports` (all)."""
    sizes = {n for n, _ in cfg["cpu"]} | {cfg["ttft_n"], cfg["mem_n"], 1000, 5000}
    sizes |= {cfg["cpu_gc"][0]} if cfg.get("cpu_gc") else set()
    server, port = start_server(tuple(sorted(sizes)))
    results: dict[str, Any] = {
        "config": cfg,
        "contenders": {},
        "load_before": os.getloadavg(),
        "code": commit(),  # at the start: the code measured, not the code when the report is written
    }
    try:
        _log("imports ...")
        results["imports"] = import_times(cfg["import_rounds"], imports)
        chosen = [name for name in CONTENDERS if names is None or name in names]
        _log(f"stream CPU, interleaved: {', '.join(chosen)} ...")
        cpu = stream_cpu(chosen, port, cfg["cpu"], cfg.get("cpu_gc"))
        for name in chosen:
            c = CONTENDERS[name]
            _log(f"{name}: TTFT, concurrency, memory ...")
            entry: dict[str, Any] = {"family": c.family, "role": c.role, **cpu[name]}
            if "error" not in entry:
                spec = {"task": "bench", "client": name, "port": port, **cfg}
                entry.update(worker(spec))
            if "error" not in entry:
                entry["mem"] = worker(
                    {"task": "mem", "client": name, "port": port, "n": cfg["mem_n"]}
                )
            results["contenders"][name] = entry
        results["load_after"] = os.getloadavg()
        results["targets"] = evaluate(results)
        if profile:
            results["profiles"] = profile_misses(results, port, out)
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
    return results


def profile_misses(results: dict[str, Any], port: int, out: Path) -> dict[str, Any]:
    """Profile ours and its comparator for every missed stream-CPU target."""
    profiles: dict[str, Any] = {}
    wanted: list[str] = []
    for t in results["targets"]:
        if t["ok"] is False and t["kind"] == "cpu":
            wanted += [n for n in (t["ours"], t["other"]) if n not in wanted]
    (out / "profiles").mkdir(exist_ok=True)
    for name in wanted:
        _log(f"profiling {name} ...")
        slug = name.lower().replace(" ", "_").replace("+", "_")
        path = out / "profiles" / f"{slug}.txt"
        profiles[name] = worker(
            {"task": "profile", "client": name, "port": port, "n": 5000, "out": str(path)}
        )
        profiles[name]["file"] = f"profiles/{slug}.txt"
    return profiles


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(f"stopped by signal {signum}")  # runs the `finally` that stops the server


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; a smoke run")
    parser.add_argument(
        "--out", type=Path, help="where to write (default: benchmarks/, or a temp dir with --quick)"
    )
    parser.add_argument("--no-profile", action="store_true", help="skip profiling missed targets")
    args = parser.parse_args()
    out = args.out or (Path(tempfile.mkdtemp(prefix="xiaohu-bench-")) if args.quick else HERE)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results = run(QUICK if args.quick else FULL, out, profile=not args.no_profile)
    results["wall_seconds"] = time.perf_counter() - started
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    text = write_markdown(results, out / "RESULTS.md", quick=args.quick)
    write_chart(results, out / "results.png")
    print(text)
    print(
        f"\nwritten to {out}/RESULTS.md, results.png, results.json in {results['wall_seconds']:.0f} s"
    )


if __name__ == "__main__":
    main()
