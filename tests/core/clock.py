"""Patch `time.sleep` and `asyncio.sleep` for the calling thread only, recording the waits.

Other threads (a loopback server, another module's emulator) keep their real sleeps: a
global no-op sleep would turn their polling loops into busy loops and pollute the record.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest


def record_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make this thread's sleeps instant; return the list their delays are appended to."""
    waits: list[float] = []
    mine = threading.get_ident()
    real_sleep, real_async_sleep = time.sleep, asyncio.sleep

    def fake_sleep(delay: float) -> None:
        if threading.get_ident() != mine:
            return real_sleep(delay)
        waits.append(delay)
        return None

    async def fake_async_sleep(delay: float, *args: Any) -> Any:
        if threading.get_ident() != mine:
            return await real_async_sleep(delay, *args)
        waits.append(delay)
        return await real_async_sleep(0, *args)

    monkeypatch.setattr(time, "sleep", fake_sleep)
    monkeypatch.setattr(asyncio, "sleep", fake_async_sleep)
    return waits
