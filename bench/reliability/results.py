"""What the reliability section stores: each bad-input case's outcome, the fault scenario, two runs
into one folder, secrets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testkit.bad_inputs import Outcome
from testkit.overlap import OverlapOutcome


@dataclass(frozen=True)
class FaultScenario:
    """New input over an earlier run's folder with one ingestion and one export failing once."""

    injected: int
    fired: list[str]  # the faults that did fire (each leaves a marker file)
    failed_runs: list[str]  # runs that ended in an injected fault (scripts: no retries, so one per fault)
    recovered: bool
    recovered_within_run: bool  # by the tool's own retries, with no run failing
    partial_files: list[str]  # half-written files left in the output folder
    rows_lost: int
    rows_extra: int
    problems: list[str]  # per table, rows missing and unexpected against the rules oracle


@dataclass(frozen=True)
class ShardResult:
    """What one ``python -m bench.reliability.shard`` process reports."""

    cases: list[Outcome]
    fault: FaultScenario | None
    overlap: OverlapOutcome | None

    @classmethod
    def from_report(cls, reported: dict[str, Any]) -> ShardResult:
        fault, overlap = reported["fault"], reported["overlap"]
        return cls(
            [Outcome(**case) for case in reported["cases"]],
            FaultScenario(**fault) if fault is not None else None,
            OverlapOutcome(**overlap) if overlap is not None else None,
        )


@dataclass(frozen=True)
class ReliabilityResult:
    """One implementation's whole section: its corpus (from every shard), the fault scenario, two runs
    started together into one folder, secrets."""

    cases: list[Outcome]
    fault: FaultScenario
    overlap: OverlapOutcome
    corpus_size: int  # cases in the whole corpus (``cases`` may be a subset)
    secret_variables: list[str]
    secret_leaks: list[str]  # files that hold a canary value

    @property
    def mishandled(self) -> dict[str, str | None]:
        return {case.case: case.problem for case in self.cases if not case.handled}

    @property
    def rows_lost(self) -> int:
        return self.fault.rows_lost + self.overlap.rows_lost + sum(case.rows_lost for case in self.cases)

    @property
    def rows_extra(self) -> int:
        return self.fault.rows_extra + self.overlap.rows_extra + sum(case.rows_extra for case in self.cases)

    @property
    def partial_files(self) -> list[str]:
        return self.fault.partial_files + self.overlap.partial_files
