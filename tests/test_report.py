"""The harness's report is assembled from its sections' registry: every section renders, even with
nothing measured (a section that did not run says so instead of breaking the report)."""

from __future__ import annotations

from pathlib import Path

from bench.report.document import write_report
from bench.report.sections import SECTIONS
from bench.store import BenchConfig, Store


def test_the_report_renders_every_section_from_an_empty_session(tmp_path: Path) -> None:
    config = BenchConfig(
        customers=1_000,
        rounds=1,
        seed=42,
        scaling_sizes=[],
        implementations=["scripts", "dagster", "airflow", "prefect"],
        results_dir=tmp_path,
        quick=True,
    )
    written = write_report(Store(config))
    report = written["report"].read_text(encoding="utf-8")
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert len(headings) >= len(SECTIONS)
    for heading in ("## Runtime and memory", "## Output equality", "## Lineage coverage", "## Engines"):
        assert any(line.startswith(heading) for line in headings), heading
    assert "not measurable here" in report  # nothing measured: no verdict can be given
    assert written["results"].is_file()
