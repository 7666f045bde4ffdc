"""After a run: what each tool itself recorded, read back through the tool's own API.

For each implementation this returns the lineage graph the tool knows (named like the true graph of
:mod:`bench.lineage`) and the data-quality checks it records as first-class results. It runs in a
separate process per implementation (``python -m bench.introspect IMPL OUTPUT_DIR``), so one
tool's imports and settings never leak into another's.

Tool names are mapped onto the true graph's names by the implementations' naming conventions:
``<table>_csv`` is the input file, ``<table>_raw`` is ``raw.<table>``, ``<table>_files`` is that table's output files,
``quality_report`` is ``quality_report.json``, a dbt node is its model's name.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from core.layout import OUTPUT_TABLES, QUALITY_REPORT, RAW_SCHEMA

_FILES = {t.table: [f"file:{t.table}.{fmt}" for fmt in t.formats] for t in OUTPUT_TABLES}


def data_nodes(tool_name: str) -> list[str]:
    """The true-graph nodes a tool object stands for (none when it is not a data product)."""
    if tool_name.endswith("_csv"):
        return [f"file:{tool_name.removesuffix('_csv')}.csv"]
    if tool_name.endswith("_raw"):
        return [f"{RAW_SCHEMA}.{tool_name.removesuffix('_raw')}"]
    if tool_name.endswith("_files") and tool_name.removesuffix("_files") in _FILES:
        return _FILES[tool_name.removesuffix("_files")]
    if tool_name == "quality_report":
        return [f"file:{QUALITY_REPORT}"]
    return [tool_name]


def _named(edges: Iterable[tuple[str, str]]) -> dict[str, list]:
    """Tool edges mapped onto true-graph names (a tool object may stand for several nodes)."""
    named = {(a, b) for parent, child in edges for a in data_nodes(parent) for b in data_nodes(child)}
    return {"nodes": sorted({n for edge in named for n in edge}), "edges": sorted(named)}


def dagster(output_dir: Path) -> dict[str, Any]:
    """The asset graph of the definitions, the assets the run's instance materialized, its checks."""
    from dagster import DagsterEventType, DagsterInstance

    from impl_dagster.definitions import defs

    graph = defs.resolve_asset_graph()
    with DagsterInstance.from_config(str(output_dir / "dagster_home")) as instance:
        run = instance.get_runs(limit=1)[0]
        materialized = {
            record.get_dagster_event().asset_key.to_user_string()
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        }
        checks = [
            record.get_dagster_event().event_specific_data
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    edges = [
        (parent.to_user_string(), key.to_user_string())
        for key in graph.get_all_asset_keys()
        if key.to_user_string() in materialized
        for parent in graph.get(key).parent_keys
    ]
    lineage = _named(edges)
    lineage["nodes"] = sorted(set(lineage["nodes"]) | {n for m in materialized for n in data_nodes(m)})
    return {
        "lineage": lineage,
        "lineage_note": "asset graph of the Definitions, assets materialized in the run (instance event log)",
        "checks": {"queryable": len(checks), "failed": sum(not c.passed for c in checks),
                   "note": "asset check evaluations in the run's event log (dbt tests and our own checks)"},
    }


def scripts(output_dir: Path) -> dict[str, Any]:
    """Plain scripts keep no metadata of their own: dbt's artifacts and the report are files only."""
    return {
        "lineage": {"nodes": [], "edges": []},
        "lineage_note": "none: no orchestrator records it (dbt's manifest.json knows the dbt part only)",
        "checks": {"queryable": 0, "failed": 0,
                   "note": "none queryable; results only in dbt's run_results.json and quality_report.json"},
    }


INTROSPECTORS = {"dagster": dagster, "scripts": scripts}


def introspect_in_subprocess(implementation: str, output_dir: Path) -> dict[str, Any]:
    """Run :func:`main` for one implementation in a fresh process; its JSON is the last stdout line."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "bench.introspect", implementation, str(output_dir)],
        cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise RuntimeError(f"introspecting {implementation} failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    result = INTROSPECTORS[sys.argv[1]](Path(sys.argv[2]).resolve())
    print(json.dumps(result))
