"""The ADR consequence judged from the isolation section's figures: "assets are easy to test in isolation"."""

from __future__ import annotations

from bench.isolation.results import StepTest
from bench.store import Store
from bench.verdicts import (
    AS_JUDGED,
    EXACT,
    MARGIN_READINGS,
    SCRIPTS_OUT,
    TENTH,
    Criterion,
    Reading,
    Verdict,
    decide,
    figure_cells,
    left_out,
    option,
    show_count,
    show_seconds,
    show_yes,
)

PASSES, LINES, WALL = "test passes", "test code lines", "wall time"
HELPER = "each tool's test helper"  # the reading that reads the helper instead of the lightest way


def tests_read(store: Store, reading: Reading) -> dict[str, StepTest]:
    """Each implementation's test of the step: the lightest way its docs show (where measured), or the
    tool's test helper under the reading that says so."""
    if reading.option == HELPER:
        return dict(store.isolation)
    return {**store.isolation, **store.isolation_direct}


def _wall(test: StepTest) -> list[float]:
    return test.seconds_samples or [test.seconds]


def judge_testing(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """A test of the quality-report step alone, in each implementation's lightest documented way (Dagster
    direct invocation, Prefect ``.fn()``, Airflow's lightest, plain scripts a function call; the tools'
    test helpers are a reading beside it). Whether it passes is decisive (exact: a failing test refutes
    whatever else). Otherwise two comparisons with the best other implementation: its code lines
    (within 10%) and its wall time (within 10% and beyond the noise of its repeats; fewer than three
    repeats are not judged); supported when Dagster wins more of them than it loses, refuted when it
    loses more, no difference when even."""
    tests = tests_read(store, reading)
    criteria = [
        Criterion(PASSES, {n: float(t.passed) for n, t in tests.items()}, True, EXACT, show_yes, decisive=True),
        Criterion(LINES, {n: float(t.code_lines) for n, t in tests.items()}, False, TENTH, show_count),
        Criterion(WALL, {n: _wall(t) for n, t in tests.items()}, False, TENTH, show_seconds, noisy=True),
    ]
    verdict, evidence = decide(criteria, reading)
    cells = {name: _cell(t, store.isolation.get(name)) for name, t in tests_read(store, AS_JUDGED).items()}
    return Verdict(
        verdict,
        evidence,
        "a test of the quality-report step alone, the lightest way each tool's docs show (the tool's test "
        "helper beside it): passes, code lines, wall time",
        figure_cells(cells),
    )


def _cell(test: StepTest, helper: StepTest | None) -> str:
    cell = f"{test.way}: {test.code_lines} lines, {show_seconds(test.seconds)}{'' if test.passed else ', FAILED'}"
    if helper is not None and helper is not test:
        cell += (
            f"; helper: {helper.code_lines} lines, {show_seconds(helper.seconds)}{'' if helper.passed else ', FAILED'}"
        )
    return cell


TESTING_READINGS = (*MARGIN_READINGS, SCRIPTS_OUT, option(HELPER), left_out(LINES), left_out(WALL))
