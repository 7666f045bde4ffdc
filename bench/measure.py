"""Run an implementation as a user would (a fresh process) and measure time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from bench.runner import RESULT_PREFIX

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SECONDS = 0.2


@dataclass(frozen=True)
class RunMeasurement:
    """One round: wall time seen from outside, the pipeline's own time inside, and peak memory."""

    implementation: str
    ok: bool
    wall_seconds: float
    import_seconds: float | None
    pipeline_seconds: float | None
    peak_rss_mib: float | None  # measured by the run itself: see bench.runner.peak_rss_mib
    error: str | None = None
    # Summed RSS of the run's whole process tree, sampled from outside: the only figure that sees a
    # child nobody waits for (Spark's JVM). Shared pages count once per process, so it errs high.
    peak_tree_rss_mib: float | None = None
    max_processes: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def run_once(implementation: str, input_dir: Path, output_dir: Path, log_file: Path,
             env: Mapping[str, str] | None = None) -> RunMeasurement:
    """Start ``python -m bench.runner`` for one implementation and wait for it; its output goes to a log.

    ``env`` is added to this process's environment for the run (e.g. ``LC_DBT_PROJECT_DIR``).
    """
    command = [sys.executable, "-m", "bench.runner", "--impl", implementation,
               "--input", str(input_dir), "--output", str(output_dir)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                   env={**os.environ, **env} if env else None)
        tree_mib, processes = _wait_sampling(process)
        wall = time.perf_counter() - started
    output = log_file.read_text(errors="replace")
    inner = _parse_result(output)
    if process.returncode != 0 or inner is None:
        tail = [line for line in output.strip().splitlines() if line.strip()][-3:]
        return RunMeasurement(implementation, False, wall, None, None, None,
                              error=f"exit {process.returncode}: " + " | ".join(tail),
                              peak_tree_rss_mib=tree_mib, max_processes=processes)
    return RunMeasurement(implementation, True, wall, inner["import_seconds"],
                          inner["pipeline_seconds"], inner["peak_rss_mib"],
                          peak_tree_rss_mib=tree_mib, max_processes=processes)


def _tree_rss(root: psutil.Process) -> tuple[int, int]:
    """Summed RSS in bytes of a process and all its descendants, and how many there were."""
    total, count = 0, 0
    for process in [root, *root.children(recursive=True)]:
        try:
            total += process.memory_info().rss
            count += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # ended between listing and reading
    return total, count


def _wait_sampling(process: subprocess.Popen) -> tuple[float, int]:
    """Wait for ``process``, sampling its tree; returns the peak summed RSS in MiB and most processes seen."""
    root = psutil.Process(process.pid)
    peak, most = 0, 0
    while process.poll() is None:
        try:
            rss, count = _tree_rss(root)
        except psutil.NoSuchProcess:
            break
        peak, most = max(peak, rss), max(most, count)
        time.sleep(SAMPLE_SECONDS)
    process.wait()
    return peak / 2**20, most


def _parse_result(stdout: str) -> dict | None:
    for line in reversed(stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    return None


def tool_versions() -> dict[str, str]:
    """Versions of every tool the comparison depends on, for the report."""
    from importlib.metadata import PackageNotFoundError, version

    names = ["dagster", "dagster-dbt", "dagster-webserver", "apache-airflow", "astronomer-cosmos",
             "prefect", "prefect-dbt", "dbt-core", "dbt-duckdb", "duckdb", "pyarrow", "pandas"]
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    found["python"] = sys.version.split()[0]
    return found


def machine_info() -> dict[str, object]:
    import platform

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpus": os.cpu_count(), "memory_gib": round(memory, 1), "platform": platform.platform()}
