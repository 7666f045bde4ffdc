"""A timeline (Gantt) of one finished run per implementation, read from each tool's own records.

Each reader below returns the run's steps as :class:`Span` s, in seconds since the run began by the
tool's own record of it (``t = 0``): Dagster's run record (``start_time``, its RUN_START event),
Airflow's ``DagRun.start_date``, Prefect's flow run ``start_time``; plain scripts keep no run
record, so theirs is the earliest span. What a tool does before it records its run start (Dagster
importing the definitions and opening its instance, Airflow's child process migrating its DB and
serializing the DAG, Prefect starting its temporary server) is in no record and so is not in a span.

Like :mod:`bench.lineage.introspect`, the readers run in a fresh process per implementation
(``python -m bench.timeline.steps --impl NAME --output DIR``), so one tool's imports and settings never
reach the harness or another tool. :func:`phase_breakdown` then splits a run's wall time into
start-up, pipeline phases and tool bookkeeping; the plots and :func:`timeline_section` are for the
report.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.child import report, run_python
from core.implementations import interpreter
from core.settings import dbt_target_dir

PHASES = ("ingestion", "dbt", "exports", "other")
STARTUP, BOOKKEEPING = "start-up", "tool bookkeeping"
# The parts of the wall time, in the order a run goes through them (and the bars are stacked).
PARTS = (STARTUP, *PHASES, BOOKKEEPING)
TIMELINE_CHART, PHASES_CHART = "timeline.png", "phases.png"
COLORS = {
    STARTUP: "tab:purple",
    "ingestion": "tab:blue",
    "dbt": "tab:orange",
    "exports": "tab:green",
    "other": "tab:gray",
    BOOKKEEPING: "#e8a0a0",
}
# Where each reader's spans come from: the report quotes it beside the chart.
SOURCES = {
    "scripts": (
        "no tool records: dbt's `run_results.json` (the build: `invocation_started_at` to `generated_at`; "
        "each node's compile+execute timing), the output files' modification times (each export ends when "
        "its last file was written and starts when the previous write ended, the first one at dbt's end), "
        "and the warehouse file's creation time (the start of ingestion; nothing is recorded between it "
        "and dbt's start, so that window also holds dbt's import)"
    ),
    "dagster": (
        "the run's event log in `<output>/dagster_home`: STEP_START to STEP_SUCCESS/STEP_FAILURE per step "
        "key; inside the dbt step, the 'Running/Finished dbt command' log messages and each dbt node's "
        "materialization or check event (its time minus its 'Execution Duration')"
    ),
    "airflow": (
        "task instances of the latest `lc_pipeline` DagRun in `<output>/airflow_home/airflow.db` "
        "(`start_date`, `end_date`; earlier tries from `task_instance_history`)"
    ),
    "prefect": (
        "task runs of the latest `lc_pipeline` flow run in `<output>/prefect_home/prefect.db` through "
        "Prefect's API (`start_time`, `end_time`; prefect-dbt's task run per dbt node is created as dbt "
        "reports the node); a task run whose row the server never wrote comes from its "
        "`prefect.task-run.*` events (Running to Completed/Failed)"
    ),
}


# What t = 0 is in each reader, for the panels of the chart.
_ORIGINS = {
    "scripts": "no run record: t = 0 is the earliest span",
    "dagster": "t = 0: the run record's start",
    "airflow": "t = 0: the DagRun's start_date",
    "prefect": "t = 0: the flow run's start_time",
}


@dataclass(frozen=True)
class Span:
    """One step of a run: seconds since the tool's recorded run start (see the module docstring)."""

    name: str
    phase: str
    start: float
    end: float


@dataclass(frozen=True)
class Timeline:
    """A run's steps, and when (epoch seconds) their ``t = 0`` was: the harness places it in the wall time."""

    origin: float
    spans: list[Span]


# --- phases -----------------------------------------------------------------------------------

# First match wins, so dbt comes first: cosmos' ``transform.assert_customers_reconcile_test`` is dbt,
# though "reconcile" elsewhere (Dagster's ``accounts_raw_accounts_reconcile``) is a check after dbt.
_PHASE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # cosmos tasks (transform.<model>.run/.test), node spans ("model x", "test x"), Dagster's
    # lc_dbt_models, Prefect's dbt_build, "dbt build" of plain scripts and "dbt build (command)"
    ("dbt", re.compile(r"^transform\.|^(model|test|seed|snapshot|source) |^dbt|_dbt_")),
    # export_<table>, Dagster's <table>_files and their checks, the report, reconcile checks
    ("exports", re.compile(r"^export|_files$|_files_|quality_report|reconcile")),
    # check_inputs, ingest_<table>, Dagster's <table>_raw assets
    ("ingestion", re.compile(r"^check_inputs|^ingest|_raw$")),
)


def phase_of(step_name: str) -> str:
    """The pipeline phase a step or task of any implementation belongs to, from its name alone."""
    for phase, rule in _PHASE_RULES:
        if rule.search(step_name):
            return phase
    return "other"


def _span(name: str, start: float, end: float) -> Span:
    return Span(name, phase_of(name), start, end)


# --- interval arithmetic ----------------------------------------------------------------------


def _union(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Disjoint, sorted intervals covering the same time as ``intervals`` (empty ones dropped)."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _length(intervals: Iterable[tuple[float, float]]) -> float:
    return sum(end - start for start, end in _union(intervals))


def _minus(intervals: list[tuple[float, float]], taken: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The parts of ``intervals`` (disjoint) outside ``taken`` (disjoint)."""
    left: list[tuple[float, float]] = []
    for start, end in intervals:
        cursor = start
        for t_start, t_end in taken:
            if t_end <= cursor or t_start >= end:
                continue
            if t_start > cursor:
                left.append((cursor, t_start))
            cursor = max(cursor, t_end)
        if cursor < end:
            left.append((cursor, end))
    return left


def gaps(spans: Sequence[Span]) -> list[tuple[float, float]]:
    """Stretches between the first start and the last end when no span is running."""
    if not spans:
        return []
    covered = _union((s.start, s.end) for s in spans)
    return _minus([(covered[0][0], covered[-1][1])], covered)


def phase_breakdown(spans: Sequence[Span], wall_seconds: float, origin_at_seconds: float) -> dict[str, float]:
    """Seconds of the wall time in each of :data:`PARTS`; they add up to ``wall_seconds`` exactly.

    The spans' ``t = 0`` falls ``origin_at_seconds`` into the wall time (:func:`origin_in_wall_time`),
    and they are clipped to the window ``[0, wall_seconds - origin_at_seconds]``. Then:

    * ``start-up`` = ``origin_at_seconds`` + the first span's start: the interpreter, the imports,
      and the tool's own work before its first step (Dagster loading its definitions and instance,
      Airflow creating and migrating its metadata DB, Prefect starting its temporary server);
    * each phase (``ingestion``, ``dbt``, ``exports``, ``other``) = the length of the union of its
      spans' intervals, so overlapping steps (Airflow, Prefect; node sub-spans inside a dbt step)
      count once; a moment covered by spans of two phases counts for the earlier phase in
      :data:`PHASES` (pipeline order);
    * ``tool bookkeeping`` = the rest: gaps between steps, and the time after the last step until the
      process has exited (run bookkeeping, flushing logs and events, stopping a temporary server).
    """
    window = max(wall_seconds - origin_at_seconds, 0.0)
    clipped = [(max(s.start, 0.0), min(s.end, window), s.phase) for s in spans]
    clipped = [(start, end, phase) for start, end, phase in clipped if end > start]
    first = min((start for start, _, _ in clipped), default=0.0)
    parts = {part: 0.0 for part in PARTS}
    parts[STARTUP] = origin_at_seconds + first
    taken: list[tuple[float, float]] = []
    for phase in PHASES:
        own = _minus(_union((start, end) for start, end, p in clipped if p == phase), taken)
        parts[phase] = _length(own)
        taken = _union([*taken, *own])
    parts[BOOKKEEPING] = wall_seconds - parts[STARTUP] - sum(parts[p] for p in PHASES)
    return parts


def origin_in_wall_time(origin: float, wall_seconds: float, pipeline_seconds: float, pipeline_started: float) -> float:
    """Where a timeline's ``t = 0`` (epoch ``origin``) falls in a round's wall time, in seconds.

    The run process records the epoch at which it called ``run()`` (``pipeline_started``) and how
    long ``run()`` took; everything of the wall time outside ``run()`` (interpreter start, imports,
    exit) is put before it, since the exit is a small fraction of it.
    """
    return (wall_seconds - pipeline_seconds) + (origin - pipeline_started)


# --- time conversions -------------------------------------------------------------------------


def _epoch(value: datetime | str | float) -> float:
    """Seconds since the epoch of a timezone-aware datetime, an ISO string (dbt's ``...Z``) or a float."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.timestamp()


def _relative(raw: Iterable[tuple[str, float, float]], origin: float | None = None) -> Timeline:
    """Spans from ``(name, start, end)`` epoch seconds, shifted so ``origin`` (default: earliest start) is 0."""
    raw = [(name, start, max(start, end)) for name, start, end in raw]
    if not raw:
        return Timeline(origin or 0.0, [])
    zero = min(start for _, start, _ in raw) if origin is None else origin
    spans = [_span(name, start - zero, end - zero) for name, start, end in raw]
    return Timeline(zero, sorted(spans, key=lambda s: (s.start, s.end, s.name)))


# --- readers, one per tool --------------------------------------------------------------------


def _dbt_node_name(unique_id: str) -> str:
    """``model.lc_pipeline.stg_accounts`` -> ``model stg_accounts``; a test's hash suffix is dropped."""
    parts = unique_id.split(".")
    return f"{parts[0]} {parts[2]}" if len(parts) >= 3 else unique_id


def _run_results(target: Path) -> dict[str, Any] | None:
    path = target / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def dbt_spans(run_results: Mapping[str, Any]) -> list[tuple[str, float, float]]:
    """dbt's own times in ``run_results.json``: the invocation, and each node (compile + execute), in epoch seconds."""
    meta = run_results.get("metadata", {})
    raw: list[tuple[str, float, float]] = []
    if meta.get("invocation_started_at") and meta.get("generated_at"):
        raw.append(("dbt build", _epoch(meta["invocation_started_at"]), _epoch(meta["generated_at"])))
    for result in run_results.get("results", []):
        timing = [t for t in result.get("timing", []) if t.get("started_at") and t.get("completed_at")]
        if timing:
            raw.append(
                (
                    _dbt_node_name(result["unique_id"]),
                    min(_epoch(t["started_at"]) for t in timing),
                    max(_epoch(t["completed_at"]) for t in timing),
                )
            )
    return raw


def _birth_time(path: Path) -> float | None:
    """When ``path`` was created (statx birth time, through coreutils' ``stat``), if the filesystem keeps it.

    Python 3.11 has no ``st_birthtime`` on Linux, and ``st_ctime`` changes with every write.
    """
    try:
        done = subprocess.run(["stat", "--format=%.9W", str(path)], capture_output=True, text=True, check=True)
        born = float(done.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None
    return born if born > 0 else None


def warehouse_created(output_dir: Path) -> float | None:
    """When the run created its warehouse file (epoch seconds), if the filesystem kept it; for plain
    scripts the only trace of when ingestion began. A copy of the folder has the copy's time."""
    from core.warehouse import warehouse_path

    return _birth_time(warehouse_path(output_dir))


def scripts(output_dir: Path) -> Timeline:
    """Plain scripts record nothing of their own: dbt's ``run_results.json`` and file times are all there is.

    * dbt: ``dbt build`` from ``invocation_started_at`` to ``generated_at``, and each node's compile +
      execute timing (``<output>/dbt_target/run_results.json``);
    * exports: each table's export ends at its last file's modification time and starts where the
      previous write ended (the first one where dbt's record ends), then ``quality_report`` up to
      ``quality_report.json``'s modification time; these starts are inferred, so there are no gaps;
    * ingestion: from the warehouse file's creation (:func:`warehouse_created`: ingestion opens it
      right after the input check) to dbt's start. Nothing is written in between, so the span also
      holds dbt's import (seconds); its length is an upper bound of ingestion. A copied folder (the
      harness keeps a copy of the first cold round) has new creation times: then no record of
      ingestion is left and there is no ingestion span.

    ``t = 0`` is the earliest of these.
    """
    from core.layout import OUTPUT_TABLES, QUALITY_REPORT

    results = _run_results(dbt_target_dir(output_dir))
    if results is None:
        raise FileNotFoundError(f"no dbt run_results.json in {output_dir / 'dbt_target'}")
    raw = dbt_spans(results)
    dbt_start = min(start for _, start, _ in raw)
    cursor = max(end for _, _, end in raw)
    born = warehouse_created(output_dir)
    if born is not None and born < dbt_start:
        raw.append(("check_inputs + ingest + dbt import (no record in between)", born, dbt_start))
    written = {t.table: max(os.stat(output_dir / f"{t.table}.{f}").st_mtime for f in t.formats) for t in OUTPUT_TABLES}
    written["quality_report"] = os.stat(output_dir / QUALITY_REPORT).st_mtime
    for name, mtime in sorted(written.items(), key=lambda item: item[1]):
        raw.append((name if name == "quality_report" else f"export_{name}", cursor, mtime))
        cursor = max(cursor, mtime)
    return _relative(raw)


def dagster(output_dir: Path) -> Timeline:
    """Steps from the run's event log: each STEP_START (or STEP_RESTARTED) to the step's next
    STEP_SUCCESS, STEP_FAILURE or STEP_UP_FOR_RETRY; a retried step has one span per attempt.

    Dagster runs the whole dbt build as one step (``lc_dbt_models``); inside it, two kinds of sub-span
    come from the same log: ``dbt build (command)`` between dagster-dbt's "Running dbt command" and
    "Finished dbt command" messages, and each dbt node's materialization or check-evaluation event
    carrying a ``unique_id``, from its time minus its ``Execution Duration`` (dagster-dbt logs it as
    dbt reports the node, so it may trail the node slightly). ``t = 0`` is the run record's start.
    """
    from dagster import DagsterEventType, DagsterInstance

    opens = {DagsterEventType.STEP_START, DagsterEventType.STEP_RESTARTED}
    closes = {DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE, DagsterEventType.STEP_UP_FOR_RETRY}
    nodes = {DagsterEventType.ASSET_MATERIALIZATION, DagsterEventType.ASSET_CHECK_EVALUATION}
    raw: list[tuple[str, float, float]] = []
    with DagsterInstance.from_config(str(output_dir / "dagster_home")) as instance:
        run = instance.get_runs(limit=1)[0]
        record = instance.get_run_record_by_id(run.run_id)
        logs = instance.all_logs(run.run_id)
    started: dict[str, float] = {}
    command_started: float | None = None
    for entry in logs:
        event = entry.dagster_event
        if event is None:
            if entry.user_message.startswith("Running dbt command"):
                command_started = entry.timestamp
            elif entry.user_message.startswith("Finished dbt command") and command_started is not None:
                raw.append(("dbt build (command)", command_started, entry.timestamp))
            continue
        kind = event.event_type
        if kind in opens and event.step_key:
            started[event.step_key] = entry.timestamp
        elif kind in closes and event.step_key in started:
            raw.append((event.step_key, started.pop(event.step_key), entry.timestamp))
        elif kind in nodes:
            span = _dagster_node(event, entry.timestamp)
            if span:
                raw.append(span)
    origin = record.start_time if record is not None and record.start_time else None
    return _relative(raw, origin)


def _dagster_node(event: Any, timestamp: float) -> tuple[str, float, float] | None:
    """A dbt node's span from dagster-dbt's event: ``(model x | test x, end - duration, end)``."""
    data = event.event_specific_data
    metadata = data.materialization.metadata if hasattr(data, "materialization") else data.metadata
    unique_id, duration = metadata.get("unique_id"), metadata.get("Execution Duration")
    if unique_id is None:
        return None  # one of our own assets or checks: its step is already a span
    seconds = float(duration.value) if duration is not None else 0.0
    return (_dbt_node_name(str(unique_id.value)), timestamp - seconds, timestamp)


def airflow(output_dir: Path) -> Timeline:
    """Task instances of the latest ``lc_pipeline`` DagRun (``start_date`` to ``end_date``), and earlier
    tries of a retried task from ``task_instance_history`` (``<task> (try n)``). ``t = 0`` is the
    DagRun's ``start_date``. Reads ``<output>/airflow_home/airflow.db`` as :func:`bench.lineage.introspect.airflow`.
    """
    from impl_airflow.config import DAG_ID, airflow_environment, airflow_home

    home = airflow_home(output_dir)
    if not (home / "airflow.db").is_file():
        raise FileNotFoundError(f"no Airflow metadata DB in {home}")
    os.environ.update(airflow_environment(home))  # before the first `import airflow`

    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.taskinstancehistory import TaskInstanceHistory
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID).order_by(DagRun.id.desc()).limit(1)).first()
        if run is None:
            raise LookupError(f"no run of {DAG_ID} in {home}")
        raw = [
            (ti.task_id, _epoch(ti.start_date), _epoch(ti.end_date))
            for ti in session.scalars(
                select(TaskInstance).where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run.run_id)
            )
            if ti.start_date and ti.end_date
        ]
        raw += [
            (f"{ti.task_id} (try {ti.try_number})", _epoch(ti.start_date), _epoch(ti.end_date))
            for ti in session.scalars(
                select(TaskInstanceHistory).where(
                    TaskInstanceHistory.dag_id == DAG_ID, TaskInstanceHistory.run_id == run.run_id
                )
            )
            if ti.start_date and ti.end_date
        ]
        origin = _epoch(run.start_date) if run.start_date else None
    return _relative(raw, origin)


_PREFECT_SUFFIX = re.compile(r"-[0-9a-f]{3}$")  # Prefect names a task run <task name>-<3 hex digits>
_PREFECT_ENDS = ("Completed", "Failed", "Crashed", "Cancelled")


def prefect(output_dir: Path) -> Timeline:
    """Task runs of the latest ``lc_pipeline`` flow run (``start_time`` to ``end_time``), read through
    Prefect's API on the run's database, as :func:`bench.lineage.introspect.prefect` reaches it.

    The temporary server writes a task run's row from the task's state events; when the run ends
    the server is stopped, and rows of the last tasks may never be written, or be left in RUNNING
    (seen here: the four exports and the quality report missing, ``dbt_build`` left RUNNING) while
    their events were stored. Those task runs come from their
    ``prefect.task-run.*`` events: Running to the final state. ``t = 0`` is the flow run's start.
    """
    from bench.lineage.introspect import prefect_events, prefect_flow_run

    with prefect_flow_run(output_dir) as (client, flow_run, task_runs):
        events = prefect_events(client, flow_run, "prefect.task-run.")

    finished = [t for t in task_runs if t.start_time and t.end_time]
    raw = [(_PREFECT_SUFFIX.sub("", t.name), _epoch(t.start_time), _epoch(t.end_time)) for t in finished]
    # A row may also be left in RUNNING (seen: dbt_build) while its Completed event was stored.
    recorded = {f"prefect.task-run.{t.id}" for t in finished}
    raw += _prefect_event_spans([e for e in events if e.resource.id not in recorded])
    origin = _epoch(flow_run.start_time) if flow_run.start_time else None
    return _relative(raw, origin)


def _prefect_event_spans(events: Iterable[Any]) -> list[tuple[str, float, float]]:
    """``(name, Running, final state)`` per task run from its ``prefect.task-run.<State>`` events."""
    runs: dict[str, dict[str, Any]] = {}
    for event in events:
        run = runs.setdefault(
            event.resource.id, {"name": event.resource.get("prefect.resource.name", event.resource.id)}
        )
        state = event.event.removeprefix("prefect.task-run.")
        if state == "Running":
            run["start"] = min(run.get("start", float("inf")), _epoch(event.occurred))
        elif state in _PREFECT_ENDS:
            run["end"] = max(run.get("end", float("-inf")), _epoch(event.occurred))
    return [
        (_PREFECT_SUFFIX.sub("", run["name"]), run["start"], run["end"])
        for run in runs.values()
        if "start" in run and "end" in run
    ]


READERS = {"scripts": scripts, "dagster": dagster, "airflow": airflow, "prefect": prefect}


# --- the harness's side -----------------------------------------------------------------------


def spans_from_dicts(rows: Iterable[Mapping[str, Any]]) -> list[Span]:
    """Spans back from their JSON form (``asdict``), e.g. from a child's report or ``results.json``."""
    return [Span(str(r["name"]), str(r["phase"]), float(r["start"]), float(r["end"])) for r in rows]


def timeline_in_subprocess(implementation: str, output_dir: Path, timeout: float = 600) -> Timeline:
    """Read one run's timeline in a fresh process: each tool's imports are heavy and set process-wide state."""
    found = run_python(
        ["-m", "bench.timeline.steps", "--impl", implementation, "--output", str(output_dir)],
        f"timeline of {implementation}",
        python=interpreter(implementation),
        timeout=timeout,
    )
    return Timeline(float(found["origin"]), spans_from_dicts(found["spans"]))


# --- charts and the report section ------------------------------------------------------------


def _row_label(span: Span) -> str:
    """Row of the Gantt a span is drawn on: dbt nodes share two rows (models, tests), steps get their own."""
    if span.name.startswith("test "):
        return "dbt tests"
    if span.name.startswith("model "):
        return "dbt models"
    return span.name


def _rows(spans: Sequence[Span]) -> list[tuple[str, list[Span]]]:
    """Rows in order of their first start (top to bottom), each with its spans; node rows show their count."""
    rows: dict[str, list[Span]] = {}
    for span in sorted(spans, key=lambda s: (s.start, s.end)):
        rows.setdefault(_row_label(span), []).append(span)
    return [
        (f"{label} ({len(group)})" if label.startswith("dbt ") and len(group) > 1 else label, group)
        for label, group in rows.items()
    ]


def plot_timelines(timelines: Mapping[str, Sequence[Span]], path: Path) -> None:
    """One Gantt panel per implementation on a shared seconds axis, bars colored by phase; stretches
    between the first start and the last end when no step runs are shaded, so the tool's gaps show."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    names = [name for name, spans in timelines.items() if spans]
    if not names:
        raise ValueError("no timeline to plot")
    rows = {name: _rows(timelines[name]) for name in names}
    heights = [max(len(rows[name]), 2) for name in names]
    fig, axes = plt.subplots(
        len(names),
        1,
        sharex=True,
        squeeze=False,
        figsize=(11, 1.2 + 0.19 * sum(heights) + 0.45 * len(names)),
        gridspec_kw={"height_ratios": heights},
    )
    span_end = max(s.end for name in names for s in timelines[name])
    min_width = span_end / 600  # a zero-length record (Prefect's dbt node task runs) stays visible
    for ax, name in zip(axes[:, 0], names, strict=True):
        for start, end in gaps(timelines[name]):
            ax.axvspan(start, end, color=COLORS[BOOKKEEPING], alpha=0.35, linewidth=0)
        for y, (_, group) in enumerate(rows[name]):
            ax.barh(
                [y] * len(group),
                [max(s.end - s.start, min_width) for s in group],
                left=[s.start for s in group],
                color=[COLORS.get(s.phase, COLORS["other"]) for s in group],
                height=0.7,
                linewidth=0,
            )
        ax.set_yticks(range(len(rows[name])), [_short(label) for label, _ in rows[name]], fontsize=6.5)
        ax.set_ylim(len(rows[name]) - 0.4, -0.6)
        ax.set_title(
            f"{name}: {len(timelines[name])} spans ({_ORIGINS.get(name, 't = 0: earliest span')})",
            fontsize=9,
            loc="left",
        )
        ax.grid(axis="x", linewidth=0.4, alpha=0.5)
    axes[-1, 0].set_xlabel("seconds since the tool's recorded run start (plain scripts: the earliest record)")
    handles = [Patch(color=COLORS[p], label=p) for p in PHASES]
    handles.append(Patch(color=COLORS[BOOKKEEPING], alpha=0.35, label="no step running (tool bookkeeping)"))
    fig.legend(handles=handles, loc="upper center", ncol=len(handles), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.985 - 0.25 / fig.get_figheight()))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def plot_phase_breakdown(breakdowns: Mapping[str, Mapping[str, float]], path: Path) -> None:
    """A horizontal stacked bar per implementation: start-up, the phases, tool bookkeeping (seconds of wall time)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(breakdowns)
    if not names:
        raise ValueError("no breakdown to plot")
    parts = [p for p in PARTS if p != "other" or any(b.get("other", 0) > 0 for b in breakdowns.values())]
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.5 * len(names)))
    widest = max(sum(b.get(p, 0.0) for p in parts) for b in breakdowns.values())
    lefts = [0.0] * len(names)
    for part in parts:
        widths = [breakdowns[name].get(part, 0.0) for name in names]
        ax.barh(names, widths, left=lefts, color=COLORS[part], label=part, height=0.6)
        for y, (left, width) in enumerate(zip(lefts, widths, strict=True)):
            if width >= widest * 0.045:
                ax.text(left + width / 2, y, f"{width:.1f}", ha="center", va="center", fontsize=7.5)
        lefts = [left + width for left, width in zip(lefts, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("seconds of the end-to-end wall time")
    ax.set_title("Where one run's wall time goes (from the tools' own records)", fontsize=10)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.text(
        0.01,
        0.01,
        "start-up: interpreter, imports and the tool's work before its first step; "
        "tool bookkeeping: gaps between steps and the time after the last step",
        fontsize=7.5,
        color="dimgray",
    )
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def timeline_charts(
    timelines: Mapping[str, Sequence[Span]], breakdowns: Mapping[str, Mapping[str, float]], out: Path
) -> list[str]:
    """Both charts into ``out``, named as :func:`timeline_section` links them; the names made."""
    made = []
    if any(timelines.values()):
        plot_timelines(timelines, out / TIMELINE_CHART)
        made.append(TIMELINE_CHART)
    if breakdowns:
        plot_phase_breakdown(breakdowns, out / PHASES_CHART)
        made.append(PHASES_CHART)
    return made


def timeline_section(
    timelines: Mapping[str, Sequence[Span]], breakdowns: Mapping[str, Mapping[str, float]], charts: Sequence[str]
) -> list[str]:
    """Markdown lines for report.md: what the Gantt shows, each tool's source, the phase table, the charts."""
    lines = ["", "## Timeline of one run: steps and gaps, from each tool's own records", ""]
    if not timelines:
        return lines + ["Not measured in this run."]
    lines += [
        "One finished run per implementation (the first timed round at the main size), read back after "
        "the run from what the tool itself stored, in a separate process per tool (`bench/timeline/steps.py`). "
        "Each bar is a step, task or task run, placed in seconds since the run start the tool recorded "
        "(plain scripts record none: their earliest record). Shaded stretches are times between the first "
        "start and the last end when no step was running: the tool's own scheduling and bookkeeping. "
        "dbt nodes are drawn on two shared rows (models, tests).",
        "",
        "Sources:",
        "",
        *[f"- **{name}**: {SOURCES.get(name, 'unknown')}" for name in timelines],
        "",
        "Where the wall time goes (the first cold round's wall time): *start-up* is everything before the "
        "first step: the interpreter and imports, and the tool's own work before it (Dagster loading its "
        "definitions and instance, Airflow creating and migrating its metadata DB, Prefect starting its "
        "temporary server), placed by aligning the tool's recorded times with the epoch at which the run "
        "process called `run()`; each phase is the union of its steps' intervals (overlapping steps "
        "count once); *tool bookkeeping* is the rest: gaps between steps and the time after the last step "
        "until the process has exited. "
        "Plain scripts' ingestion is an upper bound: nothing is recorded between opening the warehouse "
        "and dbt's start, so it also holds dbt's import.",
        "",
    ]
    if breakdowns:
        parts = [p for p in PARTS if p != "other" or any(b.get("other", 0) > 0 for b in breakdowns.values())]
        lines += ["| implementation | wall, s | " + " | ".join(parts) + " |", "|---|---:|" + "---:|" * len(parts)]
        for name, parts_of in breakdowns.items():
            wall = sum(parts_of.get(p, 0.0) for p in PARTS)
            cells = [
                f"{parts_of.get(p, 0.0):.1f} s ({parts_of.get(p, 0.0) / wall:.0%})" if wall else "n/a" for p in parts
            ]
            lines.append(f"| {name} | {wall:.1f} | " + " | ".join(cells) + " |")
        lines.append("")
    for chart, title in (
        (TIMELINE_CHART, "Timeline of one run per implementation"),
        (PHASES_CHART, "Wall time by phase"),
    ):
        if chart in charts:
            lines += [f"![{title}]({chart})", ""]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.timeline.steps --impl NAME --output DIR``: the spans as one prefixed JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.timeline.steps", description=__doc__.splitlines()[0])
    parser.add_argument("--impl", choices=sorted(READERS), required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    timeline = READERS[args.impl](args.output.resolve())
    report({"origin": timeline.origin, "spans": [asdict(s) for s in timeline.spans]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
