"""Timelines of one run per implementation (bench/timeline/steps.py): pure logic first, then one finished
run per implementation read back from the tool's own records in a fresh process."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench.store import Store
from bench.timeline.steps import (
    BOOKKEEPING,
    PARTS,
    STARTUP,
    Span,
    dbt_spans,
    gaps,
    phase_breakdown,
    phase_of,
    plot_phase_breakdown,
    plot_timelines,
    timeline_in_subprocess,
    timeline_section,
    warehouse_created,
)
from bench.timeline.steps import _prefect_event_spans as prefect_event_spans
from core.settings import dbt_target_dir

# Step, task and task-run names the four implementations produced at 1,000 customers.
REAL_NAMES = {
    "ingestion": [
        # Airflow tasks, Prefect task runs
        "check_inputs",
        "ingest_customers",
        "ingest_accounts",
        # Dagster steps
        "accounts_raw",
        "customers_raw",
        # plain scripts' window
        "check_inputs + ingest + dbt import (no record in between)",
    ],
    "dbt": [
        # Dagster's step and its dbt command
        "lc_dbt_models",
        "dbt build (command)",
        # cosmos tasks, one a test task though it says "reconcile"
        "transform.stg_customers.run",
        "transform.int_accounts_clean.test",
        "transform.assert_customers_reconcile_test",
        "transform.relationships_int_accounts_clean_customer_id__customer_id__ref_int_customers_clean__test",
        # Prefect's task and its task runs per node (also the node spans of Dagster and plain scripts)
        "dbt_build",
        "model stg_accounts",
        "test not_null_stg_accounts_source_row",
        # plain scripts' run_results.json
        "dbt build",
    ],
    "exports": [
        # Airflow, Prefect, plain scripts
        "export_account_summary",
        "export_accounts_quarantine",
        "quality_report",
        # Dagster steps, and its checks that run after dbt
        "account_summary_files",
        "customers_quarantine_files",
        "accounts_raw_accounts_reconcile",
        "customer_profile_files_files_match_table",
    ],
    "other": ["send_email", "cleanup"],
}


@pytest.mark.parametrize(("name", "phase"), [(n, p) for p, names in REAL_NAMES.items() for n in names])
def test_phase_of_real_names(name: str, phase: str) -> None:
    assert phase_of(name) == phase


def _spans(*rows: tuple[str, float, float]) -> list[Span]:
    return [Span(name, phase_of(name), start, end) for name, start, end in rows]


def test_breakdown_counts_overlapping_steps_once_and_gaps_as_bookkeeping() -> None:
    spans = _spans(
        ("ingest_customers", 1.0, 3.0),
        ("ingest_accounts", 2.0, 4.0),  # overlaps the first: ingestion is 1..4, 3 s, not 4 s
        ("dbt_build", 5.0, 10.0),  # gap 4..5
        ("model stg_accounts", 6.0, 7.0),  # inside the dbt step: adds nothing
        ("export_account_summary", 12.0, 13.0),  # gap 10..12
    )
    parts = phase_breakdown(spans, wall_seconds=20.0, origin_at_seconds=2.0)
    # window after the imports: 18 s; start-up 2 + 1; tail 13..18 = 5; gaps 1 + 2
    assert parts == pytest.approx(
        {STARTUP: 3.0, "ingestion": 3.0, "dbt": 5.0, "exports": 1.0, "other": 0.0, BOOKKEEPING: 8.0}
    )
    assert list(parts) == list(PARTS)
    assert sum(parts.values()) == pytest.approx(20.0, abs=1e-12)


def test_breakdown_gives_a_moment_two_phases_share_to_the_earlier_phase() -> None:
    spans = _spans(("ingest_accounts", 0.0, 4.0), ("dbt_build", 3.0, 6.0), ("cleanup", 5.0, 8.0))
    parts = phase_breakdown(spans, wall_seconds=10.0, origin_at_seconds=1.0)
    assert parts["ingestion"] == pytest.approx(4.0)
    assert parts["dbt"] == pytest.approx(2.0)  # 4..6: 3..4 already counted as ingestion
    assert parts["other"] == pytest.approx(2.0)  # 6..8
    assert parts[BOOKKEEPING] == pytest.approx(1.0)  # 8..9 of the 9 s window
    assert sum(parts.values()) == pytest.approx(10.0, abs=1e-12)


def test_breakdown_clips_spans_to_the_measured_wall_time() -> None:
    # Records running past the wall time (clocks of two processes) cannot make a part negative.
    spans = _spans(("ingest_accounts", -1.0, 2.0), ("dbt_build", 2.0, 50.0))
    parts = phase_breakdown(spans, wall_seconds=12.0, origin_at_seconds=2.0)
    assert parts == pytest.approx(
        {STARTUP: 2.0, "ingestion": 2.0, "dbt": 8.0, "exports": 0.0, "other": 0.0, BOOKKEEPING: 0.0}
    )
    assert sum(parts.values()) == pytest.approx(12.0, abs=1e-12)


def test_breakdown_without_spans_is_start_up_and_bookkeeping() -> None:
    assert phase_breakdown([], wall_seconds=7.5, origin_at_seconds=0.5) == pytest.approx(
        {STARTUP: 0.5, "ingestion": 0.0, "dbt": 0.0, "exports": 0.0, "other": 0.0, BOOKKEEPING: 7.0}
    )


def test_gaps_are_the_stretches_with_no_step_running() -> None:
    spans = _spans(("a", 0.0, 1.0), ("b", 0.5, 2.0), ("c", 3.0, 4.0), ("d", 3.5, 3.6), ("e", 6.0, 7.0))
    assert gaps(spans) == [(2.0, 3.0), (4.0, 6.0)]
    assert gaps([]) == []


def test_dbt_spans_read_invocation_and_node_timing() -> None:
    results = {
        "metadata": {"invocation_started_at": "2026-01-01T00:00:00.000000Z", "generated_at": "2026-01-01T00:00:09.5Z"},
        "results": [
            {
                "unique_id": "model.lc_pipeline.stg_accounts",
                "timing": [
                    {"name": "compile", "started_at": "2026-01-01T00:00:03Z", "completed_at": "2026-01-01T00:00:03.5Z"},
                    {"name": "execute", "started_at": "2026-01-01T00:00:03.5Z", "completed_at": "2026-01-01T00:00:05Z"},
                ],
            },
            {"unique_id": "test.lc_pipeline.unique_stg_accounts_source_row.19d0a70c27", "timing": []},
        ],
    }
    zero = datetime.fromisoformat("2026-01-01T00:00:00Z").timestamp()
    assert [(n, s - zero, e - zero) for n, s, e in dbt_spans(results)] == [
        ("dbt build", 0.0, 9.5),
        ("model stg_accounts", 3.0, 5.0),
    ]


def _event(run: str, name: str, state: str, at: str) -> SimpleNamespace:
    resource = SimpleNamespace(id=f"prefect.task-run.{run}", get=lambda key, default=None: name)
    return SimpleNamespace(resource=resource, event=f"prefect.task-run.{state}", occurred=datetime.fromisoformat(at))


def test_prefect_task_runs_missing_from_the_table_come_from_their_events() -> None:
    events = [
        _event("1", "export_account_summary-d5c", "Pending", "2026-01-01T00:00:00+00:00"),
        _event("1", "export_account_summary-d5c", "Running", "2026-01-01T00:00:01+00:00"),
        _event("1", "export_account_summary-d5c", "Completed", "2026-01-01T00:00:03+00:00"),
        _event("2", "quality_report-055", "Running", "2026-01-01T00:00:04+00:00"),  # never finished: no span
    ]
    zero = datetime.fromisoformat("2026-01-01T00:00:00+00:00").timestamp()
    assert [(n, s - zero, e - zero) for n, s, e in prefect_event_spans(events)] == [
        ("export_account_summary", 1.0, 3.0)
    ]


def test_charts_and_section(tmp_path: Path) -> None:
    timelines = {
        "dagster": _spans(
            ("accounts_raw", 0.2, 0.4),
            ("lc_dbt_models", 0.6, 27.0),
            ("model stg_accounts", 20.0, 20.5),
            ("test unique_x", 21.0, 21.0),
            ("quality_report", 28.0, 28.5),
        ),
        "airflow": _spans(
            ("check_inputs", 0.6, 5.2),
            ("transform.stg_customers.run", 6.1, 10.1),
            ("export_account_summary", 35.7, 35.8),
        ),
    }
    breakdowns = {name: phase_breakdown(spans, 60.0, 0.3) for name, spans in timelines.items()}
    plot_timelines(timelines, tmp_path / "timeline.png")
    plot_phase_breakdown(breakdowns, tmp_path / "phases.png")
    for chart in ("timeline.png", "phases.png"):
        assert (tmp_path / chart).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = "\n".join(timeline_section(timelines, breakdowns, ["timeline.png", "phases.png"]))
    assert "![Timeline of one run per implementation](timeline.png)" in text
    assert "| dagster | 60.0 |" in text and "| airflow | 60.0 |" in text
    assert f"{breakdowns['dagster']['dbt']:.1f} s" in text


def _expected_phases(implementation: str, folder: Path) -> set[str]:
    """Every phase of the pipeline; plain scripts' ingestion only while its folder keeps the warehouse's
    creation time (a copied folder has the copy's, and then nothing records when ingestion ran)."""
    if implementation != "scripts":
        return {"ingestion", "dbt", "exports"}
    results = json.loads((dbt_target_dir(folder) / "run_results.json").read_text(encoding="utf-8"))
    dbt_started = datetime.fromisoformat(results["metadata"]["invocation_started_at"]).timestamp()
    created = warehouse_created(folder)
    return {"dbt", "exports"} | ({"ingestion"} if created is not None and created < dbt_started else set())


def test_timeline(store: Store, implementation: str, finished_run) -> None:
    folder = finished_run(implementation)
    timeline = timeline_in_subprocess(implementation, folder)
    spans = timeline.spans
    store.timeline[implementation] = timeline
    assert spans, f"{implementation}: no step in the tool's records"
    backwards = [s for s in spans if s.end < s.start]
    assert not backwards, f"{implementation}: spans ending before they start: {backwards[:3]}"
    missing = _expected_phases(implementation, folder) - {s.phase for s in spans}
    assert not missing, f"{implementation}: no step of phase {sorted(missing)} in {sorted({s.name for s in spans})}"
