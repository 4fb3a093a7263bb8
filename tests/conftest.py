"""Shared fixtures: the emulator on a loopback server, and the cassette (vcrpy) settings.

Cassettes live in the top-level `cassettes/<test module>/` and are replayed with
`--record-mode=none` (set in pyproject), so CI never touches the network. To re-record them,
run `python scripts/record_cassettes.py` (see cassettes/README.md): against the emulator by
default, against the live relay when `XIAOHU_API_KEY` and `XIAOHU_BASE_URL` are set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"

# Every Hypothesis test keeps its failing examples in a database under the checkout and prints the
# blob that replays a failure (`@reproduce_failure`), so a failure seen once reproduces.
settings.register_profile(
    "xiaohu",
    database=DirectoryBasedExampleDatabase(str(ROOT / ".hypothesis" / "examples")),
    print_blob=True,
)
settings.load_profile("xiaohu")

#: The key every test sends to the emulator; it must never appear in a cassette.
TEST_API_KEY = "sk-test-0123456789abcdef0123456789abcdef"
#: Where replayed requests "go": nothing listens there, so a missing cassette fails loudly.
REPLAY_BASE_URL = "http://127.0.0.1:9/v1"

_SECRET_HEADERS = [
    "authorization",
    "x-api-key",
    "api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "new-api-user",
]


@pytest.fixture(scope="session")
def emulator_url() -> Iterator[str]:
    """Base URL (`http://127.0.0.1:PORT/v1`) of an emulator served in a thread for the session."""
    from xiaohu.emulator import serve

    with serve(port=0) as url:
        yield url


def _scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    for name in list(headers):
        if name.lower() in _SECRET_HEADERS:
            del headers[name]
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    """vcrpy settings: no secrets recorded, requests matched on method, path and body."""
    return {
        "filter_headers": [(name, None) for name in _SECRET_HEADERS],
        "filter_query_parameters": ["key", "api_key"],
        "before_record_response": _scrub_response,
        "match_on": ["method", "path", "body"],
        "decode_compressed_response": True,
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    """Cassettes of a test module live in `cassettes/<module name>/`."""
    return str(CASSETTES / request.module.__name__.rsplit(".", 1)[-1])


def _recording(config: pytest.Config) -> bool:
    return config.getoption("--record-mode", default="none") not in ("none", None)


@pytest.fixture(scope="session")
def relay(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """`{"api_key", "base_url"}` for tests that use cassettes.

    Replaying (the default): a dead loopback address; vcrpy answers from the cassette.
    Recording: the live relay if `XIAOHU_API_KEY` and `XIAOHU_BASE_URL` are set, else a fresh
    emulator.
    """
    if not _recording(request.config):
        yield {"api_key": TEST_API_KEY, "base_url": REPLAY_BASE_URL}
        return
    key, url = os.environ.get("XIAOHU_API_KEY"), os.environ.get("XIAOHU_BASE_URL")
    if key and url:
        yield {"api_key": key, "base_url": url}
        return
    from xiaohu.emulator import serve

    with serve(port=0) as emulator:
        yield {"api_key": TEST_API_KEY, "base_url": emulator}
