"""The report's section on testing one step in isolation: each implementation's test, both ways."""

from __future__ import annotations

from bench.isolation.results import DIRECT, HELPER, StepTest
from bench.report.context import ReportContext, markdown_table

WAY_NAMES = {DIRECT: "lightest documented way", HELPER: "test helper"}


def wall_time(result: StepTest) -> str:
    """The median with its range and sample count; a single sample says it is not judged."""
    samples = result.seconds_samples
    if len(samples) < 2:
        return f"{result.seconds:.1f} s (one sample: not judged)"
    return f"{result.seconds:.1f} s ({min(samples):.1f}–{max(samples):.1f} s, n={len(samples)})"


def _rows(ctx: ReportContext) -> list[list[str]]:
    """Per implementation, its lightest documented way then its test helper, where measured."""
    ways = {DIRECT: ctx.store.isolation_direct, HELPER: ctx.store.isolation}
    names = [*ctx.store.isolation_direct, *(n for n in ctx.store.isolation if n not in ctx.store.isolation_direct)]
    return [
        [
            name,
            WAY_NAMES[way],
            f"`{result.file}`",
            str(result.code_lines),
            wall_time(result),
            "yes" if result.passed else "**no**",
            result.summary.replace("|", "\\|"),  # a pipe in an error message would end the cell
        ]
        for name in names
        for way, results in ways.items()
        if (result := results.get(name))
    ]


def section(ctx: ReportContext) -> list[str]:
    lines = ["", "## Testing one step in isolation", ""]
    rows = _rows(ctx)
    if not rows:
        return lines + ["Not measured in this run."]
    lines += [
        "Each implementation's test of the quality-report step alone (`bench/isolation/steps/`), written two "
        "ways: the **lightest documented way**, as the tool's docs unit-test one step (Dagster calls the asset "
        "function with `build_asset_context()`, Prefect the task's `.fn()`, Airflow the task's own function), "
        "and the tool's **test helper** (Dagster `materialize` of the one asset, Prefect the task under "
        "`prefect_test_harness`, Airflow `dag.test()` with the other tasks marked successful). Plain scripts "
        "has one way, a call of the core's function (`step_scripts.py`), timed once for each row. Every test "
        "checks the report is written from a finished run's warehouse and that the step fails once a "
        "quarantined row is gone. Each module ran in fresh pytest processes (fresh folder copies and tool "
        "state each time), one after another; the wall time is the median of those processes, with the range "
        "and the count, and includes the imports and whatever the tool needs before a test (a test server, a "
        "metadata database). A way whose test fails (passed: no) cannot test this step as it is written; "
        "its module's docstring says why.",
        "",
    ]
    return lines + markdown_table(
        (
            "implementation",
            "way",
            "test module",
            "code lines",
            "wall time: median (min–max, n)",
            "passed",
            "pytest says",
        ),
        rows,
    )
