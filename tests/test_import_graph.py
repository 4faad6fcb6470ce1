"""No import circle among the runtime's modules: each layer imports only the ones below.

Only imports a module runs when it is loaded count (top level, including under `if` and
`try`); an import inside a function is lazy on purpose (a cold start that does without it)
and an import under `if TYPE_CHECKING:` never runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SKILL = Path(__file__).resolve().parents[1] / "skill"


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _loaded_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The import statements run at load: not in functions or classes' methods, nor
    under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _type_checking(node.test):
                found += _loaded_imports(node.body)
            found += _loaded_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                found += _loaded_imports(block)
            for handler in node.handlers:
                found += _loaded_imports(handler.body)
        elif isinstance(node, ast.ClassDef):
            found += _loaded_imports(node.body)
    return found


def imported_modules(path: Path, name: str, known: set[str]) -> set[str]:
    """The modules of `known` that loading `name` (at `path`) imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _loaded_imports(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            base = f"{anchor}.{base}" if base else anchor
        targets.add(base)
        targets.update(f"{base}.{alias.name}" for alias in node.names)  # a submodule imported
    return {t for t in targets if t in known and t != name}


def import_graph(root: Path = SKILL) -> dict[str, set[str]]:
    """Each module under `root` and the modules of the same package its loading imports."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(paths)
    return {name: imported_modules(path, name, known) for name, path in paths.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None when the graph has none."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        path.append(node)
        on_path.add(node)
        for target in sorted(graph.get(node, ())):
            if target in on_path:
                return [*path[path.index(target) :], target]
            if target not in done:
                found = visit(target)
                if found:
                    return found
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def test_the_runtime_has_no_import_circle() -> None:
    graph = import_graph()
    assert "skill.handlers.routes" in graph and graph["skill.handlers.routes"]  # it did read
    cycle = find_cycle(graph)
    assert cycle is None, "import circle: " + " -> ".join(cycle or [])


def test_records_and_journey_do_not_import_each_other() -> None:
    graph = import_graph()
    assert "skill.records" not in graph["skill.journey"]


@pytest.mark.parametrize(
    ("lines_a", "lines_b", "circle"),
    [
        ("from skill import b\n", "import skill.a\n", True),
        ("from skill.b import thing\n", "from . import a\n", True),
        ("from skill import b\n", "def f():\n    from skill import a\n", False),
        (
            "from skill import b\n",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from skill import a\n",
            False,
        ),
        (
            "try:\n    from skill.b import x\nexcept ImportError:\n    x = 0\n",
            "import skill.a\n",
            True,
        ),
    ],
)
def test_a_circle_is_found_and_a_lazy_import_is_not_one(
    tmp_path: Path, lines_a: str, lines_b: str, circle: bool
) -> None:
    package = tmp_path / "skill"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text(lines_a)
    (package / "b.py").write_text(lines_b)
    found = find_cycle(import_graph(package))
    assert (found is not None) is circle, found
    if circle:
        assert found is not None and found[0] == found[-1]
