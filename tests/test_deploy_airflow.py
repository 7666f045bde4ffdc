"""Airflow deployed (opt-in: ``pytest -m deployed``, several minutes): PostgreSQL, the API server, the
scheduler with the LocalExecutor, the DAG processor and the triggerer really started
(``impl_airflow.launch.deploy``); a folder dropped into the landing folder is picked up by the
triggerer's trigger, ``lc_landing`` triggers ``lc_pipeline`` for it, the run succeeds with outputs
equal to the plain-scripts run; a broken folder landed at the same time gets a failed run of its
own, alerted; everything is stopped afterwards. Observed through Airflow's
REST API, as a team's tooling would.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from core.landing import run_key
from core.outputs import output_differences
from core.services import free_port
from testkit.deployed import (
    alert_for,
    drop_folder,
    listening,
    postgres_stopped,
    reachable_deploy_dir,
    without_balance_column,
)

pytestmark = [pytest.mark.deployed, pytest.mark.airflow]
RUN_TIMEOUT_SECONDS = 900


def _finished_run(stack, api: httpx.Client, run_id: str) -> dict:
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        stack.services.check()
        answer = api.get(f"/dags/lc_pipeline/dagRuns/{run_id}", timeout=30)
        if answer.status_code == 200 and answer.json()["state"] in {"success", "failed"}:
            return answer.json()
        time.sleep(3)
    pytest.fail(f"no finished run {run_id} within {RUN_TIMEOUT_SECONDS} s (logs in {stack.output_dir / 'logs'})")


def test_a_landed_folder_runs_once_with_the_scripts_outputs_and_the_stack_stops_cleanly(
    tmp_path: Path, small_input: Path, scripts_reference: Path
) -> None:
    from impl_airflow.launch.deploy import airflow_stack, api_client

    deploy_dir = reachable_deploy_dir(tmp_path)
    broken = without_balance_column(small_input, tmp_path / "broken")
    with airflow_stack(deploy_dir, port=free_port()) as stack:
        # Two folders in one poll: each gets its run (one trigger event names both).
        folder = drop_folder(small_input, stack.landing, "batch-1")
        bad_folder = drop_folder(broken, stack.landing, "batch-2")
        with api_client(stack.url, stack.home) as api:
            run = _finished_run(stack, api, f"landing__{run_key(folder)}")
            assert run["state"] == "success", run
            assert run["conf"]["input_dir"] == str(folder)
            assert output_differences(scripts_reference, deploy_dir / "runs" / "batch-1") == []
            failed = _finished_run(stack, api, f"landing__{run_key(bad_folder)}")
            assert failed["state"] == "failed", failed
            alert = alert_for(stack, failed["dag_run_id"])  # the failed task's callback, with its own error
            assert "balance" in alert["failed_steps"]["check_inputs"].lower(), alert
        url = stack.url

    assert not listening(url), "the API server still answers after the stack stopped"
    assert postgres_stopped(deploy_dir), "PostgreSQL still running"
