"""Lines of code, configuration files and framework APIs of each orchestration layer."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from bench.code_size import REPO, is_launcher, measure_folder, shared_code_size
from bench.store import Store
from bench.type_hints import typed_share


def test_code_size(store: Store, implementation: str) -> None:
    size = measure_folder(implementation, REPO / f"impl_{implementation}")
    store.code_size[implementation] = asdict(size)
    store.code_size["_shared"] = shared_code_size()
    assert size.code_lines > 0


def test_static_typing(store: Store, implementation: str) -> None:
    """The ADR's "Type Safety" row: how much of the orchestration code mypy can type (not Any)."""
    if store.config.quick:
        pytest.skip("mypy over each framework takes minutes: not in quick mode")
    result = typed_share(REPO / f"impl_{implementation}", store.config.results_dir / ".mypy_cache")
    store.code_size.setdefault("_typing", {})[implementation] = result
    assert result["typed_share"] is not None, result.get("error")


def test_launchers_are_counted_apart_from_definitions() -> None:
    assert is_launcher(Path("launch.py")) and is_launcher(Path("launch/runner.py"))
    assert not is_launcher(Path("assets/launch_checks.py")) and not is_launcher(Path("pipeline.py"))
    dagster = measure_folder("dagster", REPO / "impl_dagster")
    assert 0 < dagster.launcher_lines < dagster.code_lines
    assert dagster.definition_lines + dagster.launcher_lines == dagster.code_lines
    assert measure_folder("scripts", REPO / "impl_scripts").launcher_lines == 0  # plain Python: no tool to start
