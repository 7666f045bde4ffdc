"""The harness's judging rules on small made-up figures: each verdict, ties, margins, missing figures.

A rule that cannot say "refuted" or "no difference" is no judge; these tests make each rule say each
thing it can say, and check that every implementation appears in every row of the ADR table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.code_size.results import CodeSize, FileSize, ModuleTyping, TypedShare
from bench.code_size.verdicts import judge_type_safety
from bench.lineage.graph import Coverage
from bench.lineage.results import LineageResult, TrueGraphSize
from bench.lineage.verdicts import judge_dbt_integration, judge_lineage, judge_mental_model
from bench.report.claims import CLAIMS, CONSEQUENCES, claims_table
from bench.store import BenchConfig, Store
from bench.ui.results import HotReload, Newcomer, ToolUi
from bench.ui.verdicts import judge_local_development
from bench.verdicts import (
    AS_JUDGED,
    EXACT,
    NO_DIFFERENCE,
    NOT_JUDGED,
    NOT_MEASURABLE,
    REFUTED,
    SUPPORTED,
    Margin,
    Reading,
    Verdict,
    compare_with_best_other,
    noise_interval,
    robustness,
    swapped,
    tally,
)

ALL = ["scripts", "dagster", "airflow", "prefect"]


def _store(tmp_path: Path) -> Store:
    return Store(BenchConfig(1_000, 1, 42, [], ALL, tmp_path, quick=True))


@pytest.mark.parametrize(
    ("figures", "higher_is_better", "margin", "outcome", "best"),
    [
        ({"dagster": 3.0, "airflow": 2.0, "prefect": 1.0}, True, EXACT, SUPPORTED, "airflow"),
        ({"dagster": 3.0, "airflow": 2.0, "prefect": 4.0}, True, EXACT, REFUTED, "prefect"),
        ({"dagster": 3.0, "airflow": 3.0, "prefect": 1.0}, True, EXACT, NO_DIFFERENCE, "airflow"),
        ({"dagster": 0.91, "airflow": 0.90}, True, Margin(0.02), NO_DIFFERENCE, "airflow"),
        ({"dagster": 0.95, "airflow": 0.90}, True, Margin(0.02), SUPPORTED, "airflow"),
        # lower is better: the best other is the smallest
        ({"dagster": 10.0, "airflow": 20.0, "prefect": 12.0}, False, EXACT, SUPPORTED, "prefect"),
        (
            {"dagster": 10.5, "airflow": 20.0, "prefect": 10.0},
            False,
            Margin(0.1, relative=True),
            NO_DIFFERENCE,
            "prefect",
        ),
        ({"dagster": 12.0, "airflow": 20.0, "prefect": 10.0}, False, Margin(0.1, relative=True), REFUTED, "prefect"),
        # a missing figure is skipped; without Dagster's or any other's there is nothing to compare
        ({"dagster": 1.0, "airflow": None, "prefect": 2.0}, True, EXACT, REFUTED, "prefect"),
        ({"dagster": None, "airflow": 2.0}, True, EXACT, NOT_MEASURABLE, None),
        ({"dagster": 1.0, "airflow": None}, True, EXACT, NOT_MEASURABLE, None),
    ],
)
def test_dagster_is_compared_with_the_best_other(figures, higher_is_better, margin, outcome, best) -> None:
    comparison = compare_with_best_other(figures, higher_is_better=higher_is_better, margin=margin)
    assert (comparison.outcome, comparison.best_other) == (outcome, best)


@pytest.mark.parametrize(
    ("outcomes", "verdict"),
    [
        ([SUPPORTED, SUPPORTED, REFUTED], SUPPORTED),
        ([SUPPORTED, REFUTED, REFUTED], REFUTED),
        ([SUPPORTED, REFUTED, NO_DIFFERENCE], NO_DIFFERENCE),
        ([NO_DIFFERENCE, NOT_MEASURABLE], NO_DIFFERENCE),
        ([NOT_MEASURABLE, NOT_MEASURABLE], NOT_MEASURABLE),
    ],
)
def test_several_comparisons_make_one_verdict(outcomes: list[str], verdict: str) -> None:
    assert tally({str(i): outcome for i, outcome in enumerate(outcomes)}) == verdict


def _lineage(
    store: Store, nodes: dict[str, int], edges: dict[str, int], models: dict[str, int], objects: dict[str, int]
) -> None:
    store.lineage.truth = TrueGraphSize(nodes=20, edges=30, dbt_models=10)
    for name in nodes:
        store.lineage.known[name] = LineageResult(
            Coverage(name, nodes[name], edges[name], total_nodes=20, total_edges=30), models[name], objects[name]
        )


def test_lineage_rows_tie_refute_and_leave_scripts_out(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _lineage(
        store,
        nodes={"scripts": 0, "dagster": 20, "airflow": 20, "prefect": 14},
        edges={"scripts": 0, "dagster": 29, "airflow": 28, "prefect": 30},
        models={"scripts": 0, "dagster": 10, "airflow": 10, "prefect": 9},
        objects={"scripts": 0, "dagster": 20, "airflow": 14, "prefect": 14},
    )
    mental, lineage, dbt = judge_mental_model(store), judge_lineage(store), judge_dbt_integration(store)
    assert (mental.verdict, lineage.verdict, dbt.verdict) == (SUPPORTED, REFUTED, NO_DIFFERENCE)
    assert mental.figures["airflow"] == "70% (+6 known only as tasks)"  # Assets only: 14 of 20
    assert "the best other, Prefect" in lineage.evidence
    assert mental.figures["scripts"].startswith("n/a")
    assert dbt.figures == {
        "scripts": "n/a: no tool, no records",
        "dagster": "10/10",
        "airflow": "10/10",
        "prefect": "9/10",
    }


def _typing(definitions: float, launcher: float = 1.0, errors: int = 0) -> TypedShare:
    """mypy's figures for an implementation of 1,000 expressions in its definitions and 1,000 in its
    launcher, typed to the shares given (``errors`` in the definitions)."""
    modules = {
        "impl.assets": ModuleTyping(round(1000 * (1 - definitions)), 1000, errors),
        "impl.launch.run": ModuleTyping(round(1000 * (1 - launcher)), 1000, 0, launcher=True),
    }
    return TypedShare(None, modules=modules)


def test_type_safety_reads_the_definitions_counts_errors_and_compares_scripts(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.code_size.typing = {"dagster": _typing(0.95), "airflow": _typing(0.94, launcher=0.5)}
    assert judge_type_safety(store).verdict == NO_DIFFERENCE  # one point apart in the definitions
    # read over all the code (a reading), Airflow's untyped launcher counts against it
    assert judge_type_safety(store, Reading(option="all code")).verdict == SUPPORTED
    store.code_size.typing["dagster"] = _typing(0.95, errors=40)  # each error one untyped expression: 91%
    assert judge_type_safety(store).verdict == REFUTED
    store.code_size.typing = {"scripts": _typing(1.0), "dagster": _typing(0.97), "airflow": _typing(0.90)}
    verdict = judge_type_safety(store)
    assert verdict.verdict == REFUTED, verdict.evidence  # plain scripts types everything: it is an option too
    assert verdict.figures["scripts"] == "100%, 0 mypy error(s)" and verdict.figures["prefect"] == "not measured"
    assert judge_type_safety(store, Reading(scripts_compared=False)).verdict == SUPPORTED


def _ui(tool: str, listed: list[float], settings: int, reload: list[float]) -> ToolUi:
    result = ToolUi(tool, f"make {tool}", Newcomer(f"make {tool}", [], [f"S{i}" for i in range(settings)]))
    result.listed_samples, result.hot_reloads = listed, [HotReload(seconds) for seconds in reload]
    return result


def test_local_development_weighs_three_figures_on_their_samples(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.ui.tools = {
        "dagster": _ui("dagster", [50.0, 51.0, 52.0], 1, [30.0, 31.0, 32.0]),
        "airflow": _ui("airflow", [30.0, 31.0, 29.0], 14, [32.0, 33.0, 31.0]),
        "prefect": _ui("prefect", [], 2, [60.0, 61.0, 62.0]),
    }
    verdict = judge_local_development(store)
    # slower to list (refuted), fewer settings than the best other, Prefect's 2 (supported), reload within 10%
    assert verdict.verdict == NO_DIFFERENCE, verdict.evidence
    assert verdict.figures["scripts"] == "n/a: no UI"
    store.ui.tools["dagster"] = _ui("dagster", [20.0, 21.0, 22.0], 1, [30.0, 31.0, 32.0])
    assert judge_local_development(store).verdict == SUPPORTED
    # one start each: the timings are not judged, the settings alone decide
    store.ui.tools = {"dagster": _ui("dagster", [5.0], 3, [1.0]), "airflow": _ui("airflow", [50.0], 3, [90.0])}
    verdict = judge_local_development(store)
    assert verdict.verdict == NO_DIFFERENCE and "not judged" in verdict.evidence
    store.ui.tools = {}
    assert judge_local_development(store).verdict == NOT_MEASURABLE


def test_every_row_names_all_four_implementations(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for claim in [*CLAIMS, *CONSEQUENCES]:
        assert set(claim.verdict(store).figures) == set(ALL), claim.feature
    header = claims_table(store)[0]
    assert all(name in header for name in ALL)


def test_mental_model_ties_when_every_tool_stores_every_node(tmp_path: Path) -> None:
    store = _store(tmp_path)
    full = {"scripts": 0, "dagster": 20, "airflow": 20, "prefect": 20}
    _lineage(store, nodes=full, edges=full, models=full, objects=full)
    assert judge_mental_model(store).verdict == NO_DIFFERENCE


def test_migration_is_supported_only_when_dagster_names_its_tool_most(tmp_path: Path) -> None:
    from bench.code_size.verdicts import judge_migration

    def size(name: str, tool_lines: int) -> CodeSize:
        return CodeSize(name, 1, 100, 0, 100, [], 0, [], [FileSize("x.py", "definitions", 100, {}, tool_lines, 0)])

    store = _store(tmp_path)
    store.code_size.sizes = {
        "scripts": size("scripts", 0),
        "dagster": size("dagster", 30),
        "airflow": size("airflow", 20),
    }
    verdict = judge_migration(store)
    assert verdict.verdict == SUPPORTED and verdict.figures["scripts"] == "0%"
    store.code_size.sizes["prefect"] = size("prefect", 27)
    assert judge_migration(store).verdict == NO_DIFFERENCE  # 3 points apart, within 5


def _declared(name: str, reads: int, writes: int) -> CodeSize:
    return CodeSize(name, 1, 100, 0, 100, [], 0, [], [FileSize("x.py", "definitions", 100, {}, 0, 0, reads, writes)])


def test_lineage_weighs_edges_known_declarations_and_false_edges(tmp_path: Path) -> None:
    store = _store(tmp_path)
    edges = {"scripts": 0, "dagster": 29, "airflow": 28, "prefect": 30}
    _lineage(store, nodes=edges, edges=edges, models=edges, objects=edges)
    store.code_size.sizes = {
        name: _declared(name, reads, 3) for name, reads in {"dagster": 1, "airflow": 6, "prefect": 8}.items()
    }
    verdict = judge_lineage(store)
    # one edge fewer than Prefect (refuted), fewer declarations than Airflow (supported), no false edge (tie)
    assert verdict.verdict == NO_DIFFERENCE, verdict.evidence
    assert verdict.figures["dagster"] == "97% of edges; 4 declared by hand (1 read, 3 written); 0 false edge(s)"
    store.code_size.sizes["dagster"] = _declared("dagster", 9, 3)
    assert judge_lineage(store).verdict == REFUTED
    store.code_size.sizes["dagster"] = _declared("dagster", 1, 3)
    for rival in ("airflow", "prefect"):
        store.lineage.known[rival].coverage.extra_edges.extend([("a", "b"), ("b", "c")])
    assert judge_lineage(store).verdict == SUPPORTED  # false edges weigh against the tools that record them


def test_lineage_counts_every_declaration_the_same_way_for_every_tool() -> None:
    """An ``@asset`` and a ``materialize`` both declare what a step writes; ``deps=`` and ``asset_deps=``
    what it reads; constructors that only name data count for no tool."""
    from bench.code_size.count import READS, WRITES, code_line_numbers, lineage_declarations

    dagster = "@asset(key=AssetKey('b'), deps=[AssetKey('a'), 'x'])\ndef b():\n    pass\n"
    prefect = "t = materialize(Asset(key='b'), asset_deps=[Asset(key='a'), 'x'])(f)\n"
    airflow = "@task(inlets=[A, X], outlets=[B])\ndef b():\n    pass\n"
    counts = [lineage_declarations(src, code_line_numbers(src)) for src in (dagster, prefect, airflow)]
    assert counts == [{READS: 2, WRITES: 1}] * 3


# --- noise: a timing decides only beyond the spread of its rounds ------------------------------------


def test_overlapping_rounds_are_no_difference_within_noise() -> None:
    figures = {"dagster": [19.6, 23.9, 28.1, 22.0, 26.0], "airflow": [24.7, 27.1, 29.5, 25.5, 28.0]}
    comparison = compare_with_best_other(figures, higher_is_better=False, margin=Margin(0.1, True), noisy=True)
    assert comparison.outcome == NO_DIFFERENCE and "within noise" in comparison.text
    # the same medians read as single figures would pass the margin: the noise is what holds it back
    medians = {"dagster": 23.9, "airflow": 27.1}
    assert compare_with_best_other(medians, higher_is_better=False, margin=Margin(0.1, True)).outcome == SUPPORTED


def test_separated_rounds_beyond_the_margin_give_a_verdict() -> None:
    figures = {"dagster": [20.0, 20.5, 21.0], "airflow": [27.0, 27.5, 28.0], "prefect": [40.0, 41.0, 42.0]}
    comparison = compare_with_best_other(figures, higher_is_better=False, margin=Margin(0.1, True), noisy=True)
    assert (comparison.outcome, comparison.best_other) == (SUPPORTED, "airflow")
    low, high = noise_interval(figures["dagster"], figures["airflow"])
    assert high < 0 and f"{low}" in comparison.text.replace(" s", "") or "interval" in comparison.text


def test_a_timing_taken_fewer_than_three_times_is_not_judged() -> None:
    figures = {"dagster": [23.9, 19.6], "airflow": [27.1, 24.7, 29.5]}
    comparison = compare_with_best_other(figures, higher_is_better=False, margin=Margin(0.1, True), noisy=True)
    assert comparison.outcome == NOT_JUDGED
    assert tally({"time": NOT_JUDGED}) == NOT_JUDGED
    assert tally({"time": NOT_JUDGED, "lines": SUPPORTED}) == SUPPORTED  # a timing not judged does not vote


@pytest.mark.parametrize(
    ("mine", "other"),
    [([1.0, 2.0, 3.0], [2.5, 3.5, 4.5]), ([10.0, 10.1, 10.2, 30.0], [11.0, 12.0, 13.0]), ([5.0] * 3, [5.0, 6.0, 7.0])],
)
def test_the_noise_interval_negates_when_the_samples_swap(mine: list[float], other: list[float]) -> None:
    low, high = noise_interval(mine, other)
    assert noise_interval(other, mine) == (-high, -low)


# --- symmetry: swap Dagster's figures with its rival's and the verdict swaps ---------------------------


def _swap(figures: dict[str, object]) -> dict[str, object]:
    return {**figures, "dagster": figures["airflow"], "airflow": figures["dagster"]}


@pytest.mark.parametrize(
    ("figures", "higher_is_better", "margin", "noisy"),
    [
        ({"dagster": 10.0, "airflow": 11.5}, False, Margin(0.1, True), False),
        ({"dagster": 10.0, "airflow": 10.95}, False, Margin(0.1, True), False),  # within 10% of the smaller
        ({"dagster": [10.0, 10.2, 10.4], "airflow": [12.0, 12.1, 12.2]}, False, Margin(0.1, True), True),
        ({"dagster": [10.0, 13.0, 11.0], "airflow": [12.0, 10.5, 12.5]}, False, Margin(0.1, True), True),
        ({"dagster": 0.93, "airflow": 0.90}, True, Margin(0.02), False),
    ],
)
def test_the_comparison_is_symmetric(figures, higher_is_better: bool, margin: Margin, noisy: bool) -> None:
    forward = compare_with_best_other(figures, higher_is_better=higher_is_better, margin=margin, noisy=noisy)
    backward = compare_with_best_other(_swap(figures), higher_is_better=higher_is_better, margin=margin, noisy=noisy)
    assert backward.outcome == swapped(forward.outcome)


def _pair_store(tmp_path: Path, dagster: dict, airflow: dict) -> Store:
    """A store with one synthetic figure set per tool for every rule: the two tools' inputs given."""
    from bench.deployed.results import Crash, DeployedResult, IdleCost
    from bench.isolation.results import StepTest

    store = _store(tmp_path)
    store.lineage.truth = TrueGraphSize(nodes=20, edges=30, dbt_models=10)
    for name, f in (("dagster", dagster), ("airflow", airflow)):
        coverage = Coverage(name, f["nodes"], f["edges"], total_nodes=20, total_edges=30)
        coverage.extra_edges.extend([("x", str(i)) for i in range(f["false"])])
        store.lineage.known[name] = LineageResult(coverage, f["models"], f["objects"])
        store.code_size.sizes[name] = _declared(name, f["reads"], 2)
        store.code_size.typing[name] = _typing(f["typed"])
        store.ui.tools[name] = _ui(name, f["listed"], f["settings"], f["reload"])
        store.isolation[name] = StepTest(name, "helper", "x.py", f["lines"], 1.0, f["test"], True, "", "")
        entry = DeployedResult(name, startup_seconds=30.0, runs_triggered=6, outputs_equal=6 - f["lost"])
        entry.trigger_to_done = f["done"]
        entry.idle = IdleCost(60, 5, 600.0, 1.0, [600.0] * 3, f["pss"])
        entry.crash = Crash("x", 3.0, "SUCCESS", 10.0, 0, f["crash"])
        store.deployed[name] = entry
    return store


GOOD = {
    "nodes": 20, "edges": 30, "false": 0, "models": 10, "objects": 20, "reads": 2, "typed": 0.99, "listed": [10.0, 10.5, 11.0],
    "settings": 2, "reload": [5.0, 5.5, 6.0], "lines": 10, "test": [1.0, 1.1, 1.2], "lost": 0, "done": [20.0, 21.0, 22.0],
    "pss": [500.0, 505.0, 510.0], "crash": True,
}  # fmt: skip
BAD = {
    "nodes": 20, "edges": 25, "false": 3, "models": 8, "objects": 14, "reads": 9, "typed": 0.80, "listed": [30.0, 31.0, 32.0],
    "settings": 9, "reload": [40.0, 41.0, 42.0], "lines": 30, "test": [9.0, 9.5, 10.0], "lost": 0, "done": [60.0, 61.0, 62.0],
    "pss": [900.0, 905.0, 910.0], "crash": True,
}  # fmt: skip


@pytest.mark.parametrize("claim", [*CLAIMS, *CONSEQUENCES], ids=lambda claim: claim.feature)
def test_every_rule_swaps_its_verdict_when_the_tools_swap_their_inputs(tmp_path: Path, claim) -> None:
    forward = claim.verdict(_pair_store(tmp_path / "forward", GOOD, BAD))
    backward = claim.verdict(_pair_store(tmp_path / "backward", BAD, GOOD))
    assert backward.verdict == swapped(forward.verdict), (forward.evidence, backward.evidence)
    if claim.judge.__name__ not in {"judge_learning_curve", "judge_migration"} and claim.feature != "Community":
        assert forward.verdict == SUPPORTED, (claim.feature, forward.evidence)


def test_a_lost_run_outweighs_every_speed(tmp_path: Path) -> None:
    store = _pair_store(tmp_path, {**GOOD, "lost": 1}, BAD)
    verdict = claim_named("Production deployment (the ADR's need)").verdict(store)
    assert verdict.verdict == REFUTED, verdict.evidence
    store = _pair_store(tmp_path / "crash", {**GOOD, "crash": False}, BAD)
    assert claim_named("Production deployment (the ADR's need)").verdict(store).verdict == REFUTED


def test_a_failing_test_is_refuted(tmp_path: Path) -> None:
    from dataclasses import replace

    store = _pair_store(tmp_path, GOOD, BAD)
    store.isolation["dagster"] = replace(store.isolation["dagster"], passed=False)
    assert claim_named("Testing (positive)").verdict(store).verdict == REFUTED


def test_each_tool_is_read_in_its_fastest_mode_or_its_default(tmp_path: Path) -> None:
    from bench.measure import RunMeasurement

    store = _pair_store(tmp_path, GOOD, BAD)
    for mode, wall in (("dagster", 20.0), ("airflow", 30.0), ("airflow-watcher", 25.0)):
        store.add_run(store.config.customers, RunMeasurement(mode, True, wall, None, None, None))
    faster = _pair_store(tmp_path / "watcher", GOOD, GOOD).deployed["airflow"]
    store.deployed["airflow-watcher"] = faster  # as fast and as light as Dagster once deployed
    production = claim_named("Production deployment (the ADR's need)")
    assert production.verdict(store).verdict == NO_DIFFERENCE  # the watcher is Airflow's fastest mode
    # documented defaults: Airflow's LOCAL mode, Dagster's multiprocess executor (not deployed here)
    assert production.judge(store, Reading(modes="default")).verdict == NOT_MEASURABLE


# --- robustness: every row judged again under the other fair readings ----------------------------------


def test_a_verdict_one_reading_flips_is_fragile(tmp_path: Path) -> None:
    def judge(store: Store, reading: Reading) -> Verdict:
        figures = {"dagster": 10.0, "airflow": 11.5}
        comparison = compare_with_best_other(
            figures, higher_is_better=False, margin=Margin(0.1 * reading.margin_scale, True)
        )
        return Verdict(comparison.outcome, comparison.text)

    store = _store(tmp_path)
    fared = robustness(
        judge, store, [Reading("margin halved", margin_scale=0.5), Reading("margin doubled", margin_scale=2)]
    )
    assert fared.verdict == SUPPORTED and fared.fragile
    assert fared.text() == "supported in 2 of 3 readings; fragile: no difference with margin doubled"
    steady = robustness(judge, store, [Reading("margin halved", margin_scale=0.5)])
    assert not steady.fragile and steady.text() == "supported in all 2 readings"


def test_the_report_table_has_a_robustness_column(tmp_path: Path) -> None:
    table = claims_table(_pair_store(tmp_path, GOOD, BAD))
    assert "robustness" in table[0]
    assert any("readings" in row for row in table[2:])


def claim_named(feature: str):
    return next(claim for claim in [*CLAIMS, *CONSEQUENCES] if claim.feature == feature)


def test_each_tool_is_tested_the_lightest_way_that_works(tmp_path: Path) -> None:
    from dataclasses import replace

    from bench.isolation.verdicts import HELPERS_ONLY, tests_read

    store = _pair_store(tmp_path, GOOD, BAD)
    store.isolation_direct = {
        "dagster": replace(store.isolation["dagster"], way="direct", code_lines=5),
        "airflow": replace(store.isolation["airflow"], way="direct", passed=False),  # cannot test it as written
    }
    read = tests_read(store, AS_JUDGED)
    assert (read["dagster"].way, read["airflow"].way) == ("direct", "helper")
    assert {t.way for t in tests_read(store, Reading(option=HELPERS_ONLY)).values()} == {"helper"}
