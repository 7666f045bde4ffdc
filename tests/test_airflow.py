"""The Airflow implementation: the DAG as Airflow parses it, real ``dag.test()`` runs, retries, bad input.

No mocks. Every run goes through ``impl_airflow.launch.pipeline.run``, which runs the DAG with ``dag.test()``
in a child process against a fresh SQLite metadata DB under the run's output folder; the tests read
what Airflow recorded (task instances, retries, asset events) back from that DB with ``sqlite3``.

Airflow is never imported into the pytest process: it binds ``AIRFLOW_HOME`` and its configuration
at import, for the life of the process. The DagBag check runs in a child process too.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.alerts import run_failure_alerts
from core.landing import LANDING_ENV, run_key
from core.layout import INPUT_FILES, OUTPUT_TABLES, QUALITY_REPORT, output_files
from core.outputs import output_differences
from core.transform import PROJECT_DIR_ENV, SHIPPED_DBT_PROJECT_DIR
from impl_airflow.config import (
    COSMOS_EXECUTION_MODE_ENV,
    COSMOS_TEST_BEHAVIOR_ENV,
    DAG_ID,
    DAGS_FOLDER,
    LANDING_DAG_ID,
    REPO_ROOT,
    RESULT_FILE,
    RETRY_DELAY_ENV,
    airflow_environment,
    airflow_home,
)
from testkit.bad_inputs import assert_stops_before_writing
from testkit.faults import FAULTS, assert_recovered, stale_output
from tests.progress_lines import recorded_progress

pytestmark = pytest.mark.airflow


@pytest.fixture(scope="module")
def airflow_run_with_progress(small_input: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The output folder of one run of the launcher, and the progress lines it logged."""
    from impl_airflow.launch.pipeline import run

    output_dir = tmp_path_factory.mktemp("airflow_output")
    started = time.perf_counter()
    with recorded_progress() as progress:
        summary = run(small_input, output_dir)
    print(f"impl_airflow.launch.pipeline.run: {time.perf_counter() - started:.1f} s")
    assert summary.implementation == "airflow" and summary.output_dir == output_dir.resolve()
    return output_dir, progress


@pytest.fixture(scope="module")
def airflow_output(airflow_run_with_progress: tuple[Path, list[str]]) -> Path:
    return airflow_run_with_progress[0]


def _metadata(output_dir: Path, sql: str) -> list[tuple]:
    """Rows from the run's Airflow metadata DB (SQLite), read without importing Airflow."""
    with sqlite3.connect(airflow_home(output_dir) / "airflow.db") as db:
        return db.execute(sql).fetchall()


def _outcome(output_dir: Path) -> dict:
    return json.loads((airflow_home(output_dir) / RESULT_FILE).read_text())


# --- the DAG as Airflow parses it ----------------------------------------------------------------

_DAGBAG_PROBE = """
import json, sys
from impl_airflow.launch.manifest import prepare_manifest
manifest = json.loads(prepare_manifest().read_text())
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("lc_pipeline")
print(json.dumps({
    "import_errors": {str(k): v for k, v in bag.import_errors.items()},
    "dag_ids": sorted(bag.dags),
    "schedules": {dag_id: repr(d.timetable) for dag_id, d in bag.dags.items()},
    "watched": [
        (asset.uri, type(watcher.trigger).__name__)
        for asset in bag.dags["lc_landing"].timetable.asset_condition.objects
        for watcher in asset.watchers
    ] if "lc_landing" in bag.dags else [],
    "models": sorted(n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"),
    "max_active_tasks": dag.max_active_tasks if dag else None,
    "max_active_runs": dag.max_active_runs if dag else None,
    "params": sorted(dag.params) if dag else [],
    "tasks": {
        task_id: {
            "type": type(task).__name__,
            "retries": task.retries,
            "upstream": sorted(task.upstream_task_ids),
            "inlets": sorted(a.name for a in task.inlets),
            "outlets": sorted(a.name for a in task.outlets),
        }
        for task_id, task in (dag.task_dict.items() if dag else [])
    },
}))
"""


def _parse_dag(home: Path, env: dict[str, str] | None = None) -> dict:
    """What a DagBag (Airflow's DAG-file parser) makes of the dags folder, in a clean process."""
    result = subprocess.run(
        [sys.executable, "-c", _DAGBAG_PROBE, str(DAGS_FOLDER)],
        env={**os.environ, **airflow_environment(home), **(env or {})},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def parsed_dag(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return _parse_dag(tmp_path_factory.mktemp("dagbag_airflow_home"))


def test_dag_imports_without_errors(parsed_dag: dict) -> None:
    assert parsed_dag["import_errors"] == {}
    assert parsed_dag["dag_ids"] == [LANDING_DAG_ID, DAG_ID]
    assert parsed_dag["params"] == ["input_dir", "output_dir"]


def test_the_pipeline_runs_daily_and_once_per_landed_folder(parsed_dag: dict, tmp_path: Path) -> None:
    assert "CronTriggerTimetable(expression='0 6 * * *', timezone='UTC'" in parsed_dag["schedules"][DAG_ID]
    landing = tmp_path / "landing"
    parsed = _parse_dag(tmp_path / "home", {LANDING_ENV: str(landing)})
    assert parsed["watched"] == [[f"file://{landing}", "NewInputFolderTrigger"]]


_TRIGGER_PROBE = """
import asyncio, json, shutil, sys
from impl_airflow.triggers import NewInputFolderTrigger
landing, late_copy_of, seconds = sys.argv[1:4]
async def events_within():
    found = []
    async def collect():
        async for event in NewInputFolderTrigger(landing, poke_interval=0.1).run():
            found.append(event.payload)
            if len(found) == 1:  # a folder landing after the first poll's event
                shutil.copytree(late_copy_of, landing + "/c")
    try:
        await asyncio.wait_for(collect(), float(seconds))
    except asyncio.TimeoutError:
        pass
    return found
print(json.dumps(asyncio.run(events_within())))
"""


def test_the_landing_trigger_fires_one_event_per_poll_naming_each_new_ready_folder(
    small_input: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    for name in ("b", "a", ".being_copied"):
        shutil.copytree(small_input, landing / name)
    (landing / "half").mkdir()
    shutil.copy(small_input / "customers.csv", landing / "half")
    result = subprocess.run(
        [sys.executable, "-c", _TRIGGER_PROBE, str(landing), str(small_input), "3"],  # some 30 polls
        env={**os.environ, **airflow_environment(tmp_path / "home")},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    events = json.loads(result.stdout.strip().splitlines()[-1])
    # Folders found by one poll share one event: of two events that arrive together, Airflow 3.2's
    # run takes the first only (see impl_airflow/triggers.py).
    assert [[folder["input_dir"] for folder in event["folders"]] for event in events] == [
        [str(landing / "a"), str(landing / "b")],
        [str(landing / "c")],
    ]
    assert events[0]["folders"][0]["run_key"] == run_key(landing / "a")


def test_dag_has_a_run_and_a_test_task_per_dbt_model(parsed_dag: dict) -> None:
    tasks = parsed_dag["tasks"]
    models = parsed_dag["models"]
    assert len(models) >= 9
    run_tasks = {t.split(".")[1] for t, info in tasks.items() if info["type"] == "DbtRunLocalOperator"}
    assert run_tasks == set(models)
    for model in models:
        assert tasks[f"transform.{model}.test"]["upstream"] == [f"transform.{model}.run"]
    # Tests that read several models (reconciliations, relationships) are tasks of their own.
    detached = [t for t in tasks if t.startswith("transform.") and t.endswith("_test")]
    assert {"transform.assert_balances_reconcile_test", "transform.assert_accounts_reconcile_test"} <= set(detached)


def test_dag_runs_the_baseline_steps_in_order(parsed_dag: dict) -> None:
    tasks = parsed_dag["tasks"]
    assert tasks["check_inputs"]["upstream"] == []
    assert "check_inputs" in tasks["ingest_customers"]["upstream"]
    assert "ingest_customers" in tasks["ingest_accounts"]["upstream"]
    assert tasks["transform.stg_customers.run"]["upstream"] == ["ingest_accounts"]
    assert tasks["transform.stg_accounts.run"]["upstream"] == ["ingest_accounts"]
    dbt_leaves = {t for t in tasks if t.startswith("transform.")} - {
        u for info in tasks.values() for u in info["upstream"]
    }
    assert dbt_leaves <= set(tasks["export_account_summary"]["upstream"])
    assert "export_accounts_quarantine" in tasks["quality_report"]["upstream"]


def test_one_duckdb_writer_at_a_time_and_retries(parsed_dag: dict) -> None:
    assert parsed_dag["max_active_tasks"] == 1 and parsed_dag["max_active_runs"] == 1
    tasks = parsed_dag["tasks"]
    for task_id, info in tasks.items():
        expected = 0 if info["type"] == "DbtTestLocalOperator" else 2
        assert info["retries"] == expected, task_id


def test_assets_trace_files_through_tables(parsed_dag: dict) -> None:
    tasks = parsed_dag["tasks"]
    assert tasks["ingest_customers"]["inlets"] == ["lc_pipeline.input.customers.csv"]
    assert tasks["ingest_customers"]["outlets"] == ["lc_pipeline.warehouse.raw.customers"]
    assert tasks["transform.stg_accounts.run"]["inlets"] == ["lc_pipeline.warehouse.raw.accounts"]
    assert tasks["transform.account_summary.run"]["outlets"] == ["lc_pipeline.warehouse.account_summary"]
    assert tasks["export_account_summary"]["inlets"] == ["lc_pipeline.warehouse.account_summary"]
    assert tasks["export_account_summary"]["outlets"] == [
        "lc_pipeline.output.account_summary.csv",
        "lc_pipeline.output.account_summary.parquet",
    ]
    assert tasks["quality_report"]["outlets"] == ["lc_pipeline.output.quality_report.json"]


def test_cosmos_build_mode_has_one_build_task_per_model_and_the_same_lineage(tmp_path: Path) -> None:
    """``LC_COSMOS_TEST_BEHAVIOR=build`` (the harness's airflow-cosmos-build series): half the tasks."""
    parsed = _parse_dag(tmp_path / "airflow_home", {COSMOS_TEST_BEHAVIOR_ENV: "build"})
    tasks = parsed["tasks"]
    builds = {t: info for t, info in tasks.items() if info["type"] == "DbtBuildLocalOperator"}
    assert set(builds) == {f"transform.{model}_model_build" for model in parsed["models"]}
    assert not any(info["type"] in {"DbtRunLocalOperator"} for info in tasks.values())
    assert tasks["transform.stg_accounts_model_build"]["inlets"] == ["lc_pipeline.warehouse.raw.accounts"]
    assert tasks["transform.account_summary_model_build"]["outlets"] == ["lc_pipeline.warehouse.account_summary"]


# --- a real run -----------------------------------------------------------------------------------


def test_run_succeeds_with_every_task_once(airflow_output: Path, parsed_dag: dict) -> None:
    outcome = _outcome(airflow_output)
    assert outcome["state"] == "success" and outcome["error"] is None
    assert set(outcome["task_states"]) == set(parsed_dag["tasks"])
    assert set(outcome["task_states"].values()) == {"success"}
    assert set(outcome["try_numbers"].values()) == {1}
    for path in output_files(airflow_output):
        assert path.is_file() and path.stat().st_size > 0, path


def test_progress_has_a_start_and_an_end_line_per_task_from_the_task_listener(
    airflow_run_with_progress: tuple[Path, list[str]], parsed_dag: dict
) -> None:
    progress = airflow_run_with_progress[1]
    for task in parsed_dag["tasks"]:
        assert f"start {task}" in progress
        assert any(line.startswith(f"done {task} (") for line in progress), task
    assert not any(line.startswith("FAILED") for line in progress)


def test_outputs_equal_the_scripts_pipeline(airflow_output: Path, scripts_reference: Path) -> None:
    _assert_equal_outputs(airflow_output, scripts_reference)
    report = json.loads((airflow_output / QUALITY_REPORT).read_text())
    assert report == json.loads((scripts_reference / QUALITY_REPORT).read_text())
    assert report["all_checks_passed"]


def test_run_records_asset_events_with_where_and_how_many(airflow_output: Path, small_input: Path) -> None:
    events = {
        name: (json.loads(extra or "{}"), task)
        for name, extra, task in _metadata(
            airflow_output,
            "SELECT a.name, e.extra, e.source_task_id FROM asset_event e JOIN asset a ON a.id = e.asset_id",
        )
    }
    for spec in INPUT_FILES:
        extra, task = events[f"lc_pipeline.warehouse.raw.{spec.raw_table}"]
        assert task == f"ingest_{spec.raw_table}"
        assert extra["source"] == str(small_input.resolve() / spec.name) and extra["rows"] > 0
    for table in OUTPUT_TABLES:
        assert events[f"lc_pipeline.warehouse.{table.table}"][1] == f"transform.{table.table}.run"
        for fmt in table.formats:
            extra, task = events[f"lc_pipeline.output.{table.table}.{fmt}"]
            assert task == f"export_{table.table}"
            assert extra["path"] == str(airflow_output.resolve() / f"{table.table}.{fmt}")
    assert events["lc_pipeline.output.quality_report.json"][0]["all_checks_passed"] is True


def test_metadata_stays_under_the_output_folder(airflow_output: Path) -> None:
    home = airflow_home(airflow_output)
    assert (home / "airflow.db").is_file()
    assert _metadata(airflow_output, "SELECT count(*) FROM dag_run WHERE dag_id = 'lc_pipeline'") == [(1,)]
    assert _metadata(airflow_output, "SELECT count(*) FROM dag WHERE dag_id LIKE 'example%'") == [(0,)]


# --- retries and failures --------------------------------------------------------------------------


def test_injected_faults_are_retried_and_the_run_recovers(
    scripts_output: Path,
    small_input: Path,
    scripts_reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults in an ingestion and an export, over an earlier run's folder: Airflow retries exactly
    those two tasks once, and the outputs equal a clean run on the new input."""
    from core.faults import FAULT_ENV
    from impl_airflow.launch.pipeline import run

    output_dir = stale_output(scripts_output, tmp_path / "output")
    monkeypatch.setenv(FAULT_ENV, ",".join(FAULTS))
    monkeypatch.setenv(RETRY_DELAY_ENV, "1")  # the production delay is 30 s
    summary = run(small_input, output_dir)

    assert summary.report["all_checks_passed"]
    assert_recovered(output_dir, scripts_reference)
    tries = dict(_metadata(output_dir, "SELECT task_id, try_number FROM task_instance"))
    assert {task: n for task, n in tries.items() if n != 1} == {"ingest_accounts": 2, "export_account_summary": 2}
    assert sorted(_metadata(output_dir, "SELECT task_id, try_number, state FROM task_instance_history")) == [
        ("export_account_summary", 1, "failed"),
        ("ingest_accounts", 1, "failed"),
    ]


def test_bad_input_raises_the_original_error_without_retry_and_writes_nothing(tmp_path: Path) -> None:
    from impl_airflow.launch.pipeline import run

    output_dir = assert_stops_before_writing(run, tmp_path)

    outcome = _outcome(output_dir)
    assert outcome["failed_tasks"] == ["check_inputs"]
    assert outcome["try_numbers"]["check_inputs"] == 1  # bad input fails the same way every time
    assert {state for task, state in outcome["task_states"].items() if task != "check_inputs"} == {"upstream_failed"}
    # One failed task, one alert with the task's error (dag.test() passes it to the callback since Airflow 3.3).
    [alert] = run_failure_alerts(output_dir)
    accounts = tmp_path / "input" / "accounts.csv"
    assert alert["failed_steps"] == {"check_inputs": f"{accounts}: missing required column Balance"}
    assert alert["job"] == "lc_pipeline" and alert["input_dir"] == str(tmp_path / "input")


def test_watcher_mode_builds_once_and_a_failing_dbt_test_fails_the_run(
    small_input: Path, scripts_reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LC_COSMOS_EXECUTION_MODE=watcher`` (cosmos WATCHER, the harness's airflow-watcher series): one
    producer task runs the whole ``dbt build``, the outputs equal the baseline's; and a dbt test that
    fails makes the run fail, once (a mode that turned it green would hide bad data)."""
    from impl_airflow.launch.pipeline import AirflowRunFailed, run

    monkeypatch.setenv(COSMOS_EXECUTION_MODE_ENV, "watcher")
    output_dir = tmp_path / "watcher"
    run(small_input, output_dir)
    _assert_equal_outputs(output_dir, scripts_reference)
    states = _outcome(output_dir)["task_states"]
    assert states["transform.dbt_producer_watcher"] == "success"
    assert {state for task, state in states.items()} == {"success"}

    project = tmp_path / "dbt"
    shutil.copytree(SHIPPED_DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    (project / "tests" / "assert_stg_customers_is_empty.sql").write_text("select * from {{ ref('stg_customers') }}\n")
    monkeypatch.setenv(PROJECT_DIR_ENV, str(project))
    failing = tmp_path / "failing"
    with pytest.raises(AirflowRunFailed):
        run(small_input, failing)
    outcome = _outcome(failing)
    assert outcome["state"] == "failed"
    assert outcome["task_states"]["transform.dbt_producer_watcher"] == "failed"
    assert outcome["try_numbers"]["transform.dbt_producer_watcher"] == 1
    assert not (failing / QUALITY_REPORT).exists()


def _assert_equal_outputs(output_dir: Path, reference: Path) -> None:
    differences = output_differences(reference, output_dir)
    assert not differences, differences
