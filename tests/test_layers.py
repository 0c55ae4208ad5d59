"""The package's layers: nothing imports upward, and no modules import each other in a ring.

Every ``import`` statement counts: at the top of a module, inside a function,
or under ``if TYPE_CHECKING``.  The layers, lowest first, are the folders of
``src/mgrlead`` (see docs/architecture.md).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "mgrlead"

#: Each layer's modules (a name stands for the module or the whole package under it).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("mgrlead._version", "mgrlead.errors", "mgrlead.strategies", "mgrlead.conversion",
     "mgrlead.extras", "mgrlead.i18n"),
    ("mgrlead.results",),
    ("mgrlead.model",),
    ("mgrlead.plan",),
    ("mgrlead.engines",),
    ("mgrlead.irt",),
    ("mgrlead.io",),
    ("mgrlead.plugins",),
    ("mgrlead.analysis",),
    ("mgrlead.groups",),
    ("mgrlead.api",),
    ("mgrlead.adaptive",),
    ("mgrlead.cli", "mgrlead.report", "mgrlead.testing", "mgrlead.web"),
    ("mgrlead", "mgrlead.__main__"),
)  # fmt: skip


def module_name(path: Path) -> str:
    parts = ["mgrlead", *path.relative_to(SRC).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def layer_of(name: str) -> int:
    best = None
    for rank, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if name == prefix or name.startswith(prefix + "."):
                length = len(prefix)
                if best is None or length > best[1]:
                    best = (rank, length)
    if best is None:
        msg = f"{name} is in no layer; add it to LAYERS (and docs/architecture.md)"
        raise AssertionError(msg)
    return best[0]


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The mgrlead modules ``name`` imports, every import statement counted."""
    tree = ast.parse(path.read_text("utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "mgrlead")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            if base.split(".")[0] != "mgrlead":
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def test_every_module_is_in_a_layer() -> None:
    for name in modules():
        layer_of(name)


def test_nothing_imports_upward() -> None:
    upward = [
        f"{name} (layer {layer_of(name)}) imports {other} (layer {layer_of(other)})"
        for name, targets in graph().items()
        for other in sorted(targets)
        if layer_of(other) > layer_of(name)
    ]
    assert not upward, "\n".join(upward)


def test_no_import_knot() -> None:
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        path.append(name)
        for other in sorted(edges.get(name, ())):
            if state.get(other) == 1:
                ring = [*path[path.index(other) :], other]
                raise AssertionError("import ring: " + " -> ".join(ring))
            if other not in state:
                visit(other)
        path.pop()
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name)


def test_no_module_imports_another_modules_private_names() -> None:
    private = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mgrlead"):
                private += [f"{name}: from {node.module} import {a.name}" for a in node.names
                            if a.name.startswith("_") and a.name != "__version__"]  # fmt: skip
    assert not private, "\n".join(private)


def test_every_exception_and_warning_class_is_in_errors() -> None:
    outside = []
    for name, path in modules().items():
        if name == "mgrlead.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {ast.unparse(b) for b in node.bases}
                if any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                    outside.append(f"{name}.{node.name}")
    assert not outside, outside


@pytest.mark.parametrize(
    ("upward", "expected"),
    [
        ("from mgrlead.api import score", "imports mgrlead.api"),
        ("import mgrlead", "imports mgrlead (layer"),
    ],
)
def test_the_layer_check_sees_imports_inside_functions(
    upward: str, expected: str, tmp_path: Path
) -> None:
    """The check itself: an import hidden in a function is an upward import too."""
    path = tmp_path / "model.py"
    path.write_text(f"def f():\n    {upward}\n", "utf-8")
    targets = imports_of("mgrlead.model", path, set(modules()))
    message = [f"mgrlead.model imports {t} (layer {layer_of(t)})" for t in targets
               if layer_of(t) > layer_of("mgrlead.model")]  # fmt: skip
    assert any(expected in m for m in message)
