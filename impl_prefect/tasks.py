"""The pipeline's steps as Prefect tasks: each is one call into ``core`` (or dbt); none transforms data.

Every task retries transient failures (a locked warehouse file, a flaky disk) and never retries a
permanent one: bad input (:class:`PipelineInputError`) or a failed reconciliation
(:class:`QualityCheckFailed`) fail the same way every time. Results are not persisted and never
cached: every task writes to the warehouse or the output folder, so a run always does the work.

Tasks that write a table or a file are materializing tasks, so Prefect records asset lineage:
``raw.customers``/``raw.accounts`` -> the dbt models (one task per dbt node, from prefect-dbt) ->
the output files. The quality report is also published as artifacts.

Retries are exercised with core's fault injection (``LC_FAIL_ONCE``, ``core/faults.py``): the named
core step fails once, after doing its work and before it becomes visible; the retry goes through.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.assets import Asset, add_asset_metadata, materialize
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.logging import get_run_logger
from prefect.tasks import MaterializingTask, Task
from prefect_dbt import PrefectDbtRunner, PrefectDbtSettings
from prefect_dbt.core._orchestrator import ExecutionMode, PrefectDbtOrchestrator
from prefect_dbt.utilities import format_resource_id

from core.engine import DEFAULT_ENGINE, Engine, RunEngine
from core.environment import scoped_environ
from core.errors import PERMANENT_ERRORS, QualityCheckFailed
from core.export import QUALITY_REPORT_TABLES, export_table, write_quality_report
from core.ingest import Header, LoadResult, ingest_file
from core.ingest import check_inputs as check_input_headers
from core.layout import INPUT_FILES, QUALITY_REPORT, InputFile, OutputTable
from core.settings import dbt_target_dir
from core.transform import DBT_PROJECT_DIR, raise_for_failed_nodes, raise_for_failures, run_dbt
from core.warehouse import connect, warehouse_path
from impl_prefect.assets import file_asset, raw_table_asset

# How dbt runs inside the dbt_build task: "prefect-dbt" (the default: PrefectDbtRunner, one `dbt build`
# reporting a task run and an asset per dbt node), "per-node" (prefect-dbt's PrefectDbtOrchestrator:
# a dbt invocation per node, each its own Prefect task) or "dbt" (one plain dbt invocation, no task
# run per node). The harness measures the other two beside the default (bench/variants.py).
DBT_RUNNER_ENV = "LC_PREFECT_DBT_RUNNER"


@dataclass(frozen=True)
class RunConfig:
    """Where one flow run reads and writes."""

    input_dir: Path
    output_dir: Path
    engine: Engine = DEFAULT_ENGINE

    @property
    def dbt_engine(self) -> RunEngine:
        return RunEngine(self.engine, self.output_dir)

    @property
    def warehouse(self) -> Path:
        return warehouse_path(self.output_dir)

    @property
    def dbt_target(self) -> Path:
        return dbt_target_dir(self.output_dir)


def retry_unless_permanent(task: Task, task_run: TaskRun, state: State) -> bool:
    """``retry_condition_fn``: retry anything but bad input and failed quality checks."""
    try:
        state.result()
    except PERMANENT_ERRORS:
        return False
    except Exception:
        return True
    return True


TASK_OPTIONS: dict[str, Any] = {
    "retries": 2,
    "retry_delay_seconds": 2,
    "retry_condition_fn": retry_unless_permanent,
    "cache_policy": NO_CACHE,
    "persist_result": False,
}


# --- check inputs -------------------------------------------------------------------------------


@task(name="check_inputs", description="Check both input files' headers before anything is written.", **TASK_OPTIONS)
def check_inputs(config: RunConfig) -> dict[str, Header]:
    return check_input_headers(config.input_dir, INPUT_FILES)


# --- ingest: one materializing task per raw table ------------------------------------------------


def _ingest(config: RunConfig, header: Header, spec: InputFile) -> LoadResult:
    with connect(config.warehouse) as con:
        result = ingest_file(con, header, spec)
        config.dbt_engine.land(con, spec)  # on Spark: the table as Parquet, where dbt reads it
    add_asset_metadata(
        raw_table_asset(spec),
        {
            "file": str(header.path),
            "rows": result.rows,
            "malformed_rows": result.malformed_rows,
            "reader": result.reader,
            "warehouse": str(config.warehouse),
        },
    )
    get_run_logger().info(
        "%s: %s rows into %s (%s malformed, %s reader)",
        spec.name,
        f"{result.rows:,}",
        result.table,
        f"{result.malformed_rows:,}",
        result.reader,
    )
    return result


def ingest_task(spec: InputFile) -> MaterializingTask:
    """The ingestion task of one file: it reads the input file's asset and materializes the raw table's."""
    return materialize(
        raw_table_asset(spec),
        asset_deps=[file_asset("input", spec.name, f"The input file {spec.name}.")],
        by="duckdb",
        name=f"ingest_{spec.raw_table}",
        description=f"Load {spec.name} into {raw_table_asset(spec).properties.name}, text unchanged.",
        **TASK_OPTIONS,
    )(_ingest)


# --- dbt build: prefect-dbt makes a task run (and an asset) per dbt node ---------------------------


@task(name="dbt_build", description="dbt build (models and tests), one task run per dbt node.", **TASK_OPTIONS)
def dbt_build(config: RunConfig, raw_tables: Sequence[LoadResult]) -> dict[str, Asset]:
    """Run ``dbt build`` (through ``PrefectDbtRunner`` unless ``LC_PREFECT_DBT_RUNNER=dbt``); return
    each model's asset, by model name, from the manifest the run wrote.

    ``raw_tables`` is what the ingestion tasks loaded: passing it makes their edge to this task.
    """
    engine = config.dbt_engine
    runner = os.environ.get(DBT_RUNNER_ENV, "prefect-dbt")
    if runner == "dbt":
        run_dbt(["build"], config.warehouse, config.dbt_target, spark=engine.spark)
    else:
        engine.start()  # on Spark: the session dbt-spark finds in this process
        settings = PrefectDbtSettings(
            project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target_path=config.dbt_target
        )
        with scoped_environ(engine.dbt_environment()):  # profiles.yml reads the warehouse path and target
            if runner == "per-node":
                _build_node_by_node(settings, config.dbt_target)
            else:
                result = PrefectDbtRunner(
                    settings=settings,
                    raise_on_failure=False,  # failed nodes are named as core.transform.run_dbt names them
                ).invoke(["build", "--log-path", str(config.dbt_target / "logs")])
                raise_for_failures(result, ["build"])
    with connect(config.warehouse) as con:
        engine.publish(con)  # on Spark: a DuckDB view of each table Spark wrote
    manifest = json.loads((config.dbt_target / "manifest.json").read_text(encoding="utf-8"))
    adapter = manifest["metadata"]["adapter_type"]
    return {
        node["name"]: Asset(key=format_resource_id(adapter, node["relation_name"]))
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["relation_name"]
    }


def _build_node_by_node(settings: PrefectDbtSettings, target: Path) -> None:
    """``dbt build`` as prefect-dbt's orchestrator runs it per node: a Prefect task and a dbt
    invocation for each model and test, in dependency order.

    One node at a time (``concurrency=1``): DuckDB lets one process write the warehouse file, and the
    worker processes are separate ones. A node is not retried on its own: the dbt_build task retries.
    """
    orchestrator = PrefectDbtOrchestrator(
        settings=settings,
        execution_mode=ExecutionMode.PER_NODE,
        concurrency=1,
        write_run_results=True,  # dbt's own record, read back to name what failed
        raise_on_failure=False,
    )
    orchestrator.run_build()
    raise_for_failed_nodes(target, ["build"])


# --- exports and the quality report: built per run, as the models' assets come from its manifest --


def _output_file_asset(name: str, description: str = "") -> Asset:
    return file_asset("output", name, description)


def _export(config: RunConfig, table: OutputTable, model: Asset) -> list[Path]:
    """Write one table's files. ``model`` is the dbt model's asset (the edge from dbt_build)."""
    with connect(config.warehouse) as con:
        exported = export_table(con, table, config.output_dir)
    for path in exported.files:
        metadata = {"path": str(path), "rows": exported.rows, "bytes": path.stat().st_size}
        add_asset_metadata(_output_file_asset(path.name), metadata)
    return exported.files


def export_task(table: OutputTable, model: Asset) -> MaterializingTask:
    """The task writing one table's files, materializing each file from the dbt model."""
    return materialize(
        *(
            _output_file_asset(f"{table.table}.{fmt}", f"{table.table} as {fmt.upper()}, ordered by {table.order_by}.")
            for fmt in table.formats
        ),
        asset_deps=[model],
        by="duckdb",
        name=f"export_{table.table}",
        description=f"Write {table.table} to {', '.join(table.formats)}.",
        **TASK_OPTIONS,
    )(_export)


# The dbt models among the tables the report's checks read (raw tables are assets of their own).
REPORT_MODELS = tuple(table for table in QUALITY_REPORT_TABLES if "." not in table)


def _quality_report(config: RunConfig, exports: Sequence[Sequence[Path]]) -> dict[str, Any]:
    """Write quality_report.json and publish it as artifacts, passed or not; raise if a check failed.

    ``exports`` are the files the export tasks wrote (the edges from them).
    """
    report_path = config.output_dir / QUALITY_REPORT
    with connect(config.warehouse) as con:
        try:
            report = write_quality_report(con, config.output_dir)
        except QualityCheckFailed:
            _publish_report(json.loads(report_path.read_text(encoding="utf-8")))
            raise
    _publish_report(report)
    add_asset_metadata(
        _output_file_asset(QUALITY_REPORT),
        {"path": str(report_path), "all_checks_passed": report["all_checks_passed"], **report["outputs"]},
    )
    return report


def quality_report_task(models: dict[str, Asset]) -> MaterializingTask:
    return materialize(
        _output_file_asset(QUALITY_REPORT, "Rows read, clean and quarantined per file; every reconciliation check."),
        asset_deps=[
            *(raw_table_asset(spec) for spec in INPUT_FILES),
            *(models[name] for name in REPORT_MODELS if name in models),
        ],
        by="duckdb",
        name="quality_report",
        description="Write quality_report.json; publish it as artifacts.",
        **TASK_OPTIONS,
    )(_quality_report)


def _publish_report(report: dict[str, Any]) -> None:
    """The quality report as two artifacts: the checks as a table, the counts as markdown."""
    passed = sum(check["passed"] for check in report["checks"])
    create_table_artifact(
        key="lc-quality-checks",
        table=[{"check": c["name"], "passed": c["passed"], "detail": c["detail"]} for c in report["checks"]],
        description=f"Data-quality checks: {passed}/{len(report['checks'])} passed.",
    )
    lines = ["# Quality report", "", f"**Checks:** {passed}/{len(report['checks'])} passed.", ""]
    for name, counts in report["files"].items():
        lines += [
            f"## {name}",
            "",
            f"{counts['rows_read']:,} read = {counts['clean']:,} clean + {counts['quarantined']:,} quarantined",
            "",
            "| reason | rows |",
            "| --- | ---: |",
            *(f"| {reason} | {rows:,} |" for reason, rows in counts["quarantined_by_reason"].items()),
            "",
        ]
    lines += [
        "## Outputs",
        "",
        "| table | rows |",
        "| --- | ---: |",
        *(f"| {table} | {rows:,} |" for table, rows in report["outputs"].items()),
    ]
    create_markdown_artifact(key="lc-quality-report", markdown="\n".join(lines), description="quality_report.json")
