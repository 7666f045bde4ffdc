"""The ``lc_pipeline`` flow: check inputs, ingest, dbt build, export, quality report. In that order.

Tasks are called like functions, one after the other (DuckDB allows one writer per file), and each
takes what the previous one returned, so Prefect draws the edges of the run graph from the data:
check_inputs -> ingest_customers, ingest_accounts -> dbt_build (and its task run per dbt node) ->
export_<table> x 4 -> quality_report.

Importing this module imports Prefect, which reads its settings (``PREFECT_HOME``, ``PREFECT_API_URL``)
from the environment at that moment: to run the flow with its state under the run's folder, go
through :func:`impl_prefect.launch.pipeline.run` (or set those variables before importing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.logging import get_run_logger

from core.engine import resolve_engine
from core.generate import sample_input
from core.layout import INPUT_FILES, OUTPUT_TABLES
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, default_output_dir, env_path
from impl_prefect.alerts import alert_on_failure
from impl_prefect.tasks import (
    RunConfig,
    check_inputs,
    dbt_build,
    export_task,
    ingest_task,
    quality_report_task,
)

DEFAULT_OUTPUT_DIR = default_output_dir("prefect")


def resolve_config(input_dir: Path | None, output_dir: Path | None, engine: str | None = None) -> RunConfig:
    """Parameters, else ``LC_INPUT_DIR`` / ``LC_OUTPUT_DIR`` / ``LC_ENGINE``, else defaults.

    With no input folder anywhere, a sample (10,000 customers, seed 42) is generated once into
    ``output/sample_input``, so the flow runs with no configuration at all.
    """
    input_dir = input_dir or env_path(INPUT_DIR_ENV) or sample_input()
    output_dir = output_dir or env_path(OUTPUT_DIR_ENV, DEFAULT_OUTPUT_DIR)
    return RunConfig(input_dir.resolve(), output_dir.resolve(), resolve_engine(engine))


@flow(
    name="lc_pipeline",
    description="LendingClub pipeline: check inputs, ingest, dbt build, export files, quality report.",
    persist_result=False,
    on_failure=[alert_on_failure],
)
def lc_pipeline(
    input_dir: Path | None = None,
    output_dir: Path | None = None,
    engine: str | None = None,
) -> dict[str, Any]:
    """Run the whole pipeline once; returns the quality report.

    Args:
        input_dir: folder with customers.csv and accounts.csv (default ``LC_INPUT_DIR``, else a
            generated sample in ``output/sample_input``).
        output_dir: folder for the warehouse, dbt artifacts and output files (default
            ``LC_OUTPUT_DIR``, else ``output/prefect``).
        engine: what runs the dbt project, ``duckdb`` or ``spark`` (default ``LC_ENGINE``, else
            DuckDB); everything else runs on DuckDB either way.
    """
    config = resolve_config(input_dir, output_dir, engine)
    get_run_logger().info("input %s, output %s", config.input_dir, config.output_dir)

    headers = check_inputs(config)  # before anything is written
    loaded = [ingest_task(spec)(config, headers[spec.name], spec) for spec in INPUT_FILES]
    models = dbt_build(config, loaded)
    written = []
    for table in OUTPUT_TABLES:
        export = export_task(table, models[table.table])
        written.append(export(config, table, models[table.table]))
    quality_report = quality_report_task(models)
    return quality_report(config, written)
