"""Progress lines (``core.progress``): what a step, a dbt node and a long quiet stretch print."""

from __future__ import annotations

import time

from core.progress import Progress, dbt_node
from tests.progress_lines import recorded_progress


def test_a_step_has_a_start_and_an_end_line_with_its_time() -> None:
    with recorded_progress() as lines, Progress() as progress:
        progress.started("ingest")
        progress.started("ingest")  # a tool reporting a start twice still gets one line
        progress.finished("ingest", 1.25)
        progress.finished("exports", failed=True)
    assert lines == ["start ingest", "done ingest (1.2 s)", "FAILED exports"]


def test_a_step_run_by_hand_is_timed_and_a_failure_named() -> None:
    with recorded_progress() as lines, Progress() as progress:
        with progress.step("check inputs"):
            pass
        try:
            with progress.step("ingest"):
                raise ValueError("bad row")
        except ValueError:
            pass
    assert lines[0] == "start check inputs" and lines[1].startswith("done check inputs (")
    assert lines[2] == "start ingest" and lines[3].startswith("FAILED ingest (")


def test_models_get_a_line_tests_are_counted_failures_always_shown() -> None:
    with recorded_progress() as lines, Progress() as progress:
        progress.node_finished("model", "stg_customers", 0.4)
        progress.node_finished("test", "not_null_stg_customers_customer_id")
        progress.node_finished("test", "unique_stg_customers_customer_id", failed=True)
    assert lines == [
        "built model stg_customers (0.4 s) [1 nodes done]",
        "FAILED test unique_stg_customers_customer_id [3 nodes done]",
    ]


def test_a_long_quiet_step_gets_a_heartbeat_naming_it() -> None:
    with recorded_progress() as lines, Progress(heartbeat_seconds=0.3) as progress:
        progress.started("dbt build")
        progress.node_finished("test", "not_null_x")
        deadline = time.monotonic() + 10
        while not any(line.startswith("still running") for line in lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    beat = next(line for line in lines if line.startswith("still running"))
    assert beat.startswith("still running: dbt build (") and beat.endswith("done so far: 0 steps, 1 nodes")


def test_dbt_node_names_are_read_from_a_tools_step_label() -> None:
    assert dbt_node("model stg_customers") == ("model", "stg_customers")
    assert dbt_node("unit_test interest_tiers") == ("unit_test", "interest_tiers")
    assert dbt_node("dbt_build-3f2") is None and dbt_node("model") is None
