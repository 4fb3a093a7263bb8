"""Re-record every cassette, then note in cassettes/README.md which backend recorded them.

    python scripts/record_cassettes.py            # against a local emulator (free)
    XIAOHU_API_KEY=sk-... XIAOHU_BASE_URL=https://<relay>/v1 python scripts/record_cassettes.py

The second form talks to the live relay and costs money (the deep-research cassettes are
recorded with a cheap model name unless you change the tests).
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "cassettes" / "README.md"
MARK_START, MARK_END = "<!-- recorded:start -->", "<!-- recorded:end -->"


def main() -> int:
    """Run the cassette tests in rewrite mode and stamp the README."""
    live = bool(os.environ.get("XIAOHU_API_KEY") and os.environ.get("XIAOHU_BASE_URL"))
    backend = "the live relay" if live else "the xiaohu emulator (xiaohu.emulator)"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-m",
        "vcr",
        "--record-mode=rewrite",
        "-q",
        # langchain-tests' test_stream_time records without its benchmark fixture, and
        # pytest-benchmark warns about that: harmless while recording.
        "-W",
        "ignore::pytest_benchmark.logger.PytestBenchmarkWarning",
    ]
    print("recording against", backend, "::", " ".join(command[2:]))
    code = subprocess.call(command, cwd=ROOT)  # noqa: S603 (a fixed argv: this Python, pytest)
    if code != 0:
        print("recording failed; README not updated", file=sys.stderr)
        return code
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    stamp = f"{MARK_START}\nLast recorded on {today} against {backend}.\n{MARK_END}"
    text = README.read_text(encoding="utf-8")
    text = re.sub(re.escape(MARK_START) + ".*?" + re.escape(MARK_END), stamp, text, flags=re.S)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
