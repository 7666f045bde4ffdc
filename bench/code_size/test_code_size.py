"""Lines of code, configuration files and framework APIs of each orchestration layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.code_size.count import (
    REPO,
    code_line_numbers,
    is_launcher,
    measure_folder,
    shared_code_size,
    top_level_lines,
)
from bench.code_size.results import TypedShare
from bench.code_size.type_hints import typed_share
from bench.store import Store
from core.implementations import interpreter


def test_code_size(store: Store, implementation: str) -> None:
    size = measure_folder(implementation, REPO / f"impl_{implementation}")
    store.code_size.sizes[implementation] = size
    store.code_size.shared = shared_code_size()


@pytest.fixture(scope="session")
def typing_runs(store: Store) -> Iterator[dict[str, Future[TypedShare]]]:
    """mypy over every implementation, as many at once as the machine has cores (each its own cache):
    a count, not a timing, so they may overlap."""
    cache = store.config.results_dir / ".mypy_cache"
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="mypy") as pool:
        yield {
            name: pool.submit(typed_share, REPO / f"impl_{name}", cache / name, interpreter(name))
            for name in store.config.implementations
        }


def test_static_typing(store: Store, implementation: str, request: pytest.FixtureRequest) -> None:
    """The ADR's "Type Safety" row: how much of the orchestration code mypy can type (not Any)."""
    if store.config.quick:
        pytest.skip("mypy over each framework takes minutes: not in quick mode")
    result = request.getfixturevalue("typing_runs")[implementation].result()
    store.code_size.typing[implementation] = result
    assert result.typed_share is not None, result.error


def test_launchers_are_counted_apart_from_definitions() -> None:
    assert is_launcher(Path("launch.py")) and is_launcher(Path("launch/runner.py"))
    assert not is_launcher(Path("assets/launch_checks.py")) and not is_launcher(Path("pipeline.py"))
    dagster = measure_folder("dagster", REPO / "impl_dagster")
    assert 0 < dagster.launcher_lines < dagster.code_lines
    extras = sum(dagster.extra_lines.values())
    assert extras > 0 and dagster.definition_lines + dagster.launcher_lines + extras == dagster.code_lines
    assert sum(f.lines + sum(f.extras.values()) for f in dagster.files) == dagster.code_lines
    assert measure_folder("scripts", REPO / "impl_scripts").launcher_lines == 0  # plain Python: no tool to start


def test_top_level_lines_cover_decorators_and_skip_docstrings() -> None:
    source = '"""Module."""\n\nimport os\n\n\n@decorator(\n    x=1,\n)\ndef feature():\n    """Doc."""\n    return os\n\nNAME = 1\n'
    defined = top_level_lines(source)
    assert defined["feature"] == {6, 7, 8, 9, 10, 11} and defined["NAME"] == {13}
    assert code_line_numbers(source) & defined["feature"] == {6, 7, 8, 9, 11}
