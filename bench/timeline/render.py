"""The timeline section of the report: one run per implementation, step by step, and its phases."""

from __future__ import annotations

from bench.report.context import ReportContext, Timelines
from bench.store import Store
from bench.timeline.steps import (
    PHASES_CHART,
    TIMELINE_CHART,
    Span,
    origin_in_wall_time,
    phase_breakdown,
    timeline_charts,
    timeline_section,
)

CHARTS = (TIMELINE_CHART, PHASES_CHART)  # linked from the section itself, not in the report's chart list


def timelines(store: Store) -> Timelines:
    """Each implementation's timeline, and its first cold round's wall time split by phase."""
    spans: dict[str, list[Span]] = {}
    breakdowns: dict[str, dict[str, float]] = {}
    for implementation in store.config.implementations:
        entry = store.timeline.get(implementation)
        if entry is None:
            continue
        spans[implementation] = entry.spans
        first = [m for m in store.rounds(implementation, store.config.customers) if m.round_number == 1]
        if first and first[0].pipeline_started_epoch is not None and first[0].pipeline_seconds is not None:
            run = first[0]
            at = origin_in_wall_time(entry.origin, run.wall_seconds, run.pipeline_seconds, run.pipeline_started_epoch)
            breakdowns[implementation] = phase_breakdown(spans[implementation], run.wall_seconds, at)
    return Timelines(spans, breakdowns)


def charts(ctx: ReportContext) -> list[str]:
    return timeline_charts(ctx.timelines.spans, ctx.timelines.phases, ctx.out_dir)


def section(ctx: ReportContext) -> list[str]:
    return timeline_section(ctx.timelines.spans, ctx.timelines.phases, ctx.charts)
