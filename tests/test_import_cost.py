"""What a library import loads, checked in a fresh interpreter (issue 20: the import budget).

`from langchain_xiaohu import ChatXiaohu` must not load httpx (whose own CLI module pulls rich,
click and pygments when they are installed), the core's client, streams or background
machinery, and no import of the library may load the CLI or the emulator: those are for a
terminal, not for a program that uses the library. Each case runs in its own interpreter,
since this one has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Never on any library path: the terminal-only parts.
NEVER = ("xiaohu.emulator", "xiaohu._cli", "xiaohu.cli", "rich", "click", "pygments")
# Not needed to define ChatXiaohu (loaded on the first call instead).
NOT_FOR_THE_CLASS = (
    "httpx",
    "xiaohu._client",
    "xiaohu._stream",
    "xiaohu._guard",
    "xiaohu._background",
    "xiaohu._events",
    "langchain_xiaohu._chunks",
)


def _modules_after(statement: str) -> set[str]:
    """The top-level and dotted module names loaded by `statement` in a fresh interpreter."""
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if n in modules or any(m.startswith(n + ".") for m in modules))


def test_importing_the_langchain_class_loads_neither_httpx_nor_the_client() -> None:
    modules = _modules_after("from langchain_xiaohu import ChatXiaohu")
    assert "langchain_xiaohu.chat_models" in modules  # the probe did import the class
    assert _loaded(modules, NEVER + NOT_FOR_THE_CLASS) == []


def test_import_xiaohu_loads_no_submodule_until_a_name_is_used() -> None:
    modules = _modules_after("import xiaohu")
    assert "xiaohu" in modules
    assert sorted(m for m in modules if m.startswith("xiaohu.")) == []
    assert "httpx" not in modules


@pytest.mark.parametrize(
    "statement",
    [
        "from xiaohu import XiaohuClient, AsyncXiaohuClient, Budget",
        "import xiaohu.adapters",
        "from llama_index_xiaohu import XiaohuResponses",
        "from langchain_xiaohu import ChatXiaohu, XiaohuEmbeddings",
    ],
)
def test_no_library_import_loads_the_cli_or_the_emulator(statement: str) -> None:
    modules = _modules_after(statement)
    assert _loaded(modules, ("xiaohu.emulator", "xiaohu._cli", "xiaohu.cli")) == []


def test_the_lazy_names_are_the_same_objects_as_their_modules() -> None:
    code = (
        "import xiaohu, xiaohu.adapters as a\n"
        "from xiaohu._client import XiaohuClient\n"
        "from xiaohu._params import strict_json_schema\n"
        "assert xiaohu.XiaohuClient is XiaohuClient\n"
        "assert a.strict_json_schema is strict_json_schema\n"
        "assert set(xiaohu.__all__) <= set(dir(xiaohu))\n"
        "assert all(getattr(xiaohu, n) is not None for n in xiaohu.__all__)\n"
        "assert all(hasattr(a, n) for n in a.__all__)\n"
        "try:\n    xiaohu.NoSuchName\nexcept AttributeError as e:\n    print(e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert done.stdout.strip() == "module 'xiaohu' has no attribute 'NoSuchName'"
