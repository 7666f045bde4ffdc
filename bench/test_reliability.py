"""Reliability: bad inputs handled as specified, injected faults recovered, no row lost, no secret logged.

Each implementation runs in its own processes (``python -m bench.reliability``, its corpus split
over two); all start together, since this section measures outcomes, not time. Quick mode runs the corpus subset the
default test suite gives the orchestrators; the default mode runs the whole corpus everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
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


# Each implementation's corpus runs in this many processes at once (the first also runs the fault
# scenario): on two cores, the longest corpus (a new metadata DB and dag.test per case for Airflow)
# no longer leaves one core idle once the others are done. Every implementation is split alike.
SHARDS = 2


@dataclass
class Shard:
    process: subprocess.Popen
    work: Path
    log: Path


@pytest.fixture(scope="session")
def reliability_runs(store: Store, finished_run) -> Iterator[dict[str, tuple[list[Shard], dict[str, str]]]]:
    """Start every implementation's reliability processes, all at once, over the scripts run's folder."""
    cfg = store.config
    root = fresh_folder(cfg.results_dir / "reliability")
    fault_input = root / "fault_input"
    generate(fault_input, FAULT_INPUT_CUSTOMERS, seed=cfg.seed + 1)
    stale = finished_run("scripts")
    names = list(QUICK_CASES) if cfg.quick else [case.name for case in CASES]
    canaries = canary_environment()
    started: dict[str, tuple[list[Shard], dict[str, str]]] = {}
    for implementation in cfg.implementations:
        shards = []
        for index in range(SHARDS):
            work = root / implementation / f"shard{index}"
            log = root / f"{implementation}.shard{index}.log"
            work.mkdir(parents=True)
            command = [
                sys.executable,
                "-m",
                "bench.reliability",
                "--impl",
                implementation,
                "--cases",
                ",".join(names[index::SHARDS]),
                "--work",
                str(work),
            ]
            if index == 0:
                command += ["--fault-input", str(fault_input), "--stale", str(stale)]
            with log.open("w") as handle:
                process = subprocess.Popen(
                    command, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, env=scrubbed_environment(canaries)
                )
            shards.append(Shard(process, work, log))
        started[implementation] = (shards, canaries)
    yield started
    for shards, _ in started.values():
        for shard in shards:
            if shard.process.poll() is None:
                shard.process.kill()


def _shard_result(store: Store, implementation: str, shard: Shard) -> dict:
    shard.process.wait()
    output = shard.log.read_text(errors="replace")
    lines = [line for line in output.splitlines() if line.startswith(RESULT_PREFIX)]
    if shard.process.returncode != 0 or not lines:
        store.failures[f"reliability {implementation}"] = (
            output.strip().splitlines()[-1] if output.strip() else "no output"
        )
        pytest.fail(f"{implementation}: reliability run failed (exit {shard.process.returncode}); see {shard.log}")
    return json.loads(lines[-1][len(RESULT_PREFIX) :])


def test_reliability(implementation: str, store: Store, reliability_runs) -> None:
    shards, canaries = reliability_runs[implementation]
    results = [_shard_result(store, implementation, shard) for shard in shards]
    order = {case.name: index for index, case in enumerate(CASES)}
    result = {
        "cases": sorted((case for r in results for case in r["cases"]), key=lambda case: order[case["case"]]),
        "fault": results[0]["fault"],
    }
    folders = [path for shard in shards for path in (shard.work, shard.log)]
    result["secret_variables"] = sorted(canaries)
    result["secret_leaks"] = secret_leaks(folders, list(canaries.values()))
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
