"""Reliability: bad inputs handled as specified, injected faults recovered, no row lost, no secret logged.

Each implementation runs in its own process (``python -m bench.reliability``); the four start
together, since this section measures outcomes, not time. Quick mode runs the corpus subset the
default test suite gives the orchestrators; the default mode runs the whole corpus everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.measure import REPO, scrubbed_environment
from bench.reliability import canary_environment, secret_leaks
from bench.runner import RESULT_PREFIX
from bench.store import Store
from core.generate import generate
from tests.bad_inputs import CASES, QUICK_CASES
from tests.folders import fresh_folder

FAULT_INPUT_CUSTOMERS = 300  # the fault scenario's new input: small, a different seed from the main data


@pytest.fixture(scope="session")
def reliability_runs(store: Store, finished_run) -> dict[str, tuple[subprocess.Popen, Path, Path, dict[str, str]]]:
    """Start one reliability process per implementation, all at once, over the scripts run's folder."""
    cfg = store.config
    root = fresh_folder(cfg.results_dir / "reliability")
    fault_input = root / "fault_input"
    generate(fault_input, FAULT_INPUT_CUSTOMERS, seed=cfg.seed + 1)
    stale = finished_run("scripts")
    cases = ",".join(QUICK_CASES) if cfg.quick else "all"
    canaries = canary_environment()
    started = {}
    for implementation in cfg.implementations:
        work = root / implementation
        log = root / f"{implementation}.log"
        work.mkdir()
        command = [
            sys.executable,
            "-m",
            "bench.reliability",
            "--impl",
            implementation,
            "--cases",
            cases,
            "--fault-input",
            str(fault_input),
            "--stale",
            str(stale),
            "--work",
            str(work),
        ]
        with log.open("w") as handle:
            process = subprocess.Popen(
                command, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, env=scrubbed_environment(canaries)
            )
        started[implementation] = (process, work, log, canaries)
    yield started
    for process, *_ in started.values():
        if process.poll() is None:
            process.kill()


def test_reliability(implementation: str, store: Store, reliability_runs) -> None:
    process, work, log, canaries = reliability_runs[implementation]
    process.wait()
    output = log.read_text(errors="replace")
    lines = [line for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    if process.returncode != 0 or not lines:
        store.failures[f"reliability {implementation}"] = (
            output.strip().splitlines()[-1] if output.strip() else "no output"
        )
        pytest.fail(f"{implementation}: reliability run failed (exit {process.returncode}); see {log}")
    result = json.loads(lines[-1][len(RESULT_PREFIX) :])
    result["secret_variables"] = sorted(canaries)
    result["secret_leaks"] = secret_leaks([work, log], list(canaries.values()))
    result["corpus_size"] = len(CASES)
    store.reliability[implementation] = result

    mishandled = {case["case"]: case["problem"] for case in result["cases"] if not case["handled"]}
    assert mishandled == {}
    fault = result["fault"]
    assert fault["recovered"] and fault["partial_files"] == [], fault
    assert (fault["rows_lost"], fault["rows_extra"]) == (0, 0), fault
    assert sum(case["rows_lost"] + case["rows_extra"] for case in result["cases"]) == 0
    if implementation != "scripts":
        assert fault["recovered_within_run"], f"{implementation} did not retry: {fault['failed_runs']}"
    assert result["secret_leaks"] == []
