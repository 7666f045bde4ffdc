"""The runtime section of the report: cold and warm rounds, overhead, the limit, each tool's floor, the targets."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.floor import floor_of
from bench.measure import BUSY_CPU_PERCENT, SAMPLE_SECONDS
from bench.report.context import ReportContext, markdown_table
from bench.runtime.targets import target_rows
from bench.store import Store
from core.settings import dbt_target_dir

RUNTIME_HEADERS = (
    "implementation",
    "cold: wall time, median (min–max)",
    "warm: wall time, median",
    "first-run cost (cold − warm)",
    "pipeline time in-process",
    "import of the impl module",
    "overhead vs scripts (cold wall)",
    "× the limit",
    "× core-sql",
    "peak memory: run process",
    "peak memory: process tree (sampled)",
)


def _wall_range(summary: dict) -> str:
    """A summary's median wall time with its range and rounds: ``12.3 s (11.0–13.1, 2 rounds)``."""
    wall = summary["wall_seconds"]
    busy = f"; {summary['busy_rounds']} on a busy machine" if summary["busy_rounds"] else ""
    rounds = f"{summary['rounds']} round{'s' if summary['rounds'] != 1 else ''}{busy}"
    return f"{wall['median']:.1f} s ({wall['min']:.1f}–{wall['max']:.1f}, {rounds})"


def _runtime_row(store: Store, implementation: str, size: int) -> list[str]:
    summary = store.runtime_summary(implementation, size)
    if summary is None:
        why = store.failures.get(implementation, "did not run")
        return [implementation, f"**failed or not run**: {why}", *[""] * (len(RUNTIME_HEADERS) - 2)]
    pipe, imp = summary["pipeline_seconds"], summary["import_seconds"]
    warm = store.runtime_summary(implementation, size, "warm")
    cost = store.fresh_state_cost(implementation, size)
    overhead = store.overhead(implementation, size)
    over = (
        "baseline"
        if implementation == "scripts"
        else (f"{overhead['wall_seconds']:+.1f} s ({overhead['wall_ratio']:.2f}x)" if overhead else "n/a")
    )
    ratios = [store.ratio_to_limit(implementation, size, yardstick) for yardstick in ("limit", "core-sql")]
    return [
        implementation,
        _wall_range(summary),
        f"{warm['wall_seconds']['median']:.1f} s ({warm['rounds']} rounds)" if warm else "not timed",
        f"{cost:+.1f} s" if cost is not None else "n/a",
        f"{pipe['median']:.1f} s",
        f"{imp['median']:.1f} s",
        over,
        *(f"{ratio:.2f}x" if ratio else "n/a" for ratio in ratios),
        f"{summary['peak_rss_mib']:.0f} MiB",
        f"{summary['peak_tree_rss_mib']:.0f} MiB",
    ]


def runtime_rows(store: Store, size: int) -> list[str]:
    """One row per target timed at ``size``: the tools' other modes are timed at the main size only."""
    from bench.variants import VARIANTS

    main = size == store.config.customers
    timed = [name for name in store.timed() if main or name not in VARIANTS]
    return markdown_table(RUNTIME_HEADERS, (_runtime_row(store, name, size) for name in timed))


FLOOR_HEADERS = (
    "tool",
    "floor, cold: wall time, median (min–max)",
    "floor, warm",
    "ours over the floor, cold (of ours)",
    "ours over the floor, warm (of ours)",
    "floor: peak memory, process tree",
)


def _floor_row(store: Store, tool: str) -> list[str]:
    cold, warm = store.floor_summary(tool), store.floor_summary(tool, "warm")
    if cold is None:
        why = store.failures.get(f"{floor_of(tool)} (cold)", "did not run")
        return [tool, f"**failed or not run**: {why}", *[""] * (len(FLOOR_HEADERS) - 2)]

    def over(mode: str) -> str:
        seconds, ours = store.over_floor(tool, mode), store.median_wall(tool, store.config.customers, mode)
        return "n/a" if seconds is None or ours is None else f"{seconds:+.1f} s (of {ours:.1f} s)"

    return [
        tool,
        _wall_range(cold),
        _wall_range(warm) if warm else "not timed",
        over("cold"),
        over("warm"),
        f"{cold['peak_tree_rss_mib']:.0f} MiB",
    ]


def floor_rows(store: Store) -> list[str]:
    """Per tool, its floor (cold and warm) and our implementation's wall time over it."""
    timed = [tool for tool in store.config.implementations if (floor_of(tool), store.config.customers) in store.runs]
    if not timed:
        return []
    return [
        "",
        "### Each tool's floor",
        "",
        "A tool's floor is its hello world (`bench/floor/`: one Dagster asset, one Airflow DAG with one task, one "
        "Prefect flow, one Python function, each writing one small file), started by the same runner and through "
        "our own launcher, with only the definitions swapped: Dagster's in-process execution recorded in a new "
        "local SQLite instance in the run's folder; Airflow's child process, a new SQLite metadata DB migrated, "
        "the DAG serialized, then `dag.test()`; Prefect's temporary server on a new SQLite database (warm: a "
        "`prefect server start` already up); plain scripts, a Python process that writes one file. It is timed "
        "in the same interleaved cold and warm rounds as ours, at the main size (it ignores the input). The floor "
        "is what any pipeline pays for the tool here; *ours over the floor* (our median minus the floor's, of our "
        "median) is what our pipeline costs on top: its work, dbt, and the tool's cost per asset or task.",
        "",
        *markdown_table(FLOOR_HEADERS, (_floor_row(store, tool) for tool in timed)),
    ]


def _timed_environment(store: Store) -> list[str]:
    """How the rounds were taken: order, environment, and the machine's load before each."""
    env = store.environment
    rounds = [m for ms in store.runs.values() for m in ms]
    busy = [m for m in rounds if m.busy]
    loads = [m.load_before for m in rounds if m.load_before is not None]
    inherited = ", ".join(f"`{name}`" for name in env.get("not_inherited", [])) or "none were set"
    return [
        "",
        "### How the rounds were taken",
        "",
        f"- Rounds are interleaved across implementations (one round of each, then the next round of each), "
        f"cold rounds first, then (except in quick mode) warm ones. Every timed process starts with this shell's environment minus "
        f"any variable starting with {', '.join(f'`{p}`' for p in env.get('not_inherited_prefixes', []))} "
        f"(here: {inherited}); the harness sets only what a section names (e.g. `PREFECT_API_URL` for Prefect's warm rounds).",
        "- **Cold**: a new, empty output folder: each tool creates its state (Dagster's instance, Airflow's metadata DB "
        "and its migrations, Prefect's temporary server and database), and dbt parses the project in full. "
        "**Warm**: a second run into the folder a cold round left (instance, metadata DB and dbt's partial parse already "
        "there); for Prefect, a `prefect server start` already up and answering (`make prefect-ui`), started "
        "before and stopped after each of its warm rounds. *First-run cost* is the cold median minus the warm median.",
        f"- Before each round the 1-minute load average and the share of CPU busy over one second are recorded "
        f"(`results.json`, `runs`); the load average ranged {min(loads, default=0):.2f}–{max(loads, default=0):.2f} "
        f"(it decays over minutes, so it still carries the previous round's own work). A round that started with more "
        f"than {BUSY_CPU_PERCENT:.0f}% of the CPU busy is marked as taken on a busy machine: "
        f"{len(busy)} of {len(rounds)} here{'' if not busy else ' (' + ', '.join(f'{m.implementation} {m.mode} round {m.round_number}' for m in busy) + ')'}.",
        "- Peak memory, *run process*: the largest resident set (VmHWM) of the run process or of a child it waited "
        "for, read by the run itself. *Process tree*: the largest sum of the resident memory of the run's whole process "
        f"tree (Dagster's `dbt` subprocess, Prefect's temporary server, Spark's JVM), sampled every {SAMPLE_SECONDS} s "
        "from outside, so a peak shorter than that can be missed, and pages shared between processes count once per process.",
    ]


# What each of the tools' other modes is, and what its own test shows (bench/variants.py switches it).
OTHER_MODES = {
    "dagster-multiprocess": "Dagster on its default executor, `multiprocess_executor` (`LC_DAGSTER_EXECUTOR="
    "multiprocess`), instead of the `in_process_executor` our definitions set: each step (asset or asset check "
    "step) in a process of its own, which imports Dagster and loads our definitions again, one at a time "
    "(`max_concurrent: 1`: DuckDB lets one process write the file). A deployed Dagster runs this executor "
    "unless told otherwise.",
    "dagster-postgres": "Dagster's shipped run recorded in the instance of its deployment "
    "(`impl_dagster/deploy/dagster.yaml`: run and event storage on PostgreSQL, started by `bench/runtime/services.py` "
    "before the round with its tables made, as a deployment's are) instead of a new SQLite instance in the run's "
    "folder: what the run's events cost on the storage a team deploys.",
    "airflow-watcher": "Airflow with cosmos `ExecutionMode.WATCHER` (`LC_COSMOS_EXECUTION_MODE=watcher`): one "
    "producer task runs the whole `dbt build`, a sensor per model reports its result; under `dag.test()` (no "
    "triggerer) the sensors run once the producer is done, so this shows the cost of one dbt invocation "
    "instead of one per model, not the live per-model view a deployed triggerer gives. A failing dbt test "
    "fails its run (`tests/test_airflow.py`).",
    "airflow-cosmos-build": "Airflow with cosmos `TestBehavior.BUILD` (`LC_COSMOS_TEST_BEHAVIOR=build`): one "
    "`dbt build` task per model (the model and its tests) instead of a run task and a test task.",
    "prefect-per-node": "Prefect with prefect-dbt's `PrefectDbtOrchestrator` in `ExecutionMode.PER_NODE` "
    "(`LC_PREFECT_DBT_RUNNER=per-node`; the class is documented but still imported from a private module): Prefect, "
    "not dbt, walks the graph, and each dbt node is a Prefect task and a dbt invocation of its own, in a worker "
    "process, one at a time (`concurrency=1`: DuckDB lets one process write the file). A failing dbt test fails "
    "its run and skips what is downstream of it (`tests/test_prefect.py`).",
    "prefect-one-invoke": "Prefect with one plain dbt invocation in its `dbt_build` task (no task run per node).",
}
DBT_KINDS = ("model", "test", "unit_test")


def dbt_nodes_run(output_dir: Path) -> str | None:
    """What dbt ran in one run, by kind, beside what the project declares; None where the run kept no
    ``run_results.json`` of the whole build (cosmos writes one per task, in temporary folders).

    A mode that skips checks must say so: the figure comes from dbt's own records of the run.
    """
    target = dbt_target_dir(output_dir)
    try:
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return None
    declared = Counter(node["resource_type"] for node in manifest["nodes"].values())
    declared["unit_test"] = len(manifest.get("unit_tests", {}))
    ran = Counter(result["unique_id"].split(".")[0] for result in results)
    return ", ".join(f"{ran[kind]} of {declared[kind]} {kind.replace('_', ' ')}s" for kind in DBT_KINDS)


def _other_modes(store: Store) -> list[str]:
    """What the rows named after a tool's other integration mode are (``bench/variants.py``), and what
    dbt ran in each of them beside the shipped mode of the same tool."""
    from bench.variants import VARIANTS

    timed = [name for name in store.timed() if name in VARIANTS]
    if not timed:
        return []
    lines = [""]
    for name in timed:
        tool = VARIANTS[name][0]
        ran = {
            target: dbt_nodes_run(store.outputs[target]) if target in store.outputs else None for target in (tool, name)
        }
        recorded = "; ".join(f"{target}: {figure}" for target, figure in ran.items() if figure)
        lines.append(
            f"- `{name}`: {OTHER_MODES.get(name, 'another mode of ' + tool)} Cold rounds only."
            + (f" dbt ran ({recorded}; dbt's `run_results.json` of the run)." if recorded else "")
        )
    lines.append(
        "- Every ADR verdict reads the shipped modes: each tool's documented default way to run a dbt project "
        "(cosmos `ExecutionMode.LOCAL`, `PrefectDbtRunner`, `@dbt_assets` with `dbt build`), and for Dagster's "
        "executor the in-process one our definitions set (its fastest here, above). The rows above show what the "
        "tools' other documented modes cost or save on the same pipeline; their outputs are checked equal to scripts'."
    )
    return lines


def section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines: list[str] = []
    lines += [
        "",
        f"## Runtime and memory at {store.config.customers:,} customers",
        "",
        "End-to-end is a new process per round (imports and start-up included), as a user waits for it; "
        "pipeline time is `run()` inside that process; overhead is the median minus plain scripts'. "
        "Two yardsticks are timed beside them, their outputs checked equal to scripts': `limit` "
        "(`bench/runtime/limit.py`) writes the six output files from the input CSVs in one DuckDB pass, by hand, "
        "in memory (no warehouse file, no quality report, no checks), the least this machine can do for the same "
        "result; `core-sql` (`bench/runtime/core_sql.py`) is our own core plus the dbt models' compiled SQL on one "
        "DuckDB connection (core's ingestion, exports and quality report; no dbt runtime, no dbt tests, no "
        "orchestrator). × the limit and × core-sql are wall time over theirs: the first is what everything costs "
        "over the least possible, the second what dbt and the orchestrator cost over our own code.",
        "",
    ]
    lines += runtime_rows(store, store.config.customers)
    lines += _other_modes(store)
    lines += floor_rows(store)
    lines += _timed_environment(store)
    if "airflow" in store.config.implementations:
        lines += [
            "",
            "Airflow runs with `dag.test()` on a SQLite metadata DB (Airflow 3.3 builds its in-process "
            "execution API once per process), and `gc.freeze()` in `impl_airflow/launch/runner.py` against "
            "cosmos's full collection after every dbt call; without it its overhead is larger.",
        ]
    for size in store.config.scaling_sizes:
        lines += [
            "",
            f"### {size:,} customers",
            "",
            "The tools' other modes are timed at the main size only.",
            "",
        ]
        lines += runtime_rows(store, size)
    lines += [
        "",
        "### Performance targets",
        "",
        "From the rounds above and the data sets this session generated; "
        "where the time goes, and what was tried, is in docs/performance.md.",
        "",
    ] + target_rows(store)
    return lines


def charts(ctx: ReportContext) -> list[str]:
    """runtime.png (the main size) and scaling.png (every size timed); the names drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    store, out = ctx.store, ctx.out_dir
    made = []
    size = store.config.customers
    names = [i for i in store.timed() if store.runtime_summary(i, size)]
    if names:
        # Horizontal bars, first name on top: the variants' names are long and there are a dozen of them.
        fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(names)))
        walls = [store.runtime_summary(i, size)["wall_seconds"]["median"] for i in names]
        pipes = [store.runtime_summary(i, size)["pipeline_seconds"]["median"] for i in names]
        rows = range(len(names))
        ax.barh([y - 0.2 for y in rows], walls, height=0.4, label="end-to-end (new process)")
        ax.barh([y + 0.2 for y in rows], pipes, height=0.4, label="pipeline in-process")
        ax.set_yticks(rows, names)
        ax.invert_yaxis()
        ax.set_xlabel("seconds (median)")
        ax.set_title(f"Runtime at {size:,} customers")
        ax.legend(loc="lower right")
        fig.tight_layout()
        fig.savefig(out / "runtime.png", dpi=110)
        plt.close(fig)
        made.append("runtime.png")
    sizes = sorted({s for (_, s) in store.runs})
    if len(sizes) > 1:
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
        for implementation in store.timed():
            points = [(s, store.runtime_summary(implementation, s)) for s in sizes]
            points = [(s, m) for s, m in points if m]
            if points:
                left.plot(
                    [s for s, _ in points], [m["wall_seconds"]["median"] for _, m in points], "o-", label=implementation
                )
                right.plot([s for s, _ in points], [m["peak_rss_mib"] for _, m in points], "o-", label=implementation)
        for ax, label in ((left, "wall time, s"), (right, "peak memory, MiB")):
            ax.set_xscale("log")
            ax.set_xlabel("customers")
            ax.set_ylabel(label)
            ax.legend()
        fig.suptitle("Scaling with data size")
        fig.tight_layout()
        fig.savefig(out / "scaling.png", dpi=110)
        plt.close(fig)
        made.append("scaling.png")
    return made
