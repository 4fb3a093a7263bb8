"""`xiaohu demo` offline: on its own emulator without a key, on the given relay with one."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import TEST_API_KEY
from xiaohu.cli import app
from xiaohu.cli.demo_steps import RESEARCH_BUDGET_USD, Release, demo_documents

runner = CliRunner()


def _json_after(marker: str, text: str) -> dict[str, Any]:
    start = text.index("{", text.index(marker))
    value: dict[str, Any] = json.loads(text[start : text.index("\n}", start) + 2])
    return value


def _check_tour(stdout: str) -> None:
    for heading in (
        "1. LangChain agent",
        "2. LlamaIndex RAG",
        "3. Structured output",
        "4. Deep research",
    ):
        assert heading in stdout
    agent = stdout[stdout.index("1. LangChain agent") : stdout.index("2. LlamaIndex RAG")]
    assert "[searched the web: " in agent
    assert re.search(r"^\[1\] .+ - https?://\S+$", agent, re.MULTILINE)
    rag = stdout[stdout.index("2. LlamaIndex RAG") : stdout.index("3. Structured output")]
    shipped = {name for name, _ in demo_documents()}
    cited = re.findall(r"^\[\d\] (\S+) \(similarity", rag, re.MULTILINE)
    assert cited
    assert set(cited) <= shipped
    release = Release.model_validate(_json_after("3. Structured output", stdout))
    # The answer reads like an answer: each field holds what its name says.
    assert (release.product, release.version, release.released) == ("Python", "3.13", "2024-10-07")
    assert len(release.highlights) >= 2
    assert len(set(release.highlights)) == len(release.highlights)
    _check_research(stdout[stdout.index("4. Deep research") : stdout.index("\nUsage")])
    calls = re.search(r"^(\d+) calls in the tour, (\d+) web search call", stdout, re.MULTILINE)
    assert calls
    assert int(calls.group(1)) >= 3
    assert int(calls.group(2)) >= 1
    assert re.search(r"^cost: \$\d+\.\d{4}", stdout, re.MULTILINE)


def _check_research(step: str) -> None:
    """Step 4: estimate, refusal without a budget, live searches, report, sources, cost vs budget."""
    assert re.search(r"^Estimate before sending: about \$\d+\.\d+", step, re.MULTILINE)
    assert re.search(r"^Without a budget: refused \(CostLimitError: ", step, re.MULTILINE)
    searches = re.findall(r"^  \[searched: .+\]$", step, re.MULTILINE)
    # Deep research also opens pages and looks inside them: each is a web search call too.
    calls = re.findall(r"^  \[(?:searched: |opened |looked for ).+\]$", step, re.MULTILINE)
    statuses = re.findall(r"^  researching\.\.\. (\d+) web search call", step, re.MULTILINE)
    assert len(searches) >= 5
    assert len(calls) > len(searches)
    assert [int(n) for n in statuses] == list(range(1, len(calls) + 1))
    assert re.search(r"^  # Research report: ", step, re.MULTILINE)
    assert re.search(r"^\[1\] .+ - https://\S+$", step, re.MULTILINE)
    cost = re.search(r"^Cost: \$(\d+\.\d+) .* of the \$(\d+\.\d+) budget", step, re.MULTILINE)
    assert cost
    assert 0 < float(cost.group(1)) <= float(cost.group(2)) == RESEARCH_BUDGET_USD
    # One count of each kind, the same everywhere: the status line, the cost line, the report.
    counted = re.search(
        r"budget \((\d+) web search calls: (\d+) searches, (\d+) page visits\)", step
    )
    assert counted, step
    assert int(counted.group(1)) == len(calls) == int(statuses[-1])
    assert int(counted.group(2)) == len(searches)
    assert int(counted.group(1)) == int(counted.group(2)) + int(counted.group(3))
    assert f"This report reviews {len(searches)} searches" in step
    # The running figure is an estimate that errs high, explained, and not wildly so.
    estimate = re.search(r"The running figure was an estimate \(about \$(\d+\.\d+)", step)
    assert estimate, step
    assert float(cost.group(1)) <= float(estimate.group(1)) <= 3 * float(cost.group(1))


def test_demo_without_a_key_runs_on_its_own_emulator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    monkeypatch.delenv("XIAOHU_BASE_URL", raising=False)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("Starting the local emulator on loopback (offline, free")
    _check_tour(result.stdout)


def test_demo_with_a_key_exported_stays_offline_without_live(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("Starting the local emulator on loopback (offline, free;")
    assert "only with --live" in first
    assert emulator_url not in result.stdout  # its own emulator, on another port
    _check_tour(result.stdout)


def test_demo_live_uses_that_relay_and_runs_research_with_yes(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    result = runner.invoke(app, ["demo", "--live", "--yes"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].startswith(f"Using your relay at {emulator_url}")
    assert TEST_API_KEY not in result.output
    _check_tour(result.stdout)


def test_demo_live_asks_before_deep_research_and_states_the_budget(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    result = runner.invoke(app, ["demo", "--live"])  # stdin is not a terminal: no yes given
    assert result.exit_code == 0, result.output
    budget = f"a budget of ${RESEARCH_BUDGET_USD:.2f}"
    assert budget in result.stdout
    assert "Skipped (pass --yes to run it without asking)." in result.stdout
    assert "Estimate before sending" not in result.stdout  # nothing of step 4 was sent
    assert result.stdout.index(budget) < result.stdout.index("Skipped")


@pytest.mark.parametrize("model", ["deepseek-chat", "claude-sonnet-4-5"])
def test_demo_with_a_chat_wire_model_skips_the_web_search_steps(
    model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    result = runner.invoke(app, ["demo", "-m", model])
    assert result.exit_code == 0, result.output
    assert f"{model} is served on the chat wire" in result.stdout
    assert "steps 1 and 4 are skipped" in result.stdout
    assert "1. LangChain agent" not in result.stdout
    assert "4. Deep research" not in result.stdout
    assert "2. LlamaIndex RAG" in result.stdout
    release = Release.model_validate(_json_after("3. Structured output", result.stdout))
    assert release.version == "3.13"


def test_demo_model_help_names_the_chat_wire() -> None:
    result = runner.invoke(app, ["demo", "--help"])
    assert "chat wire" in " ".join(result.stdout.split())
    assert "--live" in result.stdout


def test_demo_live_with_a_key_but_no_base_url_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.delenv("XIAOHU_BASE_URL", raising=False)
    result = runner.invoke(app, ["demo", "--live"])
    assert result.exit_code == 2  # bad settings, refused before sending
    assert result.stderr.strip().splitlines() == [
        "error: no base URL: pass base_url=... or set XIAOHU_BASE_URL to your relay's "
        "address, e.g. https://<relay-host>/v1"
    ]


def test_demo_without_langchain_names_the_extra(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    monkeypatch.setitem(sys.modules, "langchain.agents", None)  # as if not installed
    result = runner.invoke(app, ["demo", "--live"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        'error: this needs langchain: pip install "xiaohu[all]"'
    ]
