"""The Ray benchmark's pure parts: its checks, its arithmetic and its own section of RESULTS.md.

A `--quick` run starts a Ray cluster and runs 30 jobs (a minute or more on 2 cores), too slow
for the suite; what it computes and writes is checked here on made-up figures instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.ray_bench import (
    CONTENDERS,
    _responses_text,
    check_answers,
    check_vectors,
    expected_answer,
    markdown,
    prompts,
    replace_section,
    rows_per_second,
    summary,
    table,
)
from benchmarks.report import kept_sections


def test_answers_are_checked_row_by_row() -> None:
    rows = [{"i": i, "output_text": expected_answer(i)} for i in range(3)]
    assert check_answers(rows, 3) is None
    assert check_answers(rows[:2], 3) is not None  # a row missing
    assert check_answers([rows[0], rows[0], rows[2]], 3) is not None  # one twice, one missing
    wrong = [*rows[:2], {"i": 2, "output_text": "", "error_message": "boom"}]
    problem = check_answers(wrong, 3)
    assert problem is not None
    assert "boom" in problem
    assert [row["prompt"] for row in prompts(2)] == ["What is 0 + 0?", "What is 1 + 1?"]


def test_vectors_must_exist_and_match_the_first_contenders() -> None:
    rows = [{"i": 0, "embedding": [0.1, 0.2]}, {"i": 1, "embedding": [0.3, 0.4]}]
    assert check_vectors(rows, 2, None) is None
    assert check_vectors(rows, 2, {0: [0.1, 0.2], 1: [0.3, 0.4]}) is None
    assert check_vectors(rows, 2, {0: [0.1, 0.2], 1: [0.3, 0.5]}) is not None
    assert check_vectors([rows[0], {"i": 1, "embedding": []}], 2, None) is not None


def test_a_rate_is_the_rows_over_the_best_run() -> None:
    assert rows_per_second(100, [4.0, 2.0, 5.0]) == 50.0


def _results() -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for job, n in (("responses", 64), ("embeddings", 1000)):
        for workers in (1, 2):
            for k, name in enumerate(CONTENDERS):
                runs[f"{job}/{name}/{workers}"] = {
                    "seconds": [n / (10.0 * (k + 1) * workers) + 2.0, 99.0]
                }
    runs["embeddings/openai/2"] = {"error": "RuntimeError: row 3: no vector"}
    return {
        "config": {"responses": 64, "embeddings": 1000, "workers": [1, 2], "reps": 1},
        "runs": runs,
        "date": "2026-12-02",
        "wall_seconds": 100.0,
        "code": "commit abc",
        "machine": "Linux, 2 CPUs",
        "load_before": "1.0",
        "load_after": "2.0",
        "versions": {"ray": "2.60.0", "openai": "3.57.0", "aiohttp": "3.14.5"},
    }


def test_the_summary_gives_each_contenders_rate_and_our_ratio() -> None:
    lines = summary(_results())
    assert [(line["job"], line["workers"]) for line in lines] == [
        ("responses", 1),
        ("responses", 2),
        ("embeddings", 1),
        ("embeddings", 2),
    ]
    first = lines[0]
    assert first["xiaohu"] == pytest.approx(64 / (6.4 + 2.0))
    assert first["xiaohu/ray.data.llm"] == pytest.approx(first["xiaohu"] / first["ray.data.llm"])
    assert lines[3]["openai"] is None  # a failed run has no figure, and no ratio
    assert lines[3]["xiaohu/openai"] is None
    rendered = "\n".join(table(_results()))
    assert "| responses | 1 | 64 | 7.6 (8.4 / 99.0 s) |" in rendered
    assert "–" in rendered


def test_the_section_names_the_contenders_and_the_failures() -> None:
    text = markdown(_results())
    assert text.startswith("## Ray Data: rows per second")
    assert "HttpRequestProcessorConfig" in text
    assert "without GPU packages" in text
    assert "embeddings/openai/2: RuntimeError: row 3: no vector" in text


def test_its_section_is_replaced_in_place_and_the_rest_kept(tmp_path: Path) -> None:
    others = "# Benchmark results\n\n## Targets\n\n| a | b |\n\nthe end\n"
    once = replace_section(others, "ray", "## Ray\n\nfirst")
    assert once.startswith(others.rstrip("\n"))
    twice = replace_section(once, "ray", "## Ray\n\nsecond")
    assert twice.count("## Ray") == 1
    assert "second" in twice
    assert "first" not in twice
    assert twice.startswith(others.rstrip("\n"))
    # Inserted in the middle of a file, it stays where it is.
    middle = once + "\n## Later section\n"
    assert replace_section(middle, "ray", "## Ray\n\nthird").endswith("\n## Later section\n")
    # The stream benchmarks' report, rewriting RESULTS.md, carries the marked section over.
    path = tmp_path / "RESULTS.md"
    path.write_text(twice)
    (kept,) = kept_sections(path)
    assert "second" in kept
    assert kept.startswith("<!-- section:ray ")
    assert kept.rstrip().endswith("<!-- /section:ray -->")


def test_the_raw_responses_json_of_ray_data_llm_is_read_for_its_text() -> None:
    answer = {
        "output": [
            {"type": "reasoning", "summary": []},
            {
                "type": "message",
                "content": [
                    {"type": "output_text", "text": "1 + 1 "},
                    {"type": "output_text", "text": "= 2."},
                ],
            },
        ]
    }
    assert _responses_text(answer) == "1 + 1 = 2."
    assert _responses_text({}) == ""
