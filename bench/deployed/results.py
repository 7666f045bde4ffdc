"""What the deployed section stores per tool, and the one rule it computes: the time between steps."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.deployed.clients import Step

CONCURRENT_RUNS = 3  # runs triggered at once, each on its own input folder


@dataclass(frozen=True)
class StepGaps:
    """Where no step of a run was running, between its first step's start and its last step's end."""

    steps: int
    gaps: list[float]  # seconds, each hole in the union of the steps' intervals, in order
    first_step_delay: float | None  # the run's recorded start to its first step's start

    @property
    def total(self) -> float:
        return sum(self.gaps)

    @property
    def median(self) -> float | None:
        return statistics.median(self.gaps) if self.gaps else None

    @property
    def p95(self) -> float | None:
        return percentile(self.gaps, 95) if self.gaps else None


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest value with at least ``pct`` % of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def step_gaps(steps: Sequence[Step], run_start: float | None = None) -> StepGaps:
    """The holes between a run's steps: one rule for every tool, whatever the shape of its graph.

    A gap is time in which no step of the run was running: parallel steps and steps nested in
    another (prefect-dbt's task run per dbt node, inside the build's task) close no gap and open none.
    """
    intervals = sorted((s.start, s.end) for s in steps if s.end >= s.start)
    gaps: list[float] = []
    covered_until: float | None = None
    for start, end in intervals:
        if covered_until is not None and start > covered_until:
            gaps.append(start - covered_until)
        covered_until = end if covered_until is None else max(covered_until, end)
    first_delay = intervals[0][0] - run_start if intervals and run_start is not None else None
    return StepGaps(len(intervals), gaps, first_delay)


@dataclass(frozen=True)
class IdleCost:
    """The whole stack (PostgreSQL included) while nothing runs."""

    seconds: float  # the window watched
    processes: int
    rss_mib: float  # resident memory, summed over the stack's processes at the window's end
    cpu_seconds_per_minute: float
    # Memory at evenly spaced points of the window (the last at its end), summed over the processes:
    # resident (shared pages once per process) and proportional (shared pages split between them).
    rss_mib_samples: list[float] = field(default_factory=list)
    pss_mib_samples: list[float] = field(default_factory=list)

    def memory(self, measure: str) -> list[float]:
        """The window's samples of ``measure`` ("pss" or "rss"); a run that kept one figure has one."""
        if measure == "pss":
            return self.pss_mib_samples
        return self.rss_mib_samples or [self.rss_mib]


@dataclass(frozen=True)
class Concurrency:
    runs: int
    succeeded: int
    lock_errors: int  # DuckDB "Could not set lock" lines in the stack's and runs' logs
    drain_seconds: float | None  # first trigger to the last run's recorded end


@dataclass(frozen=True)
class Crash:
    """A process killed mid-run (``kill -9``) and started again: what became of the run."""

    killed: str  # the service (daemon, scheduler, worker)
    killed_after_seconds: float  # after the run's recorded start
    outcome: str  # the run's final state in the tool's words, or "not finished after N s"
    finished_seconds: float | None  # the kill to the run's end
    retried_steps: int  # steps that took more than one try
    outputs_equal: bool | None  # None when the run did not succeed


@dataclass
class DeployedResult:
    """One tool deployed: its stack's start-up, each measure, and whatever stopped it."""

    tool: str
    services: list[str] = field(default_factory=list)
    startup_seconds: float | None = None
    idle: IdleCost | None = None
    trigger_to_start: list[float] = field(default_factory=list)  # per round
    trigger_to_done: list[float] = field(default_factory=list)
    gaps: StepGaps | None = None  # from the last round
    gap_totals: list[float] = field(default_factory=list)  # per round: the seconds no step was running
    runs_triggered: int = 0  # every run the measures started, whatever became of it
    file_arrival_to_start: float | None = None  # the folder's rename to its run's recorded start
    concurrency: Concurrency | None = None
    crash: Crash | None = None  # the process that starts runs killed
    worker_crash: Crash | None = None  # the process that runs the work killed, with what it started
    outputs_compared: int = 0  # deployed runs that succeeded, compared with the in-process run
    outputs_equal: int = 0
    differences: list[str] = field(default_factory=list)
    error: str | None = None  # why the measures stopped short

    @property
    def runs_lost_or_wrong(self) -> int | None:
        """Runs triggered that did not end in success with outputs equal to the in-process run's."""
        return self.runs_triggered - self.outputs_equal if self.runs_triggered else None

    def median(self, name: str) -> float | None:
        values: list[float] = getattr(self, name)
        return statistics.median(values) if values else None
