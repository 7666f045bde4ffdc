"""The true lineage graph of the pipeline, and how much of it each tool knows.

The true graph is derived, never typed in: input files and raw tables from ``core.layout``, every
dbt source and model and their edges from dbt's ``manifest.json``, output files from
``core.layout.OUTPUT_TABLES``, and the quality report's inputs from ``core.export``. Nodes are
named ``file:<name>`` for files and by table name for tables (``raw.customers``, ``stg_customers``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from core.export import QUALITY_REPORT_TABLES
from core.layout import INPUT_FILES, OUTPUT_TABLES, QUALITY_REPORT, RAW_SCHEMA

Edge = tuple[str, str]


@dataclass(frozen=True)
class Lineage:
    nodes: frozenset[str]
    edges: frozenset[Edge]


def _dbt_node_name(unique_id: str, manifest: dict) -> str | None:
    if unique_id.startswith("source."):
        source = manifest["sources"][unique_id]
        return f"{source['schema']}.{source['name']}"
    if unique_id.startswith("model."):
        return manifest["nodes"][unique_id]["name"]
    return None  # tests, seeds, snapshots are not data products here


def true_lineage(manifest_path: Path) -> Lineage:
    """Input files -> raw tables -> dbt sources and models -> output tables -> output files."""
    manifest = json.loads(manifest_path.read_text())
    edges: set[Edge] = set()
    for spec in INPUT_FILES:
        edges.add((f"file:{spec.name}", f"{RAW_SCHEMA}.{spec.raw_table}"))
    for unique_id, node in manifest["nodes"].items():
        if not unique_id.startswith("model."):
            continue
        for parent in node["depends_on"]["nodes"]:
            parent_name = _dbt_node_name(parent, manifest)
            if parent_name:
                edges.add((parent_name, node["name"]))
    for table in OUTPUT_TABLES:
        for fmt in table.formats:
            edges.add((table.table, f"file:{table.table}.{fmt}"))
    for table in QUALITY_REPORT_TABLES:
        edges.add((table, f"file:{QUALITY_REPORT}"))
    nodes = {name for edge in edges for name in edge}
    return Lineage(frozenset(nodes), frozenset(edges))


@dataclass
class Coverage:
    """How much of the true graph one tool records in its own metadata after a run."""

    implementation: str
    known_nodes: int
    known_edges: int
    total_nodes: int
    total_edges: int
    missing_edges: list[Edge] = field(default_factory=list)
    extra_edges: list[Edge] = field(default_factory=list)  # recorded between data nodes, but not true
    note: str = ""

    @property
    def node_coverage(self) -> float:
        return self.known_nodes / self.total_nodes if self.total_nodes else 0.0

    @property
    def edge_coverage(self) -> float:
        return self.known_edges / self.total_edges if self.total_edges else 0.0


def coverage(implementation: str, truth: Lineage, known: Lineage, note: str = "") -> Coverage:
    """Compare a tool's known graph (already named like the true one) with the true graph.

    An edge counts as known when the tool records it, directly or through nodes of its own that are
    not data (a task that writes a file between the table and the file). A path through another
    true node does not count: task order is not lineage.
    """
    known_graph = nx.DiGraph(list(known.edges))
    known_edges = {edge for edge in truth.edges if _linked(edge, known_graph, truth.nodes)}
    return Coverage(
        implementation=implementation,
        known_nodes=len(truth.nodes & known.nodes),
        known_edges=len(known_edges),
        total_nodes=len(truth.nodes),
        total_edges=len(truth.edges),
        missing_edges=sorted(truth.edges - known_edges),
        extra_edges=sorted(
            (a, b) for a, b in known.edges if a in truth.nodes and b in truth.nodes and (a, b) not in truth.edges
        ),
        note=note,
    )


def _linked(edge: Edge, known: nx.DiGraph, data_nodes: frozenset[str]) -> bool:
    """Whether the tool's graph leads from the edge's start to its end through none but its own
    non-data nodes."""
    start, goal = edge
    if start not in known or goal not in known:
        return False
    through = known.subgraph([node for node in known if node not in data_nodes or node in edge])
    return nx.has_path(through, start, goal)
