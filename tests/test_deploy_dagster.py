"""The production path, deployed: PostgreSQL, a gRPC code server, the daemon and the webserver really
started (``impl_dagster.launch.deploy``), new input folders picked up by the sensor, a good one's
outputs equal to the plain-scripts run, a broken one's failed run alerted, and everything stopped
afterwards.

The dbt project is not packaged here (``package=False``): packaging writes ``impl_dagster/dbt-project``
into the source tree, which the other test files' processes would then load mid-session.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core.outputs import output_differences
from testkit.deployed import (
    alert_for,
    drop_folder,
    listening,
    postgres_stopped,
    reachable_deploy_dir,
    without_balance_column,
)

RUN_TIMEOUT_SECONDS = 300


@pytest.fixture
def deploy_dir(tmp_path: Path) -> Path:
    return reachable_deploy_dir(tmp_path)


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


def test_the_deployed_stack_runs_new_input_folders_alerts_a_failure_and_stops_cleanly(
    deploy_dir: Path, small_input: Path, scripts_reference: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import DagsterRunStatus

    from impl_dagster.launch.deploy import dagster_stack

    broken = without_balance_column(small_input, deploy_dir.parent / "broken_input")
    with dagster_stack(deploy_dir, package=False) as stack:
        monkeypatch.setenv("LC_DAGSTER_PG_URL", stack.environment["LC_DAGSTER_PG_URL"])  # dagster.yaml reads it
        folder = drop_folder(small_input, stack.landing, "batch-1")
        bad_folder = drop_folder(broken, stack.landing, "batch-2")
        run = _finished_run(stack, folder)
        assert run.status == DagsterRunStatus.SUCCESS, f"run {run.run_id} {run.status}; logs in {deploy_dir / 'logs'}"
        assert run.tags["lc/warehouse"] == str(deploy_dir / "runs" / "batch-1" / "warehouse.duckdb")
        assert output_differences(scripts_reference, deploy_dir / "runs" / "batch-1") == []

        failed = _finished_run(stack, bad_folder)
        assert failed.status == DagsterRunStatus.FAILURE
        alert = alert_for(stack, failed.run_id)  # the run-failure sensor ticks every 30 s
        assert alert["input_dir"] == str(bad_folder)
        assert "balance" in " ".join(alert["failed_steps"].values()).lower(), alert  # the step's own error
        url = stack.url

    assert not listening(url), "the webserver still answers after the stack stopped"
    assert postgres_stopped(deploy_dir), "PostgreSQL still running"
