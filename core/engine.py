"""Which engine runs the dbt project: the embedded DuckDB warehouse (default) or Apache Spark.

Chosen in one place so that the scripts pipeline, the Dagster resource and ``lc-pipeline run
--engine`` agree: an explicit choice wins, then ``LC_ENGINE``, then DuckDB. Everything around dbt
(ingestion, exports, the quality report) runs on DuckDB whatever the engine; see ``core.spark``.
"""

from __future__ import annotations

import os
from typing import Literal, cast

Engine = Literal["duckdb", "spark"]
ENGINES: tuple[Engine, ...] = ("duckdb", "spark")
ENGINE_ENV = "LC_ENGINE"
DEFAULT_ENGINE: Engine = "duckdb"


def resolve_engine(name: str | None = None) -> Engine:
    """The engine named (or, when ``name`` is empty, ``$LC_ENGINE``, else DuckDB); a clear error if unknown."""
    chosen = (name or os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE).strip().lower()
    if chosen not in ENGINES:
        source = "" if name else f" (from {ENGINE_ENV})"
        raise ValueError(f"unknown engine {chosen!r}{source}: choose one of {', '.join(ENGINES)}")
    return cast(Engine, chosen)
