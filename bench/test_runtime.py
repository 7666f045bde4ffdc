"""Runtime and memory: each implementation as a user runs it, several rounds, fresh folder each;
then the limit (``bench/limit.py``: the same outputs in the fewest steps) the same way."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from bench.limit import compiled_models
from bench.measure import run_once
from bench.store import Store
from core.outputs import output_differences


def test_runtime(benchmark, store: Store, dataset, implementation: str, size: int) -> None:
    _time_rounds(benchmark, store, implementation, dataset(size), size)


def test_limit(benchmark, store: Store, dataset, finished_run, size: int) -> None:
    """The yardstick; at the main size its outputs must equal plain scripts' (it is only a yardstick if so)."""
    compiled_models()  # dbt compile once, cached, before anything is timed (as a deployed manifest)
    _time_rounds(benchmark, store, "limit", dataset(size), size)
    if size == store.config.customers and "scripts" in store.config.implementations:
        assert output_differences(finished_run("scripts"), store.outputs["limit"]) == []


def _time_rounds(benchmark, store: Store, implementation: str, input_dir: Path, size: int) -> None:
    rounds = store.config.rounds if size == store.config.customers else 1
    counter = itertools.count(1)
    base = store.config.results_dir / "runs" / f"{implementation}_{size}"

    def one_round():
        number = next(counter)
        output_dir = base / f"round{number}"
        # Progress on the real stderr (pytest captures sys.stderr): a round can take minutes.
        print(f"\n[bench] {implementation} at {size:,} customers: round {number} of {rounds} ...",
              end="", file=sys.__stderr__, flush=True)
        measurement = run_once(implementation, input_dir, output_dir, base / f"round{number}.log")
        print(f" {measurement.wall_seconds:.1f} s{'' if measurement.ok else ' FAILED'}", file=sys.__stderr__, flush=True)
        store.add_run(size, measurement)
        if measurement.ok and size == store.config.customers:
            store.outputs.setdefault(implementation, output_dir)
        return measurement

    benchmark.group = f"end-to-end wall time, {size:,} customers"
    benchmark.extra_info["implementation"] = implementation
    last = benchmark.pedantic(one_round, rounds=rounds, iterations=1, warmup_rounds=0)
    summary = store.runtime_summary(implementation, size)
    if summary:
        benchmark.extra_info.update(
            pipeline_seconds_median=summary["pipeline_seconds"]["median"],
            peak_rss_mib=summary["peak_rss_mib"],
        )
    if not last.ok:
        store.failures[implementation] = last.error or "failed"
    assert last.ok, f"{implementation} failed: {last.error}"
