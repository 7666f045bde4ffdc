"""Reliability: bad inputs handled as specified, injected faults recovered, two runs into one folder
settled (one runs, the other stops at once), no row lost, no secret logged.

Each implementation runs in its own processes (``python -m bench.reliability.shard``, its corpus split
over two, the fault scenario in the first and the two runs into one folder in the second). This
section measures outcomes, not time, so the processes overlap: one more at a time
than the machine has cores, the longest first (by the implementation's cold rounds in this
session's runtime section), so the section ends soonest. Never all at once: eight tool processes
on two cores once kept Prefect's temporary server from answering within its start-up timeout.
Plain scripts gets the whole corpus: every rule lives in the shared core and dbt project, which it
runs with nothing around it. The orchestrators get one case per path a case can take through them
(``ORCHESTRATOR_CASES``; ``--full-corpus``: every case), quick mode two cases each (``QUICK_CASES``).
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.child import result_in
from bench.measure import BASELINE, scrubbed_environment
from bench.paths import REPO
from bench.reliability.results import ReliabilityResult, ShardResult
from bench.reliability.shard import canary_environment, secret_leaks
from bench.store import BenchConfig, Store
from core.generate import generate
from core.implementations import interpreter
from testkit.bad_inputs import CASES, ORCHESTRATOR_CASES, QUICK_CASES
from testkit.folders import fresh_folder

# The fault scenario's new input, and the input of the two runs into one folder: small, a different
# seed from the main data.
FAULT_INPUT_CUSTOMERS = 300


# Each implementation's corpus runs in this many processes at once (the first also runs the fault
# scenario): on two cores, the longest corpus (a new metadata DB and dag.test per case for Airflow)
# no longer leaves one core idle once the others are done. Every implementation is split alike.
SHARDS = 2
AT_ONCE = (os.cpu_count() or 1) + 1  # processes of this section running at the same time


@dataclass
class Shard:
    command: list[str]
    work: Path
    log: Path
    env: dict[str, str]
    started: threading.Event = field(default_factory=threading.Event)
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("w") as handle:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, env=self.env
            )
        self.started.set()

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _start_in_turn(shards: list[Shard], stop: threading.Event) -> None:
    """Start ``shards`` in order, never more than :data:`AT_ONCE` running."""
    for shard in shards:
        while sum(other.running() for other in shards) >= AT_ONCE:
            if stop.wait(0.5):
                return
        shard.start()


def corpus(cfg: BenchConfig, implementation: str) -> list[str]:
    """The bad-input cases this session runs through ``implementation``."""
    if cfg.quick:
        return list(QUICK_CASES)
    if implementation == BASELINE or cfg.full_corpus:
        return [case.name for case in CASES]
    return list(ORCHESTRATOR_CASES)


def _longest_first(store: Store, implementations: list[str]) -> list[str]:
    """Implementations by their median cold round in this session, longest first (unmeasured: as given)."""

    def median_seconds(implementation: str) -> float:
        summary = store.runtime_summary(implementation, store.config.customers)
        return summary["wall_seconds"]["median"] if summary else 0.0

    return sorted(implementations, key=median_seconds, reverse=True)


@pytest.fixture(scope="session")
def reliability_runs(store: Store, finished_run) -> Iterator[dict[str, tuple[list[Shard], dict[str, str]]]]:
    """Start every implementation's reliability processes, all at once, over the scripts run's folder."""
    cfg = store.config
    root = fresh_folder(cfg.results_dir / "reliability")
    fault_input = root / "fault_input"
    generate(fault_input, FAULT_INPUT_CUSTOMERS, seed=cfg.seed + 1)
    stale = finished_run("scripts")
    canaries = canary_environment()
    environment = scrubbed_environment(canaries)
    started: dict[str, tuple[list[Shard], dict[str, str]]] = {}
    for implementation in cfg.implementations:
        names = corpus(cfg, implementation)
        shards = []
        for index in range(SHARDS):
            work = root / implementation / f"shard{index}"
            work.mkdir(parents=True)
            command = [
                str(interpreter(implementation)),
                "-m",
                "bench.reliability.shard",
                "--impl",
                implementation,
                "--cases",
                ",".join(names[index::SHARDS]),
                "--work",
                str(work),
            ]
            if index == 0:
                command += ["--fault-input", str(fault_input), "--stale", str(stale)]
            else:
                command += ["--overlap-input", str(fault_input)]
            shards.append(Shard(command, work, root / f"{implementation}.shard{index}.log", environment))
        started[implementation] = (shards, canaries)
    queue = [shard for name in _longest_first(store, cfg.implementations) for shard in started[name][0]]
    stop = threading.Event()
    starter = threading.Thread(target=_start_in_turn, args=(queue, stop), name="reliability-starter", daemon=True)
    starter.start()
    yield started
    stop.set()
    starter.join()
    for shard in queue:
        if shard.running():
            assert shard.process is not None
            shard.process.kill()


def _shard_result(store: Store, implementation: str, shard: Shard) -> ShardResult:
    shard.started.wait()
    assert shard.process is not None
    shard.process.wait()
    output = shard.log.read_text(errors="replace")
    result = result_in(output)
    if shard.process.returncode != 0 or result is None:
        store.failures[f"reliability {implementation}"] = (
            output.strip().splitlines()[-1] if output.strip() else "no output"
        )
        pytest.fail(f"{implementation}: reliability run failed (exit {shard.process.returncode}); see {shard.log}")
    return ShardResult.from_report(result)


def test_reliability(implementation: str, store: Store, reliability_runs) -> None:
    shards, canaries = reliability_runs[implementation]
    results = [_shard_result(store, implementation, shard) for shard in shards]
    order = {case.name: index for index, case in enumerate(CASES)}
    fault, overlap = results[0].fault, results[-1].overlap
    assert fault is not None, "the first shard runs the fault scenario"
    assert overlap is not None, "the last shard runs two runs into one folder"
    folders = [path for shard in shards for path in (shard.work, shard.log)]
    result = ReliabilityResult(
        cases=sorted((case for r in results for case in r.cases), key=lambda case: order[case.case]),
        fault=fault,
        overlap=overlap,
        corpus_size=len(CASES),
        secret_variables=sorted(canaries),
        secret_leaks=secret_leaks(folders, list(canaries.values())),
    )
    store.reliability[implementation] = result

    assert result.mishandled == {}
    assert fault.recovered and fault.partial_files == [], fault
    assert overlap.handled, overlap.problems
    assert (result.rows_lost, result.rows_extra) == (0, 0), (fault, result.cases)
    if implementation != "scripts":
        assert fault.recovered_within_run, f"{implementation} did not retry: {fault.failed_runs}"
    assert result.secret_leaks == []
