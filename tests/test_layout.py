"""The package's layout holds: no import cycles, runtime apart from training, one factory table."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import nlp_iom
from nlp_iom.pipeline.registrations import FACTORIES

PACKAGE = Path(nlp_iom.__file__).resolve().parent
ROOT = PACKAGE.parent
#: Sub-packages that may import training and evaluation code; nothing else may.
OFFLINE = ("nlp_iom.training", "nlp_iom.evaluation", "nlp_iom.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST) -> list[str]:
    """Every ``nlp_iom`` module or name imported, at any depth, except under ``if TYPE_CHECKING:``."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("nlp_iom") and not node.level:
            found.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names if alias.name.startswith("nlp_iom"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the nlp_iom modules it imports (a name imported from a package counts as the package)."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges = set()
        for target in _runtime_imports(ast.parse(path.read_text(encoding="utf-8"))):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                edges.add(target)  # a module importing its own package's __init__ is not a cycle
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a list of modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_package_has_no_import_cycle() -> None:
    assert find_cycle(import_graph()) is None


def test_runtime_never_imports_training_or_evaluation() -> None:
    offending = {
        module: sorted(t for t in targets if t.startswith(("nlp_iom.training", "nlp_iom.evaluation")))
        for module, targets in import_graph().items()
        if not module.startswith(OFFLINE)
    }
    assert {m: t for m, t in offending.items() if t} == {}


def test_runtime_modules_do_not_reach_into_the_checkout() -> None:
    """Only training and evaluation code may look for files beside the package (corpora/, models/)."""
    reaching = [module_name(p) for p in PACKAGE.rglob("*.py")
                if "parents[2]" in p.read_text(encoding="utf-8") and not module_name(p).startswith(OFFLINE)]
    assert reaching == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_factory_table_matches_the_entry_points() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["entry-points"]["spacy_factories"] == FACTORIES


def test_every_factory_registers_under_its_name() -> None:
    import importlib

    from spacy.language import Language

    for name, target in FACTORIES.items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function))
        assert Language.has_factory(name), name
