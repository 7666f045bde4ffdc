"""The pipeline job, its daily schedule, and a sensor that runs it on each new input folder."""

import os
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

from core.layout import INPUT_FILES, InputFile
from impl_dagster.resources import LcPaths

LANDING_ENV = "LC_LANDING_DIR"
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


def landing_dir(lc_paths: LcPaths) -> Path:
    """Where new input folders arrive: ``LC_LANDING_DIR``, else ``<output folder>/landing``."""
    configured = os.environ.get(LANDING_ENV)
    return Path(configured).expanduser().resolve() if configured else lc_paths.output_path() / "landing"


def _ready_folders(landing: Path) -> list[Path]:
    """Subfolders holding every input file; a folder whose name starts with a dot is still being
    written (copy into ``.name``, then rename it to ``name``)."""
    if not landing.is_dir():
        return []
    return sorted(
        folder
        for folder in landing.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and all(_input_files(folder, spec) for spec in INPUT_FILES)
    )


def _input_files(folder: Path, spec: InputFile) -> list[Path]:
    """The files of ``folder`` under any name ``spec`` is accepted under (two at once: the run says so)."""
    return [folder / name for name in spec.accepted_names if (folder / name).is_file()]


@sensor(
    name="new_input_folder_sensor",
    job=lc_pipeline_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Each new (or changed) folder with customers.csv and accounts.csv under the landing "
    "folder gets one run, writing to <output folder>/runs/<folder name>.",
)
def new_input_folder_sensor(context: SensorEvaluationContext, lc_paths: LcPaths):
    landing = landing_dir(lc_paths)
    folders = _ready_folders(landing)
    if not folders:
        return SkipReason(f"no folder with {' and '.join(s.name for s in INPUT_FILES)} in {landing}")
    runs_dir = lc_paths.output_path() / "runs"
    requests = []
    for folder in folders:
        version = "-".join(str(path.stat().st_mtime_ns) for spec in INPUT_FILES for path in _input_files(folder, spec))
        output_dir = runs_dir / folder.name
        requests.append(
            RunRequest(
                run_key=f"{folder.name}:{version}",  # a run per folder, again if its files change
                run_config=RunConfig(
                    resources={
                        "lc_paths": {
                            "config": {
                                "input_dir": str(folder),
                                "output_dir": str(output_dir),
                                "warehouse": str(output_dir / "warehouse.duckdb"),
                            }
                        }
                    }
                ),
                tags={"lc/input_dir": str(folder), WAREHOUSE_TAG: str(output_dir / "warehouse.duckdb")},
            )
        )
    return requests
