"""Rough edges of `xiaohu chat` a user trial found: file options, a mid-stream error, exit codes.

A `--json` path that is missing, a directory, unreadable or not UTF-8 says so (not "invalid
JSON"); an error or Ctrl-C in the middle of a streamed answer starts on its own line below the
partial answer (kept); and each kind of failure has its own documented exit code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import TEST_API_KEY
from xiaohu.cli import app
from xiaohu.cli.common import EXIT_BAD_INPUT, EXIT_BUDGET, EXIT_CANCELLED, EXIT_ERROR

runner = CliRunner()


@pytest.fixture
def env(emulator_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    return emulator_url


def _error(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return str(lines[0])


def _unreadable(tmp_path: Path) -> Path:
    path = tmp_path / "locked.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0)
    return path


def _not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"title": "café"}'.encode("latin-1"))
    return path


@pytest.mark.parametrize(
    ("make", "words"),
    [
        pytest.param(lambda tmp: tmp / "nonexistent.json", "no such file", id="missing"),
        pytest.param(lambda tmp: tmp, "is a directory", id="directory"),
        pytest.param(_not_utf8, "is not UTF-8 text", id="not-utf8"),
        pytest.param(lambda tmp: Path("/dev/null"), "is not a regular file", id="device"),
    ],
)
def test_a_bad_json_path_says_what_is_wrong_with_it(
    env: str, tmp_path: Path, make: object, words: str
) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    line = _error(runner.invoke(app, ["chat", "hi", "--json", str(path)]), EXIT_BAD_INPUT)
    assert f"--json: {str(path)!r} {words}" in line or f"--json: {words}: {str(path)!r}" in line
    assert "not valid JSON" not in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: no permission error to see")
def test_an_unreadable_json_file_says_permission_denied(env: str, tmp_path: Path) -> None:
    path = _unreadable(tmp_path)
    line = _error(runner.invoke(app, ["chat", "hi", "--json", str(path)]), EXIT_BAD_INPUT)
    assert "permission denied" in line


def test_a_json_file_that_is_not_json_names_the_file(env: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"type": "object",', encoding="utf-8")
    line = _error(runner.invoke(app, ["chat", "hi", "--json", str(path)]), EXIT_BAD_INPUT)
    assert f"--json: {str(path)!r} is not valid JSON" in line


def test_a_json_file_with_a_bom_is_read(env: str, tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(schema).encode())
    result = runner.invoke(app, ["chat", "Where is the Louvre?", "--json", str(path)])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout.strip().splitlines()[0])) == {"city"}


def test_a_mid_stream_error_starts_on_its_own_line_below_the_partial_answer(env: str) -> None:
    result = runner.invoke(app, ["chat", "Explain oolong tea", "-m", "gpt-5-mini@drop_stream"])
    line = _error(result, EXIT_ERROR)
    partial = result.stdout
    assert partial.strip(), "part of the answer arrived before the drop"
    assert partial.endswith("\n")  # the partial answer is kept, its line ended
    assert result.output == partial + line + "\n"  # as a terminal shows both streams


def test_exit_codes_are_distinct_per_kind_of_failure(env: str) -> None:
    assert len({0, EXIT_ERROR, EXIT_BAD_INPUT, EXIT_BUDGET, EXIT_CANCELLED}) == 5
    relay = runner.invoke(app, ["chat", "hi", "-m", "gpt-5@server_error"])
    bad = runner.invoke(app, ["chat", "hi", "--max-cost", "nan"])
    refused = runner.invoke(app, ["chat", "Research SSE", "-m", "o3-deep-research"])
    stopped = runner.invoke(
        app, ["chat", "Research SSE", "-m", "o3-deep-research", "--max-cost", "0.2"]
    )
    assert "500" in _error(relay, EXIT_ERROR)
    assert "--max-cost" in _error(bad, EXIT_BAD_INPUT)
    assert "expensive" in _error(refused, EXIT_BUDGET)
    assert "passed the budget" in _error(stopped, EXIT_BUDGET)
    usage = runner.invoke(app, ["chat", "hi", "--no-such-option"])
    assert usage.exit_code == EXIT_BAD_INPUT  # click's own usage errors agree


def test_ctrl_c_mid_answer_keeps_the_partial_text_and_exits_130() -> None:
    from xiaohu.emulator.server import serve

    with serve(delay=0.05) as url:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        env.update(XIAOHU_API_KEY=TEST_API_KEY, XIAOHU_BASE_URL=url)
        with subprocess.Popen(
            [sys.executable, "-m", "xiaohu._cli", "chat", "Explain oolong tea in depth"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        ) as proc:
            assert proc.stdout is not None
            first = os.read(proc.stdout.fileno(), 64)  # some answer text: it is streaming
            proc.send_signal(signal.SIGINT)
            rest, err = proc.communicate(timeout=30)
    out = (first + rest).decode()
    assert proc.returncode == EXIT_CANCELLED, (out, err)
    assert err.decode().strip().splitlines() == ["cancelled"]
    assert first.decode().strip()
    assert out.startswith(first.decode())  # the partial answer stays
    assert out.endswith("\n")  # and "cancelled" starts on a line of its own
