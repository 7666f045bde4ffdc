"""The pipeline job, its daily schedule, and a sensor that runs it on each new input folder."""

from pathlib import Path

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunConfig,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from core.landing import POLL_SECONDS, landing_dir, ready_folders, run_key, run_output_dir
from core.layout import INPUT_FILES
from core.warehouse import warehouse_path
from impl_dagster.resources import LcPaths

# The warehouse a run writes: a deployment runs one run per warehouse at a time (deploy/dagster.yaml).
WAREHOUSE_TAG = "lc/warehouse"

# Every asset and every check; it runs on the code location's executor (definitions.py).
lc_pipeline_job = define_asset_job(
    name="lc_pipeline_job",
    selection=AssetSelection.all(),
    description="Check inputs, ingest, dbt build (models and tests), export files, quality report.",
    tags={WAREHOUSE_TAG: "default"},  # the configured one; a sensor's run names its own
)

daily_schedule = ScheduleDefinition(
    name="lc_pipeline_daily",
    job=lc_pipeline_job,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Runs the pipeline every day at 06:00 UTC on the configured input folder.",
)


@sensor(
    name="new_input_folder_sensor",
    job=lc_pipeline_job,
    minimum_interval_seconds=POLL_SECONDS,
    default_status=DefaultSensorStatus.STOPPED,
    description="Each new (or changed) folder with customers.csv and accounts.csv under the landing "
    "folder gets one run, writing to <output folder>/runs/<folder name>.",
)
def new_input_folder_sensor(context: SensorEvaluationContext, lc_paths: LcPaths):
    landing = landing_dir(lc_paths.output_path())
    folders = ready_folders(landing)
    if not folders:
        return SkipReason(f"no folder with {' and '.join(s.name for s in INPUT_FILES)} in {landing}")
    return [folder_run_request(folder, run_output_dir(lc_paths.output_path(), folder)) for folder in folders]


def folder_run_request(folder: Path, output_dir: Path) -> RunRequest:
    warehouse = str(warehouse_path(output_dir))
    return RunRequest(
        run_key=run_key(folder),  # a run per folder, again if its files change
        run_config=RunConfig(
            resources={
                "lc_paths": {
                    "config": {"input_dir": str(folder), "output_dir": str(output_dir), "warehouse": warehouse}
                }
            }
        ),
        tags={"lc/input_dir": str(folder), WAREHOUSE_TAG: warehouse},
    )
