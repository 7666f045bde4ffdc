"""The Dagster implementation: definitions, the asset graph, a real run, its checks, retries.

Real runs only (no mocks), on a small generated input: one in-process materialization of the whole
job, compared file by file with the plain-scripts pipeline on the same input.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import duckdb
import httpx
import pytest
import yaml

from core.errors import PipelineInputError
from core.layout import INPUT_FILES, OUTPUT_TABLES, output_files
from core.outputs import output_differences
from core.services import free_port
from core.transform import DBT_PROJECT_DIR
from testkit.faults import FAULTS, assert_recovered, stale_output
from tests.progress_lines import recorded_progress

pytestmark = pytest.mark.dagster


@pytest.fixture(scope="module")
def defs():
    from impl_dagster.definitions import defs

    return defs


@pytest.fixture(scope="module")
def asset_graph(defs):
    return defs.resolve_asset_graph()


@pytest.fixture(scope="module")
def dagster_run_with_progress(small_input: Path, tmp_path_factory: pytest.TempPathFactory):
    """One run of the launcher, and the progress lines it logged."""
    from impl_dagster.launch.pipeline import run

    output_dir = tmp_path_factory.mktemp("dagster_output")
    started = time.perf_counter()
    with redirect_stdout(io.StringIO()) as printed, recorded_progress() as progress:
        summary = run(small_input, output_dir)
    print(f"impl_dagster.launch.pipeline.run: {time.perf_counter() - started:.1f} s")
    assert printed.getvalue() == "", "dbt's lines (re-printed by dagster-dbt) belong in the log, not on stdout"
    return summary, progress


@pytest.fixture(scope="module")
def dagster_run(dagster_run_with_progress):
    return dagster_run_with_progress[0]


def _key(name: str):
    from dagster import AssetKey

    return AssetKey(name)


# --- definitions and graph -------------------------------------------------------------------


def test_definitions_load(defs) -> None:
    from dagster import Definitions

    Definitions.validate_loadable(defs)
    job = defs.resolve_job_def("lc_pipeline_job")
    assert job.executor_def.name == "in_process"
    assert defs.resolve_schedule_def("lc_pipeline_daily").cron_schedule == "0 6 * * *"
    assert defs.resolve_sensor_def("new_input_folder_sensor").job_name == "lc_pipeline_job"


def test_asset_graph_holds_every_model_source_and_output(asset_graph) -> None:
    keys = {key.to_user_string() for key in asset_graph.get_all_asset_keys()}
    models = {path.stem for path in (DBT_PROJECT_DIR / "models").rglob("*.sql")}
    assert models and models <= keys

    sources = set()
    for path in (DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for source in (yaml.safe_load(path.read_text()) or {}).get("sources", []):
            sources |= {(source["name"], table["name"]) for table in source["tables"]}
    assert sources == {("raw", spec.raw_table) for spec in INPUT_FILES}
    # each dbt source is the ingestion asset that loads it, not a separate external asset
    raw_keys = {f"{table}_raw" for _, table in sources}
    assert raw_keys <= keys
    for name in raw_keys:
        assert asset_graph.get(_key(name)).group_name == "ingestion"
        assert asset_graph.get(_key(name)).is_materializable

    outputs = {f"{table.table}_files" for table in OUTPUT_TABLES} | {"quality_report"}
    assert outputs <= keys
    for name in outputs:
        assert asset_graph.get(_key(name)).group_name == "outputs"
    # the input files are external assets upstream of the raw assets, so lineage starts at the files
    input_files = {f"{spec.raw_table}_csv" for spec in INPUT_FILES}
    for spec in INPUT_FILES:
        assert asset_graph.get(_key(f"{spec.raw_table}_raw")).parent_keys == {_key(f"{spec.raw_table}_csv")}
        assert not asset_graph.get(_key(f"{spec.raw_table}_csv")).is_materializable
    assert keys == models | raw_keys | outputs | input_files, "no stray assets"


def test_asset_graph_is_connected_from_both_raw_assets_to_every_output(asset_graph) -> None:
    from dagster import AssetSelection

    raw = {_key(f"{spec.raw_table}_raw") for spec in INPUT_FILES}
    for name in [f"{table.table}_files" for table in OUTPUT_TABLES] + ["quality_report"]:
        upstream = AssetSelection.assets(_key(name)).upstream().resolve(asset_graph)
        # the customer quarantine is the one output built from customers.csv alone
        needed = raw if name != "customers_quarantine_files" else {_key("customers_raw")}
        assert needed <= upstream, f"{name} is not downstream of {needed - upstream}"

    # one weakly connected graph
    keys = set(asset_graph.get_all_asset_keys())
    seen, todo = set(), [_key("customers_raw")]
    while todo:
        key = todo.pop()
        if key in seen:
            continue
        seen.add(key)
        node = asset_graph.get(key)
        todo += [k for k in (*node.parent_keys, *node.child_keys) if k in keys]
    assert seen == keys


def test_dbt_tests_are_asset_checks(asset_graph) -> None:
    from impl_dagster.project import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text())
    check_names = {key.name for key in asset_graph.asset_check_keys}
    single_parent_tests = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and len(node["depends_on"]["nodes"]) == 1
    ]
    assert single_parent_tests and set(single_parent_tests) <= check_names
    ours = {"customers_reconcile", "accounts_reconcile", "files_match_table"}
    assert ours <= check_names


def test_sensor_requests_a_run_for_each_new_input_folder(defs, small_input: Path, tmp_path: Path, monkeypatch) -> None:
    from dagster import build_sensor_context, validate_run_config

    from core.landing import run_key
    from impl_dagster.resources import LcPaths

    monkeypatch.delenv("LC_LANDING_DIR", raising=False)
    output_dir = tmp_path / "output"
    sensor = defs.resolve_sensor_def("new_input_folder_sensor")
    context = build_sensor_context(resources={"lc_paths": LcPaths(output_dir=str(output_dir))})
    assert not sensor.evaluate_tick(context).run_requests  # nothing landed yet

    shutil.copytree(small_input, output_dir / "landing" / "batch_1")
    (output_dir / "landing" / "incomplete").mkdir()  # no input files: not ready
    shutil.copytree(small_input, output_dir / "landing" / ".batch_2")  # a dot-folder is still being written
    (request,) = sensor.evaluate_tick(context).run_requests
    assert request.run_key == run_key(output_dir / "landing" / "batch_1")  # again if its files change
    config = request.run_config["resources"]["lc_paths"]["config"]
    assert config["input_dir"] == str(output_dir / "landing" / "batch_1")
    assert config["output_dir"] == str(output_dir / "runs" / "batch_1")
    assert request.tags["lc/warehouse"] == config["warehouse"]  # one run at a time per warehouse, deployed
    validate_run_config(defs.resolve_job_def("lc_pipeline_job"), request.run_config)


# --- a real run ----------------------------------------------------------------------------------


def test_materialization_succeeds_with_every_check_passing(dagster_run, asset_graph) -> None:
    from dagster import DagsterEventType, DagsterInstance

    assert dagster_run.implementation == "dagster"
    assert dagster_run.report["all_checks_passed"]
    assert all(path.exists() for path in output_files(dagster_run.output_dir))

    with DagsterInstance.from_config(str(dagster_run.output_dir / "dagster_home")) as instance:
        (run,) = instance.get_runs()
        assert run.job_name == "lc_pipeline_job" and run.is_success
        materialized = {
            record.get_dagster_event().asset_key
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        }
        evaluations = [
            record.get_dagster_event().event_specific_data
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    assert materialized == {key for key in asset_graph.get_all_asset_keys() if asset_graph.get(key).is_materializable}
    assert {e.asset_check_key for e in evaluations} == set(asset_graph.asset_check_keys)
    assert [e.asset_check_key.to_user_string() for e in evaluations if not e.passed] == []
    telemetry = (dagster_run.output_dir / "dagster_home" / "dagster.yaml").read_text()
    assert "enabled: false" in telemetry


def test_progress_lines_come_from_the_runs_event_log(dagster_run_with_progress) -> None:
    progress = dagster_run_with_progress[1]
    for step in ("customers_raw", "accounts_raw", "lc_dbt_models", "quality_report"):
        assert f"start {step}" in progress
        assert any(line.startswith(f"done {step} (") for line in progress), step
    assert any(line.startswith("built model customer_profile") for line in progress)
    assert not any(line.startswith("FAILED") for line in progress)


def test_outputs_equal_the_scripts_pipeline(dagster_run, scripts_reference: Path) -> None:
    differences = output_differences(scripts_reference, dagster_run.output_dir)
    assert not differences, differences


def _run_checks(defs, output_dir: Path, *check_names: str):
    """Run the named checks and the quality report they block against the warehouse under ``output_dir``."""
    from dagster import AssetSelection, DagsterInstance, Definitions, define_asset_job

    from impl_dagster.launch.pipeline import run_config

    keys = [key for key in defs.resolve_asset_graph().asset_check_keys if key.name in check_names]
    job = define_asset_job(
        "checks_only", selection=AssetSelection.checks(*keys) | AssetSelection.assets("quality_report")
    )
    only = Definitions(assets=defs.assets, asset_checks=defs.asset_checks, resources=defs.resources, jobs=[job])
    with DagsterInstance.ephemeral() as instance:
        result = only.resolve_job_def("checks_only").execute_in_process(
            run_config=run_config(output_dir, output_dir), instance=instance, raise_on_error=False
        )
    reported = "quality_report" in {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    return {e.asset_check_key.to_user_string(): e for e in result.get_asset_check_evaluations()}, reported


def test_checks_fail_visibly_on_data_that_breaks_their_rule(defs, dagster_run, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in output_files(dagster_run.output_dir):
        shutil.copy(path, broken / path.name)
    shutil.copy(dagster_run.output_dir / "warehouse.duckdb", broken / "warehouse.duckdb")

    checks = ("customers_reconcile", "accounts_reconcile", "files_match_table")
    before, reported = _run_checks(defs, broken, *checks)
    assert len(before) == 6 and all(e.passed for e in before.values()) and reported

    with duckdb.connect(str(broken / "warehouse.duckdb")) as con:
        con.execute(
            "DELETE FROM customers_quarantine WHERE source_row = (SELECT min(source_row) FROM customers_quarantine)"
        )
        con.execute("DELETE FROM account_summary WHERE account_id = (SELECT min(account_id) FROM account_summary)")
    after, reported = _run_checks(defs, broken, *checks)
    assert not reported  # the failed checks are blocking: the quality report waits for them

    reconcile = after["customers_raw:customers_reconcile"]
    assert not reconcile.passed
    assert reconcile.severity.value == "ERROR"
    assert "FAILS by +1" in reconcile.description
    files = after["account_summary_files:files_match_table"]
    assert not files.passed and "account_summary.csv has" in files.description
    # the rest still pass: a check fails for its own rule only
    assert after["accounts_raw:accounts_reconcile"].passed
    assert after["customer_profile_files:files_match_table"].passed


def test_bad_input_raises_the_original_error_and_writes_nothing(small_input: Path, tmp_path: Path) -> None:
    from impl_dagster.launch.pipeline import run

    bad = tmp_path / "input"
    bad.mkdir()
    shutil.copy(small_input / "customers.csv", bad / "customers.csv")  # accounts.csv is missing
    with pytest.raises(PipelineInputError, match=r"accounts\.csv: input file not found") as raised:
        run(bad, tmp_path / "output")
    assert type(raised.value) is PipelineInputError
    assert not (tmp_path / "output" / "warehouse.duckdb").exists()
    assert _step_events(tmp_path / "output", "STEP_UP_FOR_RETRY") == []  # bad input is never retried


def test_a_warehouse_outside_the_output_folder_is_refused(tmp_path: Path) -> None:
    from impl_dagster.resources import LcPaths

    paths = LcPaths(output_dir=str(tmp_path / "output"), warehouse=str(tmp_path / "elsewhere.duckdb"))
    with pytest.raises(
        PipelineInputError,
        match=r"elsewhere\.duckdb: the warehouse \(LC_DUCKDB_PATH\) resolves to .* outside the chosen folder",
    ):
        paths.warehouse_path()
    inside = LcPaths(output_dir=str(tmp_path / "output"), warehouse=str(tmp_path / "output" / "w.duckdb"))
    assert inside.warehouse_path() == (tmp_path / "output" / "w.duckdb").resolve()


def _step_events(output_dir: Path, event_type: str) -> list[str]:
    """Step keys of one event type in the latest run recorded under a run's output folder."""
    from dagster import DagsterEventType, DagsterInstance

    with DagsterInstance.from_config(str(output_dir / "dagster_home")) as instance:
        run_id = instance.get_runs(limit=1)[0].run_id
        records = instance.all_logs(run_id, of_type=DagsterEventType(event_type))
        return sorted(record.get_dagster_event().step_key for record in records)


def test_injected_faults_are_retried_and_the_run_recovers(
    scripts_output: Path,
    small_input: Path,
    scripts_reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Faults in an ingestion and an export, over an earlier run's folder: the assets' retry policy
    reruns exactly those two steps once, and the outputs equal a clean run on the new input."""
    from core.faults import FAULT_ENV
    from impl_dagster.launch.pipeline import run

    output_dir = stale_output(scripts_output, tmp_path / "output")
    monkeypatch.setenv(FAULT_ENV, ",".join(FAULTS))
    with recorded_progress() as progress:
        summary = run(small_input, output_dir)

    assert summary.report["all_checks_passed"]
    assert_recovered(output_dir, scripts_reference)
    assert _step_events(output_dir, "STEP_UP_FOR_RETRY") == ["account_summary_files", "accounts_raw"]
    retried = [line for line in progress if line.endswith(": up for retry")]
    assert [line.split()[1] for line in retried] == ["accounts_raw", "account_summary_files"]


# `dagster dev` itself (served asset graph, lineage edges, a run launched through GraphQL, reload,
# stopping by its process group) is checked by the harness's UI section, which CI runs:
# bench/ui/test_ui.py.


def test_dagster_dev_from_the_repository_root_lists_our_assets(small_input: Path, tmp_path: Path) -> None:
    """A Dagster user's habit: ``dagster dev`` with no arguments, at the root ([tool.dagster] in pyproject.toml)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith(("LC_", "DAGSTER_"))}
    env.update({"DAGSTER_HOME": str(home), "LC_INPUT_DIR": str(small_input), "LC_OUTPUT_DIR": str(tmp_path / "out")})
    dagster = Path(sys.executable).with_name("dagster")
    query = {"query": "{ assetNodes { assetKey { path } } }"}
    keys: set[str] = set()
    with (tmp_path / "dagster-dev.log").open("w") as log:
        server = subprocess.Popen(
            [str(dagster), "dev", "-h", "127.0.0.1", "-p", str(port)],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGTERM stops it and its children
        )
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and server.poll() is None and "account_summary" not in keys:
                time.sleep(2)
                try:
                    answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=10).json()
                except (httpx.HTTPError, ValueError):
                    continue
                keys = {"/".join(node["assetKey"]["path"]) for node in (answer.get("data") or {}).get("assetNodes", [])}
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    assert {"customers_raw", "accounts_raw", "stg_customers", "account_summary", "quality_report"} <= keys, (
        tmp_path / "dagster-dev.log"
    ).read_text()[-2000:]
