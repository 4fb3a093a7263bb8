"""The README's Ray blocks (en + zh-CN) run as a user runs them: a script, on the emulator.

`scripts/readme_examples.py` defers them where the `ray` extra is missing (the newcomer's
`.[all]` venv); here, with `.[all,test]` (which pulls `ray`), they run, each in a fresh
interpreter with `-W error::ResourceWarning`, against a loopback emulator.
"""

from __future__ import annotations

import pytest

from scripts.readme_examples import blocks_of, needs_ray, run_block
from tests.conftest import ROOT

pytestmark = pytest.mark.ray

RAY_BLOCKS = [
    pytest.param(block, id=block.name)
    for name in ("README.md", "README.zh-CN.md")
    for block in blocks_of(name, ROOT)
    if needs_ray(block)
]


def test_each_readme_has_one_ray_example() -> None:
    assert len(RAY_BLOCKS) == 2


@pytest.mark.parametrize("block", RAY_BLOCKS)
def test_ray_readme_block_runs(block: object, emulator_url: str) -> None:
    from scripts.readme_examples import Block

    assert isinstance(block, Block)
    done, found, stderr, _ = run_block(block, emulator_url)
    assert found == [], stderr[-3000:]
    assert done is block
