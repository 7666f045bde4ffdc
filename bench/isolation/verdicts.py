"""The ADR consequence judged from the isolation section's figures: "assets are easy to test in isolation"."""

from __future__ import annotations

from bench.isolation.results import HELPER, StepTest
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
HELPERS_ONLY = "each tool's test helper"  # the reading that reads the helpers instead of the lightest ways


def tests_read(store: Store, reading: Reading) -> dict[str, StepTest]:
    """Each implementation's test of the step at its best: the lightest way its docs show where that
    tests the step as written (passes), else its test helper; the helper alone under the reading that
    says so."""
    if reading.option == HELPERS_ONLY:
        return dict(store.isolation)
    lightest = {name: test for name, test in store.isolation_direct.items() if test.passed}
    return {**store.isolation, **lightest}


def _wall(test: StepTest) -> list[float]:
    return test.seconds_samples or [test.seconds]


def judge_testing(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """A test of the quality-report step alone, each implementation at its best: the lightest way its
    docs show (Dagster direct invocation, Prefect ``.fn()``, Airflow the task's function, plain scripts
    a function call) where that tests the step as written, else the tool's test helper (the helpers
    alone are a reading beside it). Whether it passes is decisive (exact: a failing test refutes
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
    cells = {
        name: _cell(t, (store.isolation_direct if t.way == HELPER else store.isolation).get(name))
        for name, t in tests_read(store, AS_JUDGED).items()
    }
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


TESTING_READINGS = (*MARGIN_READINGS, SCRIPTS_OUT, option(HELPERS_ONLY), left_out(LINES), left_out(WALL))
