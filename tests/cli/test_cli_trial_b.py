"""Trial findings on the CLI: emulator options, `--host` warning, Ctrl-C at start-up, `--version`.

`xiaohu emulator` with a port in use or out of range, a host it cannot listen on, or a delay
out of range ends with one line and exit 2; `--host` other than loopback warns (decided by
`host_warning`, never by binding another interface here); Ctrl-C while the CLI is still
importing exits 130 without a traceback; `--version` answers without importing typer or the commands.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import types
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from tests.conftest import TEST_API_KEY
from xiaohu._cli import main
from xiaohu.cli import app
from xiaohu.cli.common import EXIT_BAD_INPUT, EXIT_CANCELLED
from xiaohu.cli.emulator import check_port, host_warning

runner = CliRunner()


def _one_error_line(result: Result, code: int) -> str:
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return str(lines[0])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_emulator_on_a_port_in_use_is_one_line(busy_port: int) -> None:
    result = runner.invoke(app, ["emulator", "--port", str(busy_port)])
    line = _one_error_line(result, EXIT_BAD_INPUT)
    assert line == f"error: cannot listen on 127.0.0.1:{busy_port}: Address already in use"


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_emulator_port_out_of_range_is_one_line(port: str) -> None:
    line = _one_error_line(runner.invoke(app, ["emulator", "--port", port]), EXIT_BAD_INPUT)
    assert line.startswith(f"error: --port: {port} is not a TCP port (0-65535")


@pytest.mark.parametrize("delay", ["-1", "nan", "inf", "11"])
def test_emulator_delay_out_of_range_is_one_line(delay: str) -> None:
    args = ["emulator", "--port", "0", "--delay", delay]
    line = _one_error_line(runner.invoke(app, args), EXIT_BAD_INPUT)
    assert line.startswith("error: --delay: ")


def test_check_port_accepts_the_whole_range() -> None:
    assert [check_port(p) for p in (0, 1, 65535)] == [0, 1, 65535]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_no_host_warning_on_loopback(host: str) -> None:
    assert host_warning(host) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.internal"])
def test_host_warning_off_loopback_says_it_accepts_any_key(host: str) -> None:
    warning = host_warning(host)
    assert warning is not None
    assert warning.startswith(f"warning: listening on {host}, ")
    assert "accepts any key unless --api-key names one" in warning


def test_no_host_warning_when_a_key_is_required() -> None:
    assert host_warning("0.0.0.0", api_key="sk-only-this") is None


class _InterruptedImport(types.ModuleType):
    def __getattr__(self, name: str) -> object:
        raise KeyboardInterrupt


def test_ctrl_c_while_the_cli_imports_exits_130_without_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "xiaohu.cli", _InterruptedImport("xiaohu.cli"))
    assert main(["models"]) == EXIT_CANCELLED
    captured = capsys.readouterr()
    assert captured.err == "cancelled\n"
    assert "Traceback" not in captured.out + captured.err


def test_version_imports_neither_typer_nor_the_commands() -> None:
    # (httpx itself imports click and rich when they are installed, for its own CLI.)
    code = (
        "import sys; from xiaohu._cli import main; rc = main(['--version']);"
        "print(sorted(m for m in ('typer', 'xiaohu.cli') if m in sys.modules), rc)"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    version, loaded = out.splitlines()
    assert version.startswith("xiaohu ")
    assert loaded == "[] 0"


def test_chat_wire_reasoning_summaries_are_separated_by_a_blank_line(
    emulator_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    args = ["chat", "Is 1001 prime?", "-m", "deepseek-reasoner", "--summary"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    titles = re.findall(r"^\*\*[^*]+\*\*$", result.stdout, re.MULTILINE)
    assert len(titles) >= 2  # each summary part starts on its own line
    assert re.search(r"\S\*\*[A-Z]", result.stdout) is None  # no "focused.**Planning"
    assert "\n\n**" in result.stdout
