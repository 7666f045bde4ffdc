"""What every section of the report is rendered from: the session's store, and what was drawn for it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tabulate import tabulate

from bench.store import Store
from bench.timeline.steps import Span


@dataclass(frozen=True)
class Timelines:
    """Each implementation's steps from its tool's records, and its first cold round split by phase."""

    spans: dict[str, list[Span]] = field(default_factory=dict)
    phases: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class ReportContext:
    store: Store
    out_dir: Path  # where report.md and its charts are written
    timelines: Timelines
    charts: list[str] = field(default_factory=list)  # the chart files drawn so far, by name
    versions: dict[str, str] = field(default_factory=dict)  # each tool's, read in the environment that ran it


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """A table in Markdown's pipe format, as lines of the report; cells are shown as given."""
    return tabulate(list(rows), headers=list(headers), tablefmt="github", disable_numparse=True).split("\n")


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
