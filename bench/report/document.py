"""Write ``bench/results/``: report.md (ADR claims beside measured figures), results.json, charts.

Verdicts are computed here from the figures by the rules in :data:`CLAIMS`, never typed in, so a
reviewer who reruns the harness gets the verdicts their own figures support.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.measure import BUSY_CPU_PERCENT, SAMPLE_SECONDS, machine_info, provenance, tool_versions
from bench.model_scaling.render import model_scaling_charts, model_scaling_section
from bench.runtime.targets import target_rows
from bench.store import Store
from bench.timeline.steps import (
    PHASES_CHART,
    TIMELINE_CHART,
    Span,
    origin_in_wall_time,
    phase_breakdown,
    spans_from_dicts,
    timeline_charts,
    timeline_section,
)
from bench.ui.render import judge_local_development, ui_section
from bench.verdicts import NOT_MEASURABLE, REFUTED, SUPPORTED, Verdict
from testkit.bad_inputs import ORCHESTRATOR_CASES

# Bumped whenever a key of results.json changes meaning or moves; 2 added provenance, environment, warm rounds.
RESULTS_SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Claim:
    """One row of the ADR's comparison table, and the rule that judges it from the figures."""

    feature: str
    dagster_says: str
    airflow_says: str
    judge: Callable[[Store], Verdict]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _lineage_figure(store: Store, implementation: str, key: str) -> float | None:
    entry = store.lineage.get(implementation)
    return None if not entry else entry[key]


def _judge_mental_model(store: Store) -> Verdict:
    dagster, airflow = (_lineage_figure(store, i, "node_coverage") for i in ("dagster", "airflow"))
    evidence = (
        f"data products the tool records as first-class objects (share of the true graph's "
        f"{store.lineage.get('_truth', {}).get('nodes', '?')} nodes): Dagster {_pct(dagster)}, "
        f"Airflow {_pct(airflow)}"
    )
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)


def _judge_dbt(store: Store) -> Verdict:
    dagster, airflow = (store.lineage.get(i, {}).get("dbt_models_mapped") for i in ("dagster", "airflow"))
    total = store.lineage.get("_truth", {}).get("dbt_models")
    evidence = f"dbt models that became tool objects without per-model code: Dagster {dagster}/{total}, Airflow {airflow}/{total}"
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)


def _judge_lineage(store: Store) -> Verdict:
    dagster, airflow = (_lineage_figure(store, i, "edge_coverage") for i in ("dagster", "airflow"))
    evidence = f"true lineage edges known to the tool after a run: Dagster {_pct(dagster)}, Airflow {_pct(airflow)}"
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)


def _judge_types(store: Store) -> Verdict:
    typing = store.code_size.get("_typing", {})
    shares = {i: typing[i]["typed_share"] for i in ("dagster", "airflow") if typing.get(i)}
    errors = {i: typing[i].get("mypy_errors") for i in ("dagster", "airflow") if typing.get(i)}
    evidence = (
        f"share of expressions in the orchestration code that mypy types (not Any): "
        f"Dagster {_pct(shares.get('dagster'))}, Airflow {_pct(shares.get('airflow'))}; mypy errors {errors}"
    )
    if shares.get("dagster") is None or shares.get("airflow") is None:
        return Verdict(NOT_MEASURABLE, evidence)
    return Verdict(SUPPORTED if shares["dagster"] > shares["airflow"] else REFUTED, evidence)


def _not_measurable(why: str) -> Callable[[Store], Verdict]:
    return lambda store: Verdict(NOT_MEASURABLE, why)


def _judge_learning_curve(store: Store) -> Verdict:
    apis = {i: len(store.code_size[i]["framework_apis"]) for i in ("dagster", "airflow") if i in store.code_size}
    lines = {i: store.code_size[i]["code_lines"] for i in ("dagster", "airflow") if i in store.code_size}
    return Verdict(
        NOT_MEASURABLE,
        f"no measure of learning here; proxies: distinct framework APIs used {apis}, orchestration code lines {lines}",
    )


CLAIMS: list[Claim] = [
    Claim("Mental Model", "Assets (data products)", "Tasks (operations)", _judge_mental_model),
    Claim("DBT Integration", "Native `@dbt_assets`", "Via operators", _judge_dbt),
    Claim("Local Development", "`dagster dev`", "Complex setup", judge_local_development),
    Claim("Type Safety", "Full type hints", "Limited", _judge_types),
    Claim("Data Lineage", "Built-in, automatic", "Manual configuration", _judge_lineage),
    Claim("Learning Curve", "Moderate", "Steep", _judge_learning_curve),
    Claim(
        "Community",
        "Growing",
        "Large",
        _not_measurable("needs download or contributor statistics; this machine reaches no such source"),
    ),
]


def _runtime_rows(store: Store, size: int) -> list[str]:
    rows = [
        "| implementation | cold: wall time, median (min–max) | warm: wall time, median | first-run cost (cold − warm) "
        "| pipeline time in-process | import of the impl module | overhead vs scripts (cold wall) | × the limit "
        "| peak memory: run process | peak memory: process tree (sampled) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for implementation in store.timed():
        summary = store.runtime_summary(implementation, size)
        if summary is None:
            why = store.failures.get(implementation, "did not run")
            rows.append(f"| {implementation} | **failed or not run**: {why} | | | | | | | | |")
            continue
        wall, pipe, imp = summary["wall_seconds"], summary["pipeline_seconds"], summary["import_seconds"]
        warm = store.runtime_summary(implementation, size, "warm")
        cost = store.fresh_state_cost(implementation, size)
        overhead = store.overhead(implementation, size)
        over = (
            "baseline"
            if implementation == "scripts"
            else (f"{overhead['wall_seconds']:+.1f} s ({overhead['wall_ratio']:.2f}x)" if overhead else "n/a")
        )
        ratio = store.ratio_to_limit(implementation, size)
        busy = f"; {summary['busy_rounds']} on a busy machine" if summary["busy_rounds"] else ""
        warm_wall = f"{warm['wall_seconds']['median']:.1f} s ({warm['rounds']} rounds)" if warm else "not timed"
        rows.append(
            f"| {implementation} | {wall['median']:.1f} s ({wall['min']:.1f}–{wall['max']:.1f}, "
            f"{summary['rounds']} round{'s' if summary['rounds'] != 1 else ''}{busy}) | "
            f"{warm_wall} | "
            f"{f'{cost:+.1f} s' if cost is not None else 'n/a'} | {pipe['median']:.1f} s | {imp['median']:.1f} s | {over} | "
            f"{f'{ratio:.2f}x' if ratio else 'n/a'} | {summary['peak_rss_mib']:.0f} MiB | "
            f"{summary['peak_tree_rss_mib']:.0f} MiB |"
        )
    return rows


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


TIMELINE_CHARTS = (TIMELINE_CHART, PHASES_CHART)  # shown in their own section
Timelines = tuple[dict[str, list[Span]], dict[str, dict[str, float]]]


def _timelines(store: Store) -> Timelines:
    """Each implementation's timeline, and its first cold round's wall time split by phase."""
    timelines, breakdowns = {}, {}
    for implementation in store.config.implementations:
        entry = store.timeline.get(implementation)
        if not entry:
            continue
        timelines[implementation] = spans_from_dicts(entry["spans"])
        first = [m for m in store.rounds(implementation, store.config.customers) if m.round_number == 1]
        if first and first[0].pipeline_started_epoch is not None and first[0].pipeline_seconds is not None:
            run = first[0]
            at = origin_in_wall_time(
                entry["origin"], run.wall_seconds, run.pipeline_seconds, run.pipeline_started_epoch
            )
            breakdowns[implementation] = phase_breakdown(timelines[implementation], run.wall_seconds, at)
    return timelines, breakdowns


def _charts(store: Store, out: Path, timelines: Timelines) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    size = store.config.customers
    names = [i for i in store.timed() if store.runtime_summary(i, size)]
    if names:
        fig, ax = plt.subplots(figsize=(7, 3.5))
        walls = [store.runtime_summary(i, size)["wall_seconds"]["median"] for i in names]
        pipes = [store.runtime_summary(i, size)["pipeline_seconds"]["median"] for i in names]
        ax.bar([x - 0.2 for x in range(len(names))], walls, width=0.4, label="end-to-end (new process)")
        ax.bar([x + 0.2 for x in range(len(names))], pipes, width=0.4, label="pipeline in-process")
        ax.set_xticks(range(len(names)), names)
        ax.set_ylabel("seconds (median)")
        ax.set_title(f"Runtime at {size:,} customers")
        ax.legend()
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
    covered = [i for i in store.config.implementations if i in store.lineage]
    if covered:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.bar(
            [x - 0.2 for x in range(len(covered))],
            [store.lineage[i]["node_coverage"] for i in covered],
            width=0.4,
            label="nodes",
        )
        ax.bar(
            [x + 0.2 for x in range(len(covered))],
            [store.lineage[i]["edge_coverage"] for i in covered],
            width=0.4,
            label="edges",
        )
        ax.set_xticks(range(len(covered)), covered)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of the true lineage graph")
        ax.set_title("Lineage the tool knows after a run")
        ax.legend()
        fig.tight_layout()
        fig.savefig(out / "lineage.png", dpi=110)
        plt.close(fig)
        made.append("lineage.png")
    made += timeline_charts(*timelines, out)
    made += model_scaling_charts(store, out)
    return made


def _reliability_section(store: Store) -> list[str]:
    lines = ["", "## Reliability: bad input, faults, rows lost, secrets", ""]
    if not store.reliability:
        return lines + ["Not measured in this run."]
    lines += [
        "Each implementation ran, in two processes of its own (its corpus split between them), cases of "
        "the bad-input corpus "
        "(`testkit/bad_inputs.py`, judged as the tests judge them), and in the first the fault scenario: new input over "
        "an earlier run's folder with `LC_FAIL_ONCE` failing one ingestion and one export once, after their "
        "work and before it becomes visible. Rows lost or extra are counted against the rules oracle; "
        "secrets are canary values in `"
        + "`, `".join(next(iter(store.reliability.values()))["secret_variables"])
        + "` looked for in every file the process left (log, metadata databases, dbt artifacts, outputs).",
        "",
        "| implementation | bad inputs handled as specified | faults injected / recovered | how it recovered | "
        "half-written files | rows lost | rows extra | secrets found in files |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for implementation in store.config.implementations:
        entry = store.reliability.get(implementation)
        if not entry:
            continue
        cases, fault = entry["cases"], entry["fault"]
        handled = sum(case["handled"] for case in cases)
        lost = fault["rows_lost"] + sum(case["rows_lost"] for case in cases)
        extra = fault["rows_extra"] + sum(case["rows_extra"] for case in cases)
        how = (
            "retried within the run"
            if fault["recovered_within_run"]
            else f"run failed {len(fault['failed_runs'])}x with a clear error, next run recovered"
        )
        lines.append(
            f"| {implementation} | {handled}/{len(cases)} (corpus: {entry['corpus_size']}) | "
            f"{fault['injected']} / {len(fault['fired']) if fault['recovered'] else 0} | {how} | "
            f"{len(fault['partial_files'])} | {lost} | {extra} | {len(entry['secret_leaks'])} |"
        )
        for case in cases:
            if not case["handled"]:
                lines.append(f"|  | **{case['case']}**: {case['problem']} | | | | | | |")
    if store.config.quick:
        lines += [
            "",
            "Quick mode: two cases of the corpus per implementation, one that must stop with a clear "
            "error mid-ingestion and one awkward file that must pass (`QUICK_CASES`); `pytest bench/` without "
            "`--quick` runs more (below).",
        ]
    elif not store.config.full_corpus:
        lines += [
            "",
            f"Plain scripts ran the whole corpus: every rule lives in the shared core and dbt project, which it "
            f"runs with nothing around it. Each orchestrator ran the same {len(ORCHESTRATOR_CASES)} cases, one "
            "per path a case can take through it (`ORCHESTRATOR_CASES`: a file missing, a header refused, a "
            "record stopping ingestion mid-file, an empty table through dbt, rows quarantined at ingestion and "
            "by each dbt rule, the assignment's file name); `pytest bench --full-corpus` runs every case "
            "through every implementation.",
        ]
    return lines


def _engines_section(store: Store) -> list[str]:
    """dbt on DuckDB and on Spark, side by side: time, peak memory of the process tree, equal outputs."""
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
        "| implementation | engine | wall time | pipeline time in-process | peak memory, process tree | processes | outputs |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs.values():
        name = f"| {run['implementation']} | {run['engine']} |"
        if not run["ok"]:
            lines.append(f"{name} **failed**: {run.get('error')} | | | | |")
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
        lines.append(
            f"{name} {run['wall_seconds']:.1f} s | {run['pipeline_seconds']:.1f} s | "
            f"{run['peak_tree_rss_mib']:.0f} MiB | {run['max_processes']} | {outputs} |"
        )
    return lines


def _sections(store: Store, charts: list[str], timelines: Timelines) -> list[str]:
    cfg = store.config
    machine, origin = machine_info(), provenance()
    commit = (
        f"{str(origin['commit'])[:12]}{' with uncommitted changes' if origin['dirty'] else ''}"
        if origin["commit"]
        else "unknown"
    )
    command = " ".join(store.environment.get("command_line") or ["pytest bench"])
    lines = [
        "# ADR 001 re-checked: measured evidence",
        "",
        f"Run of {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}`, command `{command}`; machine: "
        f"{machine['cpus']} CPUs ({machine['processor']}), {machine['memory_gib']} GiB, {machine['platform']}; data set: "
        f"{cfg.customers:,} generated customers, seed {cfg.seed}; "
        + (
            "1 cold timed round per implementation (quick mode: no warm rounds)"
            if cfg.quick
            else f"{cfg.rounds} cold and {cfg.rounds} warm timed round(s) per implementation"
        )
        + ". Every figure below comes from this run; raw "
        "figures, tool versions and machine details are in `results.json`.",
        "",
        "## The ADR's comparison table, with evidence",
        "",
        "| Feature | ADR: Dagster | ADR: Airflow | Measured here | Verdict |",
        "|---|---|---|---|---|",
    ]
    for claim in CLAIMS:
        verdict = claim.judge(store)
        lines.append(
            f"| {claim.feature} | {claim.dagster_says} | {claim.airflow_says} | {verdict.evidence} | **{verdict.verdict}** |"
        )
    lines += [
        "",
        f"## Runtime and memory at {cfg.customers:,} customers",
        "",
        "End-to-end is a new process per round (imports and start-up included), as a user waits for it; "
        "pipeline time is `run()` inside that process; overhead is the median minus plain scripts'. "
        "`limit` is the yardstick of `bench/runtime/limit.py`: the same outputs (checked equal to scripts') in the fewest steps, "
        "i.e. core's ingestion, the dbt models' compiled SQL run directly on one DuckDB connection (no dbt runtime, "
        "no dbt tests, no orchestrator), core's exports and quality report; × the limit is wall time over its wall time.",
        "",
    ]
    lines += _runtime_rows(store, cfg.customers)
    lines += _timed_environment(store)
    if "airflow" in cfg.implementations:
        lines += [
            "",
            "Airflow runs with `dag.test()` on a SQLite metadata DB, with the upstream fix "
            "apache/airflow#65235 (merged after 3.2.2: the in-process execution API cached instead of "
            "rebuilt per task) backported in `impl_airflow/launch/runner.py`, and `gc.freeze()` against "
            "cosmos's full collection after every dbt call; without them its overhead is far larger.",
        ]
    for size in cfg.scaling_sizes:
        lines += ["", f"### {size:,} customers", ""] + _runtime_rows(store, size)
    lines += [
        "",
        "### Performance targets",
        "",
        "From the rounds above and the data sets this session generated; "
        "where the time goes, and what was tried, is in docs/performance.md.",
        "",
    ] + target_rows(store)
    lines += timeline_section(*timelines, charts)
    lines += ["", "## Output equality", ""]
    for implementation, result in store.equality.items():
        reference = (
            "the independent rules oracle (testkit/rules_oracle.py)"
            if implementation == "scripts"
            else "plain scripts'"
        )
        if result["equal"]:
            lines.append(
                f"- {implementation}: all {result['files_compared']} output files equal {reference} (rows as multisets, types)."
            )
        else:
            lines.append(f"- {implementation}: **differs**:")
            for diff in result["differences"]:
                lines.append(
                    f"  - `{diff['file']}`: {diff['problem']}; first missing rows {diff.get('missing', [])}, first extra rows {diff.get('extra', [])}"
                )
    lines += ["", "## Lineage coverage", ""]
    if store.lineage:
        truth = store.lineage.get("_truth", {})
        lines.append(
            f"True graph (dbt manifest + core's declared inputs and outputs): {truth.get('nodes')} nodes, {truth.get('edges')} edges."
        )
        lines += [
            "",
            "Extra edges are links the tool records between two data products that the true graph does not have "
            "(e.g. a task's declared inputs wider than what it reads).",
            "",
            "| implementation | nodes known | edges known | extra edges | how it was read | missing edges |",
            "|---|---|---|---|---|---|",
        ]
        for implementation in cfg.implementations:
            entry = store.lineage.get(implementation)
            if entry:
                missing = ", ".join(f"{a} → {b}" for a, b in entry["missing_edges"][:8])
                more = len(entry["missing_edges"]) - 8
                lines.append(
                    f"| {implementation} | {_pct(entry['node_coverage'])} | {_pct(entry['edge_coverage'])} | "
                    f"{len(entry['extra_edges'])} | {entry['note']} | {missing}{f' (+{more} more)' if more > 0 else ''} |"
                )
    else:
        lines.append("Not measured in this run.")
    lines += ["", "## Lines of code", ""]
    shared = store.code_size.get("_shared")
    if shared:
        lines.append(
            f"Shared by all: core {shared['core_python_lines']} Python code lines; dbt project "
            f"{shared['dbt_sql_yaml_lines']} SQL/YAML lines in {shared['dbt_files']} files."
        )
        lines += [
            "",
            "| implementation | Python files | code lines | of which definitions | of which launcher | "
            "config files (lines) | distinct framework APIs | typed by mypy |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for implementation in cfg.implementations:
            size = store.code_size.get(implementation)
            typed = store.code_size.get("_typing", {}).get(implementation, {}).get("typed_share")
            if size:
                lines.append(
                    f"| {implementation} | {size['python_files']} | {size['code_lines']} | "
                    f"{size.get('definition_lines', '-')} | {size.get('launcher_lines', '-')} | "
                    f"{len(size['config_files'])} ({size['config_lines']}) | {len(size['framework_apis'])} | {_pct(typed)} |"
                )
    lines += _reliability_section(store)
    lines += ["", "## Data quality surfaced", ""]
    if store.quality:
        lines += ["| implementation | checks queryable from the tool's API | failed | how |", "|---|---|---|---|"]
        for implementation in cfg.implementations:
            entry = store.quality.get(implementation)
            if entry:
                lines.append(f"| {implementation} | {entry['queryable']} | {entry['failed']} | {entry['note']} |")
    else:
        lines.append("Not measured in this run.")
    lines += model_scaling_section(store)
    lines += ui_section(store)
    lines += _engines_section(store)
    if store.failures:
        lines += ["", "## Failures", ""] + [f"- {impl}: {why}" for impl, why in store.failures.items()]
    if charts:
        lines += ["", "## Charts", ""] + [f"![{name}]({name})" for name in charts if name not in TIMELINE_CHARTS]
    return lines


def write_report(store: Store) -> dict[str, Path]:
    out = store.config.results_dir
    out.mkdir(parents=True, exist_ok=True)
    timelines = _timelines(store)
    charts = _charts(store, out, timelines)
    report = out / "report.md"
    report.write_text("\n".join(_sections(store, charts, timelines)) + "\n", encoding="utf-8")
    raw: dict[str, Any] = {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "provenance": {**provenance(), "command_line": store.environment.get("command_line")},
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(store.config).items()},
        "machine": machine_info(),
        "versions": tool_versions(),
        "environment": store.environment,
        "runs": {f"{impl}@{size}": [m.as_dict() for m in ms] for (impl, size), ms in store.runs.items()},
        "runtime": {f"{impl}@{size}": store.runtime_summary(impl, size) for (impl, size) in store.runs},
        "runtime_warm": {f"{impl}@{size}": store.runtime_summary(impl, size, "warm") for (impl, size) in store.runs},
        "first_run_cost_seconds": {f"{impl}@{size}": store.fresh_state_cost(impl, size) for (impl, size) in store.runs},
        "overhead": {f"{impl}@{size}": store.overhead(impl, size) for (impl, size) in store.runs},
        "equality": store.equality,
        "lineage": store.lineage,
        "code_size": store.code_size,
        "quality": store.quality,
        "reliability": store.reliability,
        "model_scaling": store.model_scaling,
        "ui": store.ui,
        "engines": store.engines,
        "timeline": store.timeline,
        "phases": timelines[1],
        "generation_seconds": store.generation_seconds,
        "failures": store.failures,
        "verdicts": {c.feature: vars(c.judge(store)) for c in CLAIMS},
    }
    results = out / "results.json"
    results.write_text(json.dumps(raw, indent=2, default=str) + "\n", encoding="utf-8")
    return {"report": report, "results": results}
