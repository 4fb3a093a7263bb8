"""Run every Python block of README.md and README.zh-CN.md as a user would, against the emulator.

Each block runs as its own script in a fresh interpreter (``python -W error::ResourceWarning``),
with ``XIAOHU_API_KEY`` and ``XIAOHU_BASE_URL`` pointing at an emulator served on loopback, as the
README tells readers to set them. A block fails if it exits non-zero, prints nothing although it
calls ``print``, prints the key, or leaves anything on stderr that names a ResourceWarning, an
unclosed resource or an exception ignored at exit.

Needs only the ``all`` extra (no pytest): CI runs it in the venv that the README's first command
builds. A block that imports pytest (the README's fixture example) needs the test tools, which
the ``all`` extra rightly does not install: where pytest is missing it is listed as deferred, and
``tests/cli/test_readme.py`` runs it in the test environment. A Ray block (it imports ``ray`` or
``xiaohu.ray``) needs the ``ray`` extra: where Ray is missing it is deferred the same way, and
``tests/ray/test_ray_readme.py`` runs it. Ends with the plain
``N passed, N failed`` line.

Usage:
    python scripts/readme_examples.py [README.md README.zh-CN.md] [--jobs 2] [--ray-only]

``--ray-only`` runs just the Ray blocks and fails where Ray is missing: CI adds the ``ray``
extra to the newcomer's venv (a fresh ``.[all,ray]``, still without pytest) and runs them there.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READMES = ("README.md", "README.zh-CN.md")
KEY = "sk-readme-examples-0123456789"
TIMEOUT_S = 180.0

_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
_HEADING = re.compile(r"^#+ (.*)$", re.MULTILINE)
# What an interpreter prints at exit when a script leaks a socket, a file or an event loop.
_LEAK = re.compile(r"ResourceWarning|unclosed|Exception ignored", re.IGNORECASE)


@dataclass(frozen=True)
class Block:
    """One fenced Python block: where it is and its code.

    Example:
        >>> blocks_of("README.md")[0].name.startswith("README.md-1-")
        True
    """

    name: str
    code: str


def blocks_of(readme: str, root: Path = ROOT) -> list[Block]:
    """The Python blocks of one README, named ``FILE-NUMBER-SECTION``.

    Example:
        >>> len(blocks_of("README.md")) > 5
        True
    """
    text = (root / readme).read_text(encoding="utf-8")
    out = []
    for number, match in enumerate(_BLOCK.finditer(text), 1):
        headings = _HEADING.findall(text[: match.start()])
        section = headings[-1] if headings else "top"
        out.append(Block(f"{readme}-{number}-{section}", match.group(1)))
    return out


def needs_pytest(block: Block) -> bool:
    """Say whether the block is a pytest example (it imports pytest).

    Example:
        >>> needs_pytest(Block("b", "import pytest\n")), needs_pytest(Block("b", "print(1)"))
        (True, False)
    """
    return re.search(r"^\s*(import|from)\s+pytest\b", block.code, re.MULTILINE) is not None


def needs_ray(block: Block) -> bool:
    """Say whether the block is a Ray example (it imports ray or xiaohu.ray).

    Example:
        >>> needs_ray(Block("b", "import ray\n")), needs_ray(Block("b", "import xiaohu\n"))
        (True, False)
    """
    return (
        re.search(r"^\s*(import|from)\s+(ray|xiaohu\.ray)\b", block.code, re.MULTILINE) is not None
    )


def problems(block: Block, result: subprocess.CompletedProcess[str]) -> list[str]:
    """What is wrong with a finished run of ``block`` (empty when it passed).

    Example:
        >>> done = subprocess.CompletedProcess([], 0, "4\\n", "")
        >>> problems(Block("b", "print(2 + 2)"), done)
        []
    """
    found = []
    if result.returncode != 0:
        found.append(f"exit code {result.returncode}")
    if "print(" in block.code and not result.stdout.strip():
        found.append("printed nothing")
    if KEY in result.stdout or KEY in result.stderr:
        found.append("printed the API key")
    leaks = [line for line in result.stderr.splitlines() if _LEAK.search(line)]
    if leaks:
        found.append("left resources open at exit: " + "; ".join(leaks[:3]))
    return found


def run_block(block: Block, base_url: str) -> tuple[Block, list[str], str, float]:
    """Run one block as a script in a fresh interpreter, in an empty working directory."""
    env = {**os.environ, "XIAOHU_API_KEY": KEY, "XIAOHU_BASE_URL": base_url}
    env.pop("PYTHONWARNINGS", None)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="readme-") as folder:
        script = Path(folder) / "example.py"
        script.write_text(block.code, encoding="utf-8")
        try:
            result = subprocess.run(  # noqa: S603 - our own interpreter on our own README's code
                [sys.executable, "-W", "error::ResourceWarning", str(script)],
                cwd=folder,
                env=env,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return block, [f"still running after {TIMEOUT_S:.0f} s"], "", TIMEOUT_S
    return block, problems(block, result), result.stderr, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    """Run the blocks; print one line per block and the closing tally; 0 when all passed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("readmes", nargs="*", default=list(READMES))
    parser.add_argument("--jobs", type=int, default=2, help="blocks run at once")
    parser.add_argument(
        "--ray-only",
        action="store_true",
        help="run only the Ray blocks, and fail where Ray is missing (CI's .[all,ray] step)",
    )
    args = parser.parse_args(argv)
    from xiaohu.emulator import serve

    blocks = [block for readme in args.readmes for block in blocks_of(readme)]
    if args.ray_only:
        blocks = [b for b in blocks if needs_ray(b)]
        if importlib.util.find_spec("ray") is None:
            print("--ray-only: Ray is not installed (pip install -e '.[all,ray]')", file=sys.stderr)
            return 1
    if not blocks:
        print("no Python blocks found", file=sys.stderr)
        return 1
    if importlib.util.find_spec("pytest") is None:
        for block in (b for b in blocks if needs_pytest(b)):
            print(f"--   {block.name}: a pytest example, run by tests/cli/test_readme.py")
        blocks = [b for b in blocks if not needs_pytest(b)]
    if importlib.util.find_spec("ray") is None:
        for block in (b for b in blocks if needs_ray(b)):
            print(
                f"--   {block.name}: a Ray example (the ray extra), run by tests/ray/test_ray_readme.py"
            )
        blocks = [b for b in blocks if not needs_ray(b)]
    passed = failed = 0
    with serve(port=0) as base_url, ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for block, found, stderr, seconds in pool.map(lambda b: run_block(b, base_url), blocks):
            if found:
                failed += 1
                print(f"FAIL {block.name} ({seconds:.1f}s): {', '.join(found)}")
                print("    " + "\n    ".join(stderr.strip().splitlines()[-15:]))
            else:
                passed += 1
                print(f"ok   {block.name} ({seconds:.1f}s)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
