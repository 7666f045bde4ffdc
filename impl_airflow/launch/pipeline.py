"""``run(input_dir, output_dir)``: one run of the ``lc_pipeline`` DAG with ``dag.test()``, for ``lc-pipeline``.

Every run keeps its own Airflow home under ``<output_dir>/airflow_home`` (``airflow.cfg``, SQLite
metadata DB created and migrated on first use, logs), never ``~/airflow``; example DAGs and
telemetry (Airflow, cosmos, dbt) are off.

Why a child process: Airflow reads ``AIRFLOW_HOME``, its whole configuration and the metadata-DB
connection once, when ``airflow`` is first imported, and keeps them for the life of the process.
A run must use the metadata DB under *its* output folder, and the caller may already have imported
Airflow for another home (a test session, a second run into another folder). So ``run()`` starts
``python -m impl_airflow.launch.runner`` with that environment; the runner migrates the DB, serializes the
DAG and calls ``dag.test()``, which runs every task inside that one process (no scheduler,
executor or workers), then reports the outcome as JSON. ``run()`` itself never imports Airflow.

The runner's output (Airflow, cosmos and dbt) is read line by line: the lines its task listener
prints become progress lines (a task started, a task ended), every other line goes to the
``airflow_runner`` logger (the run's log file; the terminal with ``-v``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import IO, Any

from core.engine import ENGINE_ENV, resolve_engine
from core.errors import PipelineError, permanent_error_named
from core.layout import QUALITY_REPORT
from core.progress import Progress
from core.run import RunSummary, summarise
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, env_path
from impl_airflow.config import (
    DAG_ID,
    DAGS_FOLDER,
    REPO_ROOT,
    RESULT_FILE,
    TASK_EVENT_PREFIX,
    airflow_environment,
    airflow_home,
)

log = logging.getLogger(__name__)
_RUNNER_LOG = logging.getLogger("airflow_runner")
TAIL_LINES = 25  # of the runner's output, in the error when it stops before the DAG run ends


class AirflowRunFailed(RuntimeError):
    """The DAG run did not succeed for a reason other than bad input or failed checks."""


def _follow(output: IO[str], progress: Progress) -> deque[str]:
    """Read the runner's output to its end: task events to ``progress``, the rest to the log."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    for line in output:
        line = line.rstrip("\n")
        if line.startswith(TASK_EVENT_PREFIX):
            event = json.loads(line[len(TASK_EVENT_PREFIX) :])
            if event["event"] == "started":
                progress.started(event["task"])
            else:
                progress.finished(event["task"], failed=event["event"] == "failed")
        else:
            _RUNNER_LOG.info(line)
            tail.append(line)
    return tail


def run_dag(
    input_dir: Path,
    output_dir: Path,
    engine: str | None = None,
    *,
    dag_id: str = DAG_ID,
    dags_folder: Path = DAGS_FOLDER,
) -> dict[str, Any]:
    """Run the DAG once in a child process, dbt on ``engine`` (default: ``LC_ENGINE``, else DuckDB);
    return the runner's outcome (state, tasks, error).

    ``dag_id`` and ``dags_folder`` name another DAG: the harness runs Airflow's hello world (its floor,
    ``bench/floor/``) through this same launcher, so that the two runs differ in their DAG only.
    """
    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    home = airflow_home(output_dir)
    home.mkdir(parents=True, exist_ok=True)
    result_file = home / RESULT_FILE
    result_file.unlink(missing_ok=True)

    command = [
        sys.executable,
        "-m",
        "impl_airflow.launch.runner",
        "--input",
        str(input_dir),
        "--output",
        str(output_dir),
        "--result",
        str(result_file),
        "--dag-id",
        dag_id,
    ]
    # The DAG params' defaults follow these too, so the serialized DAG (and the form in the UI, see
    # impl_airflow.launch.ui) matches the run.
    env = {
        **os.environ,
        **airflow_environment(home, dags_folder),
        INPUT_DIR_ENV: str(input_dir),
        OUTPUT_DIR_ENV: str(output_dir),
        ENGINE_ENV: resolve_engine(engine),  # read when the runner parses the DAG file
    }
    log.info("starting the Airflow runner: metadata DB in %s, then dag.test()", home)
    with (
        subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as process,
        Progress() as progress,
    ):
        assert process.stdout is not None
        tail = _follow(process.stdout, progress)
    if not result_file.is_file():
        raise AirflowRunFailed(
            f"the Airflow runner stopped (exit code {process.returncode}) before the DAG run finished; "
            "its last lines:\n" + "\n".join(tail)
        )
    return json.loads(result_file.read_text(encoding="utf-8"))


def run(input_dir: Path, output_dir: Path, engine: str | None = None) -> RunSummary:
    """Run the whole pipeline once as an Airflow DAG run; raise on bad input or a failed check."""
    output_dir = Path(output_dir).resolve()
    outcome = run_dag(input_dir, output_dir, engine)
    if outcome["state"] != "success":
        error = outcome.get("error")
        permanent = permanent_error_named(error["type"], error["message"]) if error else None
        if permanent is not None:
            raise permanent
        raise AirflowRunFailed(
            f"Airflow DAG run {DAG_ID} {outcome['run_id']} ended {outcome['state']}; failed tasks: "
            f"{', '.join(outcome['failed_tasks']) or 'none'}; see the run's log"
        )
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    return summarise("airflow", output_dir, report)


def main(argv: list[str] | None = None) -> int:
    """``python -m impl_airflow.launch.pipeline --input DIR --output DIR``: one run, summary on stdout."""
    import argparse
    import time

    from impl_airflow.config import DEFAULT_INPUT_DIR, DEFAULT_OUTPUT_DIR

    parser = argparse.ArgumentParser(prog="python -m impl_airflow.launch.pipeline", description=run.__doc__)
    parser.add_argument("--input", type=Path, default=env_path(INPUT_DIR_ENV, DEFAULT_INPUT_DIR))
    parser.add_argument("--output", type=Path, default=env_path(OUTPUT_DIR_ENV, DEFAULT_OUTPUT_DIR))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        summary = run(args.input, args.output)
    except PipelineError as error:
        from core.cli import exit_code

        print(f"impl_airflow: error: {error}", file=sys.stderr)
        return exit_code(error)
    print("\n".join(summary.lines()))
    print(f"  wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
