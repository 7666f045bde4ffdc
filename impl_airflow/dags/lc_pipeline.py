"""``lc_pipeline``: the LendingClub pipeline as an Airflow 3 DAG.

    check_inputs -> ingest_customers -> ingest_accounts -> transform (dbt, via cosmos)
                 -> export_<table> x 4 -> quality_report

The same steps, in the same order, as ``impl_scripts/pipeline.py``; every step is one call into
``core`` or one dbt command. The dbt project is rendered by astronomer-cosmos from a manifest
produced ahead of time (``impl_airflow/launch/manifest.py``): one task per model (``dbt run --select``),
followed by a task for that model's tests; tests that read several models run as their own task
once all of those models are built. ``LC_COSMOS_TEST_BEHAVIOR=build`` makes it one ``dbt build``
task per model instead; ``LC_COSMOS_EXECUTION_MODE=watcher`` runs the whole project in one ``dbt build``
(cosmos's WATCHER mode: a producer task, and a sensor per model reporting its result; see
``impl_airflow.config``).

Operational choices:
- Folders are DAG params (``input_dir``, ``output_dir``) defaulting to ``LC_INPUT_DIR`` /
  ``LC_OUTPUT_DIR``. ``check_inputs`` resolves them once and hands the paths on by XCom, with the
  environment of the dbt tasks (the warehouse, and on Spark where its files go).
- The engine that runs dbt (``LC_ENGINE``: ``duckdb``, the default, or ``spark``) is a deployment
  setting, read when this file is parsed: it is the dbt target cosmos passes to every dbt command.
- DuckDB allows one writer per file, and every task here writes the run's warehouse file:
  ``max_active_tasks=1`` (counted per DAG run since Airflow 3.0) runs one task at a time, and
  ``max_active_runs=1`` keeps two runs from sharing an output folder.
- Retries: 2, from a 30 s base delay with exponential backoff, for what can be transient (a
  held file lock, a full disk being cleaned, a killed worker). Failures that a retry cannot fix,
  i.e. a bad input file or failed data-quality checks, fail at once (``AirflowFailException``) and
  leave their one-line message in XCom (key ``pipeline_error``) for whoever started the run; dbt
  test tasks do not retry either.
- Fault injection for tests: ``LC_FAIL_ONCE`` names core steps (``core/faults.py``) that fail
  once per output folder; the task's retry then goes through.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import CronTriggerTimetable, Param, chain, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import PRODUCER_WATCHER_TASK_ID, ExecutionMode, InvocationMode, LoadMode, TestBehavior
from cosmos.operators.local import DbtBuildLocalOperator, DbtRunLocalOperator, DbtTestLocalOperator
from cosmos.operators.watcher import DbtConsumerWatcherSensor

from core.engine import RunEngine, resolve_engine
from core.errors import PERMANENT_ERRORS
from core.export import QUALITY_REPORT_TABLES, export_table, write_quality_report
from core.ingest import check_inputs as check_input_files
from core.ingest import ingest_file, input_path, read_header
from core.layout import ACCOUNTS, CUSTOMERS, INPUT_FILES, OUTPUT_TABLES, RAW_SCHEMA, InputFile
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV, env_path
from core.transform import DBT_PROJECT_DIR
from core.warehouse import connect, warehouse_path
from impl_airflow.alerts import alert_on_failure
from impl_airflow.assets import (
    INPUT_FILE_ASSETS,
    MART_TABLE_ASSETS,
    OUTPUT_FILE_ASSETS,
    QUALITY_REPORT_ASSET,
    RAW_TABLE_ASSETS,
    TABLE_ASSETS,
)
from impl_airflow.config import (
    COSMOS_EXECUTION_MODE_ENV,
    COSMOS_TEST_BEHAVIOR_ENV,
    DAG_ID,
    DBT_MANIFEST,
    DEFAULT_INPUT_DIR,
    DEFAULT_OUTPUT_DIR,
    DEFAULT_RETRY_DELAY_SECONDS,
    PIPELINE_ERROR_KEY,
    RETRY_DELAY_ENV,
)

if not DBT_MANIFEST.is_file():
    # Fail the import with the fix in the message rather than with cosmos's generic error.
    raise FileNotFoundError(
        f"{DBT_MANIFEST} not found: build it first with `python -m impl_airflow.launch.manifest` "
        "(impl_airflow.launch.pipeline.run does it for you)"
    )


# --- helpers ------------------------------------------------------------------------------------


@contextmanager
def fail_without_retry_on_bad_data() -> Iterator[None]:
    """Bad input or failed checks: record the message in XCom and fail now; a retry cannot help."""
    try:
        yield
    except PERMANENT_ERRORS as error:
        get_current_context()["ti"].xcom_push(
            key=PIPELINE_ERROR_KEY, value={"type": type(error).__name__, "message": str(error)}
        )
        raise AirflowFailException(str(error)) from error


def _retry_delay() -> timedelta:
    return timedelta(seconds=float(os.environ.get(RETRY_DELAY_ENV) or DEFAULT_RETRY_DELAY_SECONDS))


DBT_ENGINE = resolve_engine()
EXECUTION_MODE = ExecutionMode(os.environ.get(COSMOS_EXECUTION_MODE_ENV) or ExecutionMode.LOCAL.value)


def _warehouse(paths: dict[str, str]) -> Path:
    return Path(paths["warehouse"])


def _engine(paths: dict[str, str]) -> RunEngine:
    return RunEngine(DBT_ENGINE, Path(paths["output_dir"]))


def _from_check_inputs(variable: str) -> str:
    """A dbt task's environment variable, templated from what ``check_inputs`` returned for this run."""
    return f"{{{{ ti.xcom_pull(task_ids='check_inputs')['dbt_env']['{variable}'] }}}}"


# --- the DAG ------------------------------------------------------------------------------------


@dag(
    dag_id=DAG_ID,
    description="LendingClub pipeline: CSV ingestion, dbt transformations, exports and quality report",
    # Every day at 06:00 UTC on the configured folders, once the DAG is unpaused (new DAGs start paused);
    # on demand from the UI, the CLI or impl_airflow.launch.pipeline.run; per new input folder (lc_landing).
    # No start_date: the first run waits for the next 06:00 (with a past start_date Airflow would run
    # the latest missed one as soon as the DAG is unpaused).
    schedule=CronTriggerTimetable("0 6 * * *", timezone="UTC"),
    catchup=False,
    max_active_runs=1,
    max_active_tasks=1,  # one DuckDB writer at a time
    tags=["lending-club", "dbt", "duckdb"],
    doc_md=__doc__,
    params={
        "input_dir": Param(
            str(env_path(INPUT_DIR_ENV, DEFAULT_INPUT_DIR)),
            type="string",
            minLength=1,
            title="Input folder",
            description="Folder holding customers.csv and accounts.csv.",
        ),
        "output_dir": Param(
            str(env_path(OUTPUT_DIR_ENV, DEFAULT_OUTPUT_DIR)),
            type="string",
            minLength=1,
            title="Output folder",
            description="Folder for the warehouse (warehouse.duckdb) and the output files.",
        ),
    },
    default_args={
        "owner": "data-platform",
        "retries": 2,
        "retry_delay": _retry_delay(),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(hours=2),
        "on_failure_callback": alert_on_failure,
    },
)
def lc_pipeline() -> None:
    @task(inlets=list(INPUT_FILE_ASSETS.values()))
    def check_inputs() -> dict[str, Any]:
        """Check both input files (readable, UTF-8, required headers) before anything is written."""
        params = get_current_context()["params"]
        input_dir = Path(params["input_dir"]).resolve()
        output_dir = Path(params["output_dir"]).resolve()
        with fail_without_retry_on_bad_data():
            check_input_files(input_dir, INPUT_FILES)
        output_dir.mkdir(parents=True, exist_ok=True)
        return {
            "input_dir": str(input_dir),
            "output_dir": str(output_dir),
            "warehouse": str(warehouse_path(output_dir)),
            "dbt_env": RunEngine(DBT_ENGINE, output_dir).dbt_environment(),
        }

    @task
    def ingest(spec_name: str, paths: dict[str, str]) -> dict[str, Any]:
        """Load one input file into its raw table (replaced only once the new one is whole)."""
        spec: InputFile = next(s for s in INPUT_FILES if s.name == spec_name)
        with fail_without_retry_on_bad_data():
            header = read_header(input_path(Path(paths["input_dir"]), spec), spec)
            with connect(_warehouse(paths)) as con:
                result = ingest_file(con, header, spec)
                _engine(paths).land(con, spec)  # on Spark: the table as Parquet, where dbt reads it
        facts: dict[str, Any] = {
            "table": result.table,
            "rows": result.rows,
            "malformed_rows": result.malformed_rows,
            "reader": result.reader,
            "source": str(header.path),
            "warehouse": paths["warehouse"],
        }
        get_current_context()["outlet_events"][RAW_TABLE_ASSETS[spec.name]].extra = facts
        return facts

    @task
    def export(table_name: str, paths: dict[str, str]) -> list[str]:
        """Write one mart table to its files (CSV and/or Parquet), ordered by its key."""
        table = next(t for t in OUTPUT_TABLES if t.table == table_name)
        with connect(_warehouse(paths)) as con:
            _engine(paths).publish(con)  # on Spark: a DuckDB view of each table Spark wrote
            exported = export_table(con, table, Path(paths["output_dir"]))
        outlet_events = get_current_context()["outlet_events"]
        for asset, path in zip(OUTPUT_FILE_ASSETS[table.table], exported.files):
            outlet_events[asset].extra = {"path": str(path), "rows": exported.rows}
        return [str(path) for path in exported.files]

    # Inlets: the tables its checks read (core.export.QUALITY_REPORT_TABLES) that have an Asset.
    @task(
        inlets=[TABLE_ASSETS[table] for table in QUALITY_REPORT_TABLES if table in TABLE_ASSETS],
        outlets=[QUALITY_REPORT_ASSET],
    )
    def quality_report(paths: dict[str, str]) -> dict[str, Any]:
        """Write quality_report.json; fail (without retry) if a data-quality check failed."""
        with fail_without_retry_on_bad_data(), connect(_warehouse(paths)) as con:
            _engine(paths).publish(con)
            report = write_quality_report(con, Path(paths["output_dir"]))
        get_current_context()["outlet_events"][QUALITY_REPORT_ASSET].extra = {
            "path": str(Path(paths["output_dir"]) / "quality_report.json"),
            "all_checks_passed": report["all_checks_passed"],
        }
        return {"all_checks_passed": report["all_checks_passed"], "outputs": report["outputs"]}

    paths = check_inputs()
    ingested = [
        ingest.override(
            task_id=f"ingest_{spec.raw_table}",
            inlets=[INPUT_FILE_ASSETS[spec.name]],
            outlets=[RAW_TABLE_ASSETS[spec.name]],
        )(spec.name, paths)
        for spec in (CUSTOMERS, ACCOUNTS)  # the baseline's order
    ]

    transform = DbtTaskGroup(
        group_id="transform",
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR,
            manifest_path=DBT_MANIFEST,
            install_dbt_deps=False,  # the project has no packages
        ),
        profile_config=ProfileConfig(
            profile_name="lc_pipeline",
            target_name=DBT_ENGINE,  # the targets of dbt/profiles.yml are named after the engines
            profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",  # reads LC_WAREHOUSE_PATH
        ),
        execution_config=ExecutionConfig(
            execution_mode=EXECUTION_MODE,
            invocation_mode=InvocationMode.DBT_RUNNER,  # dbt in the task's process: no dbt CLI start-up per task
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior(os.environ.get(COSMOS_TEST_BEHAVIOR_ENV) or TestBehavior.AFTER_EACH.value),
            # Reconciliation tests read several models: run them once all of those exist.
            should_detach_multiple_parents_tests=True,
            # Lineage is declared with the static Assets below. cosmos's own per-run Assets are
            # OpenLineage URIs built from the warehouse file path: a new set for every output
            # folder, and Airflow 3's URI rules reject that form anyway (cosmos warns).
            emit_datasets=False,
        ),
        operator_args={
            "env": {name: _from_check_inputs(name) for name in RunEngine.environment_names(DBT_ENGINE)},
            "append_env": True,
        },
    )
    _declare_dbt_lineage(transform)
    if EXECUTION_MODE is ExecutionMode.WATCHER:
        _watch_a_finished_build(transform)

    exports = [
        export.override(
            task_id=f"export_{table.table}",
            inlets=[MART_TABLE_ASSETS[table.table]],
            outlets=OUTPUT_FILE_ASSETS[table.table],
        )(table.table, paths)
        for table in OUTPUT_TABLES
    ]
    chain(paths, *ingested, transform, *exports, quality_report(paths))


def _declare_dbt_lineage(transform: DbtTaskGroup) -> None:
    """Wire the dbt tasks into the Asset graph, and keep dbt tests from retrying.

    A model that reads a raw table (a dbt source, per the manifest) has that table's Asset as its
    inlet; the run task of each exported model produces its mart table. A dbt test is a check on
    data already written: retrying it cannot change its verdict.
    """
    # a source's unique id is "source.<project>.<source name>.<table>"; our sources are raw.<table>
    raw_assets = {(RAW_SCHEMA, spec.raw_table): RAW_TABLE_ASSETS[spec.name] for spec in INPUT_FILES}
    for operator in transform.dag.tasks:
        if not operator.task_id.startswith(f"{transform.group_id}."):
            continue
        if isinstance(operator, DbtTestLocalOperator) or getattr(operator, "is_test_sensor", False):
            operator.retries = 0
        elif isinstance(operator, (DbtRunLocalOperator, DbtBuildLocalOperator)):
            # "transform.<model>.run" (after_each), "transform.<model>_model_build" (build)
            node = operator.extra_context["dbt_node_config"]
            model = node["resource_name"]
            sources = [tuple(dep.split(".")[-2:]) for dep in node["depends_on"] if dep.startswith("source.")]
            if read := [raw_assets[source] for source in sources if source in raw_assets]:
                operator.inlets = read
            if model in MART_TABLE_ASSETS:
                operator.outlets = [MART_TABLE_ASSETS[model]]


def _watch_a_finished_build(transform: DbtTaskGroup) -> None:
    """WATCHER mode as ``dag.test()`` can run it: the producer's one ``dbt build`` first, then the sensors.

    ``dag.test()`` runs one task at a time with no triggerer, so a sensor started before the producer
    would wait for it forever; here every sensor that would start with the producer runs after it
    and reads the result the build left. A failed build fails the run: the producer does not retry
    (a retry would skip the build and let the sensors pass on stale results).
    """
    group = {op.task_id: op for op in transform.dag.tasks if op.task_id.startswith(f"{transform.group_id}.")}
    producer = group[f"{transform.group_id}.{PRODUCER_WATCHER_TASK_ID}"]
    producer.retries = 0
    for operator in group.values():
        if isinstance(operator, DbtConsumerWatcherSensor):
            operator.poke_interval = 1
            if not set(operator.upstream_task_ids) & set(group):
                producer >> operator


lc_pipeline()
