"""The orchestrators ``lc-pipeline`` can run, found through Python entry points.

The core imports none of them: each implementation registers its ``run`` function under the entry
point group below, one line in ``pyproject.toml``::

    [project.entry-points."lc_pipeline.implementations"]
    dagster = "impl_dagster.launch.pipeline:run"

so a fifth orchestrator is a folder plus one such line (``docs/adding-an-orchestrator.md``).
Loading an entry point imports only its module, so ``--impl scripts`` never imports Dagster.

A ``run`` function takes ``(input_dir, output_dir, engine)`` and returns a :class:`core.run.RunSummary`;
``engine`` (``duckdb`` or ``spark``; None: ``LC_ENGINE``, else DuckDB) is what runs the dbt project.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Protocol

from core.run import RunSummary

ENTRY_POINT_GROUP = "lc_pipeline.implementations"


class RunFunction(Protocol):
    def __call__(self, input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary: ...


@cache
def _registered() -> dict[str, EntryPoint]:
    found = {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}
    if not found:
        raise RuntimeError(
            f"no implementation is registered under the entry point group {ENTRY_POINT_GROUP!r}: "
            "install the project (make setup) so its entry points exist"
        )
    return found


def implementation_names() -> list[str]:
    """The registered implementations, in the order ``pyproject.toml`` declares them."""
    return list(_registered())


def load_run(name: str) -> RunFunction:
    """``name``'s run function; imports its module, and only that."""
    return _entry(name).load()


def _entry(name: str) -> EntryPoint:
    registered = _registered()
    if name not in registered:
        raise ValueError(f"unknown implementation {name!r}: choose one of {', '.join(registered)}")
    return registered[name]
