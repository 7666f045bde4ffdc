"""What the model-scaling section stores: the synthetic projects, one case per implementation, shape and N,
and the quick check; and the least-squares line the report fits through them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.measure import RunMeasurement


@dataclass(frozen=True)
class DefinitionLoad:
    """One tool's definition load in a new process (``python -m bench.model_scaling.measure load``)."""

    load_seconds: float
    import_seconds: float
    graph_seconds: float  # resolving the graph after the import (Dagster, Airflow); 0 for the others
    nodes: int | None  # nodes of the tool's graph; None where the tool knows none before running
    what: str
    checks: int | None = None  # Dagster: asset checks


@dataclass(frozen=True)
class ManifestBuild:
    """A deploy-time manifest build for one tool (``python -m bench.model_scaling.measure prepare``)."""

    seconds: float
    manifest: str
    what: str


@dataclass(frozen=True)
class ManifestCounts:
    models: int  # in the whole manifest: the shipped project's and the synthetic ones
    tests: int
    synthetic_models: int


@dataclass(frozen=True)
class Project:
    shape: str
    path: str
    manifest_seconds: dict[str, float]  # tool -> its manifest build
    models: int
    tests: int
    synthetic_models: int


@dataclass
class ScalingCase:
    """One implementation (or one integration mode of it) on one synthetic project."""

    shape: str
    models: int
    implementation: str
    run: RunMeasurement
    load: DefinitionLoad | None = None
    load_error: str | None = None
    load_average: list[float] = field(default_factory=list)  # 1-minute load average before and after the run
    dbt_seconds: float | None = None  # scripts only: dbt's own elapsed time (run_results.json)

    @property
    def load_seconds(self) -> float | None:
        return self.load.load_seconds if self.load else None

    @property
    def failure(self) -> str | None:
        return self.run.error if not self.run.ok else self.load_error


@dataclass(frozen=True)
class QuickCheck:
    models: int
    parse_seconds: dict[str, float]  # shape -> dbt parse
    counts: dict[str, ManifestCounts]  # shape -> what its manifest holds
    dagster_load: DefinitionLoad
    section_seconds: float


@dataclass
class ModelScalingResults:
    """Empty until the section runs; ``sizes`` is set when the opt-in measurement starts."""

    customers: int | None = None
    shapes: list[str] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    implementations: list[str] = field(default_factory=list)  # scripts first, then tools and their modes
    projects: dict[str, Project] = field(default_factory=dict)  # "shape@N" -> project
    cases: list[ScalingCase] = field(default_factory=list)
    quick: QuickCheck | None = None

    @property
    def measured(self) -> bool:
        return bool(self.sizes)

    def __bool__(self) -> bool:
        return self.measured or self.quick is not None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelScalingResults:
        """Read back what :func:`dataclasses.asdict` wrote (``model_scaling.json``)."""

        def load(entry: dict[str, Any] | None) -> DefinitionLoad | None:
            return DefinitionLoad(**entry) if entry else None

        def run(entry: dict[str, Any]) -> RunMeasurement:
            return RunMeasurement(**{k: v for k, v in entry.items() if k != "busy"})

        quick = data.get("quick")
        return cls(
            customers=data.get("customers"),
            shapes=data.get("shapes", []),
            sizes=data.get("sizes", []),
            implementations=data.get("implementations", []),
            projects={key: Project(**project) for key, project in data.get("projects", {}).items()},
            cases=[
                ScalingCase(**{**case, "run": run(case["run"]), "load": load(case.get("load"))})
                for case in data.get("cases", [])
            ],
            quick=QuickCheck(
                **{
                    **quick,
                    "counts": {shape: ManifestCounts(**counts) for shape, counts in quick["counts"].items()},
                    "dagster_load": load(quick["dagster_load"]),
                }
            )
            if quick
            else None,
        )


@dataclass(frozen=True)
class Fit:
    """Least-squares line ``y = intercept + slope * x``; standard errors only with more than 2 points."""

    slope: float
    intercept: float
    points: int
    slope_se: float | None = None
    intercept_se: float | None = None
