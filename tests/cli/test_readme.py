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

from scripts.readme_examples import Block, blocks_of, needs_ray, run_block
from tests.conftest import ROOT, TEST_API_KEY


def _blocks(name: str) -> list[pytest.ParameterSet]:
    return [pytest.param(block.code, id=block.name) for block in blocks_of(name, ROOT)]


README_BLOCKS = _blocks("README.md") + _blocks("README.zh-CN.md")
# The Ray blocks start a Ray cluster: tests/ray/test_ray_readme.py runs them, as scripts.
IN_PROCESS_BLOCKS = [p for p in README_BLOCKS if not needs_ray(Block("", str(p.values[0])))]


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

    def strip(code: object) -> str:
        return re.sub(r"#.*", "", str(code))  # comments are translated

    assert [strip(p.values[0]) for p in english] == [strip(p.values[0]) for p in chinese]


@pytest.mark.parametrize("code", IN_PROCESS_BLOCKS)
def test_readme_block_runs(
    code: str,
    emulator_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("XIAOHU_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("XIAOHU_BASE_URL", emulator_url)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme_example"}
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


LLAMA_INDEX_BLOCKS = [
    pytest.param(block, id=block.name)
    for block in blocks_of("README.md", ROOT)
    if "llama_index_xiaohu" in block.code
]


@pytest.mark.parametrize("block", LLAMA_INDEX_BLOCKS)
def test_llama_index_blocks_leave_no_unclosed_socket(block: Block, emulator_url: str) -> None:
    """As a user runs them: a script, `-W error::ResourceWarning`, nothing closed by hand.

    CI runs every block this way in the `.[all]`-only venv; here the LlamaIndex ones, which
    used to leave three sockets open at exit, run in the test suite too.
    """
    _, problems, stderr, _ = run_block(block, emulator_url)
    assert problems == [], stderr
