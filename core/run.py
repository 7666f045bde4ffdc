"""What every implementation returns from a run, and how the CLI prints it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.layout import output_files


@dataclass(frozen=True)
class RunSummary:
    """The outcome of one run: where things went and the counts a user checks first."""

    implementation: str
    output_dir: Path
    report: dict[str, Any]
    files: list[Path] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A short human summary, one fact a line."""
        out = [f"{self.implementation}: pipeline finished; outputs in {self.output_dir}"]
        for name, counts in self.report["files"].items():
            reasons = ", ".join(f"{r} {n}" for r, n in counts["quarantined_by_reason"].items() if n)
            out.append(
                f"  {name}: {counts['rows_read']:,} read = {counts['clean']:,} clean"
                f" + {counts['quarantined']:,} quarantined" + (f" ({reasons})" if reasons else "")
            )
        for table, rows in self.report["outputs"].items():
            out.append(f"  {table}: {rows:,} rows")
        passed = sum(check["passed"] for check in self.report["checks"])
        out.append(f"  quality checks: {passed}/{len(self.report['checks'])} passed")
        return out


def summarise(implementation: str, output_dir: Path, report: dict[str, Any]) -> RunSummary:
    return RunSummary(implementation, output_dir, report, output_files(output_dir))
