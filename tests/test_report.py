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
    # Each tool's version is read in the environment that runs it, not in the harness's own.
    [versions] = [line for line in report.splitlines() if line.startswith("Versions as they ran")]
    for name in ("dagster", "apache-airflow", "prefect", "dbt-core"):
        assert f" {name} " in versions and f"{name} not installed" not in versions, name


def test_typed_figures_reach_the_report(tmp_path: Path) -> None:
    """Figures stored as each section's dataclasses appear in report.md and results.json."""
    from bench.measure import RunMeasurement
    from bench.model_scaling.results import DefinitionLoad, ManifestCounts, ModelScalingResults, QuickCheck
    from bench.reliability.results import FaultScenario, ReliabilityResult
    from bench.ui.results import Criterion, HotReload, Newcomer, Stop, ToolUi, UiResults
    from testkit.bad_inputs import Outcome

    store = Store(
        BenchConfig(1_000, 1, 42, [], ["scripts", "dagster"], tmp_path, quick=True),
    )
    fault = FaultScenario(2, ["a", "b"], [], True, True, [], 0, 0, [])
    store.reliability["dagster"] = ReliabilityResult(
        [Outcome("missing_file", True), Outcome("bad_header", False, "unclear message")], fault, 22, ["SECRET"], []
    )
    load = DefinitionLoad(2.5, 2.0, 0.5, 30, "import", checks=72)
    store.model_scaling = ModelScalingResults(
        quick=QuickCheck(10, {"chain": 1.25}, {"chain": ManifestCounts(20, 25, 10)}, load, 42.0)
    )
    dagster = ToolUi("dagster", "make dagster-ui", Newcomer("make dagster-ui", ["dagster dev"], ["DAGSTER_HOME"]))
    reload = HotReload(3.25, how="Reload", run_ok=True, actions=("Reload", "Materialize all"))
    dagster.ui_answers_seconds, dagster.hot_reload, dagster.stop = 7.5, reload, Stop(1.0, True)
    dagster.criteria["all_assets_visible"] = Criterion("met", "30/30 assets")
    store.ui = UiResults("one after another", 99.0, "no browser", {"dagster": dagster})
    store.runs[("dagster", 1_000)] = [RunMeasurement("dagster", True, 10.0, 1.0, 8.0, 300.0)]

    written = write_report(store)
    report = written["report"].read_text(encoding="utf-8")
    assert "1/2 (corpus: 22)" in report and "**bad_header**: unclear message" in report
    assert "Dagster loaded one (30 assets, 72 checks) in 2.5 s" in report
    assert "7.5 s (one sample: not judged)" in report and "30/30 assets" in report
    assert "3.2 s (one sample: not judged)" in report and "Reload → Materialize all (2 user action(s))" in report
    raw = written["results"].read_text(encoding="utf-8")
    assert '"killed_after_grace": 0' in raw and '"corpus_size": 22' in raw
