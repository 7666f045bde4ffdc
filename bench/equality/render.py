"""The output-equality section of the report."""

from __future__ import annotations

from bench.report.context import ReportContext


def section(ctx: ReportContext) -> list[str]:
    lines = ["", "## Output equality", ""]
    for implementation, result in ctx.store.equality.items():
        reference = (
            "the independent rules oracle (testkit/rules_oracle.py)"
            if implementation == "scripts"
            else "plain scripts'"
        )
        if result.equal:
            lines.append(
                f"- {implementation}: all {result.files_compared} output files equal {reference} (rows as multisets, types)."
            )
        else:
            lines.append(f"- {implementation}: **differs**:")
            for diff in result.differences:
                lines.append(
                    f"  - `{diff['file']}`: {diff['problem']}; first missing rows {diff.get('missing', [])}, first extra rows {diff.get('extra', [])}"
                )
    return lines
