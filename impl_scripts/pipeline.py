"""Plain-Python pipeline: check inputs, ingest, dbt build, export, quality report. In that order.

No orchestrator: each step is one call into ``core`` (or dbt), so this is what the pipeline costs
with nothing around it. The other implementations are measured against it. With no tool to record
steps, the script reports its own (``progress.step``) and dbt's nodes (through dbt's callbacks).

On Spark (``engine="spark"``, or ``LC_ENGINE=spark``) the same calls land the raw tables as Parquet
for Spark to read and publish Spark's tables into the DuckDB warehouse (``core.engine.RunEngine``).
"""

from __future__ import annotations

from pathlib import Path

from core.engine import RunEngine
from core.export import export_outputs, write_quality_report
from core.ingest import check_inputs, ingest_file
from core.layout import INPUT_FILES
from core.progress import Progress
from core.run import RunSummary, summarise
from core.settings import dbt_target_dir
from core.transform import run_dbt
from core.warehouse import connect, warehouse_path


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Run the whole pipeline once; raise on bad input or a failed check."""
    warehouse = warehouse_path(output_dir)
    dbt_engine = RunEngine.of(output_dir, engine)
    with Progress() as progress:
        with progress.step("check inputs"):
            headers = check_inputs(input_dir, INPUT_FILES)  # before anything is written

        with connect(warehouse) as con:
            for spec in INPUT_FILES:
                with progress.step(f"ingest {spec.name}"):
                    ingest_file(con, headers[spec.name], spec)
                    dbt_engine.land(con, spec)

        with progress.step(f"dbt build{' on Spark' if dbt_engine.spark else ''}"):
            run_dbt(["build"], warehouse, dbt_target_dir(output_dir), spark=dbt_engine.spark, progress=progress)

        with connect(warehouse) as con:
            dbt_engine.publish(con)
            with progress.step("export"):
                export_outputs(con, output_dir)
            with progress.step("quality report"):
                report = write_quality_report(con, output_dir)
    return summarise("scripts", output_dir, report)
