"""``run(input_dir, output_dir)``: the whole asset graph materialized in this process, for ``lc-pipeline``.

The run is a real Dagster run of ``lc_pipeline_job`` (every asset and check, in-process executor),
recorded in a local instance under ``<output_dir>/dagster_home`` (telemetry off), so it can be
inspected afterwards with ``DAGSTER_HOME=<output_dir>/dagster_home dagster dev -m impl_dagster.definitions``.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from core.engine import resolve_engine
from core.errors import PipelineInputError, QualityCheckFailed, is_permanent
from core.layout import QUALITY_REPORT
from core.run import RunSummary, summarise
from core.settings import dbt_target_dir
from core.transform import failed_nodes
from core.warehouse import warehouse_path

DAGSTER_YAML = "telemetry:\n  enabled: false\n"
# Console log level of ``run()``: quiet by default, so that a failure reaches the CLI as one line
# (every event is still in the run's event log under <output_dir>/dagster_home).
LOG_LEVEL_ENV = "LC_DAGSTER_LOG_LEVEL"
DEFAULT_LOG_LEVEL = "CRITICAL"


def prepare_dagster_home(home: Path) -> Path:
    """A local instance folder with telemetry disabled (written once, kept if the user changed it)."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def run_config(input_dir: Path, output_dir: Path, engine: str | None = None) -> dict:
    """Run configuration pointing the ``lc_paths`` resource at one input and one output folder,
    with dbt on ``engine`` (default: ``LC_ENGINE``, else DuckDB)."""
    return {
        "loggers": {"console": {"config": {"log_level": os.environ.get(LOG_LEVEL_ENV, DEFAULT_LOG_LEVEL)}}},
        "resources": {
            "lc_paths": {
                "config": {
                    "input_dir": str(input_dir),
                    "output_dir": str(output_dir),
                    "warehouse": str(warehouse_path(output_dir)),
                    "engine": resolve_engine(engine),
                }
            }
        },
    }


def _failed_checks(instance, run_id: str) -> list[str]:
    """``asset:check`` names of every check that failed in a run, from the instance's event log."""
    from dagster import DagsterEventType

    failed = []
    for record in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.get_dagster_event().event_specific_data
        if not evaluation.passed:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Materialize every asset and run every check once; raise on bad input or a failed check."""
    from dagster import DagsterExecutionStepExecutionError, DagsterInstance, Failure
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    from impl_dagster.definitions import defs

    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    job = defs.resolve_job_def("lc_pipeline_job")
    run_id = str(uuid.uuid4())

    with DagsterInstance.from_config(str(prepare_dagster_home(output_dir / "dagster_home"))) as instance:
        try:
            result = job.execute_in_process(
                run_config=run_config(input_dir, output_dir, engine), instance=instance, run_id=run_id
            )
        except Failure as failure:  # bad input or failed checks, not retried (see assets/retries.py)
            if is_permanent(failure.__cause__):
                raise failure.__cause__ from None
            raise
        except DagsterExecutionStepExecutionError as error:
            # Unwrap Dagster's step failure: the CLI prints the original one-line message.
            cause = error.user_exception
            if is_permanent(cause):
                raise cause from None
            if isinstance(cause, DagsterDbtCliRuntimeError):
                target = dbt_target_dir(output_dir)
                failed = _failed_checks(instance, run_id) or failed_nodes(target)
                raise PipelineInputError(
                    f"dbt build failed: {', '.join(failed) or 'see the dbt log'} (dbt log: {target / 'dbt.log'})"
                ) from cause
            raise
        failed = _failed_checks(instance, run_id)

    if not result.success:  # pragma: no cover - raise_on_error=True raises first
        raise RuntimeError(f"dagster run {run_id} failed")
    if failed:
        raise QualityCheckFailed(f"{output_dir}: asset checks failed: {', '.join(failed)}")
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    return summarise("dagster", output_dir, report)
