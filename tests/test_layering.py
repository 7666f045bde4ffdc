"""The shape of the code: the core knows no orchestrator, and every orchestrator is registered once.

Read from the source (every import statement, at any depth), so a lazy import inside a function
counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import networkx as nx
import pytest

from core.implementations import implementation_names, load_run
from testkit.environments import implementation_param

REPO = Path(__file__).resolve().parent.parent


def _imported_modules(package: str) -> dict[str, set[str]]:
    """Every module each file of ``package`` imports, by file."""
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / package).rglob("*.py")):
        modules = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module)
        found[str(path.relative_to(REPO))] = modules
    return found


def test_core_imports_no_orchestrator_no_harness_and_no_tests() -> None:
    forbidden = ("impl_", "bench", "tests")
    offending = {
        file: sorted(m for m in modules if m.split(".")[0].startswith(forbidden))
        for file, modules in _imported_modules("core").items()
    }
    assert {file: modules for file, modules in offending.items() if modules} == {}


def _offending(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    """Per file of ``package``, the modules it imports from the ``forbidden`` top-level packages."""
    found = {
        file: sorted(m for m in modules if m.split(".")[0].startswith(forbidden))
        for file, modules in _imported_modules(package).items()
    }
    return {file: modules for file, modules in found.items() if modules}


def test_the_harness_imports_nothing_from_the_tests() -> None:
    assert _offending("bench", ("tests",)) == {}


def test_the_testkit_imports_no_test_and_no_harness() -> None:
    assert _offending("testkit", ("tests", "bench")) == {}


def test_the_rules_oracle_shares_no_code_with_the_pipeline() -> None:
    """The oracle reads the rules on its own: a mistake shared with core or dbt could not show."""
    imported = _imported_modules("testkit")["testkit/rules_oracle.py"]
    assert sorted(m for m in imported if m.split(".")[0].startswith(("core", "impl_", "bench", "testkit"))) == []


FIRST_PARTY = ("core", "bench", "testkit", "tests", "impl_scripts", "impl_dagster", "impl_airflow", "impl_prefect")


def _module_graph() -> nx.DiGraph:
    """First-party modules and the modules each imports (lazy imports too): an edge per import."""
    files = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): path
        for package in FIRST_PARTY
        for path in (REPO / package).rglob("*.py")
    }
    graph = nx.DiGraph()
    for module, path in files.items():
        graph.add_node(module)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # ``from bench import report`` imports the module bench.report
                targets = [
                    f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in files else node.module for a in node.names
                ]
            else:
                continue
            graph.add_edges_from((module, target) for target in targets if target in files and target != module)
    return graph


def test_no_import_cycle() -> None:
    """No module imports, directly or through others, a module that imports it (a package's
    ``__init__`` aside, which its own modules may name)."""
    graph = _module_graph()
    cycles = [cycle for cycle in nx.simple_cycles(graph) if not any(m in FIRST_PARTY for m in cycle)]
    assert cycles == []


def test_every_implementation_folder_is_registered_as_an_entry_point() -> None:
    folders = {path.name.removeprefix("impl_") for path in REPO.glob("impl_*") if (path / "__init__.py").is_file()}
    assert set(implementation_names()) == folders


@pytest.mark.parametrize("name", [implementation_param(name) for name in implementation_names()])
def test_every_implementation_takes_the_engine(name: str) -> None:
    assert "engine" in inspect.signature(load_run(name)).parameters
