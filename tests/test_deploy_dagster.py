"""The production path, deployed: PostgreSQL, a gRPC code server, the daemon and the webserver really
started (``impl_dagster.launch.deploy``), new input folders picked up by the sensor, a good one's
outputs equal to the plain-scripts run, a broken one's failed run alerted, and everything stopped
afterwards.

The dbt project is not packaged here (``package=False``): packaging writes ``impl_dagster/dbt-project``
into the source tree, which the other test files' processes would then load mid-session.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from core.layout import INPUT_FILES
from core.outputs import output_differences
from core.services import PostgresUnavailable, postgres_bin_dir
from testkit.prerequisites import require

RUN_TIMEOUT_SECONDS = 300


@pytest.fixture
def deploy_dir(tmp_path: Path) -> Path:
    """A folder PostgreSQL's own user can reach when the tests run as root."""
    try:
        postgres_bin_dir()
        installed = True
    except PostgresUnavailable:
        installed = False
    require(installed, "the Debian package postgresql (initdb, pg_ctl)")
    if os.geteuid() == 0:
        for folder in (tmp_path, *tmp_path.parents):
            folder.chmod(folder.stat().st_mode | 0o001)
    return tmp_path / "deploy"


def _drop_folder(source: Path, landing: Path, name: str) -> Path:
    """Copy the input files in under a temporary name, then rename: the sensor sees a whole folder."""
    landing.mkdir(parents=True, exist_ok=True)
    partial = landing / f".{name}.partial"
    partial.mkdir()
    for spec in INPUT_FILES:
        shutil.copy(source / spec.name, partial / spec.name)
    folder = landing / name
    partial.rename(folder)
    return folder


def _finished_run(stack, input_dir: Path):
    """The run the sensor started for ``input_dir``, once it has finished (its instance on PostgreSQL)."""
    from dagster import DagsterInstance, DagsterRunStatus, RunsFilter

    finished = {DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED}
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    with DagsterInstance.from_config(str(stack.home)) as instance:
        while time.monotonic() < deadline:
            stack.services.check()
            runs = instance.get_runs(RunsFilter(tags={"lc/input_dir": str(input_dir)}))
            if runs and runs[0].status in finished:
                return runs[0]
            time.sleep(2)
    pytest.fail(f"no finished run for {input_dir} within {RUN_TIMEOUT_SECONDS} s")


def tmp_path_factory_input(source: Path, target: Path) -> Path:
    """The input files with the accounts' ``balance`` column missing: the run stops with an error."""
    target.mkdir(parents=True)
    shutil.copy(source / "customers.csv", target / "customers.csv")
    lines = (source / "accounts.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name.strip().lower() != "balance"]
    rows = [",".join(cells[i] for i in keep if i < len(cells)) for cells in (line.split(",") for line in lines)]
    (target / "accounts.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return target


def _alert_for(stack, run_id: str) -> dict:
    """The alert line the run-failure sensor wrote for ``run_id`` (it ticks every 30 s)."""
    alerts = stack.output_dir / "alerts" / "run_failures.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        stack.services.check()
        if alerts.exists():
            for line in alerts.read_text(encoding="utf-8").splitlines():
                if json.loads(line)["run_id"] == run_id:
                    return json.loads(line)
        time.sleep(2)
    pytest.fail(f"no alert for run {run_id} in {alerts} within 120 s")


def _listening(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as sock:
        return sock.connect_ex((host, int(port))) == 0


def test_the_deployed_stack_runs_new_input_folders_alerts_a_failure_and_stops_cleanly(
    deploy_dir: Path, small_input: Path, scripts_reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import DagsterRunStatus

    from impl_dagster.launch.deploy import dagster_stack

    broken = tmp_path_factory_input(small_input, deploy_dir.parent / "broken_input")
    with dagster_stack(deploy_dir, package=False) as stack:
        monkeypatch.setenv("LC_DAGSTER_PG_URL", stack.environment["LC_DAGSTER_PG_URL"])  # dagster.yaml reads it
        folder = _drop_folder(small_input, stack.landing, "batch-1")
        bad_folder = _drop_folder(broken, stack.landing, "batch-2")
        run = _finished_run(stack, folder)
        assert run.status == DagsterRunStatus.SUCCESS, f"run {run.run_id} {run.status}; logs in {deploy_dir / 'logs'}"
        assert run.tags["lc/warehouse"] == str(deploy_dir / "runs" / "batch-1" / "warehouse.duckdb")
        assert output_differences(scripts_reference, deploy_dir / "runs" / "batch-1") == []

        failed = _finished_run(stack, bad_folder)
        assert failed.status == DagsterRunStatus.FAILURE
        alert = _alert_for(stack, failed.run_id)
        assert alert["input_dir"] == str(bad_folder)
        assert "balance" in " ".join(alert["failed_steps"].values()).lower(), alert  # the step's own error
        url = stack.url

    assert not _listening(url), "the webserver still answers after the stack stopped"
    assert not (deploy_dir / "postgres" / "postmaster.pid").exists(), "PostgreSQL still running"
