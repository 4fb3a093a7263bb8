"""Emulators for the deep-research tests: a paced full relay, and one that acts like new-api."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TEST_API_KEY


@pytest.fixture(scope="module")
def paced_url() -> Iterator[str]:
    """A full emulator whose background jobs and streams take a few ms per event."""
    from xiaohu.emulator import serve

    with serve(port=0, delay=0.002) as url:
        yield url


@pytest.fixture(scope="module")
def new_api_url() -> Iterator[str]:
    """An emulator that drops `background` and does not route GET/cancel (the studied relay)."""
    from xiaohu.emulator import serve

    with serve(port=0, relay_mode="new-api") as url:
        yield url


@pytest.fixture
def key() -> str:
    """The key every test sends."""
    return TEST_API_KEY
