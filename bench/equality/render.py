"""The output-equality section of the report."""

from __future__ import annotations

from bench.report.context import ReportContext

_COMPARED = {
    "the rules oracle": (
        "the independent rules oracle's expectations (`testkit/against_oracle.py`): the four tables' rows "
        "(Parquet where a table has one), the two marts' CSV rows as text, their Parquet column types as the rules "
        "page states them, and the quality report's counts per input file and output table, every check passed."
    ),
    "scripts": (
        "plain scripts' (`core/outputs.py`): each of the six data files' columns and rows (as multisets of business "
        "columns), Parquet column types, and the quality report as JSON."
    ),
}


def section(ctx: ReportContext) -> list[str]:
    lines = ["", "## Output equality", ""]
    for implementation, result in ctx.store.equality.items():
        if result.equal:
            lines.append(
                f"- {implementation}: all {result.files_compared} output files equal {_COMPARED[result.reference]}"
            )
        else:
            lines.append(f"- {implementation}: **differs**:")
            for diff in result.differences:
                lines.append(
                    f"  - `{diff['file']}`: {diff['problem']}; first missing rows {diff.get('missing', [])}, first extra rows {diff.get('extra', [])}"
                )
    return lines
