"""The `all` extra installs everything the demo and the README's examples import.

Ray is the one exception, by design: `xiaohu.ray` and the README's Ray blocks need the `ray`
extra (`pip install "xiaohu[all,ray]"`), and are checked against that extra's closure instead.

The test environment has more installed than a user's (`.[all,test]`), so an import that only
the `test` extra satisfies would pass every other test and still fail on a fresh machine (it did:
the demo's `langchain.agents`). Here each imported module is traced to the distribution whose
files hold it, and that distribution must be in the requirement closure of `xiaohu[all]`.
"""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.readme_examples import blocks_of, needs_pytest, needs_ray
from tests.conftest import ROOT

OWN = ("xiaohu", "langchain_xiaohu", "llama_index_xiaohu")
# The code `xiaohu demo` runs: the CLI, the emulator it starts, both adapters.
DEMO_PACKAGES = ("xiaohu", "langchain_xiaohu", "llama_index_xiaohu")


def _imports(source: str) -> set[str]:
    """Every absolute module a piece of code imports, at any depth (function-local too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _is_own(module: str) -> bool:
    return module.split(".")[0] in OWN or bool(re.match(r"llama_index\.\w+\.xiaohu", module))


def _third_party(modules: set[str]) -> set[str]:
    return {
        m
        for m in modules
        if m.split(".")[0] not in sys.stdlib_module_names and not _is_own(m) and m != "__future__"
    }


@cache
def _file_owners() -> dict[Path, str]:
    """Each installed file, resolved, and the canonical name of the distribution that owns it."""
    owners: dict[Path, str] = {}
    for dist in metadata.distributions():
        for file in dist.files or []:
            owners[Path(str(dist.locate_file(file))).resolve()] = canonicalize_name(
                dist.metadata["Name"]
            )
    return owners


def _owner(module: str) -> str:
    """The distribution that installs `module` (the module itself, not its namespace)."""
    spec = importlib.util.find_spec(module)
    assert spec is not None, f"{module} is not importable even in the test environment"
    locations = [spec.origin] if spec.origin and spec.origin != "namespace" else []
    locations += [str(Path(p) / "__init__.py") for p in spec.submodule_search_locations or []]
    for location in locations:
        owner = _file_owners().get(Path(location).resolve())
        if owner:
            return owner
    # A namespace package with no file of its own: its first module names the distribution.
    for folder in spec.submodule_search_locations or []:
        for child in sorted(Path(folder).glob("*/__init__.py")):
            owner = _file_owners().get(child.resolve())
            if owner:
                return owner
    raise AssertionError(f"no installed distribution owns {module} ({locations})")


_ENVIRONMENT: dict[str, str] = {k: str(v) for k, v in default_environment().items()}


def _closure(requirement: str) -> set[str]:
    """Canonical names of the distributions `pip install <requirement>` brings in."""
    seen: set[str] = set()
    pending = [Requirement(requirement)]
    while pending:
        req = pending.pop()
        name = canonicalize_name(req.name)
        extras = req.extras or {""}
        key = name + "[" + ",".join(sorted(req.extras)) + "]"
        if key in seen:
            continue
        seen.add(key)
        for line in metadata.requires(req.name) or []:
            child = Requirement(line)
            if child.marker is None or any(
                child.marker.evaluate({**_ENVIRONMENT, "extra": extra}) for extra in extras
            ):
                pending.append(child)
    return {key.split("[")[0] for key in seen}


#: The module that needs the `ray` extra rather than `all`.
RAY_MODULE = ROOT / "xiaohu" / "ray.py"


def _demo_sources() -> list[Path]:
    return [
        path
        for package in DEMO_PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != RAY_MODULE
    ]


def _source_imports(paths: list[Path]) -> set[str]:
    return {m for path in paths for m in _imports(path.read_text(encoding="utf-8"))}


def _readme_imports(*, ray: bool) -> set[str]:
    return {
        module
        for readme in ("README.md", "README.zh-CN.md")
        for block in blocks_of(readme, ROOT)
        if not needs_pytest(block) and needs_ray(block) == ray
        for module in _imports(block.code)
    }


def test_the_closure_is_read_from_the_installed_metadata() -> None:
    """The helper itself: the core's two dependencies are in `xiaohu`, an adapter's only in `all`."""
    core, full = _closure("xiaohu"), _closure("xiaohu[all]")
    assert {"httpx", "pydantic"} <= core
    assert "langchain-core" not in core
    assert {"langchain", "langchain-core", "llama-index-core", "uvicorn", "typer"} <= full
    assert "pytest" not in full
    assert "openai" not in full


@pytest.mark.parametrize(
    ("label", "modules"),
    [
        ("README blocks", _third_party(_readme_imports(ray=False))),
        ("the demo, CLI, emulator and adapters", _third_party(_source_imports(_demo_sources()))),
    ],
    ids=["readme", "demo"],
)
def test_every_import_is_installed_by_the_all_extra(label: str, modules: set[str]) -> None:
    assert modules, f"found no third-party import in {label}"
    allowed = _closure("xiaohu[all]")
    missing = {m: _owner(m) for m in sorted(modules) if _owner(m) not in allowed}
    assert missing == {}, f"{label} import modules that `pip install xiaohu[all]` lacks: {missing}"


def test_ray_imports_are_installed_by_the_ray_extra() -> None:
    """`xiaohu.ray` and the README's Ray blocks need no more than `xiaohu[all,ray]` brings."""
    modules = _third_party(_source_imports([RAY_MODULE]) | _readme_imports(ray=True))
    assert "ray" in {m.split(".")[0] for m in modules}
    allowed = _closure("xiaohu[all,ray]")
    missing = {m: _owner(m) for m in sorted(modules) if _owner(m) not in allowed}
    assert missing == {}, f"the Ray code imports modules that `xiaohu[all,ray]` lacks: {missing}"
    assert "ray" not in _closure("xiaohu[all]"), "Ray is meant to stay out of `all`"
