"""The report's section on testing one step in isolation."""

from __future__ import annotations

from bench.report.context import ReportContext, markdown_table


def section(ctx: ReportContext) -> list[str]:
    lines = ["", "## Testing one step in isolation", ""]
    results = ctx.store.isolation
    if not results:
        return lines + ["Not measured in this run."]
    lines += [
        "Each implementation's test of the quality-report step alone, written with the tool's own test helper "
        "(`bench/isolation/steps/`): the report written from a finished run's warehouse, and the step failing "
        "once a quarantined row is gone. Each module ran in a pytest process of its own, one after another; "
        "the time includes the imports and whatever the tool needs before a test (a test server, a metadata "
        "database).",
        "",
    ]
    rows = [
        [name, f"`{result.file}`", str(result.code_lines), f"{result.seconds:.1f} s", result.summary]
        for name, result in results.items()
    ]
    return lines + markdown_table(("implementation", "test module", "code lines", "wall time", "pytest says"), rows)
