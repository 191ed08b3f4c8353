"""The package's modules import one another without a cycle.

Each module's imports at its top level are read, those under ``if TYPE_CHECKING:``
included (a type is a dependency too: a transport typed against the concrete fake
depends on it), function-local imports excluded (they are how the plugin defers
loading: pytest imports it in every run). The graph of modules they make must have no
cycle: the layers (transports, wire, core, policies, services) depend one way.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_batchjobs"


def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package by dotted name: its file, whether it is a package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if package else parts)] = (path, package)
    return found


def imports(name: str, path: Path, package: bool, known: set[str]) -> set[str]:
    """The package's modules ``name`` imports at its top level (TYPE_CHECKING too)."""
    here = name.split(".") if package else name.split(".")[:-1]
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If | ast.Try):  # TYPE_CHECKING, try/except ImportError
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = here[: len(here) - node.level + 1] if node.level else []
                target = ".".join([*base, *([node.module] if node.module else [])])
                for alias in node.names:
                    child = f"{target}.{alias.name}"
                    found.add(child if child in known else target)

    visit(ast.parse(path.read_text()).body)
    return {module for module in found if module in known and module != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_import_graph_is_found() -> None:
    graph = {name: imports(name, *where, set(modules())) for name, where in modules().items()}
    assert "pytest_batchjobs.core.pipeline" in graph["pytest_batchjobs.fake"]
    # under TYPE_CHECKING:
    assert "pytest_batchjobs.fake" in graph["pytest_batchjobs._pytest.hookspecs"]


def test_there_are_no_import_cycles() -> None:
    known = modules()
    graph = {name: imports(name, *where, set(known)) for name, where in known.items()}
    assert cycles(graph) == []
