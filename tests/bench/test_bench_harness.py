"""The benchmark harness runs end to end on tiny streams, so it cannot rot between full runs.

It starts the out-of-process loopback server, measures a few contenders in fresh workers (each
stream checked against the exact text), judges the targets and writes `RESULTS.md`. The figures
of so small a run mean nothing; that every part still runs and reports does.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.report import evaluate, write_markdown
from benchmarks.run_all import run

TINY = {
    "cpu": [[30, 2], [60, 1], [120, 1]],
    "cpu_gc": [60, 1],
    "ttft_n": 30,
    "ttft_reps": 1,
    "k": 4,
    "conc_reps": 1,
    "mem_n": 60,
    "import_rounds": 1,
}
NAMES = ["httpx+json", "xiaohu core", "ChatXiaohu", "BaseChatModel floor"]


def test_the_harness_measures_judges_and_reports(tmp_path: Path) -> None:
    results = run(TINY, tmp_path, profile=False, names=NAMES, imports=["httpx", "xiaohu"])
    assert set(results["contenders"]) == set(NAMES)
    for name, entry in results["contenders"].items():
        assert "error" not in entry, (name, entry)
        assert set(entry["cpu"]) == {"30", "60", "120"}
        assert len(entry["cpu"]["30"]) == 2  # one timed stream per round, two rounds
        assert all(t >= 0 for t in entry["cpu"]["120"])
        assert len(entry["cpu_gc"]["60"]) == 1  # the extra stream timed with the collector on
        assert entry["mem"]["peak"] > 0
    assert set(results["imports"]["modules"]) == {"httpx", "xiaohu"}

    targets = {t["label"]: t for t in evaluate(results)}
    core = targets["stream CPU, N=120: xiaohu core / httpx+json"]
    assert core["limit"] == 1.3
    assert core["ok"] in (True, False)
    chat = targets["stream CPU, N=120: ChatXiaohu / BaseChatModel floor"]
    assert chat["ratio"] is not None
    assert chat["limit"] == 2.0
    anchor = targets["stream CPU, N=120: ChatXiaohu / ChatOpenAI"]
    assert anchor["ok"] is None  # not measured in this run: said so, never passed
    assert (
        targets["linear growth: ChatXiaohu (marginal CPU/delta 60→120 over 30→60)"]["limit"] == 1.2
    )

    text = write_markdown(results, tmp_path / "RESULTS.md", quick=True)
    assert "## The floors" in text
    assert "def bare_stream" in text
    assert "| n/a |" in text
    assert "collector on" in text  # the extra streams are printed, apart from the judged ones
    json.dumps(results)  # what run_all.py writes to results.json
