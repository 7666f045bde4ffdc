"""The harness's judging rules on small made-up figures: each verdict, ties, margins, missing figures.

A rule that cannot say "refuted" or "no difference" is no judge; these tests make each rule say each
thing it can say, and check that every implementation appears in every row of the ADR table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.code_size.results import TypedShare
from bench.code_size.verdicts import judge_type_safety
from bench.lineage.graph import Coverage
from bench.lineage.results import LineageResult, TrueGraphSize
from bench.lineage.verdicts import judge_dbt_integration, judge_lineage, judge_mental_model
from bench.report.claims import CLAIMS, CONSEQUENCES, claims_table
from bench.store import BenchConfig, Store
from bench.ui.results import HotReload, Newcomer, ToolUi
from bench.ui.verdicts import judge_local_development
from bench.verdicts import (
    EXACT,
    NO_DIFFERENCE,
    NOT_MEASURABLE,
    REFUTED,
    SUPPORTED,
    Margin,
    compare_with_best_other,
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


def test_type_safety_has_a_margin_and_scripts_is_only_a_reference(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.code_size.typing = {
        "scripts": TypedShare(1.0, mypy_errors=0),
        "dagster": TypedShare(0.93, mypy_errors=1),
        "airflow": TypedShare(0.92, mypy_errors=3),
    }
    verdict = judge_type_safety(store)
    assert verdict.verdict == NO_DIFFERENCE  # one point apart, within two; scripts' 100% not compared
    assert verdict.figures["scripts"] == "100% (reference, not compared)"
    assert verdict.figures["prefect"] == "not measured"
    store.code_size.typing["airflow"] = TypedShare(0.85, mypy_errors=3)
    assert judge_type_safety(store).verdict == SUPPORTED


def _ui(tool: str, listed: float | None, settings: int, reload: float | None) -> ToolUi:
    result = ToolUi(tool, f"make {tool}", Newcomer(f"make {tool}", [], [f"S{i}" for i in range(settings)]))
    result.pipeline_listed_seconds, result.hot_reload = listed, HotReload(reload)
    return result


def test_local_development_weighs_three_figures(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.ui.tools = {
        "dagster": _ui("dagster", 50.0, 1, 30.0),
        "airflow": _ui("airflow", 30.0, 14, 32.0),
        "prefect": _ui("prefect", None, 2, 60.0),
    }
    verdict = judge_local_development(store)
    # slower to list (refuted), fewer settings than the best other, Prefect's 2 (supported), reload within 10%
    assert verdict.verdict == NO_DIFFERENCE, verdict.evidence
    assert verdict.figures["scripts"] == "n/a: no UI"
    store.ui.tools["dagster"] = _ui("dagster", 20.0, 1, 30.0)
    assert judge_local_development(store).verdict == SUPPORTED
    store.ui.tools = {}
    assert judge_local_development(store).verdict == NOT_MEASURABLE


def test_every_row_names_all_four_implementations(tmp_path: Path) -> None:
    store = _store(tmp_path)
    for claim in [*CLAIMS, *CONSEQUENCES]:
        assert set(claim.judge(store).figures) == set(ALL), claim.feature
    header = claims_table(store)[0]
    assert all(name in header for name in ALL)


def test_mental_model_ties_when_every_tool_stores_every_node(tmp_path: Path) -> None:
    store = _store(tmp_path)
    full = {"scripts": 0, "dagster": 20, "airflow": 20, "prefect": 20}
    _lineage(store, nodes=full, edges=full, models=full, objects=full)
    assert judge_mental_model(store).verdict == NO_DIFFERENCE


def test_migration_is_supported_only_when_dagster_names_its_tool_most(tmp_path: Path) -> None:
    from bench.code_size.results import CodeSize, FileSize
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
    assert verdict.verdict == SUPPORTED and verdict.figures["scripts"] == "0% (reference, not compared)"
    store.code_size.sizes["prefect"] = size("prefect", 27)
    assert judge_migration(store).verdict == NO_DIFFERENCE  # 3 points apart, within 5


def test_lineage_weighs_edges_known_against_lineage_declared_by_hand(tmp_path: Path) -> None:
    from bench.code_size.results import CodeSize, FileSize

    def size(name: str, declared: int) -> CodeSize:
        return CodeSize(name, 1, 100, 0, 100, [], 0, [], [FileSize("x.py", "definitions", 100, {}, 0, 0, declared)])

    store = _store(tmp_path)
    edges = {"scripts": 0, "dagster": 29, "airflow": 28, "prefect": 30}
    _lineage(store, nodes=edges, edges=edges, models=edges, objects=edges)
    store.code_size.sizes = {name: size(name, n) for name, n in {"dagster": 4, "airflow": 9, "prefect": 11}.items()}
    verdict = judge_lineage(store)
    # one edge fewer than Prefect (refuted), half the hand-written declarations of Airflow (supported)
    assert verdict.verdict == NO_DIFFERENCE, verdict.evidence
    assert verdict.figures["dagster"] == "97% of edges; 4 declared by hand"
    store.code_size.sizes["dagster"] = size("dagster", 12)
    assert judge_lineage(store).verdict == REFUTED
