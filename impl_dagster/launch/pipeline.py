"""``run(input_dir, output_dir)``: the whole asset graph materialized in this process, for ``lc-pipeline``.

The run is a real Dagster run of ``lc_pipeline_job`` (every asset and check, in-process executor),
recorded in a local instance under ``<output_dir>/dagster_home`` (telemetry off), so it can be
inspected afterwards with ``DAGSTER_HOME=<output_dir>/dagster_home dagster dev -m impl_dagster.definitions``;
or, when ``DAGSTER_HOME`` is set, as in Dagster's own commands, in that instance (a deployment's
PostgreSQL instance, say).

Its progress lines come from the run's event log as the instance writes it (an event listener on
the instance): a line per step start and end, one per dbt model materialized, failed checks. Every
event also goes to the ``dagster_events`` logger (the run's log file; the terminal with ``-v``), so
Dagster's console logger stays quiet and a failure reaches the CLI as one line.
"""

from __future__ import annotations

import io
import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from core.engine import resolve_engine
from core.errors import PipelineInputError, QualityCheckFailed, is_permanent
from core.layout import QUALITY_REPORT
from core.progress import Progress
from core.run import RunSummary, summarise
from core.settings import dbt_target_dir
from core.transform import failed_nodes
from core.warehouse import warehouse_path

DAGSTER_YAML = "telemetry:\n  enabled: false\n"
# "multiprocess": the job on Dagster's default executor instead of the in-process one the definitions
# set (the harness's dagster-multiprocess series, bench/variants.py).
EXECUTOR_ENV = "LC_DAGSTER_EXECUTOR"
log = logging.getLogger(__name__)
_EVENTS = logging.getLogger("dagster_events")
_DBT_LOG = logging.getLogger("dbt")


class _LinesToLog(io.TextIOBase):
    """A stdout that sends each line to a logger: dagster-dbt re-prints every dbt log line on stdout
    (for the step's captured compute log); in this process they belong in the run's log, not the terminal."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger, self._pending = logger, ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._logger.info(line)
        return len(text)


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
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},  # events reach logging via _report_events
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


def _report_events(progress: Progress) -> Callable[[Any], None]:
    """An instance event listener: each event of the run to the log, steps and nodes to ``progress``."""
    from dagster import DagsterEventType

    def report(entry: Any) -> None:
        _EVENTS.log(entry.level, "%s%s", f"{entry.step_key}: " if entry.step_key else "", entry.message)
        event = entry.dagster_event
        kind = event.event_type if event is not None else None
        if kind == DagsterEventType.STEP_START:
            progress.started(entry.step_key)
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            failed = kind == DagsterEventType.STEP_FAILURE
            seconds = None if failed else event.event_specific_data.duration_ms / 1000
            progress.finished(entry.step_key, seconds, failed=failed)
        elif kind == DagsterEventType.STEP_UP_FOR_RETRY:
            progress.finished(entry.step_key, failed=True, detail="up for retry")
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            metadata = event.event_specific_data.materialization.metadata
            if "unique_id" in metadata:  # a dbt node (dagster-dbt's metadata); the step's line covers the rest
                duration = metadata.get("Execution Duration")
                progress.node_finished(
                    metadata["unique_id"].value.split(".")[0],
                    event.asset_key.to_user_string(),
                    duration.value if duration is not None else None,
                )
        elif kind == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            progress.node_finished(
                "check",
                f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}",
                failed=not evaluation.passed,
            )

    return report


def multiprocess_job() -> Any:
    """``lc_pipeline_job`` on Dagster's default executor (a process per step). A module-level
    function, so that each step's process can rebuild the job (``reconstructable``)."""
    from dagster import multiprocess_executor

    from impl_dagster.definitions import defs

    return defs.resolve_job_def("lc_pipeline_job").with_executor_def(multiprocess_executor)


def _execute_step_by_process(instance: Any, config: dict) -> str:
    """Run the job on the multiprocess executor, one step at a time (one DuckDB file takes one
    writing process); return the run id, or raise naming the steps that failed.

    Events are written by each step's process, so this mode prints no per-step progress lines.
    """
    from dagster import execute_job, reconstructable

    execution = {"execution": {"config": {"max_concurrent": 1}}}
    result = execute_job(reconstructable(multiprocess_job), instance, run_config={**config, **execution})
    if not result.success:
        failures = [
            f"{event.step_key}: {event.event_specific_data.error.message.strip()}"
            for event in result.get_step_failure_events()
        ]
        raise RuntimeError(f"dagster run {result.run_id} failed: {'; '.join(failures) or 'see the run log'}")
    return result.run_id


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Materialize every asset and run every check once; raise on bad input or a failed check."""
    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    config = run_config(input_dir, output_dir, engine)

    with recorded_run(output_dir) as (instance, progress):
        if os.environ.get(EXECUTOR_ENV) == "multiprocess":
            run_id = _execute_step_by_process(instance, config)
        else:
            run_id = _execute_in_process(instance, config, progress, output_dir)
        failed = _failed_checks(instance, run_id)

    if failed:
        raise QualityCheckFailed(f"{output_dir}: asset checks failed: {', '.join(failed)}")
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    return summarise("dagster", output_dir, report)


@contextmanager
def recorded_run(output_dir: Path) -> Iterator[tuple[Any, Progress]]:
    """The instance a run is recorded in, with progress lines open and what dagster-dbt prints sent to the log.

    The instance is ``DAGSTER_HOME``'s when that is set, as in Dagster's own commands, else a local one
    under ``output_dir``. The harness starts Dagster's hello world (its floor, ``bench/floor/``) through
    this and :func:`reported_run_id` too, so that the two runs differ in their definitions only.
    """
    from dagster import DagsterInstance

    home = prepare_dagster_home(Path(os.environ.get("DAGSTER_HOME") or output_dir / "dagster_home"))
    log.info("starting a Dagster run, recorded in the instance at %s", home)
    with (
        DagsterInstance.from_config(str(home)) as instance,
        Progress() as progress,
        redirect_stdout(_LinesToLog(_DBT_LOG)),
    ):
        yield instance, progress


def reported_run_id(instance: Any, progress: Progress) -> str:
    """A new run id whose events the instance reports to ``progress`` (and the log) as it writes them."""
    run_id = str(uuid.uuid4())
    instance.add_event_listener(run_id, _report_events(progress))
    return run_id


def _execute_in_process(instance: Any, config: dict, progress: Progress, output_dir: Path) -> str:
    """Run ``lc_pipeline_job`` in this process, its events reported as they are written; return the run id.

    Dagster's step failure is unwrapped so that the CLI prints the original one-line message.
    """
    from dagster import DagsterExecutionStepExecutionError, Failure
    from dagster_dbt.errors import DagsterDbtCliRuntimeError

    from impl_dagster.definitions import defs

    run_id = reported_run_id(instance, progress)
    try:
        defs.resolve_job_def("lc_pipeline_job").execute_in_process(run_config=config, instance=instance, run_id=run_id)
    except Failure as failure:  # bad input or failed checks, not retried (see assets/retries.py)
        if is_permanent(failure.__cause__):
            raise failure.__cause__ from None
        raise
    except DagsterExecutionStepExecutionError as error:
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
    return run_id
