"""The true lineage graph of the pipeline, and how much of it each tool knows.

The true graph is derived, never typed in, from a finished run (:func:`observed_lineage`): every dbt
source and model and their edges from dbt's ``manifest.json``, and the rest from what the run left,
independently of the constants the implementations declare their lineage with: input files named after
a raw table, output files named after a table, and the tables the quality report's SQL reads (parsed by
DuckDB). :func:`true_lineage` builds the same graph from those constants (``core.layout``,
``core.export``); the harness checks that the two agree. Nodes are
named ``file:<name>`` for files and by table name for tables (``raw.customers``, ``stg_customers``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
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
    edges = _dbt_edges(manifest)
    for spec in INPUT_FILES:
        edges.add((f"file:{spec.name}", f"{RAW_SCHEMA}.{spec.raw_table}"))
    for table in OUTPUT_TABLES:
        for fmt in table.formats:
            edges.add((table.table, f"file:{table.table}.{fmt}"))
    for table in QUALITY_REPORT_TABLES:
        edges.add((table, f"file:{QUALITY_REPORT}"))
    nodes = {name for edge in edges for name in edge}
    return Lineage(frozenset(nodes), frozenset(edges))


def _dbt_edges(manifest: dict) -> set[Edge]:
    """Every model's edges from the sources and models it reads, as dbt's manifest records them."""
    edges: set[Edge] = set()
    for unique_id, node in manifest["nodes"].items():
        if not unique_id.startswith("model."):
            continue
        for parent in node["depends_on"]["nodes"]:
            parent_name = _dbt_node_name(parent, manifest)
            if parent_name:
                edges.add((parent_name, node["name"]))
    return edges


class _StatementLog:
    """A DuckDB connection that keeps the SQL it is asked to execute (everything else passes through)."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con, self.statements = con, []

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        self.statements.append(sql)
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _base_tables(tree: Any, found: set[str]) -> set[str]:
    """Tables a parsed statement (DuckDB's ``json_serialize_sql``) reads, as ``schema.table`` (``main`` left off)."""
    if isinstance(tree, dict):
        if tree.get("type") == "BASE_TABLE":
            schema = tree.get("schema_name") or "main"
            found.add(tree["table_name"] if schema == "main" else f"{schema}.{tree['table_name']}")
        for value in tree.values():
            _base_tables(value, found)
    elif isinstance(tree, list):
        for value in tree:
            _base_tables(value, found)
    return found


def tables_read_by_the_quality_report(warehouse: Path) -> set[str]:
    """What the quality report reads: the SQL the core's report runs on a read-only warehouse, parsed by DuckDB."""
    from core.export import quality_report

    with duckdb.connect(str(warehouse), read_only=True) as con:
        log = _StatementLog(con)
        quality_report(log)  # type: ignore[arg-type]  # the connection's execute, observed
        found: set[str] = set()
        for sql in log.statements:
            tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [sql]).fetchall()[0][0])
            if tree.get("error"):
                raise ValueError(f"DuckDB could not parse a statement of the quality report: {tree}")
            _base_tables(tree, found)
    return found


def observed_lineage(input_dir: Path, output_dir: Path, warehouse: Path, manifest_path: Path) -> Lineage:
    """The true graph read from a finished run, none of it from the constants the implementations
    declare their lineage with: input files whose name is a raw table's, dbt's edges from its manifest,
    output files named after a warehouse table, and the tables the quality report's SQL reads."""
    edges = _dbt_edges(json.loads(manifest_path.read_text()))
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            (schema, name)
            for schema, name in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        }
    for path in sorted(input_dir.glob("*.csv")):
        if (RAW_SCHEMA, path.stem) in tables:
            edges.add((f"file:{path.name}", f"{RAW_SCHEMA}.{path.stem}"))
    for path in sorted(output_dir.iterdir()):
        if path.suffix in {".csv", ".parquet"} and ("main", path.stem) in tables:
            edges.add((path.stem, f"file:{path.name}"))
    edges |= {(table, f"file:{QUALITY_REPORT}") for table in tables_read_by_the_quality_report(warehouse)}
    return Lineage(frozenset(n for edge in edges for n in edge), frozenset(edges))


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
