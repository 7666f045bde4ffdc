"""The Prefect implementation: real flow runs on generated data, against a real Prefect server.

No mocks. One Prefect test server for the whole session (``prefect_test_harness``); the runs
report to it, so the tests read task runs, artifacts and asset events back through its API. One
more test runs ``python -m impl_prefect.launch.pipeline`` in a clean process, as a user does, to check
that Prefect's own temporary server keeps its database under the run's folder.

Prefect is imported only inside the fixtures, with ``PREFECT_HOME`` set for the import alone, so
collecting this module imports nothing heavy and no test writes to the user's home.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from uuid import UUID

import pytest

from core.alerts import run_failure_alerts
from core.layout import OUTPUT_TABLES, QUALITY_REPORT, output_files
from core.outputs import output_differences
from core.settings import dbt_target_dir
from core.transform import SHIPPED_DBT_PROJECT_DIR
from impl_prefect.launch.runtime import PREFECT_HOME_DIRNAME
from testkit.bad_inputs import assert_stops_before_writing
from testkit.faults import FAULTS, assert_recovered, stale_output
from tests.progress_lines import recorded_progress

pytestmark = pytest.mark.prefect

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def prefect_run(prefect_server: str, small_input: Path, tmp_path_factory: pytest.TempPathFactory):
    from impl_prefect.launch.pipeline import run

    output_dir = tmp_path_factory.mktemp("prefect_output")
    environment_before = dict(os.environ)
    started = time.perf_counter()
    with recorded_progress() as progress:
        summary = run(small_input, output_dir)
    print(f"impl_prefect.launch.pipeline.run: {time.perf_counter() - started:.1f} s")
    return SimpleNamespace(
        summary=summary, environment_before=environment_before, environment_after=dict(os.environ), progress=progress
    )


def _sync_client():
    from prefect.client.orchestration import get_client

    return get_client(sync_client=True)


def _task_runs(flow_run_id: UUID) -> dict[str, object]:
    """The flow run's task runs by task name (the pipeline's own tasks have unique names), once the
    server has recorded them all: it records task runs from events, behind the run."""
    from impl_prefect.launch.runtime import settled_task_runs

    # task run names are "<task name>-<3 hex digits>", or "model <name>" / "test <name>" for dbt nodes
    return {re.sub(r"-[0-9a-f]{3}$", "", run.name): run for run in settled_task_runs(flow_run_id)}


def _flow_run_of(output_dir: Path) -> UUID:
    from prefect.client.schemas.sorting import FlowRunSort

    with _sync_client() as client:
        runs = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=50)
    matching = [r for r in runs if Path(str(r.parameters.get("output_dir"))) == output_dir.resolve()]
    assert matching, f"no flow run wrote to {output_dir}"
    return matching[0].id


# --- a real run ------------------------------------------------------------------------------------


def test_flow_run_succeeds_and_equals_the_scripts_pipeline(prefect_run, scripts_reference: Path) -> None:
    summary = prefect_run.summary
    assert summary.implementation == "prefect"
    assert summary.report["all_checks_passed"]
    for path in output_files(summary.output_dir):
        assert path.is_file() and path.stat().st_size > 0, path
    assert not list(summary.output_dir.glob(".*.partial"))
    _assert_equal_outputs(summary.output_dir, scripts_reference)
    assert json.loads((summary.output_dir / QUALITY_REPORT).read_text()) == json.loads(
        (scripts_reference / QUALITY_REPORT).read_text()
    )


def test_run_leaves_the_process_environment_as_it_found_it(prefect_run) -> None:
    assert prefect_run.environment_after == prefect_run.environment_before


def test_run_records_a_task_run_per_step_and_per_dbt_node(prefect_run) -> None:
    flow_run_id = _flow_run_of(prefect_run.summary.output_dir)
    with _sync_client() as client:
        assert client.read_flow_run(flow_run_id).state.is_completed()
    names = _task_runs(flow_run_id)
    steps = {
        "check_inputs",
        "ingest_customers",
        "ingest_accounts",
        "dbt_build",
        "quality_report",
        *(f"export_{t.table}" for t in OUTPUT_TABLES),
    }
    assert steps <= set(names)
    # prefect-dbt: a task run per dbt node, named after it ("model account_summary", "test ...")
    assert {"model stg_customers", "model account_summary", "model customer_profile"} <= set(names)
    assert sum(name.startswith("test ") for name in names) > 10
    assert all(run.state.is_completed() for run in names.values())


def test_progress_comes_from_the_task_run_spans(prefect_run) -> None:
    progress = prefect_run.progress
    for step in ("check_inputs", "ingest_customers", "dbt_build", "quality_report"):
        # Prefect names a task run after its task plus a short random suffix: dbt_build-3f2
        assert any(re.fullmatch(rf"start {step}-\w+", line) for line in progress), step
        assert any(re.match(rf"done {step}-\w+ \(", line) for line in progress), step
    assert any(line.startswith("built model customer_profile") for line in progress)
    assert not any("execute_dbt_node" in line or line.startswith("FAILED") for line in progress)


def test_quality_report_is_published_as_artifacts(prefect_run) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    flow_run_id = _flow_run_of(prefect_run.summary.output_dir)
    with _sync_client() as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    by_key = {artifact.key: artifact for artifact in artifacts}
    assert {"lc-quality-checks", "lc-quality-report"} <= set(by_key)
    table = by_key["lc-quality-checks"].data
    table = json.loads(table) if isinstance(table, str) else table
    assert [row["check"] for row in table] == [c["name"] for c in prefect_run.summary.report["checks"]]
    assert "customers.csv" in by_key["lc-quality-report"].data


def test_assets_trace_raw_tables_through_dbt_to_the_files(prefect_run) -> None:
    """Lineage is recorded as asset events: raw table -> dbt model -> output file."""
    from prefect.events.filters import EventFilter, EventNameFilter, EventResourceFilter

    csv_key = "lcpipeline://output/account_summary.csv"  # a logical key: the same for every output folder
    wanted = {
        "duckdb://warehouse/raw/customers": None,
        "duckdb://warehouse/main/stg_customers": "duckdb://warehouse/raw/customers",
        csv_key: "duckdb://warehouse/main/account_summary",
    }
    found: dict[str, set[str]] = {}
    deadline = time.monotonic() + 60  # events are persisted by the server in batches
    while time.monotonic() < deadline:
        with _sync_client() as client:
            page = client.read_events(
                filter=EventFilter(
                    event=EventNameFilter(name=["prefect.asset.materialization.succeeded"]),
                    resource=EventResourceFilter(id=list(wanted)),
                ),
                limit=50,
            )
        found = {}
        for event in page.events:
            found.setdefault(event.resource.id, set()).update(r.id for r in event.related)
        if set(found) == set(wanted):
            break
        time.sleep(2)
    assert set(found) == set(wanted)
    for asset, upstream in wanted.items():
        if upstream:
            assert upstream in found[asset], (asset, found[asset])


def test_one_invoke_mode_builds_every_node_and_names_the_same_model_assets(
    scripts_reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LC_PREFECT_DBT_RUNNER=dbt`` (the harness's prefect-one-invoke series): one plain dbt
    invocation, no task run per node, and the same model assets for the exports' lineage."""
    from impl_prefect.tasks import DBT_RUNNER_ENV, RunConfig, dbt_build

    output_dir = tmp_path / "output"
    output_dir.mkdir()
    shutil.copy(scripts_reference / "warehouse.duckdb", output_dir / "warehouse.duckdb")  # raw tables loaded
    monkeypatch.setenv(DBT_RUNNER_ENV, "dbt")
    models = dbt_build.fn(RunConfig(input_dir=tmp_path, output_dir=output_dir), [])

    results = json.loads((dbt_target_dir(output_dir) / "run_results.json").read_text())
    assert results["args"]["which"] == "build"
    assert results["results"] and all(r["status"] in {"success", "pass"} for r in results["results"])
    manifest = json.loads((dbt_target_dir(scripts_reference) / "manifest.json").read_text())
    expected = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    assert set(models) == expected
    assert models["account_summary"].key == "duckdb://warehouse/main/account_summary"


def test_per_node_mode_runs_a_task_per_node_and_a_failing_dbt_test_fails_the_run(
    prefect_server: str, small_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``LC_PREFECT_DBT_RUNNER=per-node`` (prefect-dbt's orchestrator, the harness's prefect-per-node
    series): every dbt node is a task run of its own, and a dbt test that fails makes the run fail
    (nodes downstream of it skipped, no output written): a mode that turned it green would hide bad
    data. Its outputs on a passing run are compared with scripts' in the harness's runtime section."""
    import impl_prefect.tasks
    from core.errors import PipelineInputError
    from impl_prefect.launch.pipeline import run

    project = tmp_path / "dbt"
    shutil.copytree(SHIPPED_DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", ".user.yml"))
    (project / "tests" / "assert_stg_customers_is_empty.sql").write_text("select * from {{ ref('stg_customers') }}\n")
    monkeypatch.setattr(impl_prefect.tasks, "DBT_PROJECT_DIR", project)
    monkeypatch.setenv(impl_prefect.tasks.DBT_RUNNER_ENV, "per-node")
    output_dir = tmp_path / "output"
    with pytest.raises(PipelineInputError, match="assert_stg_customers_is_empty"):
        run(small_input, output_dir)

    runs = _task_runs(_flow_run_of(output_dir))
    assert runs["model stg_customers"].state.is_completed()
    assert runs["test assert_stg_customers_is_empty"].state.is_failed()
    assert runs["dbt_build"].state.is_failed()
    assert "model customer_profile" not in runs or not runs["model customer_profile"].state.is_completed()
    assert not (output_dir / QUALITY_REPORT).exists()


# --- retries ---------------------------------------------------------------------------------------


def test_injected_faults_are_retried_and_the_run_recovers(
    prefect_server: str,
    scripts_output: Path,
    small_input: Path,
    scripts_reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults in an ingestion and an export, over an earlier run's folder: Prefect retries exactly
    those two task runs once, and the outputs equal a clean run on the new input."""
    from core.faults import FAULT_ENV
    from impl_prefect.launch.pipeline import run

    output_dir = stale_output(scripts_output, tmp_path / "output")
    monkeypatch.setenv(FAULT_ENV, ",".join(FAULTS))
    summary = run(small_input, output_dir)

    assert summary.report["all_checks_passed"]
    assert_recovered(output_dir, scripts_reference)
    runs = _task_runs(_flow_run_of(output_dir))
    assert {name: run.run_count for name, run in runs.items() if run.run_count != 1} == {
        "ingest_accounts": 2,
        "export_account_summary": 2,
    }
    with _sync_client() as client:
        for step in FAULTS:
            assert runs[step].state.is_completed(), step
            assert "Retrying" in [state.name for state in client.read_task_run_states(runs[step].id)], step


def test_bad_input_raises_the_original_error_is_not_retried_and_writes_nothing(
    prefect_server: str, tmp_path: Path
) -> None:
    from impl_prefect.launch.pipeline import run

    output_dir = assert_stops_before_writing(run, tmp_path)

    runs = _task_runs(_flow_run_of(output_dir))
    assert runs["check_inputs"].state.is_failed()
    assert runs["check_inputs"].run_count == 1  # bad input fails the same way every time
    assert set(runs) == {"check_inputs"}
    [alert] = run_failure_alerts(output_dir)  # the flow's on_failure hook
    assert "missing required column balance" in alert["error"].lower()
    assert alert["job"] == "lc_pipeline" and alert["input_dir"] == str(tmp_path / "input")
    # each failed task run by its name in the UI, as far as the server has recorded it (from events)
    assert all(re.fullmatch(r"check_inputs-[0-9a-f]{3}", name) for name in alert["failed_steps"]), alert


# --- the user's path: Prefect's temporary server, state under the run's folder ----------------------


def test_pipeline_module_keeps_prefect_state_under_the_output_folder(
    small_input: Path, scripts_reference: Path, tmp_path: Path
) -> None:
    """``python -m impl_prefect.launch.pipeline`` in a clean process: no PREFECT_* settings, a fresh HOME."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "LC_"))}
    env["HOME"] = str(home)
    output_dir = tmp_path / "output"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "impl_prefect.launch.pipeline",
            "--input",
            str(small_input),
            "--output",
            str(output_dir),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "quality checks: 7/7 passed" in done.stdout
    _assert_equal_outputs(output_dir, scripts_reference)

    assert list(home.iterdir()) == []  # nothing in the user's home (no ~/.prefect)
    database = output_dir / PREFECT_HOME_DIRNAME / "prefect.db"
    with sqlite3.connect(database) as con:
        flows = con.execute("SELECT f.name, r.state_type FROM flow_run r JOIN flow f ON f.id = r.flow_id").fetchall()
        task_runs = dict(con.execute("SELECT name, state_type FROM task_run").fetchall())
    assert flows == [("lc_pipeline", "COMPLETED")]
    assert len(task_runs) > 50  # the pipeline's steps and a task run per dbt node
    # the server stopped only once it had recorded the whole run: every step, every one finished
    steps = {re.sub(r"-[0-9a-f]{3}$", "", name) for name in task_runs}
    assert {"dbt_build", "quality_report", *(f"export_{t.table}" for t in OUTPUT_TABLES)} <= steps
    assert set(task_runs.values()) == {"COMPLETED"}


def _assert_equal_outputs(output_dir: Path, reference: Path) -> None:
    differences = output_differences(reference, output_dir)
    assert not differences, differences
