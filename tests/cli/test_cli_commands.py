"""The core-only commands (`chat`, `models`, `quota`, `emulator`) against the loopback emulator.

Each command runs in-process through typer's `CliRunner`; the console script itself, Ctrl-C
and the missing-extra hint run in a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import TEST_API_KEY
from xiaohu import XiaohuClient
from xiaohu.cli import app
from xiaohu.cli.chat import chat_params, json_format

runner = CliRunner()


@pytest.fixture
def env(emulator_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    return emulator_url


def _one_error_line(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert TEST_API_KEY not in result.output + result.stderr
    return str(lines[0])


def test_chat_streams_answer_reasoning_and_numbered_sources(env: str) -> None:
    result = runner.invoke(
        app,
        ["chat", "What changed in Python 3.13?", "--web-search", "--summary", "--effort", "low"],
    )
    assert result.exit_code == 0, result.output
    with XiaohuClient() as client:  # the same request, read whole, is the oracle
        expected = client.create_response(
            **chat_params(
                "What changed in Python 3.13?", web_search=True, summary=True, effort="low"
            )
        )
    assert expected.output_text in result.stdout
    assert expected.reasoning[0].summary_text
    assert expected.reasoning[0].summary_text.split("\n")[0] in result.stdout
    urls = list(dict.fromkeys(c.url for c in expected.citations))
    assert urls, "the emulator cites its web search results"
    for number, url in enumerate(urls, 1):
        assert f"[{number}] " in result.stdout
        assert url
        assert url in result.stdout
    assert expected.usage is not None
    assert f"{expected.usage.total_tokens} total" in result.stdout


def test_chat_background_resumes_a_dropped_stream_through_the_core(env: str) -> None:
    question = "Explain oolong tea"
    result = runner.invoke(app, ["chat", question, "--background", "-m", "gpt-5-mini@drop_stream"])
    assert result.exit_code == 0, result.output
    with XiaohuClient() as client:  # the same request, read whole, is the oracle
        expected = client.create_response(**chat_params(question, model="gpt-5-mini"))
    assert expected.output_text
    assert result.stdout.count(expected.output_text) == 1  # resumed, nothing duplicated


def test_chat_background_on_a_relay_that_drops_it_warns(env: str) -> None:
    with pytest.warns(UserWarning, match="ignored background=True"):
        result = runner.invoke(
            app, ["chat", "hi", "--background", "-m", "gpt-5-mini@drop_background"]
        )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()


def test_chat_json_schema_prints_the_structured_answer(env: str, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "born": {"type": "integer"}},
        "required": ["name", "born"],
    }
    path = tmp_path / "person.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    result = runner.invoke(app, ["chat", "Extract: Ada Lovelace, born 1815", "--json", str(path)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout.strip().splitlines()[0])
    assert set(answer) == {"name", "born"}
    assert isinstance(answer["born"], int)


def test_chat_deep_research_reports_searches(env: str) -> None:
    result = runner.invoke(
        app,
        [
            "chat",
            "Research the history of server-sent events",
            "-m",
            "o4-mini-deep-research",
            "--max-cost",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    status = next(line for line in result.stdout.splitlines() if line.startswith("researching"))
    assert int(status.split()[1]) > 0
    assert re.search(r"about \$\d+\.\d{4} \(o4-mini-deep-research\) so far", status)
    assert "Sources:" in result.stdout
    cost = re.search(r"total; cost \$(\d+\.\d{4})", result.stdout)
    assert cost is not None
    # `--max-cost` is a Budget: its spend is the bill of the one call.
    spent = re.search(r"^budget: \$(\d+\.\d{4}) of \$5\.0000 spent$", result.stdout, re.M)
    assert spent is not None, result.stdout
    assert spent.group(1) == cost.group(1)


def test_chat_max_cost_stops_a_run_past_it(env: str) -> None:
    line = _one_error_line(
        runner.invoke(app, ["chat", "Research SSE", "-m", "o3-deep-research", "--max-cost", "0.2"]),
        code=3,
    )
    assert "passed the budget of $0.2000" in line


@pytest.mark.parametrize("bad", ["nan", "inf", "0", "-1"])
def test_chat_bad_max_cost_is_refused_before_sending(env: str, bad: str) -> None:
    line = _one_error_line(runner.invoke(app, ["chat", "hi", "--max-cost", bad]), code=2)
    assert "--max-cost must be a finite number of US dollars > 0, got " in line
    assert "nothing was sent" not in line  # true, but no call was being made


def test_a_budget_stop_below_a_tenth_of_a_cent_shows_the_figures(env: str) -> None:
    line = _one_error_line(runner.invoke(app, ["chat", "hi", "--max-cost", "0.0000001"]), code=3)
    assert "passed the budget of $1e-07" in line
    spent = re.search(r"spend, \$([0-9.e+-]+)[, ]", line)
    assert spent is not None, line
    assert float(spent.group(1)) > 1e-07  # shown in figures that say it passed the budget


def test_chat_refuses_deep_research_without_opt_in(env: str) -> None:
    line = _one_error_line(
        runner.invoke(app, ["chat", "Research SSE", "-m", "o3-deep-research"]), code=3
    )
    assert "expensive" in line
    assert "--max-cost" in line


@pytest.mark.parametrize(
    ("args", "needle", "code"),
    [
        pytest.param(
            ["chat", "hi", "-m", "gpt-5@quota"], "用户额度不足", 1, id="quota-chinese-verbatim"
        ),
        pytest.param(["chat", "hi", "-m", "gpt-5@no_channel"], "503", 1, id="no-channel"),
        pytest.param(["chat", "   "], "the question is empty", 2, id="empty-question"),
        pytest.param(["chat", "hi", "--json", "{bad"], "--json", 2, id="bad-schema"),
        pytest.param(["chat", "hi", "--json", "[1, 2]"], "JSON object", 2, id="schema-not-object"),
    ],
)
def test_errors_print_one_line_and_exit_with_their_code(
    env: str, args: list[str], needle: str, code: int
) -> None:
    assert needle in _one_error_line(runner.invoke(app, args), code=code)


def test_missing_key_is_one_line_before_any_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XIAOHU_API_KEY", raising=False)
    monkeypatch.setenv("XIAOHU_BASE_URL", "http://127.0.0.1:9/v1")
    assert "XIAOHU_API_KEY" in _one_error_line(runner.invoke(app, ["models"]), code=2)


def test_wrong_key_is_rejected_with_relay_message(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", "sk-wrong")
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    line = _one_error_line(runner.invoke(app, ["chat", "hi", "-m", "gpt-5@invalid_key"]))
    assert "401" in line


def test_models_marks_responses_api_models(env: str) -> None:
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    with XiaohuClient() as client:
        listed = client.list_models()
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if "│" in line}
    for model in listed:
        speaks = "openai-response" in model.get("supported_endpoint_types", [])
        assert rows[model["id"]].split("│")[2].strip() == ("yes" if speaks else "no")
    assert f"{len(listed)} of {len(listed)} models shown" in result.stdout


def test_models_responses_only_hides_the_rest(env: str) -> None:
    result = runner.invoke(app, ["models", "--responses-only"])
    assert result.exit_code == 0, result.output
    assert "│ no " not in result.stdout
    assert "yes" in result.stdout


def test_quota_reads_the_billing_endpoints(env: str) -> None:
    result = runner.invoke(app, ["quota"])
    assert result.exit_code == 0, result.output
    with XiaohuClient() as client:
        found = client.quota()
    assert f"limit ${found.limit_usd:.4f}" in result.stdout
    assert f"remaining ${found.remaining_usd:.4f}" in result.stdout


def test_quota_with_a_key_the_relay_rejects_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from xiaohu.emulator.server import serve

    with serve(api_key="sk-the-only-key") as url:
        monkeypatch.setenv("XIAOHU_API_KEY", "sk-another-key")
        monkeypatch.setenv("XIAOHU_BASE_URL", url)
        line = _one_error_line(runner.invoke(app, ["quota"]))
    assert "401" in line or "令牌" in line
    assert "sk-another-key" not in line


def test_json_format_accepts_a_named_format() -> None:
    fmt = json_format('{"name": "city", "schema": {"type": "object"}, "strict": true}')
    assert fmt == {
        "type": "json_schema",
        "name": "city",
        "schema": {"type": "object"},
        "strict": True,
    }


def _script_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", **extra}


def test_console_script_without_cli_extra_prints_the_install_hint() -> None:
    code = "import sys; sys.modules['typer'] = None; from xiaohu._cli import main; sys.exit(main(['models']))"
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, env=_script_env(), timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.strip() == 'the xiaohu command needs its extra: pip install "xiaohu[cli]"'


def test_emulator_command_serves_until_ctrl_c() -> None:
    with subprocess.Popen(
        [sys.executable, "-m", "xiaohu._cli", "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_script_env(),
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("xiaohu emulator serving http://127.0.0.1:")
            with XiaohuClient(api_key=TEST_API_KEY, base_url=line.split()[-1]) as client:
                assert client.list_models()
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_ctrl_c_cancels_a_background_run() -> None:
    from xiaohu.emulator.server import serve

    with serve(delay=0.05) as url:
        args = ["chat", "Research SSE history", "--background", "--summary", "--allow-expensive"]
        args += ["-m", "o4-mini-deep-research"]
        with subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "xiaohu._cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_script_env(XIAOHU_API_KEY=TEST_API_KEY, XIAOHU_BASE_URL=url),
        ) as proc:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # a reasoning line: the run is under way
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        assert proc.returncode == 130, (out, err)
        assert "Traceback" not in err
        assert err.strip().splitlines() == ["cancelled"]
        assert first.strip()
        response_id = out.split("cancelled background response ")[1].split()[0]
        with XiaohuClient(api_key=TEST_API_KEY, base_url=url) as client:
            assert client.retrieve_response(response_id).status == "cancelled"


def test_the_core_does_not_import_the_cli() -> None:
    # rich and click are left out: httpx imports both (for its own CLI) whenever they are installed.
    code = "import sys, xiaohu; print(sorted({'typer', 'xiaohu.cli'} & set(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, env=_script_env(), timeout=60
    )
    assert done.stdout.strip() == "[]", done.stderr


def test_version() -> None:
    from xiaohu import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"xiaohu {__version__}"
