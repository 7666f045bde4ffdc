"""The engines section of the report: the dbt project on DuckDB and on Spark."""

from __future__ import annotations

from bench.engines.results import EngineRun
from bench.report.context import ReportContext, markdown_table

HEADERS = (
    "implementation",
    "engine",
    "wall time",
    "pipeline time in-process",
    "peak memory, process tree",
    "processes",
    "outputs",
)


def _row(run: EngineRun) -> list[str]:
    if not run.ok:
        return [run.implementation, run.engine, f"**failed**: {run.error}", "", "", "", ""]
    if run.engine == "duckdb":
        outputs = "reference"
    elif run.differences is None:
        outputs = "not compared"
    elif not run.differences:
        outputs = "equal to DuckDB's"
    else:
        outputs = "**differ**: " + "; ".join(f"{d['file']}: {d['problem']}" for d in run.differences)
    return [
        run.implementation,
        run.engine,
        f"{run.wall_seconds:.1f} s",
        f"{run.pipeline_seconds:.1f} s",
        f"{run.peak_tree_rss_mib:.0f} MiB",
        str(run.max_processes),
        outputs,
    ]


def section(ctx: ReportContext) -> list[str]:
    lines = ["", "## Engines: the dbt project on DuckDB and on Spark", ""]
    engines = ctx.store.engines
    if not engines.runs:
        return lines + [f"Not measured in this run ({engines.skipped or 'not selected'})."]
    size = next(iter(engines.runs.values())).customers
    lines += [
        f"At {size:,} customers, one round per row, each in a new process (`LC_ENGINE`): plain scripts on both "
        "engines (the engine's own cost), then every orchestrator with dbt on Spark. Spark is a local session "
        "(`local[2]`, C1 JIT, 1 GiB driver) started by the run. Peak memory is the largest sum of resident memory "
        "over the run's whole process tree (Python driver, Spark's JVM), sampled every 0.2 s: the JVM is a child "
        "nobody waits for, so the runtime table's figure misses it. One round on a shared 2-core machine: timings "
        "are noisy.",
        "",
    ]
    return lines + markdown_table(HEADERS, (_row(run) for run in engines.runs.values()))
