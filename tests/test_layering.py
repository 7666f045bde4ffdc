"""The shape of the code: the core knows no orchestrator, and every orchestrator is registered once.

Read from the source (every import statement, at any depth), so a lazy import inside a function
counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from core.implementations import implementation_names, load_run

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


def test_every_implementation_folder_is_registered_as_an_entry_point() -> None:
    folders = {path.name.removeprefix("impl_") for path in REPO.glob("impl_*") if (path / "__init__.py").is_file()}
    assert set(implementation_names()) == folders


def test_every_implementation_takes_the_engine() -> None:
    for name in implementation_names():
        assert "engine" in inspect.signature(load_run(name)).parameters, name
