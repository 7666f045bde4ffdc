"""Write ``bench/results/``: report.md (ADR claims beside measured figures), results.json, charts.

Verdicts are computed from the figures by the rules in :data:`bench.report.claims.CLAIMS` (each rule lives
beside the section whose figures it reads), never typed in, so a reviewer who reruns the harness gets the
verdicts their own figures support.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.measure import BASELINE, machine_info, provenance, report_order, tool_versions
from bench.report.claims import CLAIMS, CONSEQUENCES, Claim, claims_table
from bench.report.context import ReportContext
from bench.report.sections import LINKED_BY_THEIR_SECTION, SECTIONS
from bench.store import Store
from bench.timeline.render import timelines
from bench.variants import mode_read
from bench.verdicts import CONFIDENCE, FASTEST, MIN_SAMPLES

# Bumped whenever a key of results.json changes meaning or moves; 2 added provenance, environment, warm rounds;
# 3 the verdicts' readings, each isolation test a median of repeats (its way, its samples), isolation_direct,
# the deployed section's samples.
RESULTS_SCHEMA_VERSION = 3


def _document(ctx: ReportContext) -> list[str]:
    store = ctx.store
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
        "Versions as they ran, each read in the environment that ran it (Airflow and Prefect each have one of "
        "their own): " + ", ".join(f"{name} {version}" for name, version in ctx.versions.items()) + ".",
        "",
        "## The ADR's comparison table, with evidence",
        "",
        "Each row shows every implementation's figure and compares Dagster with the **best** of the others that "
        "have it, plain scripts included where it has the figure (`n/a` where the row does not apply): *supported* "
        "when Dagster is better beyond the row's margin, *refuted* when worse, *no difference* within the margin or "
        "on an exact tie, *not measurable here* without the figures. A timing decides nothing on fewer than "
        f"{MIN_SAMPLES} samples a side (*not judged*) and nothing inside the rounds' noise: the "
        f"{CONFIDENCE:.0%} bootstrap interval of the difference of medians must exclude zero (*no difference "
        "(within noise)* otherwise); each comparison's interval is in its verdict. Each rule is one function, "
        "stated in `docs/harness.md`. The column *robustness* judges the row again under every other fair "
        "reading a reviewer could pick (the margin halved and doubled, plain scripts left out, the other mode "
        "principle, each weighed figure left out, the rule's own alternatives), from the same figures; a "
        "verdict one of them turns into another judgement is *fragile*.",
        "",
        modes_sentence(store),
        "",
    ]
    lines += claims_table(store)
    lines += [
        "",
        "### The ADR's consequences, with proxies",
        "",
        "The same rule for the consequences the ADR states that a figure here can speak to, and for the need "
        "its decision names beside local development, production deployment; for a negative consequence "
        "*supported* means the drawback is real for Dagster. Proxies are labelled as such.",
        "",
    ]
    lines += claims_table(store, CONSEQUENCES)
    for section in SECTIONS:
        lines += section.render(ctx)
    if store.failures:
        lines += ["", "## Failures", ""] + [f"- {impl}: {why}" for impl, why in store.failures.items()]
    listed = [name for name in ctx.charts if name not in LINKED_BY_THEIR_SECTION]
    if listed:
        lines += ["", "## Charts", ""] + [f"![{name}]({name})" for name in listed]
    return lines


def modes_sentence(store: Store) -> str:
    """The one principle for the mode every verdict reads, stated once, with the mode it picked per tool."""
    medians = store.cold_medians()
    picked = {tool: mode_read(tool, FASTEST, medians) for tool in report_order() if tool != BASELINE}
    return (
        "Every verdict reads each tool in its fastest correct documented mode as this run timed it (the lowest "
        "median cold wall time at the main size among the tool's modes whose outputs equal plain scripts'): "
        + ", ".join(f"{tool}: `{mode}`" for tool, mode in picked.items())
        + ". Each tool's documented default (Dagster's multiprocess executor, cosmos `ExecutionMode.LOCAL`, "
        "prefect-dbt's `PrefectDbtRunner`) is a reading in the robustness column. The rows whose figures this "
        "run takes in one mode only (lineage, the UIs, the isolated tests, the code) read the shipped one."
    )


def _verdict_record(claim: Claim, store: Store) -> dict[str, Any]:
    """A row's verdict for results.json, with its verdict under each other reading."""
    fared = claim.robustness(store)
    return {
        **vars(claim.verdict(store)),
        "readings": {reading.name: verdict for reading, verdict in fared.readings},
        "fragile": fared.fragile,
    }


def write_report(store: Store) -> dict[str, Path]:
    out = store.config.results_dir
    out.mkdir(parents=True, exist_ok=True)
    ctx = ReportContext(store, out, timelines(store), versions=tool_versions())
    for section in SECTIONS:
        if section.charts:
            ctx.charts += section.charts(ctx)
    report = out / "report.md"
    report.write_text("\n".join(_document(ctx)) + "\n", encoding="utf-8")
    raw: dict[str, Any] = {
        "schema_version": RESULTS_SCHEMA_VERSION,
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "provenance": {**provenance(), "command_line": store.environment.get("command_line")},
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(store.config).items()},
        "machine": machine_info(),
        "versions": ctx.versions,
        "environment": store.environment,
        "runs": {f"{impl}@{size}": [m.as_dict() for m in ms] for (impl, size), ms in store.runs.items()},
        "runtime": {f"{impl}@{size}": store.runtime_summary(impl, size) for (impl, size) in store.runs},
        "runtime_warm": {f"{impl}@{size}": store.runtime_summary(impl, size, "warm") for (impl, size) in store.runs},
        "first_run_cost_seconds": {f"{impl}@{size}": store.fresh_state_cost(impl, size) for (impl, size) in store.runs},
        "overhead": {f"{impl}@{size}": store.overhead(impl, size) for (impl, size) in store.runs},
        "over_floor_seconds": {
            tool: {mode: store.over_floor(tool, mode) for mode in ("cold", "warm")}
            for tool in store.config.implementations
        },
        "equality": {name: {**asdict(result), "equal": result.equal} for name, result in store.equality.items()},
        "lineage": asdict(store.lineage),
        "code_size": asdict(store.code_size),
        "reliability": {name: asdict(result) for name, result in store.reliability.items()},
        "model_scaling": asdict(store.model_scaling),
        "ui": asdict(store.ui),
        "engines": asdict(store.engines),
        "timeline": {name: asdict(timeline) for name, timeline in store.timeline.items()},
        "isolation": {name: asdict(result) for name, result in store.isolation.items()},
        "isolation_direct": {name: asdict(result) for name, result in store.isolation_direct.items()},
        "deployed": {tool: asdict(result) for tool, result in store.deployed.items()},
        "phases": ctx.timelines.phases,
        "generation_seconds": store.generation_seconds,
        "failures": store.failures,
        "verdicts": {c.feature: _verdict_record(c, store) for c in [*CLAIMS, *CONSEQUENCES]},
    }
    results = out / "results.json"
    results.write_text(json.dumps(raw, indent=2, default=str) + "\n", encoding="utf-8")
    return {"report": report, "results": results}
