"""Testing one step in isolation, the way each tool's docs test one: the ADR's "assets are easy to test
in isolation".

The step is the quality report, the last one: it reads the warehouse a whole run left and writes
``quality_report.json``, failing when a check fails. ``bench/isolation/steps/step_<implementation>.py``
tests it with the tool's own helper (Dagster ``materialize`` of the one asset, Prefect the task under
``prefect_test_harness``, Airflow ``dag.test()`` with the other tasks marked successful, plain scripts
a function call): once on a copy of the scripts run's folder (the report must be written, every check
passed), once on a copy with one quarantined row deleted (the step must fail). Each module runs in a
pytest process of its own, one after another; the figures are its code lines and its wall time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from bench.code_size.count import code_lines
from bench.isolation.results import StepTest
from bench.measure import scrubbed_environment, tool_state_environment
from bench.paths import REPO
from bench.store import Store
from core.implementations import interpreter
from core.layout import QUALITY_REPORT
from core.warehouse import warehouse_path
from testkit.folders import fresh_folder

STEPS = REPO / "bench" / "isolation" / "steps"
TIMEOUT_SECONDS = 900


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


def test_one_step_in_isolation(store: Store, dataset, finished_run, implementation: str) -> None:
    module = STEPS / f"step_{implementation}.py"
    if not module.is_file():
        pytest.skip(f"no step test written for {implementation}")
    root = fresh_folder(store.config.results_dir / "isolation" / implementation)
    log = root / "pytest.log"
    with tempfile.TemporaryDirectory(prefix=f"lc-step-{implementation}-") as scratch:
        env = scrubbed_environment(
            {
                **_folders(finished_run("scripts"), root),
                "LC_STEP_INPUT": str(dataset(store.config.customers)),
                **tool_state_environment(implementation, Path(scratch)),
            }
        )
        command = [
            str(interpreter(implementation)),
            "-m",
            "pytest",
            str(module),
            "-q",
            "-p",
            "no:cacheprovider",
            "--noconftest",
        ]
        started = time.perf_counter()
        with log.open("w") as handle:
            process = subprocess.run(
                command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT, timeout=TIMEOUT_SECONDS
            )
        seconds = time.perf_counter() - started
    lines = log.read_text(errors="replace").strip().splitlines()
    store.isolation[implementation] = StepTest(
        implementation,
        str(module.relative_to(REPO)),
        code_lines(module.read_text()),
        seconds,
        process.returncode == 0,
        lines[-1] if lines else "no output",
        str(log),
    )
    assert process.returncode == 0, f"{module.name} failed (see {log}): {lines[-1] if lines else ''}"
