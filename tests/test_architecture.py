"""The shape of the code, checked from its source: one-way imports, a public surface, one tree.

* The modules of `xiaohu/` import each other without a circle (every import counts, also
  those inside functions and under `TYPE_CHECKING`).
* No code outside the core (the adapters, the `llama_index.*` shims, the CLI, the scripts)
  imports a private module `xiaohu._*`: they use the names `xiaohu` exports.
* No consumer pops a core option (`timeout`, `max_cost_usd`, ...) out of a call's keywords:
  the core's `split_options` is the one place that does.
* The error tree drawn at the top of `xiaohu/_exceptions.py` is the tree of the classes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import xiaohu
from xiaohu import _exceptions

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "xiaohu"
#: Code that must use only the public surface of `xiaohu`.
CONSUMERS = ["langchain_xiaohu", "llama_index_xiaohu", "llama_index", "scripts", "xiaohu/cli"]


def _module_name(path: Path) -> str:
    inside = path.is_relative_to(ROOT)
    parts = list((path.relative_to(ROOT) if inside else Path(path.name)).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, known: frozenset[str] = frozenset()) -> set[str]:
    """Every module `path` imports, absolute (`from . import x` gives the package's `x`).

    `from package import submodule` counts as importing the submodule only, when `known`
    says it is one: a package's own `__init__` may import its submodules.
    """
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base)
                module = f"{prefix}.{node.module}" if node.module else prefix
            else:
                module = node.module or ""
            names = {f"{module}.{alias.name}" for alias in node.names}
            if not names <= known:
                found.add(module)
            found.update(names)
    return found


def _core_graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in CORE.rglob("*.py")}
    known = frozenset(modules)
    return {name: _imports(path, known) & known - {name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of `graph` (as a path that ends where it starts), or `None`."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            found = visit(target, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_the_cycle_finder_finds_a_circle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None


def test_the_import_walker_resolves_relative_imports() -> None:
    imports = _imports(CORE / "_client.py")
    assert {"xiaohu._background", "xiaohu._background_stream"} <= imports
    assert "xiaohu._client" in _imports(CORE / "__init__.py")


def test_the_core_imports_without_a_circle() -> None:
    graph = _core_graph()
    assert "xiaohu._client" in graph
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_background_state_imports_neither_the_client_nor_the_streams() -> None:
    graph = _core_graph()
    assert not graph["xiaohu._background"] & {"xiaohu._client", "xiaohu._background_stream"}
    assert "xiaohu._client" not in graph["xiaohu._background_stream"]


def _private_imports(path: Path) -> list[str]:
    return sorted(
        module
        for module in _imports(path)
        if re.fullmatch(r"xiaohu\._\w+(\..*)?", module) and not module.startswith("xiaohu.__")
    )


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_no_consumer_imports_a_private_module_of_the_core(consumer: str) -> None:
    files = sorted((ROOT / consumer).rglob("*.py"))
    assert files, consumer
    offenders = {str(f.relative_to(ROOT)): _private_imports(f) for f in files}
    assert {f: names for f, names in offenders.items() if names} == {}


def test_the_private_import_check_sees_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("import xiaohu\n\ndef f():\n    from xiaohu._client import XiaohuClient\n")
    assert _private_imports(probe) == ["xiaohu._client", "xiaohu._client.XiaohuClient"]


def _option_keys_handled(path: Path) -> list[str]:
    """Core option names a file takes out of a call's keywords itself (`.pop("timeout")`...)."""
    names = set(xiaohu.RequestOptions.__dataclass_fields__)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            first = node.args[0] if node.args else None
            if node.func.attr == "pop" and isinstance(first, ast.Constant) and first.value in names:
                found.append(f"{path.name}:{node.lineno} pops {first.value!r}")
    return found


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_no_consumer_splits_the_core_options_itself(consumer: str) -> None:
    found = [
        hit for f in sorted((ROOT / consumer).rglob("*.py")) for hit in _option_keys_handled(f)
    ]
    assert found == []


def test_the_option_pop_check_sees_one(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f(kwargs):\n    return kwargs.pop('max_cost_usd', None)\n")
    assert _option_keys_handled(probe) == ["probe.py:2 pops 'max_cost_usd'"]


_NODE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>[A-Z]\w+)")


def _drawn_tree() -> dict[str, str | None]:
    """Each class in the drawing at the top of `_exceptions`, with its drawn parent."""
    doc = _exceptions.__doc__ or ""
    drawing = doc.split("```")[1]
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in drawing.strip().splitlines():
        match = _NODE.match(line)
        assert match, line
        depth = len(match["indent"])
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[match["name"]] = stack[-1][1] if stack else None
        stack.append((depth, match["name"]))
    return parents


def _real_tree() -> dict[str, str | None]:
    """Every error `xiaohu` exports, with its nearest `XiaohuError` base."""
    classes = [
        value
        for name in xiaohu.__all__
        if isinstance(value := getattr(xiaohu, name), type)
        and issubclass(value, xiaohu.XiaohuError)
    ]
    tree: dict[str, str | None] = {}
    for cls in classes:
        bases = [b for b in cls.__bases__ if issubclass(b, xiaohu.XiaohuError)]
        assert len(bases) <= 1, cls
        tree[cls.__name__] = bases[0].__name__ if bases else None
    return tree


def test_the_error_tree_drawing_is_the_class_tree() -> None:
    assert _drawn_tree() == _real_tree()


def test_every_error_class_of_the_module_is_exported() -> None:
    defined = {
        name
        for name, value in vars(_exceptions).items()
        if isinstance(value, type) and issubclass(value, xiaohu.XiaohuError)
    }
    assert defined <= set(xiaohu.__all__)
