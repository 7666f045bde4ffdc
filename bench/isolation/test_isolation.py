"""Testing one step in isolation, the way each tool's docs test one: the ADR's "assets are easy to test
in isolation".

The step is the quality report, the last one: it reads the warehouse a whole run left and writes
``quality_report.json``, failing when a check fails. Each tool's test of it is written two ways
(``bench/isolation/steps/``):

* the tool's test helper, ``step_<implementation>.py``: Dagster ``materialize`` of the one asset,
  Prefect the task under ``prefect_test_harness``, Airflow ``dag.test()`` with the other tasks marked
  successful;
* the lightest way its docs show, ``step_<implementation>_direct.py``: Dagster calls the asset
  function (direct invocation), Prefect the task's ``.fn()``, Airflow the task's own function.

Plain scripts has one way, a call of the core's function: ``step_scripts.py`` is its test both ways,
timed separately for each. Every module checks the report is written on a copy of the scripts run's
folder (every check passed) and that the step fails on a copy with one quarantined row deleted. Each
runs ``REPEATS`` times, every time in a fresh pytest process on fresh copies of both folders with
fresh tool state; the figures are its code lines and the wall time of each process. A way whose test
fails keeps its figures, marked as failed, and its harness test fails naming the log (whose folder
copies are kept beside it; the other repeats' are deleted).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from bench.code_size.count import code_lines
from bench.isolation.results import DIRECT, HELPER, StepTest
from bench.measure import scrubbed_environment, tool_state_environment
from bench.paths import REPO
from bench.store import Store
from core.implementations import interpreter
from core.layout import QUALITY_REPORT
from core.warehouse import warehouse_path
from testkit.folders import fresh_folder

STEPS = REPO / "bench" / "isolation" / "steps"
TIMEOUT_SECONDS = 900
# Three fresh processes per module give a median and a range; --quick takes one (a single sample).
REPEATS = 3


@dataclass(frozen=True)
class Repeat:
    """One pytest process of a step test module."""

    seconds: float
    passed: bool
    summary: str
    log: Path


def step_module(implementation: str, way: str) -> Path:
    """The test module of one way; plain scripts' function call is its helper and its lightest way alike."""
    if way == DIRECT and implementation != "scripts":
        return STEPS / f"step_{implementation}_direct.py"
    return STEPS / f"step_{implementation}.py"


def _folders(finished: Path, root: Path) -> dict[str, str]:
    """A copy of a finished run's folder without its report, and one whose warehouse lost a row."""
    folders = {}
    for name in ("good", "broken"):
        folder = root / name
        shutil.copytree(finished, folder, ignore=shutil.ignore_patterns(QUALITY_REPORT, "*_home"))
        folders[name] = folder
    with duckdb.connect(str(warehouse_path(folders["broken"]))) as con:
        con.execute(
            "DELETE FROM customers_quarantine WHERE source_row = (SELECT min(source_row) FROM customers_quarantine)"
        )
    return {"LC_STEP_GOOD": str(folders["good"]), "LC_STEP_BROKEN": str(folders["broken"])}


def _run_once(implementation: str, module: Path, finished: Path, input_dir: Path, root: Path) -> Repeat:
    """One fresh pytest process of ``module`` on fresh copies of the folders, with fresh tool state."""
    log = root / "pytest.log"
    with tempfile.TemporaryDirectory(prefix=f"lc-step-{implementation}-") as scratch:
        env = scrubbed_environment(
            {
                **_folders(finished, root),
                "LC_STEP_INPUT": str(input_dir),
                **tool_state_environment(implementation, Path(scratch)),
            }
        )
        command = [str(interpreter(implementation)), "-m", "pytest", str(module)]
        command += ["-q", "-p", "no:cacheprovider", "--noconftest"]
        started = time.perf_counter()
        with log.open("w") as handle:
            process = subprocess.run(
                command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS
            )
        seconds = time.perf_counter() - started
    lines = log.read_text(errors="replace").strip().splitlines()
    return Repeat(seconds, process.returncode == 0, lines[-1] if lines else "no output", log)


def _step_test(implementation: str, way: str, module: Path, repeats: list[Repeat]) -> StepTest:
    """The figures of every repeat; what pytest said in the first that failed, or else in the last."""
    shown = next((r for r in repeats if not r.passed), repeats[-1])
    samples = [r.seconds for r in repeats]
    return StepTest(
        implementation=implementation,
        way=way,
        file=str(module.relative_to(REPO)),
        code_lines=code_lines(module.read_text()),
        seconds=statistics.median(samples),
        seconds_samples=samples,
        passed=all(r.passed for r in repeats),
        summary=shown.summary,
        log=str(shown.log),
    )


def _keep_only_failed_copies(repeats: list[Repeat], shown_log: Path) -> None:
    """Delete the folder copies of every repeat but a failed one whose log is shown: six warehouse
    copies per module otherwise, each the size of the whole run's."""
    for repeat in repeats:
        if repeat.passed or repeat.log != shown_log:
            for name in ("good", "broken"):
                shutil.rmtree(repeat.log.parent / name, ignore_errors=True)


@pytest.mark.parametrize("way", [HELPER, DIRECT])
def test_one_step_in_isolation(store: Store, dataset, finished_run, implementation: str, way: str) -> None:
    module = step_module(implementation, way)
    if not module.is_file():
        pytest.skip(f"no step test written for {implementation} ({way})")
    finished, input_dir = finished_run("scripts"), dataset(store.config.customers)
    root = fresh_folder(store.config.results_dir / "isolation" / implementation / way)
    repeats = [
        _run_once(implementation, module, finished, input_dir, fresh_folder(root / f"repeat{n}"))
        for n in range(1, (1 if store.config.quick else REPEATS) + 1)
    ]
    result = _step_test(implementation, way, module, repeats)
    _keep_only_failed_copies(repeats, Path(result.log))
    (store.isolation if way == HELPER else store.isolation_direct)[implementation] = result
    assert result.passed, f"{module.name} failed (see {result.log}): {result.summary}"
