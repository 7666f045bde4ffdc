"""Engines: the same pipeline with dbt on DuckDB and on Spark, side by side (time, memory, outputs).

Plain scripts run with dbt on DuckDB (the reference) and every implementation with dbt on Spark,
each in a fresh process (``python -m bench.runner`` with ``LC_ENGINE`` set), at the main size, one
round each: a Spark round takes minutes on 2 cores. Scripts on both engines gives the engine's own
cost; each orchestrator on Spark shows that it runs there (the same core calls around dbt,
``core.engine.RunEngine``) and what Spark costs under it.

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

import pytest

from bench.engines.results import EngineRun
from bench.measure import run_once
from bench.store import Store
from core.engine import ENGINE_ENV
from core.outputs import output_differences
from testkit.prerequisites import require

REFERENCE = "scripts/duckdb"
QUICK_SKIP = (
    "quick mode: a Spark run (JVM start and dbt on Spark) costs minutes on 2 cores; "
    "tests/test_spark.py checks in CI that both engines give equal outputs"
)


def run_engine(implementation: str, engine: str, input_dir: Path, base: Path, customers: int) -> EngineRun:
    """One run of ``implementation`` with dbt on ``engine``, in a new process; its figures."""
    output_dir, log_file = base / "single", base / "single.log"
    measured = run_once(implementation, input_dir, output_dir, log_file, env={ENGINE_ENV: engine})
    return EngineRun(
        implementation=implementation,
        engine=engine,
        customers=customers,
        ok=measured.ok,
        wall_seconds=measured.wall_seconds,
        peak_tree_rss_mib=measured.peak_tree_rss_mib,
        max_processes=measured.max_processes,
        output_dir=str(output_dir),
        log=str(log_file),
        pipeline_seconds=measured.pipeline_seconds if measured.ok else None,
        import_seconds=measured.import_seconds if measured.ok else None,
        error=None if measured.ok else measured.error,
    )


def _measure(store: Store, dataset, implementation: str, engine: str) -> EngineRun:
    if store.config.quick:
        store.engines.skipped = QUICK_SKIP
        pytest.skip(QUICK_SKIP)
    if engine == "spark" and shutil.which("java") is None:
        store.engines.skipped = "no Java runtime on this machine: Spark cannot start"
        require(False, store.engines.skipped)
    size = store.config.customers
    base = store.config.results_dir / "runs" / f"engine_{engine}_{implementation}_{size}"
    print(f"\n[bench] {implementation}/{engine} at {size:,} customers ...", end="", file=sys.__stderr__, flush=True)
    run = run_engine(implementation, engine, dataset(size), base, size)
    print(f" {run.wall_seconds:.1f} s{'' if run.ok else ' FAILED'}", file=sys.__stderr__, flush=True)
    store.engines.runs[run.label] = run
    assert run.ok, f"{run.label}: {run.error}"
    return run


def test_duckdb_reference(store: Store, dataset) -> None:
    """Plain scripts with dbt on DuckDB: the outputs every Spark run must equal."""
    _measure(store, dataset, "scripts", "duckdb")


def test_spark_run_equals_duckdb(store: Store, dataset, implementation: str) -> None:
    """``implementation`` with dbt on Spark: it runs, and its output files equal the DuckDB reference
    (rows as multisets, Parquet types, the quality report)."""
    run = _measure(store, dataset, implementation, "spark")
    reference = store.engines.runs.get(REFERENCE)
    if reference is None or not reference.ok:
        pytest.skip("the DuckDB reference run failed or did not run (see test_duckdb_reference)")
    run.differences = output_differences(Path(reference.output_dir), Path(run.output_dir))
    assert not run.differences, json.dumps(run.differences, indent=2, ensure_ascii=False)
