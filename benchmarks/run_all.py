"""Run every benchmark offline and write `RESULTS.md`, `results.png` and `results.json`.

    python benchmarks/run_all.py            # the full run, a few minutes on 2 cores
    python benchmarks/run_all.py --quick    # a smoke run, fewer repetitions (written to a temp dir)

The synthetic server runs in its own process; every contender is measured in fresh worker
processes (`worker.py`), so no client pays for another's imports, caches or garbage.
"""

from __future__ import annotations

import argparse
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

FULL = {
    "cpu": [[1000, 5], [5000, 3], [20000, 2]],
    "ttft_n": 1000,
    "ttft_reps": 10,
    "k": 200,
    "conc_reps": 2,
    "mem_n": 20000,
    "import_rounds": 3,
}
QUICK = {
    "cpu": [[1000, 3], [5000, 2], [20000, 1]],
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

    CPU rather than wall time: other work on the machine then barely moves the figure.
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
        for name, c in CONTENDERS.items():
            if names is not None and name not in names:
                continue
            _log(f"{name} ...")
            entry: dict[str, Any] = {"family": c.family, "role": c.role}
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
