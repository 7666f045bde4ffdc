"""Plain-Python pipeline: check inputs, ingest, dbt build, export, quality report. In that order.

No orchestrator: each step is one call into ``core`` (or dbt), so this is what the pipeline costs
with nothing around it. The other implementations are measured against it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from core.export import export_outputs, write_quality_report
from core.ingest import check_inputs, ingest_file
from core.layout import INPUT_FILES
from core.run import RunSummary, summarise
from core.transform import run_dbt
from core.warehouse import connect, warehouse_path

log = logging.getLogger(__name__)


def run(input_dir: Path, output_dir: Path) -> RunSummary:
    """Run the whole pipeline once; raise on bad input or a failed check."""
    warehouse = warehouse_path(output_dir)
    headers = check_inputs(input_dir, INPUT_FILES)  # before anything is written

    with connect(warehouse) as con:
        for spec in INPUT_FILES:
            ingest_file(con, headers[spec.name], spec)

    log.info("running dbt build")
    run_dbt(["build"], warehouse, target_dir=output_dir / "dbt_target")

    with connect(warehouse) as con:
        written = export_outputs(con, output_dir)
        log.info("wrote %d output files to %s", len(written), output_dir)
        report = write_quality_report(con, output_dir)
    return summarise("scripts", output_dir, report)
