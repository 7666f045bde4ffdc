"""Fault injection, the same for all four implementations: ``LC_FAIL_ONCE=<step>[,<step>...]``.

A named step raises :class:`InjectedFault` the first time it runs for a warehouse, at its most
awkward moment: after it has done its work and before that work becomes visible (the new raw table
is loaded but not swapped in; the output file is written under its temporary name but not renamed).
A marker file beside the warehouse records that the fault fired, so the orchestrator's retry, or
the next run of plain scripts, goes through. That is how the tests and the harness check that a
failure leaves nothing half-written and that retries and reruns recover.

The fault is raised from inside ``core``, so every orchestrator sees the same failure from the same
line of code and only its own retry machinery differs.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from core.errors import PipelineError, PipelineInputError
from core.layout import INPUT_FILES, OUTPUT_TABLES

FAULT_ENV = "LC_FAIL_ONCE"
FAULT_MARKER_DIR = ".faults"  # beside the warehouse file: one marker per step that has failed once

# The steps a fault can be injected into, named like the tasks of the orchestrated versions.
FAULT_STEPS: tuple[str, ...] = (
    *(f"ingest_{spec.raw_table}" for spec in INPUT_FILES),
    *(f"export_{table.table}" for table in OUTPUT_TABLES),
    "quality_report",
)


class InjectedFault(RuntimeError):
    """A failure injected on purpose. Not a :class:`PipelineError`: it is transient, so retries apply."""


def requested_faults() -> frozenset[str]:
    """The steps ``LC_FAIL_ONCE`` names; a name that is not a step stops the run (a typo tests nothing)."""
    steps = frozenset(name.strip() for name in os.environ.get(FAULT_ENV, "").split(",") if name.strip())
    unknown = sorted(steps - set(FAULT_STEPS))
    if unknown:
        raise PipelineInputError(f"{FAULT_ENV}: unknown step {', '.join(unknown)}; steps are {', '.join(FAULT_STEPS)}")
    return steps


def warehouse_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The file behind a warehouse connection: fault markers live beside it."""
    row = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if row is None or not row[0]:
        raise PipelineError("fault injection needs a warehouse file, not an in-memory database")
    return Path(row[0])


def fail_once(step: str, con: duckdb.DuckDBPyConnection) -> None:
    """Raise :class:`InjectedFault` if ``LC_FAIL_ONCE`` names ``step`` and it has not failed yet here."""
    if step not in requested_faults():
        return
    marker = warehouse_of(con).parent / FAULT_MARKER_DIR / step
    if marker.exists():
        return
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(f"{step}: failed once on purpose ({FAULT_ENV})\n", encoding="utf-8")
    raise InjectedFault(f"{step}: failure injected by {FAULT_ENV}; a retry or the next run goes through")
