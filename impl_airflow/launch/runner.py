"""One run of ``lc_pipeline`` with ``dag.test()``, in a process whose environment points Airflow at
the run's own home. Started by :func:`impl_airflow.launch.pipeline.run`; not meant to be called by hand.

    python -m impl_airflow.launch.runner --input DIR --output DIR --result FILE [--dag-id ID]

``--dag-id`` names another DAG of the configured DAGs folder (the harness's hello world, its floor).

Steps: build the dbt manifest if the dbt project changed (our DAG files render from it); create or
migrate the SQLite metadata DB; register the ``dags-folder`` bundle and serialize the DAGs in it
(``dag.test()`` needs the DAG serialized since Airflow 3.1: apache/airflow#56657, #60860); run the
DAG once with ``dag.test()``, which runs every task in this process with no scheduler, executor or
worker; write the outcome (state, failed tasks, the ``pipeline_error`` XCom of a task that failed on
bad data, try numbers) as JSON for the parent to read. While the DAG runs, a task listener (Airflow's listener hooks, as
a plugin registers them) prints a line as each task instance starts and ends, for the parent's
progress lines.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

from core.files import atomic_write
from impl_airflow.config import (
    AIRFLOW_HOME_DIR,
    DAG_BUNDLE,
    DAG_ID,
    DAGS_FOLDER,
    PIPELINE_ERROR_KEY,
    TASK_EVENT_PREFIX,
)


def _check_environment(output_dir: Path) -> None:
    expected = output_dir / AIRFLOW_HOME_DIR
    if "airflow" in sys.modules or Path(os.environ.get("AIRFLOW_HOME", "~/airflow")).resolve() != expected:
        raise SystemExit(
            f"impl_airflow.launch.runner: start it through impl_airflow.launch.pipeline.run, which sets AIRFLOW_HOME={expected} "
            "(and the rest of impl_airflow.config.airflow_environment) before Airflow is imported"
        )


def _migrate_metadata_db() -> None:
    from airflow.utils.db import upgradedb

    upgradedb()  # creates a new DB from the ORM models, or upgrades an old one


def _serialize_dags(dags_folder: Path, dag_id: str) -> Any:
    """Register the bundle and write the serialized DAGs (a new DAG version only if one changed);
    return ``dag_id``'s."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.utils.session import create_session

    with create_session() as session:
        DagBundlesManager().sync_bundles_to_db(session=session)
    dagbag = BundleDagBag(dag_folder=dags_folder, bundle_path=dags_folder, bundle_name=DAG_BUNDLE)
    if dagbag.import_errors:
        errors = "\n".join(f"{path}: {error}" for path, error in dagbag.import_errors.items())
        raise RuntimeError(f"DAG import errors in {dags_folder}:\n{errors}")
    sync_bag_to_db(dagbag, DAG_BUNDLE, None)
    return dagbag.dags[dag_id]


def _print_task_event(event: str, task_instance: Any) -> None:
    print(TASK_EVENT_PREFIX + json.dumps({"event": event, "task": task_instance.task_id}), flush=True)


def _listen_to_tasks() -> None:
    """A task listener, registered as a listener plugin would register it: a line per task event."""
    from airflow.listeners import hookimpl
    from airflow.sdk.listener import get_listener_manager

    class TaskEvents:
        @hookimpl
        def on_task_instance_running(self, previous_state: Any, task_instance: Any) -> None:
            _print_task_event("started", task_instance)

        @hookimpl
        def on_task_instance_success(self, previous_state: Any, task_instance: Any) -> None:
            _print_task_event("succeeded", task_instance)

        @hookimpl
        def on_task_instance_failed(self, previous_state: Any, task_instance: Any, error: Any) -> None:
            _print_task_event("failed", task_instance)

    get_listener_manager().add_listener(TaskEvents())


def _outcome(dag_run: Any) -> dict[str, Any]:
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        tis = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == dag_run.dag_id, TaskInstance.run_id == dag_run.run_id)
        ).all()
        states = {ti.task_id: str(ti.state) for ti in tis}
        tries = {ti.task_id: ti.try_number for ti in tis}
        errors = [
            XComModel.deserialize_value(row)
            for row in session.scalars(
                XComModel.get_many(run_id=dag_run.run_id, key=PIPELINE_ERROR_KEY, dag_ids=dag_run.dag_id)
            )
        ]
    return {
        "dag_id": dag_run.dag_id,
        "run_id": dag_run.run_id,
        "state": str(dag_run.state),
        "failed_tasks": sorted(task for task, state in states.items() if state == "failed"),
        "task_states": states,
        "try_numbers": tries,
        "error": errors[0] if errors else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m impl_airflow.launch.runner")
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--dag-id", default=DAG_ID)
    args = parser.parse_args(argv)
    input_dir, output_dir = args.input.resolve(), args.output.resolve()
    _check_environment(output_dir)

    from airflow.configuration import conf

    dags_folder = Path(conf.get("core", "dags_folder"))  # AIRFLOW__CORE__DAGS_FOLDER, set by the launcher
    if dags_folder == DAGS_FOLDER:
        from impl_airflow.launch.manifest import prepare_manifest

        prepare_manifest()  # before our DAG file is parsed: cosmos renders the dbt tasks from it
    _migrate_metadata_db()
    dag = _serialize_dags(dags_folder, args.dag_id)
    _listen_to_tasks()
    # cosmos ends every dbt invocation with a full gc.collect() (astronomer-cosmos#2334): with
    # Airflow, dbt and the DAG loaded that is a noticeable cost per dbt task (docs/performance.md). Objects alive now stay
    # alive until the run ends anyway, so move them out of the collector's sight.
    gc.freeze()
    dag_run = dag.test(run_conf={"input_dir": str(input_dir), "output_dir": str(output_dir)})

    outcome = _outcome(dag_run)
    with atomic_write(args.result) as partial:
        partial.write_text(json.dumps(outcome, indent=2) + "\n", encoding="utf-8")
    return 0 if outcome["state"] == "success" else 1


if __name__ == "__main__":
    sys.exit(main())
