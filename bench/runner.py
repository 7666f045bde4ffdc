"""Run one implementation in this process and report its timings (``bench.child``'s protocol).

The harness starts this module as a separate process per round, so every round pays the import and
start-up a user pays, and the in-process pipeline time is measured apart from that start-up.

    python -m bench.runner --impl dagster --input DIR --output DIR
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.child import report
from bench.floor import FLOORS, floor_of, floor_tool
from core.implementations import implementation_names, load_run

# The yardsticks the implementations are measured against, timed like them: the middle rung (our core
# plus the models' SQL) and the limit (the outputs in one DuckDB pass).
YARDSTICKS = {"core-sql": "bench.runtime.core_sql", "limit": "bench.runtime.limit"}


def load_target(name: str) -> Callable[[Path, Path], object]:
    """What the harness can time: a registered implementation's run function, a yardstick's, or a
    tool's floor (its hello world, ``bench/floor/``)."""
    if name in YARDSTICKS:
        return importlib.import_module(YARDSTICKS[name]).run
    tool = floor_tool(name)
    return pkgutil.resolve_name(FLOORS[tool]) if tool else load_run(name)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (``VmHWM``) or of any child it waited for, in MiB.

    Not ``getrusage(RUSAGE_SELF)``: Linux carries the parent's high-water mark across fork and exec,
    so a process started by a large harness would report the harness's memory as its own.
    """
    own_kib = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            own_kib = int(line.split()[1])
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own_kib, children_kib) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.runner")
    floors = [floor_of(tool) for tool in FLOORS]
    parser.add_argument("--impl", choices=[*implementation_names(), *YARDSTICKS, *floors], required=True)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    started = time.perf_counter()
    run = load_target(args.impl)
    imported, imported_epoch = time.perf_counter(), time.time()
    run(args.input, args.output)
    finished = time.perf_counter()
    result = {
        "import_seconds": imported - started,
        "pipeline_seconds": finished - imported,
        "peak_rss_mib": peak_rss_mib(),
        # Epoch seconds at which run() was called: lines the tools' own recorded times up with this round.
        "pipeline_started_epoch": imported_epoch,
    }
    report(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
