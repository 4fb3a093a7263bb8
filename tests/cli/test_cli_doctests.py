"""The examples in the CLI's docstrings run (those marked `+SKIP` need a live relay or terminal)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["chat", "common", "demo_steps", "emulator", "models", "quota", "render", "tally"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(f"xiaohu.cli.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
