"""Every Python block of README.md and README.zh-CN.md runs, as written, against the emulator.

The blocks rely on `XIAOHU_API_KEY`/`XIAOHU_BASE_URL`, as the README tells readers to set them;
here they point at the loopback emulator. None is skipped.
"""

from __future__ import annotations

import gc
import re
import warnings
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_API_KEY

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_HEADING = re.compile(r"^#+ (.*)$", re.MULTILINE)


def _blocks(name: str) -> list[pytest.ParameterSet]:
    text = (ROOT / name).read_text(encoding="utf-8")
    params = []
    for number, match in enumerate(_BLOCK.finditer(text), 1):
        headings = _HEADING.findall(text[: match.start()])
        section = headings[-1] if headings else "top"
        params.append(pytest.param(match.group(1), id=f"{name}-{number}-{section}"))
    return params


README_BLOCKS = _blocks("README.md") + _blocks("README.zh-CN.md")


def test_readme_has_the_two_setup_commands_first() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^```bash\n(.*?)\n```", text, re.MULTILINE)[:2]
    assert commands == [
        'pip install -e ".[all]" && xiaohu demo',
        'pip install -e ".[all,test]" && pytest',
    ]
    assert text.index("xiaohu demo") < text.index("##")


def test_both_readmes_have_the_same_examples() -> None:
    english, chinese = _blocks("README.md"), _blocks("README.zh-CN.md")
    strip = lambda code: re.sub(r"#.*", "", code)  # noqa: E731 - comments are translated
    assert [strip(p.values[0]) for p in english] == [strip(p.values[0]) for p in chinese]


@pytest.mark.parametrize("code", README_BLOCKS)
def test_readme_block_runs(
    code: str, emulator_url: str, monkeypatch: pytest.MonkeyPatch, capsys, tmp_path: Path
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "readme_example"}
    exec(compile(code, "<README>", "exec"), namespace)  # noqa: S102
    # The examples, like most user scripts, never close their models' connection pools; a
    # script's exit would. Drop them here, where the socket ResourceWarning is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        namespace.clear()
        gc.collect()
    out = capsys.readouterr().out
    if "print(" in code:
        assert out.strip(), "the example prints nothing"
    assert TEST_API_KEY not in out


LLAMA_INDEX_BLOCKS = [p for p in _blocks("README.md") if "llama_index_xiaohu" in p.values[0]]


@pytest.mark.parametrize("code", LLAMA_INDEX_BLOCKS)
def test_llama_index_blocks_leave_no_unclosed_socket(
    code: str, emulator_url: str, tmp_path: Path
) -> None:
    # As a user runs them: a script, `-W error::ResourceWarning`, nothing closed by hand.
    import os
    import subprocess
    import sys

    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "XIAOHU_API_KEY": TEST_API_KEY,
        "XIAOHU_BASE_URL": emulator_url,
    }
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - a fixed argv
        [sys.executable, "-W", "error::ResourceWarning", str(tmp_path / "example.py")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr, done.stderr
    assert done.stdout.strip()
