"""The layers of the code, read from its import statements (with `ast`, nothing is imported):
`deals` imports nothing from the apps above it (ingest, subscriptions, api), and the project's
own modules import each other without a cycle.

Every import counts, also one inside a function; only those under `if TYPE_CHECKING:` do not
(they never run). Migrations are walked too: a data migration reaches another app's models
through `apps.get_model("app", "Model")`, a string, which is no import.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests import REPO_ROOT

ROOT = REPO_ROOT
OWN_PACKAGES = ("deals", "ingest", "subscriptions", "api", "tracker", "accounts")
ABOVE_DEALS = ("ingest", "subscriptions", "api")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST):
    """Every Import and ImportFrom in `tree`, wherever it is, except under TYPE_CHECKING."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _import_nodes(node)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """The dotted names `source` (the text of `module`) imports: for `from a import b`, both
    `a` and `a.b` (b may be a module or a name in a; callers keep what exists)."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _import_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = package.split(".")
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        found.add(base)
        found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _own_modules() -> dict[str, Path]:
    modules = {}
    for package in OWN_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            modules[_module_name(path)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Each own module -> the own modules it imports (a package's name means its __init__)."""
    modules = _own_modules()
    graph = {}
    for name, path in modules.items():
        imported = imported_modules(path.read_text(), name, is_package=path.name == "__init__.py")
        graph[name] = {other for other in imported if other in modules and other != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of `graph` (its modules in order, the first repeated last), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        if start in done:
            continue
        path: list[str] = []
        on_path: set[str] = set()
        stack = [(start, iter(sorted(graph[start])))]
        path.append(start)
        on_path.add(start)
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                on_path.discard(node)
                done.add(node)
            elif child in on_path:
                return [*path[path.index(child) :], child]
            elif child not in done:
                stack.append((child, iter(sorted(graph.get(child, ())))))
                path.append(child)
                on_path.add(child)
    return None


# --- deals imports nothing above it -----------------------------------------------------------


def _reaches_above_deals(imported: set[str]) -> set[str]:
    return {name for name in imported if name.split(".")[0] in ABOVE_DEALS}


def test_the_walker_sees_every_kind_of_import():
    """Positive control: the walker finds imports at the top, in a function, relative ones, and
    leaves out those under TYPE_CHECKING."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "import django\n"
        "from .models import Deal\n"
        "def later():\n"
        "    from subscriptions.models import Subscription\n"
        "if TYPE_CHECKING:\n"
        "    from api.views import anything\n"
    )
    found = imported_modules(source, "deals.company_merge")
    assert {"django", "deals.models", "subscriptions.models"} <= found
    assert _reaches_above_deals(found) == {
        "subscriptions.models",
        "subscriptions.models.Subscription",
    }
    assert not any(name.startswith("api") for name in found)


def test_deals_imports_nothing_from_the_apps_above_it():
    walked = 0
    offending = {}
    for path in sorted((ROOT / "deals").rglob("*.py")):
        name = _module_name(path)
        imported = imported_modules(path.read_text(), name, is_package=path.name == "__init__.py")
        walked += 1
        if above := _reaches_above_deals(imported):
            offending[name] = sorted(above)
    assert walked > 20  # positive control: the whole app was read
    assert offending == {}


# --- No import cycle ---------------------------------------------------------------------------


def test_the_cycle_finder_finds_a_cycle_it_is_shown():
    """Positive control: a planted cycle is found, a chain is not."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_holds_the_imports_we_know_of():
    graph = import_graph()
    assert "deals.derived" in graph["deals.models"]  # its mixins
    assert "deals.models" not in graph["deals.derived"]  # only under TYPE_CHECKING
    assert "deals.models" in graph["deals.signals"]
    assert "deals.jurisdictions" in graph["deals.search"]
    assert "deals.names" in graph["deals.jurisdictions"]


def test_our_modules_import_each_other_without_a_cycle():
    assert find_cycle(import_graph()) is None
