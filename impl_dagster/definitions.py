"""The Dagster code location: ``dagster dev -m impl_dagster.definitions``.

One connected asset graph: ingestion (``customers_raw``, ``accounts_raw``, from one factory) -> the dbt models
(staging, intermediate, marts; dbt tests as asset checks) -> output files and the quality report,
plus our own reconciliation and file checks.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from impl_dagster.alerts import alert_on_run_failure
from impl_dagster.assets.checks import all_checks
from impl_dagster.assets.dbt import lc_dbt_models
from impl_dagster.assets.ingestion import input_files, raw_table_assets
from impl_dagster.assets.outputs import output_file_assets, quality_report
from impl_dagster.jobs import daily_schedule, lc_pipeline_job, new_input_folder_sensor
from impl_dagster.resources import dbt_resource, lc_paths_from_env

defs = Definitions(
    assets=[*input_files, *raw_table_assets, lc_dbt_models, *output_file_assets, quality_report],
    asset_checks=all_checks,
    jobs=[lc_pipeline_job],
    schedules=[daily_schedule],
    sensors=[new_input_folder_sensor, alert_on_run_failure],
    resources={"dbt": dbt_resource, "lc_paths": lc_paths_from_env()},
    # Every asset and every check, in one process: steps share one DuckDB file (one writer at a
    # time), and the multiprocess executor would re-import Dagster and dbt for every step.
    executor=in_process_executor,
)
