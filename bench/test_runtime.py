"""Runtime and memory: each implementation as a user runs it, several rounds, fresh folder each."""

from __future__ import annotations

import itertools
import sys

import pytest

from bench.measure import run_once
from bench.store import Store


def test_runtime(benchmark, store: Store, dataset, implementation: str, size: int) -> None:
    input_dir = dataset(size)
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
