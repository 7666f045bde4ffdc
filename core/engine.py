"""Which engine runs the dbt project: the embedded DuckDB warehouse (default) or Apache Spark.

Chosen in one place so that every implementation and ``lc-pipeline run --engine`` agree: an
explicit choice wins, then ``LC_ENGINE``, then DuckDB. Everything around dbt (ingestion, exports,
checks, the quality report) runs on DuckDB whatever the engine; :class:`RunEngine` holds the few
steps around dbt that differ, so every implementation makes the same calls on either engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

import duckdb

from core.layout import InputFile
from core.spark import SparkLayout, land_raw_table, publish_tables, start_session, write_session_conf
from core.transform import dbt_environment
from core.warehouse import warehouse_path

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


@dataclass(frozen=True)
class RunEngine:
    """The engine of one run, and the steps around dbt that differ by engine.

    Every implementation makes the same calls whatever the engine; on DuckDB, where dbt writes the
    warehouse itself, :meth:`land`, :meth:`start` and :meth:`publish` do nothing:

    1. :meth:`land` after each input file is ingested: on Spark, the raw table as Parquet, where
       the dbt sources read it;
    2. dbt runs with :meth:`dbt_environment` (the ``profiles.yml`` target and paths), after
       :meth:`start` when dbt runs in the caller's process (dbt-spark then finds the session);
    3. :meth:`publish` once dbt is done: on Spark, a view in the DuckDB warehouse per table Spark
       wrote, so exports, checks and the quality report read them as they read DuckDB's tables.
    """

    name: Engine
    output_dir: Path
    warehouse: Path | None = None  # the DuckDB file, when not the output folder's warehouse.duckdb

    @classmethod
    def of(cls, output_dir: Path, engine: str | None = None, warehouse: Path | None = None) -> RunEngine:
        """The engine of a run writing to ``output_dir``: ``engine``, else ``LC_ENGINE``, else DuckDB."""
        return cls(resolve_engine(engine), output_dir, warehouse)

    @property
    def spark(self) -> SparkLayout | None:
        """Where a Spark run keeps its files (under the output folder); None on DuckDB."""
        return SparkLayout(self.output_dir) if self.name == "spark" else None

    def land(self, con: duckdb.DuckDBPyConnection, spec: InputFile) -> None:
        if self.spark:
            write_session_conf(self.spark)  # read by every JVM of the run, dbt's own process included
            land_raw_table(con, spec, self.spark)

    def dbt_environment(self) -> dict[str, str]:
        return dbt_environment(self.warehouse or warehouse_path(self.output_dir), self.spark)

    def start(self) -> None:
        if self.spark:
            start_session(self.spark)

    def publish(self, con: duckdb.DuckDBPyConnection) -> None:
        if self.spark:
            publish_tables(con, self.spark)

    @staticmethod
    def environment_names(engine: Engine) -> list[str]:
        """The variables :meth:`dbt_environment` sets on ``engine``: for a tool that declares the
        environment of its dbt tasks before any run (and so before any output folder) exists."""
        return list(RunEngine(engine, Path.cwd()).dbt_environment())
