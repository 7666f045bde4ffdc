"""Alerting: a task that fails for good (its retries spent, or bad data that no retry fixes) becomes
an alert someone will see (``core.alerts``: a line in ``alerts/run_failures.jsonl``, a webhook when
configured). Given to every task of ``lc_pipeline`` as its ``on_failure_callback``: the task's own
error is in the callback's context, where a DAG-level callback has only the run's state."""

from __future__ import annotations

import logging
from pathlib import Path

from airflow.sdk import Context

from core.alerts import alert_run_failure, alerts_home, last_line

log = logging.getLogger(__name__)


def alert_on_failure(context: Context) -> None:
    params, task = context["params"], context["task_instance"]
    exception = context.get("exception")  # set by the task runner (dag.test() too, since Airflow 3.3)
    error = last_line(str(exception)) if exception else f"failed; see the log of try {task.try_number}"
    undelivered = alert_run_failure(
        alerts_home(Path(params["output_dir"])),
        run_id=context["run_id"],
        pipeline=context["dag"].dag_id,
        input_dir=params["input_dir"],
        error=f"{task.task_id}: {error}",
        failed_steps={task.task_id: error},
    )
    if undelivered:
        log.warning(undelivered)
