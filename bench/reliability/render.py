"""The reliability section of the report: bad input, faults, two runs into one folder, rows lost, secrets."""

from __future__ import annotations

from bench.report.context import ReportContext, markdown_table
from core.cli import EXIT_BUSY
from testkit.bad_inputs import ORCHESTRATOR_CASES
from testkit.overlap import OverlapOutcome

HEADERS = (
    "implementation",
    "bad inputs handled as specified",
    "faults injected / recovered",
    "how it recovered",
    "two runs into one folder",
    "half-written files",
    "rows lost",
    "rows extra",
    "secrets found in files",
)


def section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines = ["", "## Reliability: bad input, faults, overlapping runs, rows lost, secrets", ""]
    if not store.reliability:
        return lines + ["Not measured in this run."]
    lines += [
        "Each implementation ran, in two processes of its own (its corpus split between them), cases of "
        "the bad-input corpus "
        "(`testkit/bad_inputs.py`, judged as the tests judge them), and in the first the fault scenario: new input over "
        "an earlier run's folder with `LC_FAIL_ONCE` failing one ingestion and one export once, after their "
        "work and before it becomes visible; in the second, two `lc-pipeline run` started together into one new "
        "folder (`testkit/overlap.py`): one must run, the other stop at once with exit status "
        f"{EXIT_BUSY} and one line naming the folder and the run holding it (the last line of its log "
        "file too), no traceback. Rows lost or extra are counted against the rules oracle; "
        "secrets are canary values in `"
        + "`, `".join(next(iter(store.reliability.values())).secret_variables)
        + "` looked for in every file the process left (log, metadata databases, dbt artifacts, outputs).",
        "",
    ]
    rows: list[list[str]] = []
    for implementation in store.config.implementations:
        entry = store.reliability.get(implementation)
        if not entry:
            continue
        cases, fault = entry.cases, entry.fault
        how = (
            "retried within the run"
            if fault.recovered_within_run
            else f"run failed {len(fault.failed_runs)}x with a clear error, next run recovered"
        )
        rows.append(
            [
                implementation,
                f"{len(cases) - len(entry.mishandled)}/{len(cases)} (corpus: {entry.corpus_size})",
                f"{fault.injected} / {len(fault.fired) if fault.recovered else 0}",
                how,
                _overlap_cell(entry.overlap),
                str(len(entry.partial_files)),
                str(entry.rows_lost),
                str(entry.rows_extra),
                str(len(entry.secret_leaks)),
            ]
        )
        rows += [["", f"**{name}**: {problem}", *[""] * 7] for name, problem in entry.mishandled.items()]
    lines += markdown_table(HEADERS, rows)
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


def _overlap_cell(overlap: OverlapOutcome) -> str:
    """What two runs started together did, or each way they broke the rule."""
    if overlap.handled:
        return f"1 ran, 1 stopped at once (exit {EXIT_BUSY}, one line)"
    return f"exit codes {overlap.exit_codes}: " + "; ".join(overlap.problems)
