"""Everything one ``pytest bench/`` session measures, collected for the report."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.code_size.results import CodeSizeResults
from bench.deployed.results import DeployedResult
from bench.engines.results import EngineResults
from bench.equality.results import Equality
from bench.floor import floor_of, floor_tool
from bench.isolation.results import StepTest
from bench.lineage.results import LineageResults
from bench.measure import RunMeasurement
from bench.model_scaling.results import ModelScalingResults
from bench.reliability.results import ReliabilityResult
from bench.runner import YARDSTICKS
from bench.timeline.steps import Timeline
from bench.ui.results import UiResults

# The verdict rules judge a timing on three samples or more (bench/verdicts.py): more starts of a UI
# or runs of a test than that cost minutes each and change no verdict's footing.
MOST_REPEATS = 3


@dataclass
class BenchConfig:
    customers: int
    rounds: int
    seed: int
    scaling_sizes: list[int]
    implementations: list[str]
    results_dir: Path
    quick: bool
    full_corpus: bool = False  # every bad-input case through every implementation, not only scripts
    deployed: bool = False  # the deployed stacks measured too (pytest bench --deployed)

    @property
    def repeats(self) -> int:
        """How many times a figure taken outside the runtime rounds is taken (each UI's starts, each
        isolation test's fresh processes): as many as the rounds, at most :data:`MOST_REPEATS`."""
        return min(self.rounds, MOST_REPEATS)


@dataclass
class Store:
    """Measurements by section; tests write, the report reads. Nothing here is computed twice."""

    config: BenchConfig
    runs: dict[tuple[str, int], list[RunMeasurement]] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)  # implementation -> a finished run's folder
    equality: dict[str, Equality] = field(default_factory=dict)  # implementation -> its comparison
    lineage: LineageResults = field(default_factory=LineageResults)
    code_size: CodeSizeResults = field(default_factory=CodeSizeResults)
    reliability: dict[str, ReliabilityResult] = field(default_factory=dict)  # by implementation
    # Overhead as the dbt project grows (bench/model_scaling/test_model_scaling.py): projects, cases, quick check.
    model_scaling: ModelScalingResults = field(default_factory=ModelScalingResults)
    ui: UiResults = field(default_factory=UiResults)  # per tool; Dagster's ADR criteria
    engines: EngineResults = field(default_factory=EngineResults)  # dbt on DuckDB and on Spark
    generation_seconds: dict[int, float] = field(default_factory=dict)  # customers -> generator wall time
    failures: dict[str, str] = field(default_factory=dict)
    # What the measured processes ran with: the caller's variables they did not inherit (names only)
    # and what the harness set for them, per section.
    environment: dict[str, Any] = field(default_factory=dict)
    timeline: dict[str, Timeline] = field(default_factory=dict)  # implementation -> one run's steps
    # Testing one step in isolation, by implementation: with the tool's test helper, and the lightest
    # documented way (plain scripts: the same function-call test, timed again for this way).
    isolation: dict[str, StepTest] = field(default_factory=dict)
    isolation_direct: dict[str, StepTest] = field(default_factory=dict)
    deployed: dict[str, DeployedResult] = field(default_factory=dict)  # tool -> its deployed stack's figures

    def add_run(self, size: int, measurement: RunMeasurement) -> None:
        self.runs.setdefault((measurement.implementation, size), []).append(measurement)

    def rounds(self, implementation: str, size: int, mode: str = "cold") -> list[RunMeasurement]:
        """The successful rounds of one implementation at one size, cold (new folder) or warm (second run)."""
        return [m for m in self.runs.get((implementation, size), []) if m.ok and m.mode == mode]

    def runtime_summary(self, implementation: str, size: int, mode: str = "cold") -> dict[str, Any] | None:
        """Median and spread of the successful rounds of one implementation at one size."""
        rounds = self.rounds(implementation, size, mode)
        if not rounds:
            return None

        def stats(values: list[float]) -> dict[str, float]:
            return {
                "median": statistics.median(values),
                "min": min(values),
                "max": max(values),
                "stdev": statistics.stdev(values) if len(values) > 1 else 0.0,
            }

        return {
            "rounds": len(rounds),
            "wall_seconds": stats([m.wall_seconds for m in rounds]),
            "pipeline_seconds": stats([m.pipeline_seconds for m in rounds]),
            "import_seconds": stats([m.import_seconds for m in rounds]),
            "peak_rss_mib": max(m.peak_rss_mib for m in rounds),
            "peak_tree_rss_mib": max((m.peak_tree_rss_mib or 0.0) for m in rounds),
            "busy_rounds": sum(m.busy for m in rounds),
        }

    def median_wall(self, name: str, size: int, mode: str = "cold") -> float | None:
        """Median wall time of a target's successful rounds (cold or warm), None if none succeeded."""
        summary = self.runtime_summary(name, size, mode)
        return summary["wall_seconds"]["median"] if summary else None

    def cold_medians(self, size: int | None = None) -> dict[str, float]:
        """Median cold wall time of every implementation and mode with successful rounds at ``size`` (the
        main size by default) whose outputs were not found different: what picks each tool's fastest mode."""
        size = self.config.customers if size is None else size
        medians = {}
        for name, at in self.runs:
            median = self.median_wall(name, size) if at == size else None
            equality = self.equality.get(name)
            if median is not None and (equality is None or equality.equal):
                medians[name] = median
        return medians

    def fresh_state_cost(self, implementation: str, size: int) -> float | None:
        """What a first run pays over a second one: median cold wall time minus median warm wall time."""
        cold, warm = self.median_wall(implementation, size), self.median_wall(implementation, size, "warm")
        return None if cold is None or warm is None else cold - warm

    def floor_summary(self, tool: str, mode: str = "cold") -> dict[str, Any] | None:
        """The rounds of ``tool``'s floor (its hello world, ``bench/floor/``), timed at the main size only."""
        return self.runtime_summary(floor_of(tool), self.config.customers, mode)

    def over_floor(self, tool: str, mode: str = "cold") -> float | None:
        """Our median wall time minus the tool's floor's, at the main size: the seconds that are ours."""
        size = self.config.customers
        ours, floor = self.median_wall(tool, size, mode), self.median_wall(floor_of(tool), size, mode)
        return None if ours is None or floor is None else ours - floor

    def timed(self) -> list[str]:
        """The implementations compared, the other modes timed (``bench/variants.py``), then the
        yardsticks that were timed (``bench/runner.py``); the tools' floors are reported apart."""
        measured = {name for name, _ in self.runs if floor_tool(name) is None}
        others = [name for name in measured if name not in self.config.implementations and name not in YARDSTICKS]
        return [*self.config.implementations, *sorted(others), *(name for name in YARDSTICKS if name in measured)]

    def ratio_to_limit(self, implementation: str, size: int, yardstick: str = "limit") -> float | None:
        """Median wall time over a yardstick's (the limit, or the middle rung ``core-sql``), at the same size."""
        mine, limit = self.runtime_summary(implementation, size), self.runtime_summary(yardstick, size)
        if not mine or not limit:
            return None
        return mine["wall_seconds"]["median"] / limit["wall_seconds"]["median"]

    def overhead(self, implementation: str, size: int) -> dict[str, float] | None:
        """Median wall time minus plain scripts', in seconds and as a ratio."""
        mine, base = self.runtime_summary(implementation, size), self.runtime_summary("scripts", size)
        if not mine or not base:
            return None
        wall, base_wall = mine["wall_seconds"]["median"], base["wall_seconds"]["median"]
        pipe, base_pipe = mine["pipeline_seconds"]["median"], base["pipeline_seconds"]["median"]
        return {
            "wall_seconds": wall - base_wall,
            "wall_ratio": wall / base_wall,
            "pipeline_seconds": pipe - base_pipe,
            "pipeline_ratio": pipe / base_pipe,
        }
