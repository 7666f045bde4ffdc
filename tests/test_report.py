"""The harness's report is assembled from its sections' registry: every section renders, even with
nothing measured (a section that did not run says so instead of breaking the report)."""

from __future__ import annotations

import json
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
    from testkit.overlap import OverlapOutcome

    store = Store(
        BenchConfig(1_000, 1, 42, [], ["scripts", "dagster"], tmp_path, quick=True),
    )
    fault = FaultScenario(2, ["a", "b"], [], True, True, [], 0, 0, [])
    overlap = OverlapOutcome([0, 5], "lc-pipeline: error: out: output folder in use by ...", [], [], 0, 0)
    store.reliability["dagster"] = ReliabilityResult(
        [Outcome("missing_file", True), Outcome("bad_header", False, "unclear message")],
        fault,
        overlap,
        22,
        ["SECRET"],
        [],
    )
    load = DefinitionLoad(2.5, 2.0, 0.5, 30, "import", checks=72)
    store.model_scaling = ModelScalingResults(
        quick=QuickCheck(10, {"chain": 1.25}, {"chain": ManifestCounts(20, 25, 10)}, load, 42.0)
    )
    dagster = ToolUi("dagster", "make dagster-ui", Newcomer("make dagster-ui", ["dagster dev"], ["DAGSTER_HOME"]))
    reload = HotReload(3.25, how="Reload", run_ok=True, actions=("Reload", "Materialize all"))
    dagster.ui_answers_seconds, dagster.hot_reload, dagster.stop = 7.5, reload, Stop(1.0, True)
    dagster.criteria["all_assets_visible"] = Criterion("met", "30/30 assets")
    floor = ToolUi("dagster", "make dagster-dev", Newcomer("make dagster-dev", [], []))
    floor.answers_samples, floor.listed_samples = [5.0, 5.5, 6.0], [5.5, 6.0, 6.5]
    dagster.answers_samples, dagster.listed_samples = [7.0, 7.5, 8.0], [9.0, 10.0, 11.0]
    floor.hot_reload = HotReload(1.25, how="Reload", run_ok=True, actions=("Reload", "Materialize all"))
    store.ui = UiResults("one after another", 99.0, "no browser", {"dagster": dagster}, {"dagster": floor})
    store.runs[("dagster", 1_000)] = [RunMeasurement("dagster", True, 10.0, 1.0, 8.0, 300.0)]

    written = write_report(store)
    report = written["report"].read_text(encoding="utf-8")
    assert "1/2 (corpus: 22)" in report and "**bad_header**: unclear message" in report
    assert "1 ran, 1 stopped at once (exit 5, one line)" in report
    assert "Dagster loaded one (30 assets, 72 checks) in 2.5 s" in report
    assert "7.5 s (7.0–8.0, n=3)" in report and "30/30 assets" in report
    floors = report[report.index("### Each tool's floor in its UI") :]
    assert "`make dagster-dev DAGSTER_MODULE=bench.floor.dagster_hello`" in floors
    over = [line.split("|")[2].strip() for line in floors.splitlines() if line.startswith("| ours over the floor")]
    assert over == ["+2.0 s", "+4.0 s", "+2.0 s"]  # answering, listed, hot reload
    assert "3.2 s (one sample: not judged)" in report and "Reload → Materialize all (2 user action(s))" in report
    raw = written["results"].read_text(encoding="utf-8")
    assert '"killed_after_grace": 0' in raw and '"corpus_size": 22' in raw
    assert json.loads(raw)["reliability"]["dagster"]["overlap"]["exit_codes"] == [0, 5]


def test_the_harness_doc_states_the_rules_the_code_applies() -> None:
    """docs/harness.md's rules are the rules' docstrings: ``python -m bench.report.rules`` writes them."""
    from bench.report.rules import HARNESS_DOC, with_rules

    text = HARNESS_DOC.read_text(encoding="utf-8")
    assert with_rules(text) == text, "docs/harness.md is behind the rules: run python -m bench.report.rules"


def test_both_ways_of_testing_one_step_reach_the_report(tmp_path: Path) -> None:
    """Each way's row shows its median with range and count, a single sample is labelled as not judged,
    and a failed way says so; results.json keeps both ways."""
    from bench.isolation.results import DIRECT, HELPER, StepTest

    def step(way: str, samples: list[float], passed: bool = True) -> StepTest:
        file = f"bench/isolation/steps/step_dagster{'_direct' if way == DIRECT else ''}.py"
        return StepTest("dagster", way, file, 11, sorted(samples)[len(samples) // 2], samples, passed, "said", "log")

    store = Store(BenchConfig(1_000, 1, 42, [], ["scripts", "dagster"], tmp_path, quick=False))
    store.isolation["dagster"] = step(HELPER, [9.0, 8.0, 12.5])
    store.isolation_direct["dagster"] = step(DIRECT, [4.0], passed=False)

    written = write_report(store)
    report = written["report"].read_text(encoding="utf-8")
    assert "9.0 s (8.0–12.5 s, n=3)" in report and "4.0 s (one sample: not judged)" in report
    assert "| lightest documented way |" in report and "| test helper " in report and "**no**" in report
    assert '"isolation_direct"' in written["results"].read_text(encoding="utf-8")


def test_each_tools_floor_and_ours_over_it_reach_the_runtime_section(tmp_path: Path) -> None:
    """The floor has a table of its own, never a row of the runtime table; ours over it is ours minus it."""
    from bench.measure import RunMeasurement
    from bench.runtime.render import floor_rows, runtime_rows

    store = Store(BenchConfig(1_000, 2, 42, [], ["scripts", "dagster"], tmp_path, quick=False))
    for name, mode, walls in (
        ("dagster", "cold", (30.0, 34.0)),
        ("dagster", "warm", (20.0, 22.0)),
        ("floor-dagster", "cold", (11.0, 13.0)),
        ("floor-dagster", "warm", (9.0, 10.0)),
    ):
        for number, wall in enumerate(walls, start=1):
            store.add_run(1_000, RunMeasurement(name, True, wall, 1.0, wall - 1, 100.0, mode=mode, round_number=number))

    assert (store.over_floor("dagster"), store.over_floor("dagster", "warm")) == (20.0, 11.5)
    assert store.over_floor("scripts") is None
    assert "floor-dagster" not in store.timed()
    assert not any("floor-dagster" in row for row in runtime_rows(store, 1_000))
    [row] = [row for row in floor_rows(store) if row.startswith("| dagster")]
    assert "12.0 s (11.0–13.0, 2 rounds)" in row and "9.5 s (9.0–10.0, 2 rounds)" in row
    assert "+20.0 s (of 32.0 s)" in row and "+11.5 s (of 21.0 s)" in row
