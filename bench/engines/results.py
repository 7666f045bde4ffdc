"""What the engines section stores: one run per implementation and engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class EngineRun:
    implementation: str
    engine: str
    customers: int
    ok: bool
    wall_seconds: float
    peak_tree_rss_mib: float | None
    max_processes: int
    output_dir: str
    log: str
    pipeline_seconds: float | None = None
    import_seconds: float | None = None
    error: str | None = None
    # Spark runs: the differences from the DuckDB reference's outputs (None: not compared)
    differences: list[dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return f"{self.implementation}/{self.engine}"


@dataclass
class EngineResults:
    runs: dict[str, EngineRun] = field(default_factory=dict)  # by label, "scripts/duckdb" first
    skipped: str | None = None  # why the section did not run
