"""A run-failure sensor: every failed run of the pipeline becomes an alert someone will see
(``core.alerts``: a line in ``<output folder>/alerts/run_failures.jsonl``, a webhook when configured)."""

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from core.alerts import ALERTS_FILE, WEBHOOK_ENV, alert_run_failure, last_line
from impl_dagster.jobs import lc_pipeline_job
from impl_dagster.resources import LcPaths


@run_failure_sensor(
    name="alert_on_run_failure",
    monitored_jobs=[lc_pipeline_job],
    default_status=DefaultSensorStatus.STOPPED,
    description=f"Each failed run: a line in <output folder>/{ALERTS_FILE}, and a POST to {WEBHOOK_ENV} if set.",
)
def alert_on_run_failure(context: RunFailureSensorContext, lc_paths: LcPaths) -> None:
    run = context.dagster_run
    undelivered = alert_run_failure(
        lc_paths.output_path(),
        run_id=run.run_id,
        pipeline=run.job_name,
        input_dir=run.tags.get("lc/input_dir"),
        error=context.failure_event.message or "",
        failed_steps={
            event.step_key or "": last_line(error.message)
            for event in context.get_step_failure_events()
            if (error := event.step_failure_data.error) is not None
        },
    )
    if undelivered:
        context.log.warning(undelivered)
