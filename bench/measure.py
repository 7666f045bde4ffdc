"""Run an implementation as a user would (a fresh process) and measure time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.runner import RESULT_PREFIX

REPO = Path(__file__).resolve().parent.parent


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

    def as_dict(self) -> dict:
        return asdict(self)


def run_once(implementation: str, input_dir: Path, output_dir: Path, log_file: Path) -> RunMeasurement:
    """Start ``python -m bench.runner`` for one implementation and wait for it; its output goes to a log."""
    command = [sys.executable, "-m", "bench.runner", "--impl", implementation,
               "--input", str(input_dir), "--output", str(output_dir)]
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        process.wait()
        wall = time.perf_counter() - started
    output = log_file.read_text(errors="replace")
    inner = _parse_result(output)
    if process.returncode != 0 or inner is None:
        tail = [line for line in output.strip().splitlines() if line.strip()][-3:]
        return RunMeasurement(implementation, False, wall, None, None, None,
                              error=f"exit {process.returncode}: " + " | ".join(tail))
    return RunMeasurement(implementation, True, wall, inner["import_seconds"],
                          inner["pipeline_seconds"], inner["peak_rss_mib"])


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
