"""The fault matrix on the loopback emulator: each fault through both adapters, sync and async,
stream and not, on both wires (Responses and Chat Completions), with the exception class, the
relay's words, attempts, time, and no partial answer passed off as complete. The same matrix prints the README table
(`python scripts/fault_matrix.py`).
"""

from __future__ import annotations

import pytest

from tests.reliability.matrix import CASES, WIRES, Case, combinations, run_case, table

pytestmark = pytest.mark.slow

RUNS = [(case, wire) for case in CASES for wire in WIRES if wire in case.wires]


@pytest.mark.parametrize(("case", "wire"), RUNS, ids=[f"{w}: {c.name}" for c, w in RUNS])
def test_fault(case: Case, wire: str, emulator_url: str) -> None:
    outcomes = run_case(case, emulator_url, workers=8, wire=wire)
    assert len(outcomes) == len(combinations(case))
    problems = {
        f"{o.adapter}/{o.mode}/{'stream' if o.stream else 'invoke'}": o.problems
        for o in outcomes
        if o.problems
    }
    assert problems == {}
    assert not any(o.partial_passed for o in outcomes)
    # Generous ceiling: retries wait fractions of a second here, never the 60 s cap.
    assert max(o.seconds for o in outcomes) < case.min_seconds + 5


def test_every_adapter_path_is_covered() -> None:
    paths = {(a, m, s) for case in CASES for a, m, s in combinations(case)}
    assert len(paths) == 8  # 2 adapters x sync/async x stream/invoke


def test_every_fault_runs_on_both_wires_unless_it_is_a_chat_habit() -> None:
    only_chat = {c.spec for c in CASES if c.wires == ("chat",)}
    assert only_chat == {"no_done", "no_usage"}
    assert all(set(c.wires) == set(WIRES) for c in CASES if c.spec not in only_chat)


def test_table_has_one_row_per_case(emulator_url: str) -> None:
    quick = [c for c in CASES if c.attempts == 1][:2]
    outcomes = [o for case in quick for o in run_case(case, emulator_url, workers=8)]
    lines = table(outcomes).splitlines()
    assert len(lines) == 2 + len(quick)
    assert all(case.name in "\n".join(lines) for case in quick)
    assert "no (raises)" in lines[2]
