"""Record the waits of the clients' retry and poll loops instead of waiting.

The clients sleep through one overridable method (`_sleep`), so a test replaces that method
and nothing else: `time.sleep` and `asyncio.sleep` stay real for every other thread (a
loopback server, the emulator) and the record holds the clients' waits only.
"""

from __future__ import annotations

import asyncio

import pytest

from xiaohu import AsyncXiaohuClient, XiaohuClient


def record_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Make the clients' sleeps instant; return the list their delays are appended to."""
    waits: list[float] = []

    def fake_sleep(self: XiaohuClient, seconds: float) -> None:
        waits.append(seconds)

    async def fake_async_sleep(self: AsyncXiaohuClient, seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0)

    monkeypatch.setattr(XiaohuClient, "_sleep", fake_sleep)
    monkeypatch.setattr(AsyncXiaohuClient, "_sleep", fake_async_sleep)
    return waits


class FakeClock:
    """A clock that moves only when a client sleeps: waits are recorded, never waited.

    Attributes:
        now: The current reading, in seconds.
        sleeps: Every wait a client asked for, in order.
    """

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def advance(self, seconds: float) -> None:
        """Record a wait and move the clock on by it."""
        self.sleeps.append(seconds)
        self.now += seconds


def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """Give both clients a `FakeClock` for their sleeps and their poll loops' clock."""
    clock = FakeClock()

    def fake_sleep(self: XiaohuClient, seconds: float) -> None:
        clock.advance(seconds)

    async def fake_async_sleep(self: AsyncXiaohuClient, seconds: float) -> None:
        clock.advance(seconds)
        await asyncio.sleep(0)

    def now(self: object) -> float:
        return clock.now

    monkeypatch.setattr(XiaohuClient, "_sleep", fake_sleep)
    monkeypatch.setattr(AsyncXiaohuClient, "_sleep", fake_async_sleep)
    monkeypatch.setattr(XiaohuClient, "_now", now)
    monkeypatch.setattr(AsyncXiaohuClient, "_now", now)
    return clock
