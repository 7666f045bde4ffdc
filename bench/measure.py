"""Run an implementation as a user would (a fresh process) and measure time and peak memory."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from bench.child import result_in
from bench.paths import REPO
from core.implementations import (
    DISTRIBUTION,
    ImplementationNotInstalled,
    implementation_names,
    interpreter,
    requirement_names,
)

# Plain Python: the zero-overhead baseline every overhead is measured from.
BASELINE = "scripts"
# The tool the ADR chose: verdicts compare it with the others.
ADR_CHOICE = "dagster"
SAMPLE_SECONDS = 0.2
# Settings the caller's shell may carry that would change what a run does (our own ``LC_*``, each
# tool's configuration): a measured process never inherits them, only what the harness sets.
TOOL_ENV_PREFIXES = ("LC_", "DAGSTER_", "AIRFLOW_", "PREFECT_", "DBT_")
# Share of the machine's CPU used by other processes in the second before a round, above which the
# report marks the round as taken on a busy machine. (The load average is recorded too, but it decays
# over minutes and still carries the previous round's own load, so it cannot tell "busy" alone.)
BUSY_CPU_PERCENT = 25.0


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
    # "cold": a new, empty output folder (each tool creates its state); "warm": a second run into a
    # folder whose state a first run left, with any server it needs already up (see bench/runtime/warm.py).
    mode: str = "cold"
    round_number: int = 1
    load_before: float | None = None  # 1-minute load average just before the round
    cpu_busy_before: float | None = None  # % of all CPUs busy in the second before the round
    env_set: dict[str, str] = field(default_factory=dict)  # what the harness set on top of the scrubbed environment
    pipeline_started_epoch: float | None = None  # when the run process called run() (bench.runner)

    @property
    def busy(self) -> bool:
        return self.cpu_busy_before is not None and self.cpu_busy_before > BUSY_CPU_PERCENT

    def as_dict(self) -> dict:
        return {**asdict(self), "busy": self.busy}


def scrubbed_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without any tool setting (``TOOL_ENV_PREFIXES``), plus ``extra``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(TOOL_ENV_PREFIXES)}
    env.update(extra or {})
    return env


def tool_state_environment(implementation: str, scratch: Path) -> dict[str, str]:
    """What a tool needs set before it is imported in a child process: its state in ``scratch``
    (as a CI job would give it), never the user's home."""
    if implementation == "airflow":
        from impl_airflow.config import airflow_environment

        return airflow_environment(scratch / "airflow_home")
    if implementation == "prefect":
        from impl_prefect.launch.runtime import prefect_environment

        return prefect_environment(scratch / "prefect_home")
    if implementation == "dagster":
        return {"DAGSTER_HOME": str(scratch / "dagster_home")}
    return {}


def python_for(target: str) -> Path:
    """The Python that runs a measured target: a yardstick in the harness's own environment, an
    implementation, or a tool's floor, wherever the tool is installed (Airflow and Prefect each in an
    environment of its own)."""
    from bench.floor import floor_tool
    from bench.runner import YARDSTICKS

    return Path(sys.executable) if target in YARDSTICKS else interpreter(floor_tool(target) or target)


def scrubbed_names() -> list[str]:
    """Names (never values) of the caller's variables that measured processes do not inherit."""
    return sorted(name for name in os.environ if name.startswith(TOOL_ENV_PREFIXES))


def run_once(
    implementation: str,
    input_dir: Path,
    output_dir: Path,
    log_file: Path,
    env: Mapping[str, str] | None = None,
    *,
    warm: bool = False,
    round_number: int = 1,
) -> RunMeasurement:
    """Start ``python -m bench.runner`` for one implementation and wait for it; its output goes to a log.

    The run gets a scrubbed environment (:func:`scrubbed_environment`) plus ``env`` (e.g.
    ``LC_DBT_PROJECT_DIR``). A cold run (the default) starts on an empty ``output_dir``; a warm one
    keeps what is there.
    """
    command = [
        str(python_for(implementation)),
        "-m",
        "bench.runner",
        "--impl",
        implementation,
        "--input",
        str(input_dir),
        "--output",
        str(output_dir),
    ]
    if not warm:
        shutil.rmtree(output_dir, ignore_errors=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    context = {
        "mode": "warm" if warm else "cold",
        "round_number": round_number,
        "env_set": dict(env or {}),
        "load_before": os.getloadavg()[0],
        "cpu_busy_before": psutil.cpu_percent(interval=1.0),
    }
    with log_file.open("w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=scrubbed_environment(env)
        )
        tree_mib, processes = _wait_sampling(process)
        wall = time.perf_counter() - started
    output = log_file.read_text(errors="replace")
    inner = result_in(output)
    if process.returncode != 0 or inner is None:
        tail = [line for line in output.strip().splitlines() if line.strip()][-3:]
        return RunMeasurement(
            implementation,
            False,
            wall,
            None,
            None,
            None,
            error=f"exit {process.returncode}: " + " | ".join(tail),
            peak_tree_rss_mib=tree_mib,
            max_processes=processes,
            **context,
        )
    return RunMeasurement(
        implementation,
        True,
        wall,
        inner["import_seconds"],
        inner["pipeline_seconds"],
        inner["peak_rss_mib"],
        peak_tree_rss_mib=tree_mib,
        max_processes=processes,
        pipeline_started_epoch=inner.get("pipeline_started_epoch"),
        **context,
    )


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


def tool_versions() -> dict[str, str]:
    """Versions of every tool the comparison depends on, each read in the environment that runs it
    (Airflow's and Prefect's are environments of their own), for the report."""
    from importlib.metadata import metadata

    from bench.child import reporting_snippet, run_python

    extras = metadata(DISTRIBUTION).get_all("Provides-Extra") or []
    names = [
        *(name for extra in [None, *extras] for name in requirement_names(extra)),
        "pytest-benchmark",
    ]
    found: dict[str, str] = {}
    environments: dict[str, str] = {}
    for name in report_order():
        try:
            environments.setdefault(str(python_for(name)), name)
        except ImplementationNotInstalled:  # e.g. `--impls scripts,dagster` after `make setup` alone
            continue
    for python, implementation in environments.items():
        installed = run_python(
            ["-c", f"from importlib.metadata import distributions\n{reporting_snippet(_DISTRIBUTIONS)}"],
            f"the versions in {implementation}'s environment",
            python=python,
        )
        found.update({name: installed[name.lower()] for name in names if name.lower() in installed})
    found.update({name: "not installed" for name in names if name not in found})
    found["python"] = sys.version.split()[0]
    return found


# Every distribution installed in an environment, by lower-case name (read by that environment's Python).
_DISTRIBUTIONS = "{d.metadata['Name'].lower(): d.version for d in distributions()}"


def machine_info() -> dict[str, object]:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "platform": platform.platform(),
        "processor": _cpu_model(),
        "hostname": platform.node(),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def provenance() -> dict[str, object]:
    """Which code produced the figures: the git commit, and whether the tree had uncommitted changes."""

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": git("rev-parse", "HEAD"), "dirty": None if status is None else bool(status)}


def report_order(names: list[str] | None = None) -> list[str]:
    """Implementations as the report lists them: the baseline, the ADR's choice, then the others by name."""
    names = implementation_names() if names is None else names
    return sorted(names, key=lambda name: (name != BASELINE, name != ADR_CHOICE, name))
