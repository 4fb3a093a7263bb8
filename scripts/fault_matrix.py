"""Run the fault matrix against a local emulator and print the README's markdown table.

    python scripts/fault_matrix.py              # one run at a time: clean timings (~75 s)
    python scripts/fault_matrix.py --workers 8  # faster, timings a little noisier
    python scripts/fault_matrix.py --wire chat  # on Chat Completions (claude-sonnet-4-5)

Every fault in `tests/reliability/matrix.py` goes through `ChatXiaohu` and `XiaohuResponses`,
sync and async, streamed and not, with one retry allowed. The table is what the README's
`## Reliability` section shows; `tests/reliability/test_fault_matrix.py` asserts the same
expectations. Exit status 1 when any run differs from them (the rows say which).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reliability.matrix import CASES, MAX_RETRIES, WIRES, run_case, table  # noqa: E402
from xiaohu.emulator import serve  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Run every case on a fresh emulator, print the table, return 1 if a run was off.

    Example:
        >>> main(["--workers", "8"])  # doctest: +SKIP
        | fault | exception (xiaohu / langchain-core) | ...
        0
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1, help="runs side by side (default 1)")
    parser.add_argument("--wire", choices=WIRES, default="responses", help="the wire to run on")
    args = parser.parse_args(argv)
    outcomes = []
    with serve(port=0) as base_url:
        for case in CASES:
            if args.wire in case.wires:
                outcomes.extend(run_case(case, base_url, workers=args.workers, wire=args.wire))
    print(table(outcomes))
    runs = len(outcomes)
    print(
        f"\n{len({o.case.name for o in outcomes})} faults on {args.wire}, {runs} runs (2 adapters x sync/async x stream/invoke where the "
        f"fault applies), max_retries={MAX_RETRIES}; seconds = min-max over the runs."
    )
    off = [o for o in outcomes if o.problems]
    for outcome in off:
        print(f"OFF {outcome.case.name} {outcome.adapter}/{outcome.mode}: {outcome.problems}")
    return 1 if off else 0


if __name__ == "__main__":
    sys.exit(main())
