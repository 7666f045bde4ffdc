"""One step test module run repeatedly, each time in a fresh pytest process on fresh copies of a
finished run's folder, with fresh tool state; the figures of the repeats put together."""

from __future__ import annotations

import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from bench.code_size.count import code_lines
from bench.isolation.results import DIRECT, StepTest
from bench.measure import scrubbed_environment, tool_state_environment
from bench.paths import REPO
from core.implementations import interpreter
from core.layout import QUALITY_REPORT
from core.warehouse import warehouse_path

STEPS = REPO / "bench" / "isolation" / "steps"
TIMEOUT_SECONDS = 900
# pytest's closing line ("1 failed, 1 passed, 2 warnings in 66.14s"), which a tool's teardown may follow
# with log noise of its own (Prefect's temporary server logging its stop after the streams closed).
PYTEST_OUTCOME = re.compile(r"=*\s*((?:\d+ \w+, )*\d+ \w+|no tests ran) in [\d.]+s\b.*")
# The exception a failed test raised, as pytest quotes it ("E   RuntimeError: ...").
PYTEST_ERROR = re.compile(r"E\s+([\w.]+(?:Error|Exception|Failure|Failed)\b.*)")


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


def run_once(implementation: str, module: Path, finished: Path, input_dir: Path, root: Path) -> Repeat:
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
    passed = process.returncode == 0
    return Repeat(seconds, passed, outcome(log.read_text(errors="replace"), passed), log)


def outcome(output: str, passed: bool) -> str:
    """pytest's closing line (the last line when it has none: a crash), and for a failure the first
    exception a test raised, which says why this way cannot test the step."""
    lines = output.strip().splitlines()
    said = next((line.strip("= ") for line in reversed(lines) if PYTEST_OUTCOME.fullmatch(line)), None)
    said = said or (lines[-1] if lines else "no output")
    error = None if passed else next((m[1] for line in lines if (m := PYTEST_ERROR.fullmatch(line))), None)
    return f"{said}; first error: {error}" if error else said


def step_test(implementation: str, way: str, module: Path, repeats: list[Repeat]) -> StepTest:
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


def keep_only_failed_copies(repeats: list[Repeat], shown_log: Path) -> None:
    """Delete the folder copies of every repeat but a failed one whose log is shown: six warehouse
    copies per module otherwise, each the size of the whole run's."""
    for repeat in repeats:
        if repeat.passed or repeat.log != shown_log:
            for name in ("good", "broken"):
                shutil.rmtree(repeat.log.parent / name, ignore_errors=True)
