"""Every public class and function has a docstring with an example, and the examples run.

Examples marked `# doctest: +SKIP` need a live relay or a terminal; every other one runs here.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

PACKAGES = ["xiaohu", "langchain_xiaohu", "llama_index_xiaohu"]


def _modules() -> list[str]:
    names: list[str] = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            if not info.name.endswith("__main__"):
                names.append(info.name)
    return names


MODULES = _modules()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def _public_objects(module: ModuleType) -> list[tuple[str, object]]:
    exported = getattr(module, "__all__", None)
    if exported is None:
        return []
    return [(name, getattr(module, name)) for name in exported]


@pytest.mark.parametrize("name", PACKAGES)
def test_every_public_class_and_function_has_an_example(name: str) -> None:
    module = importlib.import_module(name)
    missing = [
        attr
        for attr, obj in _public_objects(module)
        if (inspect.isclass(obj) or inspect.isfunction(obj))
        and ">>>" not in (inspect.getdoc(obj) or "")
    ]
    assert missing == []
