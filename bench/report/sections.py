"""The report's sections, in the order report.md shows them: the registry the report is assembled from.

Each section lives in its own folder of ``bench/`` and renders itself from the session's store
(:class:`bench.report.context.ReportContext`); some also draw charts. A new section is a folder
with a ``render`` module and one entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.code_size import render as code_size
from bench.deployed import render as deployed
from bench.engines import render as engines
from bench.equality import render as equality
from bench.isolation import render as isolation
from bench.lineage import render as lineage
from bench.model_scaling import render as model_scaling
from bench.reliability import render as reliability
from bench.report.context import ReportContext
from bench.runtime import render as runtime
from bench.timeline import render as timeline
from bench.ui import render as ui


@dataclass(frozen=True)
class Section:
    name: str
    render: Callable[[ReportContext], list[str]]
    charts: Callable[[ReportContext], list[str]] | None = None  # draws into ctx.out_dir; the file names


SECTIONS: list[Section] = [
    Section("runtime", runtime.section, runtime.charts),
    Section("timeline", timeline.section, timeline.charts),
    Section("equality", equality.section),
    Section("lineage", lineage.lineage_section, lineage.lineage_chart),
    Section("code size", code_size.section),
    Section("reliability", reliability.section),
    Section("testing in isolation", isolation.section),
    Section("data quality", lineage.quality_section),
    Section(
        "model scaling",
        lambda ctx: model_scaling.model_scaling_section(ctx.store.model_scaling),
        lambda ctx: model_scaling.model_scaling_charts(ctx.store.model_scaling, ctx.out_dir),
    ),
    Section("UIs", lambda ctx: ui.ui_section(ctx.store)),
    Section("engines", engines.section),
    Section("deployed", deployed.section),
]

# Charts a section links itself; the report's closing chart list shows the others.
LINKED_BY_THEIR_SECTION = set(timeline.CHARTS)
