"""The deployed section's rules on small synthetic inputs: the gaps between steps (one rule for every
tool's graph shape), the nearest-rank percentile, each API's states mapped alike, and the section's
figures reaching report.md and results.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.deployed.clients import FAILED, QUEUED, RUNNING, SUCCESS, Step, _epoch, _state
from bench.deployed.results import Concurrency, Crash, DeployedResult, IdleCost, percentile, step_gaps


def test_a_gap_is_time_in_which_no_step_ran() -> None:
    sequential = [Step("a", 10, 12), Step("b", 15, 16), Step("c", 16.5, 20)]
    gaps = step_gaps(sequential, run_start=9)
    assert gaps.steps == 3
    assert gaps.gaps == [3, 0.5]
    assert gaps.total == 3.5 and gaps.median == 1.75 and gaps.p95 == 3
    assert gaps.first_step_delay == 1


def test_parallel_and_nested_steps_open_no_gap() -> None:
    # a build step holding per-node steps (prefect-dbt), and two steps side by side (a DAG's branches)
    nested = [Step("build", 0, 10), Step("node 1", 1, 3), Step("node 2", 5, 9)]
    assert step_gaps(nested).gaps == []
    parallel = [Step("left", 0, 4), Step("right", 1, 6), Step("join", 8, 9)]
    assert step_gaps(parallel).gaps == [2]  # after the later of the two branches ends


def test_no_steps_no_gaps_and_no_figures() -> None:
    gaps = step_gaps([], run_start=1.0)
    assert (gaps.steps, gaps.gaps, gaps.total, gaps.median, gaps.p95, gaps.first_step_delay) == (
        0,
        [],
        0,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(("values", "pct", "expected"), [([5], 95, 5), ([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 95, 4)])
def test_percentile_is_nearest_rank(values: list[float], pct: float, expected: float) -> None:
    assert percentile(values, pct) == expected


@pytest.mark.parametrize(
    ("tool_state", "expected"),
    [
        ("QUEUED", QUEUED),  # Dagster
        ("STARTED", RUNNING),
        ("SUCCESS", SUCCESS),
        ("CANCELED", FAILED),
        ("queued", QUEUED),  # Airflow
        ("running", RUNNING),
        ("failed", FAILED),
        ("SCHEDULED", QUEUED),  # Prefect
        ("CRASHED", FAILED),
        ("COMPLETED", SUCCESS),
    ],
)
def test_every_tools_states_map_to_the_same_four_words(tool_state: str, expected: str) -> None:
    queued = {"QUEUED", "NOT_STARTED", "STARTING", "queued", "SCHEDULED", "PENDING"}
    success = {"SUCCESS", "success", "COMPLETED"}
    failed = {"FAILURE", "CANCELED", "failed", "FAILED", "CRASHED", "CANCELLED"}
    assert _state(tool_state, queued, success, failed) == expected


def test_api_timestamps_become_epoch_seconds() -> None:
    assert _epoch("1970-01-01T00:01:00Z") == 60.0
    assert _epoch("1970-01-01T00:01:00.500000+00:00") == 60.5
    assert _epoch(None) is None


def test_deployed_figures_reach_the_report(tmp_path: Path) -> None:
    from bench.report.document import write_report
    from bench.store import BenchConfig, Store

    store = Store(BenchConfig(1_000, 1, 42, [], ["scripts", "dagster", "airflow"], tmp_path, quick=True))
    dagster = DeployedResult("dagster", ["postgresql", "daemon"], 20.0, IdleCost(30, 9, 600.0, 1.5))
    dagster.trigger_to_start, dagster.trigger_to_done = [2.0, 4.0], [30.0, 34.0]
    dagster.gaps = step_gaps([Step("a", 0, 1), Step("b", 2.5, 3)], run_start=0)
    dagster.concurrency = Concurrency(3, 3, 0, 61.0)
    dagster.crash = Crash("daemon", 5.0, "SUCCESS", 20.0, 0, True)
    dagster.outputs_compared = dagster.outputs_equal = 6
    store.deployed["dagster"] = dagster
    store.deployed["airflow"] = DeployedResult("airflow", error="ServiceFailed: scheduler exited with status 1\nlog")

    written = write_report(store)
    report = written["report"].read_text(encoding="utf-8")
    section = report[report.index("## Deployed") :]
    assert "| dagster" in section and "| airflow" in section
    assert "3.0 s" in section  # the median of two rounds' trigger to start
    assert "2 steps, 1 gaps: median 1.5 s" in section
    assert "600 MiB in 9 processes; 1.5 CPU s/min" in section
    assert "3/3 succeeded, 0 lock errors, drained in 61.0 s" in section
    assert "daemon killed 5 s into the run: SUCCESS, 20.0 s after the kill; outputs equal" in section
    assert "6/6 runs" in section
    assert "- airflow: `ServiceFailed: scheduler exited with status 1`" in section
    raw = json.loads(written["results"].read_text(encoding="utf-8"))
    assert raw["deployed"]["dagster"]["crash"]["outcome"] == "SUCCESS"
    assert raw["deployed"]["airflow"]["error"].startswith("ServiceFailed")


def _stack(tool: str, done: float, idle_mib: float, survived: bool | None, lost: int = 0) -> DeployedResult:
    """A stack whose three rounds took about ``done`` s and whose idle PSS was about ``idle_mib``."""
    spread = [0.98, 1.0, 1.02]
    entry = DeployedResult(tool, runs_triggered=6, outputs_equal=6 - lost)
    entry.idle = IdleCost(60, 5, idle_mib, 1.0, [idle_mib * s for s in spread], [idle_mib * s for s in spread])
    entry.trigger_to_done = [done * s for s in spread]
    if survived is not None:
        entry.crash = Crash("x", 3.0, "SUCCESS" if survived else "FAILED", 10.0, 0, True if survived else None)
        entry.worker_crash = Crash("y", 3.0, "SUCCESS", 10.0, 1, True)
    return entry


def _production(tmp_path: Path, *stacks: DeployedResult):
    from bench.deployed.verdicts import judge_production
    from bench.store import BenchConfig, Store

    store = Store(BenchConfig(1_000, 1, 42, [], ["scripts", "dagster", "airflow", "prefect"], tmp_path, quick=True))
    store.deployed = {entry.tool: entry for entry in stacks}
    return judge_production(store)


def test_production_is_judged_against_the_best_other_stack(tmp_path: Path) -> None:
    faster = _production(
        tmp_path, _stack("dagster", 30, 600, True), _stack("airflow", 190, 1500, True), _stack("prefect", 34, 700, True)
    )
    assert faster.verdict == "supported", faster.evidence  # quicker and lighter than Prefect, both survive
    assert "n/a: no deployed stack" in faster.figures["scripts"]
    assert faster.figures["dagster"] == (
        "dagster: done in 30.0 s, idle 612 MiB PSS, survives a crash of what starts runs: yes, of its work "
        "process: yes, runs lost or wrong: 0"
    )
    assert "stack start-up: not measurable here" in faster.evidence  # no figure in these made-up stacks


def test_production_within_the_margin_or_even_is_no_difference(tmp_path: Path) -> None:
    within = _production(tmp_path, _stack("dagster", 31, 630, True), _stack("prefect", 30, 600, True))
    assert within.verdict == "no difference"
    even = _production(tmp_path, _stack("dagster", 20, 900, False), _stack("prefect", 30, 600, False))
    assert even.verdict == "no difference"  # one win (time), one loss (memory), crash a tie


def test_correctness_outweighs_every_speed(tmp_path: Path) -> None:
    crashed = _production(tmp_path, _stack("dagster", 10, 300, False), _stack("prefect", 30, 600, True))
    assert crashed.verdict == "refuted"  # faster and lighter, but the run did not survive the crash
    lost = _production(tmp_path, _stack("dagster", 10, 300, True, lost=1), _stack("prefect", 30, 600, True))
    assert lost.verdict == "refuted"
    worker = _stack("dagster", 10, 300, True)
    worker.worker_crash = Crash("y", 3.0, "still STARTED after 600 s", None, 0, None)
    assert _production(tmp_path, worker, _stack("prefect", 30, 600, True)).verdict == "refuted"


def test_production_without_deployed_stacks_is_not_measurable(tmp_path: Path) -> None:
    assert _production(tmp_path).verdict == "not measurable here"
    stopped = DeployedResult("airflow", error="ServiceFailed: scheduler exited")
    verdict = _production(tmp_path, _stack("dagster", 30, 600, True), stopped)
    assert verdict.verdict == "not measurable here"
    assert verdict.figures["airflow"].startswith("stopped: ServiceFailed")


def test_production_reads_each_tool_in_the_mode_the_principle_picks(tmp_path: Path) -> None:
    """Without timed rounds each tool's fastest mode is its shipped one: a mode deployed beside it (cosmos
    WATCHER) does not decide the row and is not a column of its own."""
    verdict = _production(
        tmp_path,
        _stack("dagster", 30, 600, True),
        _stack("airflow", 190, 1500, True),
        _stack("airflow-watcher", 10, 500, True),
    )
    assert verdict.verdict == "supported"
    assert "airflow-watcher" not in verdict.figures
