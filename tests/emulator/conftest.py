"""Clients for the session's loopback emulator (`emulator_url`, from tests/conftest.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.emulator.wire import AUTH


@pytest.fixture
def client(emulator_url: str) -> Iterator[httpx.Client]:
    """A sync httpx client on the emulator, authorised with a placeholder key."""
    with httpx.Client(base_url=emulator_url, headers=AUTH, timeout=30) as c:
        yield c


@pytest.fixture
async def aclient(emulator_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An async httpx client on the emulator, authorised with a placeholder key."""
    async with httpx.AsyncClient(base_url=emulator_url, headers=AUTH, timeout=30) as c:
        yield c
