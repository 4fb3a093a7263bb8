"""No cassette may hold a key, a bearer token or a cookie."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import CASSETTES, TEST_API_KEY

_SECRET = re.compile(
    r"(sk-[A-Za-z0-9_\-]{16,}|Bearer\s+[A-Za-z0-9_\-\.]{8,}|authorization:|set-cookie:|api[-_]key[\"']?\s*:)",
    re.IGNORECASE,
)


def _cassettes() -> list[Path]:
    return sorted(p for p in CASSETTES.rglob("*") if p.suffix in {".yaml", ".yml", ".json"})


def test_cassette_folder_has_cassettes() -> None:
    assert _cassettes(), "no cassettes found: run python scripts/record_cassettes.py"


@pytest.mark.parametrize("path", _cassettes(), ids=lambda p: str(p.relative_to(CASSETTES)))
def test_cassette_holds_no_secret(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert TEST_API_KEY not in text
    match = _SECRET.search(text)
    assert match is None, f"{path.name} holds something key-like: {match.group(0)[:12]}..."
