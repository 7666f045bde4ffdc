"""The lines-of-code section of the report (with the typed share mypy measured)."""

from __future__ import annotations

from bench.code_size.results import ALL_CODE, DEFINITIONS
from bench.report.context import ReportContext, markdown_table, percent

HEADERS = (
    "implementation",
    "Python files",
    "code lines",
    "of which definitions",
    "of which launcher",
    "of which extras (features not every implementation has)",
    "definitions naming the tool (migration proxy)",
    "config files (lines)",
    "distinct framework APIs",
    "typed by mypy: definitions (all code), errors",
)


def section(ctx: ReportContext) -> list[str]:
    store = ctx.store
    lines = ["", "## Lines of code", ""]
    shared = store.code_size.shared
    if not shared:
        return lines + ["Not measured in this run."]
    lines += [
        f"Shared by all: core {shared.core_python_lines} Python code lines; dbt project "
        f"{shared.dbt_sql_yaml_lines} SQL/YAML lines in {shared.dbt_files} files. Each implementation's code lines "
        "(no blank, comment or docstring line) split three ways: its definitions (what a team writes to use the "
        "tool; the ADR rows compare these), its launcher (`launch.py` or `launch/`: what our CLI needs to start "
        "it), and its extras (features some other implementation lacks, listed in `bench/code_size/extras.py`). "
        "`results.json` has the split per file.",
        "",
    ]
    rows = []
    for implementation in store.config.implementations:
        size = store.code_size.sizes.get(implementation)
        if not size:
            continue
        typed = store.code_size.typing.get(implementation)
        rows.append(
            [
                implementation,
                str(size.python_files),
                str(size.code_lines),
                str(size.definition_lines),
                str(size.launcher_lines),
                "; ".join(f"{feature}: {n}" for feature, n in size.extra_lines.items()) or "none",
                percent(size.tool_specific_share),
                f"{len(size.config_files)} ({size.config_lines})",
                str(len(size.framework_apis)),
                f"{percent(typed.share(DEFINITIONS))} ({percent(typed.share(ALL_CODE))}), {typed.errors(ALL_CODE)}"
                if typed and typed.modules
                else "not measured",
            ]
        )
    return lines + markdown_table(HEADERS, rows)
