"""Airflow: the ``quality_report`` task's function called on its own, the lightest way to run one
TaskFlow task without a DAG run: the operator's ``python_callable`` (what its ``execute()`` calls),
handed the folders ``check_inputs`` would pass it by XCom. No metadata DB, no DAG run. (Airflow 3's
own docs test a task with ``dag.test()``, which needs the migrated metadata DB: the helper way,
``step_airflow.py``. A DAG of this one task fails there too: ``dag.test()`` runs only a DAG serialized
from the DAGs folder.)

This task's body cannot run that way, and the test is kept as written so the harness records that:
it reads ``get_current_context()`` (the outlet events of the report's Asset; the XCom that names a
failure), which only Airflow's task runner sets. ``execute(context)`` does not set it either, and the
function that does is not in the Task SDK's public API."""

import os
from pathlib import Path

import pytest
from airflow.sdk.exceptions import AirflowFailException

from core.warehouse import warehouse_path
from impl_airflow.launch.manifest import prepare_manifest


@pytest.fixture(scope="module")
def report_task():
    prepare_manifest()  # cosmos renders the DAG's dbt tasks from it when the DAG file is imported
    from impl_airflow.dags.lc_pipeline import lc_pipeline

    return lc_pipeline().get_task("quality_report")


def report_step(report_task, folder: Path) -> dict:
    return report_task.python_callable({"output_dir": str(folder), "warehouse": str(warehouse_path(folder))})


def test_the_report_is_written_when_every_check_passes(report_task) -> None:
    assert report_step(report_task, Path(os.environ["LC_STEP_GOOD"]))["all_checks_passed"]


def test_the_step_fails_on_a_broken_warehouse(report_task) -> None:
    with pytest.raises(AirflowFailException):
        report_step(report_task, Path(os.environ["LC_STEP_BROKEN"]))
