"""Plain-Python pipeline: check inputs, ingest, dbt build, export, quality report. In that order.

No orchestrator: each step is one call into ``core`` (or dbt), so this is what the pipeline costs
with nothing around it. The other implementations are measured against it. With no tool to record
steps, the script reports its own (``progress.step``) and dbt's nodes (through dbt's callbacks).

On Spark (``engine="spark"``, or ``LC_ENGINE=spark``) two steps are added around dbt, both from
``core.spark``: the raw tables are landed as Parquet for Spark to read, and Spark's tables are
published into the DuckDB warehouse for the exports to read.
"""

from __future__ import annotations

from pathlib import Path

from core.engine import resolve_engine
from core.export import export_outputs, write_quality_report
from core.ingest import check_inputs, ingest_file
from core.layout import INPUT_FILES
from core.progress import Progress
from core.run import RunSummary, summarise
from core.settings import dbt_target_dir
from core.spark import SparkLayout, land_raw_table, publish_tables
from core.transform import run_dbt
from core.warehouse import connect, warehouse_path


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Run the whole pipeline once; raise on bad input or a failed check."""
    warehouse = warehouse_path(output_dir)
    spark = SparkLayout(output_dir) if resolve_engine(engine) == "spark" else None
    with Progress() as progress:
        with progress.step("check inputs"):
            headers = check_inputs(input_dir, INPUT_FILES)  # before anything is written

        with connect(warehouse) as con:
            for spec in INPUT_FILES:
                with progress.step(f"ingest {spec.name}"):
                    ingest_file(con, headers[spec.name], spec)
                    if spark:
                        land_raw_table(con, spec, spark)

        with progress.step(f"dbt build{' on Spark' if spark else ''}"):
            run_dbt(["build"], warehouse, target_dir=dbt_target_dir(output_dir), spark=spark, progress=progress)

        with connect(warehouse) as con:
            if spark:
                publish_tables(con, spark)
            with progress.step("export"):
                export_outputs(con, output_dir)
            with progress.step("quality report"):
                report = write_quality_report(con, output_dir)
    return summarise("scripts", output_dir, report)
