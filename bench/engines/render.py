"""The engines section of the report: the dbt project on DuckDB and on Spark."""

from __future__ import annotations

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


def section(ctx: ReportContext) -> list[str]:
    """dbt on DuckDB and on Spark, side by side: time, peak memory of the process tree, equal outputs."""
    store = ctx.store
    lines = ["", "## Engines: the dbt project on DuckDB and on Spark", ""]
    runs: dict[str, dict] = store.engines.get("runs") or {}
    if not runs:
        return lines + [f"Not measured in this run ({store.engines.get('skipped', 'not selected')})."]
    size = next(iter(runs.values()))["customers"]
    lines += [
        f"At {size:,} customers, one round per row, each in a new process (`LC_ENGINE`): plain scripts on both "
        "engines (the engine's own cost), then every orchestrator with dbt on Spark. Spark is a local session "
        "(`local[2]`, C1 JIT, 1 GiB driver) started by the run. Peak memory is the largest sum of resident memory "
        "over the run's whole process tree (Python driver, Spark's JVM), sampled every 0.2 s: the JVM is a child "
        "nobody waits for, so the runtime table's figure misses it. One round on a shared 2-core machine: timings "
        "are noisy.",
        "",
    ]
    rows: list[list[str]] = []
    for run in runs.values():
        if not run["ok"]:
            rows.append([run["implementation"], run["engine"], f"**failed**: {run.get('error')}", "", "", "", ""])
            continue
        equality = run.get("equality")
        outputs = (
            "reference"
            if run["engine"] == "duckdb"
            else "not compared"
            if equality is None
            else "equal to DuckDB's"
            if equality["equal"]
            else f"**differ**: {'; '.join(d['file'] + ': ' + d['problem'] for d in equality['differences'])}"
        )
        rows.append(
            [
                run["implementation"],
                run["engine"],
                f"{run['wall_seconds']:.1f} s",
                f"{run['pipeline_seconds']:.1f} s",
                f"{run['peak_tree_rss_mib']:.0f} MiB",
                str(run["max_processes"]),
                outputs,
            ]
        )
    return lines + markdown_table(HEADERS, rows)
