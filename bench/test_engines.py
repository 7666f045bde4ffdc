"""Engines: the same pipeline with dbt on DuckDB and on Spark, side by side (time, memory, outputs).

Each engine runs the plain-scripts implementation (the baseline, so the difference is the engine's
and not an orchestrator's) in a fresh process (``python -m bench.runner`` with ``LC_ENGINE`` set),
at the main size, one round each: a Spark round takes minutes on 2 cores.

Memory is the peak of the summed resident memory of the run's whole process tree, sampled every
0.2 s with psutil (``bench.measure.run_once``). Spark's JVM is a child of the Python driver that nobody waits for, so neither the
driver's own high-water mark (VmHWM) nor ``RUSAGE_CHILDREN`` (which ``bench.runner`` reports) sees
it. A sum of RSS counts shared pages once per process, so it errs high, the same way for both.

Skipped in ``--quick`` mode: starting a JVM and running dbt on Spark costs minutes, and
CI already proves the equality of the two engines' outputs in ``tests/test_spark.py``.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.measure import run_once
from bench.store import Store
from core.engine import ENGINE_ENV, ENGINES
from core.outputs import output_differences
from tests.prerequisites import require

IMPLEMENTATION = "scripts"
QUICK_SKIP = (
    "quick mode: a Spark run (JVM start and dbt on Spark) costs minutes on 2 cores; "
    "tests/test_spark.py checks in CI that both engines give equal outputs"
)


def run_engine(engine: str, input_dir: Path, output_dir: Path, log_file: Path) -> dict[str, Any]:
    """One run of the scripts pipeline with dbt on ``engine``, in a new process; its figures."""
    measured = run_once(IMPLEMENTATION, input_dir, output_dir, log_file, env={ENGINE_ENV: engine})
    figures: dict[str, Any] = {
        "engine": engine,
        "implementation": IMPLEMENTATION,
        "ok": measured.ok,
        "wall_seconds": measured.wall_seconds,
        "peak_tree_rss_mib": measured.peak_tree_rss_mib,
        "max_processes": measured.max_processes,
        "output_dir": str(output_dir),
        "log": str(log_file),
    }
    if measured.ok:
        figures.update(pipeline_seconds=measured.pipeline_seconds, import_seconds=measured.import_seconds)
    else:
        figures["error"] = measured.error
    return figures


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_run(store: Store, dataset, engine: str) -> None:
    if store.config.quick:
        store.engines["_skipped"] = QUICK_SKIP
        pytest.skip(QUICK_SKIP)
    if engine == "spark" and shutil.which("java") is None:
        store.engines["_skipped"] = "no Java runtime on this machine: Spark cannot start"
        require(False, store.engines["_skipped"])
    size = store.config.customers
    base = store.config.results_dir / "runs" / f"engine_{engine}_{size}"
    print(f"\n[bench] engine {engine} at {size:,} customers ...", end="", file=sys.__stderr__, flush=True)
    figures = run_engine(engine, dataset(size), base / "single", base / "single.log")
    print(f" {figures['wall_seconds']:.1f} s{'' if figures['ok'] else ' FAILED'}", file=sys.__stderr__, flush=True)
    store.engines[engine] = {**figures, "customers": size}
    assert figures["ok"], f"{engine}: {figures.get('error')}"


def test_engines_give_equal_outputs(store: Store) -> None:
    """Spark's output files equal DuckDB's: rows as multisets, Parquet types, the quality report."""
    if store.config.quick:
        pytest.skip(QUICK_SKIP)
    duckdb_run, spark_run = (store.engines.get(engine) or {} for engine in ENGINES)
    if not (duckdb_run.get("ok") and spark_run.get("ok")):
        pytest.skip("an engine's run failed or did not run (see test_engine_run)")
    differences = output_differences(Path(duckdb_run["output_dir"]), Path(spark_run["output_dir"]))
    store.engines["_equality"] = {"equal": not differences, "differences": differences}
    assert not differences, json.dumps(differences, indent=2, ensure_ascii=False)
