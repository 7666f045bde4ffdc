"""Prefect deployed (opt-in: ``pytest -m deployed``, a few minutes): PostgreSQL, the Prefect server, a
process work pool's worker and the landing watcher really started (``impl_prefect.launch.deploy``);
a folder dropped into the landing folder becomes an event, the deployment's trigger starts a flow
run for it, which completes with outputs equal to the plain-scripts run; everything is stopped
afterwards. Observed through Prefect's REST API.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

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

pytestmark = [pytest.mark.deployed, pytest.mark.prefect]
RUN_TIMEOUT_SECONDS = 600
FINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _finished_run(stack, input_dir: Path) -> dict:
    """The flow run the trigger started for ``input_dir``, once it is in a final state."""
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        stack.services.check()
        runs = httpx.post(f"{stack.url}/api/flow_runs/filter", json={"limit": 50}, timeout=30).json()
        for run in runs:
            if run["parameters"].get("input_dir") == str(input_dir) and run["state_type"] in FINAL_STATES:
                return run
        time.sleep(3)
    pytest.fail(f"no finished flow run for {input_dir} within {RUN_TIMEOUT_SECONDS} s (logs in {stack.output_dir})")


def test_a_landed_folder_runs_once_with_the_scripts_outputs_and_the_stack_stops_cleanly(
    tmp_path: Path, small_input: Path, scripts_reference: Path
) -> None:
    from impl_prefect.launch.deploy import prefect_stack

    deploy_dir = reachable_deploy_dir(tmp_path)
    with prefect_stack(deploy_dir, port=free_port()) as stack:
        folder = drop_folder(small_input, stack.landing, "batch-1")
        bad_folder = drop_folder(without_balance_column(small_input, tmp_path / "broken"), stack.landing, "batch-2")
        run = _finished_run(stack, folder)
        assert run["state_type"] == "COMPLETED", run
        assert output_differences(scripts_reference, deploy_dir / "runs" / "batch-1") == []
        failed = _finished_run(stack, bad_folder)
        assert failed["state_type"] == "FAILED", failed
        alert = alert_for(stack, failed["id"])  # the flow's on_failure hook
        assert "balance" in alert["error"].lower(), alert
        url = stack.url

    assert not listening(url), "the server still answers after the stack stopped"
    assert postgres_stopped(deploy_dir), "PostgreSQL still running"
