"""A run-failure sensor: every failed run of the pipeline becomes an alert someone will see.

Each alert is one JSON line appended to ``<output folder>/alerts/run_failures.jsonl`` and, when
``LC_ALERT_WEBHOOK_URL`` is set, posted there as JSON (a chat or incident tool's incoming webhook).
A webhook that does not answer is logged on the sensor's tick and never loses the file's line.
"""

import json
import os
from datetime import UTC, datetime

import httpx
from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from impl_dagster.jobs import lc_pipeline_job
from impl_dagster.resources import LcPaths

WEBHOOK_ENV = "LC_ALERT_WEBHOOK_URL"
ALERTS_FILE = "alerts/run_failures.jsonl"


@run_failure_sensor(
    name="alert_on_run_failure",
    monitored_jobs=[lc_pipeline_job],
    default_status=DefaultSensorStatus.STOPPED,
    description=f"Each failed run: a line in <output folder>/{ALERTS_FILE}, and a POST to {WEBHOOK_ENV} if set.",
)
def alert_on_run_failure(context: RunFailureSensorContext, lc_paths: LcPaths) -> None:
    run = context.dagster_run
    alert = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_id": run.run_id,
        "job": run.job_name,
        "input_dir": run.tags.get("lc/input_dir"),
        "error": context.failure_event.message,
        "failed_steps": {
            event.step_key: error.message.strip().splitlines()[-1]
            for event in context.get_step_failure_events()
            if (error := event.step_failure_data.error) is not None
        },
    }
    alerts = lc_paths.output_path() / ALERTS_FILE
    alerts.parent.mkdir(parents=True, exist_ok=True)
    with alerts.open("a", encoding="utf-8") as file:
        file.write(json.dumps(alert) + "\n")
    if url := os.environ.get(WEBHOOK_ENV):
        try:
            httpx.post(url, json=alert, timeout=10).raise_for_status()
        except httpx.HTTPError as error:
            context.log.warning("alert for run %s not delivered to %s: %s", run.run_id, WEBHOOK_ENV, error)
