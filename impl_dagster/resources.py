"""Resources: where a run reads its inputs and keeps its warehouse and outputs, and the dbt CLI.

Everything comes from the environment, with defaults that work with no configuration at all:

* ``LC_INPUT_DIR``: folder holding ``customers.csv`` and ``accounts.csv``. Default: a sample of
  10,000 generated customers in ``output/sample_input`` (generated on first use, seed 42).
* ``LC_OUTPUT_DIR``: folder for output files, dbt artifacts and the warehouse. Default ``output/dagster``.
* ``LC_DUCKDB_PATH``: the DuckDB file. Default ``<output folder>/warehouse.duckdb``. (Not
  ``LC_WAREHOUSE_PATH``: that one is how every implementation tells dbt's profile where the
  warehouse is, and the scripts pipeline leaves it set in its process.)
* ``LC_ENGINE``: what runs the dbt project, ``duckdb`` (the default) or ``spark`` (a local Spark
  session through dbt-spark; see ``docs/spark.md``). Ingestion, exports and checks use DuckDB either way.

Each is also run configuration (``resources: lc_paths: config: ...`` in the Launchpad, or a
sensor's run request), so a new input folder is processed without editing code.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from dagster import ConfigurableResource, EnvVar
from dagster_dbt import DbtCliResource
from pydantic import Field

from core.engine import DEFAULT_ENGINE, ENGINE_ENV, ENGINES, RunEngine
from core.generate import SAMPLE_CUSTOMERS, SAMPLE_SEED, sample_input
from core.paths import require_inside
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, SAMPLE_INPUT_DIR, dbt_target_dir, default_output_dir
from core.warehouse import connect, warehouse_path
from impl_dagster.project import DBT_EXECUTABLE, dbt_project

DUCKDB_ENV = "LC_DUCKDB_PATH"
DEFAULT_OUTPUT_DIR = default_output_dir("dagster")


class LcPaths(ConfigurableResource):
    """The folders and the DuckDB warehouse of one pipeline run."""

    input_dir: str | None = Field(
        default=None,
        description="Folder with customers.csv and accounts.csv. Unset: a generated sample "
        f"({SAMPLE_CUSTOMERS:,} customers, seed {SAMPLE_SEED}) in {SAMPLE_INPUT_DIR}.",
    )
    output_dir: str = Field(
        default=str(DEFAULT_OUTPUT_DIR),
        description="Folder for the output files, the dbt artifacts and (by default) the warehouse.",
    )
    warehouse: str | None = Field(
        default=None, description="The DuckDB file, inside output_dir. Unset: <output_dir>/warehouse.duckdb."
    )
    engine: str = Field(
        default=DEFAULT_ENGINE,
        description=f"What runs the dbt project: {' or '.join(ENGINES)} (a local Spark session; its "
        "files go under <output_dir>/spark). Ingestion, exports and checks use DuckDB either way.",
    )

    def input_path(self) -> Path:
        """The input folder; the default sample is generated the first time it is needed."""
        if self.input_dir:
            return Path(self.input_dir).expanduser().resolve()
        return sample_input().resolve()

    def output_path(self) -> Path:
        path = Path(self.output_dir).expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def warehouse_path(self) -> Path:
        if self.warehouse:  # must lie in the output folder: a run writes nowhere else
            return require_inside(Path(self.warehouse), self.output_path(), f"the warehouse ({DUCKDB_ENV})")
        return warehouse_path(self.output_path())

    def dbt_engine(self) -> RunEngine:
        """What runs dbt for this run, and the steps around dbt that differ by engine."""
        return RunEngine.of(self.output_path(), self.engine, self.warehouse_path())

    def dbt_target_path(self) -> Path:
        """dbt's artifacts and logs for runs of this output folder."""
        return dbt_target_dir(self.output_path())

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse, closed on exit (DuckDB allows one writer per file)."""
        if read_only:
            con = duckdb.connect(str(self.warehouse_path()), read_only=True)
        else:
            con = connect(self.warehouse_path())
        try:
            yield con
        finally:
            con.close()


def _from_env(name: str) -> str | None:
    """An ``EnvVar`` (resolved when a run starts, shown as such in the UI) when the variable is set."""
    return EnvVar(name) if os.environ.get(name) else None


def lc_paths_from_env() -> LcPaths:
    return LcPaths(
        input_dir=_from_env(INPUT_DIR_ENV),
        output_dir=_from_env(OUTPUT_DIR_ENV) or str(DEFAULT_OUTPUT_DIR),
        warehouse=_from_env(DUCKDB_ENV),
        engine=_from_env(ENGINE_ENV) or DEFAULT_ENGINE,
    )


dbt_resource = DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))
