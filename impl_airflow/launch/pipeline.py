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

Its full log (Airflow, cosmos and dbt output) goes to ``<output_dir>/airflow_home/dag_test.log``;
set ``LC_AIRFLOW_LOG_TO_STDERR=1`` to stream it instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from core.errors import PipelineError, permanent_error_named
from core.layout import QUALITY_REPORT
from core.run import RunSummary, summarise
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, env_path
from impl_airflow.config import (
    DAG_ID,
    LOG_FILE,
    REPO_ROOT,
    RESULT_FILE,
    airflow_environment,
    airflow_home,
)

LOG_TO_STDERR_ENV = "LC_AIRFLOW_LOG_TO_STDERR"


class AirflowRunFailed(RuntimeError):
    """The DAG run did not succeed for a reason other than bad input or failed checks."""


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def run_dag(input_dir: Path, output_dir: Path) -> dict[str, Any]:
    """Run the DAG once in a child process; return the runner's outcome (state, tasks, error)."""
    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    home = airflow_home(output_dir)
    home.mkdir(parents=True, exist_ok=True)
    result_file, log_file = home / RESULT_FILE, home / LOG_FILE
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
    ]
    # The DAG params' defaults follow these too, so the serialized DAG (and the form in the UI, see
    # impl_airflow.launch.ui) matches the run.
    env = {
        **os.environ,
        **airflow_environment(home),
        INPUT_DIR_ENV: str(input_dir),
        OUTPUT_DIR_ENV: str(output_dir),
    }
    if os.environ.get(LOG_TO_STDERR_ENV, "").lower() in {"1", "true", "yes"}:
        process = subprocess.run(command, env=env, cwd=REPO_ROOT, stdin=subprocess.DEVNULL, check=False)
    else:
        with log_file.open("wb") as log:
            process = subprocess.run(
                command,
                env=env,
                cwd=REPO_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
    if not result_file.is_file():
        raise AirflowRunFailed(
            f"the Airflow runner stopped (exit code {process.returncode}) before the DAG run finished; "
            f"log: {log_file}\n{_tail(log_file)}"
        )
    return json.loads(result_file.read_text(encoding="utf-8"))


def run(input_dir: Path, output_dir: Path) -> RunSummary:
    """Run the whole pipeline once as an Airflow DAG run; raise on bad input or a failed check."""
    output_dir = Path(output_dir).resolve()
    outcome = run_dag(input_dir, output_dir)
    if outcome["state"] != "success":
        error = outcome.get("error")
        permanent = permanent_error_named(error["type"], error["message"]) if error else None
        if permanent is not None:
            raise permanent
        raise AirflowRunFailed(
            f"Airflow DAG run {DAG_ID} {outcome['run_id']} ended {outcome['state']}; failed tasks: "
            f"{', '.join(outcome['failed_tasks']) or 'none'}; log: {airflow_home(output_dir) / LOG_FILE}"
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
