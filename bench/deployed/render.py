"""The deployed section of the report: each tool's production stack, measured through its API, beside
its in-process runs of the same session."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from bench.deployed.results import CONCURRENT_RUNS, Crash, DeployedResult
from bench.report.context import ReportContext, markdown_table


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} s"


def _crash(crash: Crash | None) -> str:
    if crash is None:
        return "n/a"
    after = f", {_seconds(crash.finished_seconds)} after the kill" if crash.finished_seconds is not None else ""
    equal = {True: "outputs equal", False: "outputs differ", None: "no outputs to compare"}[crash.outputs_equal]
    retried = f"; {crash.retried_steps} step(s) retried" if crash.retried_steps else ""
    return f"{crash.killed} killed {crash.killed_after_seconds:.0f} s into the run: {crash.outcome}{after}{retried}; {equal}"


def _rows(ctx: ReportContext) -> list[tuple[str, Callable[[DeployedResult], str]]]:
    store = ctx.store

    def in_process(entry: DeployedResult) -> str:
        summary = store.runtime_summary(entry.tool, store.config.customers)
        return "not timed in this session" if summary is None else _seconds(summary["wall_seconds"]["median"])

    def gaps(entry: DeployedResult) -> str:
        g = entry.gaps
        if g is None:
            return "n/a"
        return f"{g.steps} steps, {len(g.gaps)} gaps: median {_seconds(g.median)}, p95 {_seconds(g.p95)}, total {_seconds(g.total)}"

    def idle(entry: DeployedResult) -> str:
        i = entry.idle
        if i is None:
            return "n/a"
        pss = f" (PSS {statistics.median(i.pss_mib_samples):,.0f} MiB)" if i.pss_mib_samples else ""
        return f"{i.rss_mib:,.0f} MiB{pss} in {i.processes} processes; {i.cpu_seconds_per_minute:.1f} CPU s/min"

    def at_once(entry: DeployedResult) -> str:
        c = entry.concurrency
        if c is None:
            return "n/a"
        return f"{c.succeeded}/{c.runs} succeeded, {c.lock_errors} lock errors, drained in {_seconds(c.drain_seconds)}"

    return [
        ("processes", lambda e: ", ".join(e.services) or "n/a"),
        ("stack start-up", lambda e: _seconds(e.startup_seconds)),
        ("trigger to run start (median)", lambda e: _seconds(e.median("trigger_to_start"))),
        ("trigger to done (median)", lambda e: _seconds(e.median("trigger_to_done"))),
        ("in-process run, wall time (runtime section, median)", in_process),
        ("between steps (tool's records)", gaps),
        ("first step after run start", lambda e: _seconds(e.gaps.first_step_delay if e.gaps else None)),
        ("file landed to run start", lambda e: _seconds(e.file_arrival_to_start)),
        ("idle cost", idle),
        (f"{CONCURRENT_RUNS} runs at once", at_once),
        ("crash of what starts runs", lambda e: _crash(e.crash)),
        ("crash of the run's work process", lambda e: _crash(e.worker_crash)),
        ("deployed outputs equal in-process outputs", lambda e: f"{e.outputs_equal}/{e.outputs_compared} runs"),
    ]


def section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines = ["", "## Deployed: each tool's production stack", ""]
    if not store.deployed:
        return lines + ["Not measured in this run (`pytest bench --deployed`)."]
    cfg = store.config
    lines += [
        f"Each tool's stack as `make deploy-<tool>` starts it (PostgreSQL as its metadata store, its own "
        f"long-running processes; `docs/deploy.md`), one stack at a time, on {cfg.customers:,} customers, "
        f"observed through the tool's own API (Dagster GraphQL, Airflow and Prefect REST). {cfg.rounds} "
        "triggered round(s) per tool; times are the tool's own records of each run's start and end, minus the "
        "moment the harness triggered it. A gap between steps is time in which no step of the run was running "
        "(one rule for every tool, `bench/deployed/results.py`). The crash kills, with SIGKILL, the process "
        "that starts runs once the run's first step has finished, and starts it again at once; a second run's "
        "work process (the outermost process started for the run above one holding its warehouse open: "
        "Dagster's run worker, Airflow's task supervisor, Prefect's flow-run process) is killed with everything "
        "it started once its work is under way. A run not finished 10 minutes after a kill is counted lost.",
        "",
    ]
    tools = [tool for tool in ("dagster", "airflow", "airflow-watcher", "prefect") if tool in store.deployed]
    rows = [[label, *(cell(store.deployed[tool]) for tool in tools)] for label, cell in _rows(ctx)]
    lines += markdown_table(["", *tools], rows)
    if "airflow-watcher" in tools:
        lines += [
            "",
            "`airflow-watcher`: the same Airflow stack with cosmos `ExecutionMode.WATCHER` "
            "(`LC_COSMOS_EXECUTION_MODE=watcher` in every process): one producer task runs the whole `dbt build`, "
            "a sensor per model waits in the triggerer for its result. Shown beside the shipped mode; the "
            "Production deployment row judges shipped modes only.",
        ]
    stopped = {tool: store.deployed[tool].error for tool in tools if store.deployed[tool].error}
    if stopped:
        lines += ["", "Stopped short (the figures above are what was measured before):", ""]
        lines += [f"- {tool}: `{error.splitlines()[0]}`" for tool, error in stopped.items()]
    differing = [f"- {tool}: {d}" for tool in tools for d in store.deployed[tool].differences[:5]]
    if differing:
        lines += ["", "Outputs that differ:", "", *differing]
    return lines
