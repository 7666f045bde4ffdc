"""What the lineage section stores: the true graph's size, what each tool knows of it, and the
data-quality checks each tool records as results its API returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.lineage.graph import Coverage


@dataclass(frozen=True)
class TrueGraphSize:
    nodes: int
    edges: int
    dbt_models: int


@dataclass(frozen=True)
class LineageResult:
    coverage: Coverage
    dbt_models_mapped: int  # dbt models that are objects of the tool (a node of its graph)
    # True-graph nodes the tool stores as data objects (assets, Assets); the rest of the nodes it
    # knows (``coverage.known_nodes``) it knows only as tasks (a cosmos model task).
    data_objects: int = 0

    @property
    def data_object_share(self) -> float | None:
        total = self.coverage.total_nodes
        return self.data_objects / total if total else None

    @property
    def task_only_nodes(self) -> int:
        return self.coverage.known_nodes - self.data_objects


@dataclass(frozen=True)
class ChecksSurfaced:
    queryable: int  # check results the tool's own API returns after the run
    failed: int
    note: str  # where they were read


@dataclass
class LineageResults:
    truth: TrueGraphSize | None = None
    known: dict[str, LineageResult] = field(default_factory=dict)  # by implementation
    checks: dict[str, ChecksSurfaced] = field(default_factory=dict)  # by implementation
