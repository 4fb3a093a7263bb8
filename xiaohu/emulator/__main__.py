"""``python -m xiaohu.emulator``: the same as ``xiaohu emulator``."""

from __future__ import annotations

import sys

from xiaohu.emulator.server import main

if __name__ == "__main__":
    sys.exit(main())
