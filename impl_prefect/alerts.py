"""Alerting: a flow run that fails becomes an alert someone will see (``core.alerts``: a line in
``alerts/run_failures.jsonl``, a webhook when configured). The flow's ``on_failure`` hook, with the
error of each task run that failed, read back from the API."""

from __future__ import annotations

from pathlib import Path

from prefect import Flow, get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    TaskRunFilter,
    TaskRunFilterState,
    TaskRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.logging import get_logger
from prefect.states import State

from core.alerts import alert_run_failure, alerts_home, last_line
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, default_output_dir, env_path

logger = get_logger(__name__)


def alert_on_failure(flow: Flow, flow_run: FlowRun, state: State) -> None:
    parameters = flow_run.parameters
    input_dir = parameters.get("input_dir") or env_path(INPUT_DIR_ENV)
    output_dir = Path(parameters.get("output_dir") or env_path(OUTPUT_DIR_ENV) or default_output_dir("prefect"))
    undelivered = alert_run_failure(
        alerts_home(output_dir),
        run_id=str(flow_run.id),
        pipeline=flow.name,
        input_dir=str(input_dir) if input_dir else None,
        error=last_line(state.message or "failed"),
        failed_steps=_failed_task_runs(flow_run),
    )
    if undelivered:
        logger.warning(undelivered)


def _failed_task_runs(flow_run: FlowRun) -> dict[str, str]:
    failed = TaskRunFilter(state=TaskRunFilterState(type=TaskRunFilterStateType(any_=[StateType.FAILED])))
    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])), task_run_filter=failed
        )
    return {run.name: last_line(run.state.message or "") if run.state else "" for run in runs}
