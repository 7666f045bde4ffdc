"""Two ``lc-pipeline run`` started together into one output folder, judged against what the CLI promises.

Exactly one of them runs; the other stops at once with the busy exit status and one line on the
terminal (no traceback) that names the folder and the run holding it, the same line ending its own
log file; and the folder afterwards holds the outputs the rules oracle expects of the input, nothing
half-written. The tests assert :func:`judge_overlap` and the harness counts it for the report's
reliability table, so both hold every implementation to the same rule.

Each run is a real command in a process of its own, started by the Python of the environment that
holds its tool (:func:`core.implementations.interpreter`), with ``-q`` so that its terminal shows
only errors and the summary; its stdout and stderr go to files under a work folder.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.cli import EXIT_BUSY, LOGS_DIRNAME
from core.implementations import interpreter
from core.run_folders import holder_of
from testkit.bad_inputs import compare_with_oracle
from testkit.faults import partial_files

ERROR_PREFIX = "lc-pipeline: error: "
POLL_SECONDS = 0.1  # while waiting for a run to take its folder's lock (no deadline: it happens or the run ends)


@dataclass(frozen=True)
class FinishedRun:
    """One ``lc-pipeline run`` process, once it ended: what it said and left."""

    pid: int
    exit_code: int
    stdout: str
    stderr: str

    def log_file(self, output_dir: Path) -> Path | None:
        """Its own log file (named after its process), if it got as far as making one."""
        found = sorted((output_dir / LOGS_DIRNAME).glob(f"*-{self.pid}.log"))
        return found[0] if found else None


@dataclass(frozen=True)
class OverlapOutcome:
    """What two runs started together into one folder did, and what the folder holds afterwards."""

    exit_codes: list[int]  # in start order
    refusal: str | None  # the refused run's terminal output, if exactly one was refused
    problems: list[str]  # every way this differs from the rule; empty: handled as specified
    partial_files: list[str]
    rows_lost: int
    rows_extra: int

    @property
    def handled(self) -> bool:
        return not self.problems


def run_command(implementation: str, input_dir: Path, output_dir: Path, *options: str) -> list[str]:
    """``lc-pipeline run`` for ``implementation``, in the Python that runs it (no re-exec needed)."""
    folders = ["--input", str(input_dir), "--output", str(output_dir)]
    return [
        str(interpreter(implementation)),
        "-m",
        "core.cli",
        "run",
        "--impl",
        implementation,
        "-q",
        *folders,
        *options,
    ]


class StartedRun:
    """An ``lc-pipeline run`` in the background, its output in ``<work>/<name>.out`` and ``.err``."""

    def __init__(self, command: list[str], work: Path, name: str, env: Mapping[str, str] | None = None) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.out, self.err = work / f"{name}.out", work / f"{name}.err"
        with self.out.open("w") as out, self.err.open("w") as err:
            self.process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)

    def finish(self) -> FinishedRun:
        self.process.wait()
        read = {path: path.read_text(errors="replace") for path in (self.out, self.err)}
        return FinishedRun(self.process.pid, self.process.returncode, read[self.out], read[self.err])


def start_together(
    implementation: str, input_dir: Path, output_dir: Path, work: Path, env: Mapping[str, str] | None = None
) -> list[FinishedRun]:
    """Start two runs into ``output_dir`` one right after the other, neither told to wait; both as ended."""
    command = run_command(implementation, input_dir, output_dir)
    runs = [StartedRun(command, work, f"run{number}", env) for number in (1, 2)]
    return [run.finish() for run in runs]


def wait_until_held(run: StartedRun, output_dir: Path) -> None:
    """Return once ``run`` holds ``output_dir``'s lock (its record names it); fail if it ends first."""
    while (holder := holder_of(output_dir)) is None or holder.pid != run.process.pid:
        if run.process.poll() is not None:
            raise AssertionError(f"the run ended (exit {run.process.returncode}) before taking {output_dir}")
        time.sleep(POLL_SECONDS)


def refusal_problems(refused: FinishedRun, output_dir: Path, holder_pid: int) -> list[str]:
    """How a refused run's terminal and log differ from the rule (empty: one line, the right one)."""
    lines = refused.stderr.strip().splitlines()
    line = lines[-1] if lines else ""
    problems = []
    if refused.exit_code != EXIT_BUSY:
        problems.append(f"exit status {refused.exit_code}, not {EXIT_BUSY}")
    if "Traceback" in refused.stderr:
        problems.append("a traceback reached the terminal")
    if len(lines) != 1 or not line.startswith(ERROR_PREFIX):
        problems.append(f"not one error line on the terminal: {refused.stderr.strip()[-500:]!r}")
    if str(output_dir) not in line or f"pid {holder_pid} " not in line:
        problems.append(f"the line does not name the folder and the holding run (pid {holder_pid}): {line!r}")
    log_file = refused.log_file(output_dir)
    last = log_file.read_text(encoding="utf-8").strip().splitlines()[-1] if log_file else ""
    if not last.endswith(line):
        problems.append(f"the log file's last line is not the error: {last!r}")
    return problems


def judge_overlap(runs: list[FinishedRun], input_dir: Path, output_dir: Path) -> OverlapOutcome:
    """Exactly one run finished and one was refused as :func:`refusal_problems` demands, and the
    folder holds what the rules oracle expects of ``input_dir``, nothing half-written."""
    ran = [run for run in runs if run.exit_code == 0]
    refused = [run for run in runs if run.exit_code != 0]
    problems = []
    if len(ran) != 1 or len(refused) != 1:
        problems.append(f"{len(ran)} of {len(runs)} runs ran (exit codes {[run.exit_code for run in runs]})")
    for run in ran:
        if "Traceback" in run.stderr:
            problems.append("a traceback reached the terminal of the run that ran")
    if len(ran) == 1 and len(refused) == 1:
        problems += refusal_problems(refused[0], output_dir, ran[0].pid)
    lost, extra, tables = compare_with_oracle(input_dir, output_dir) if ran else (0, 0, ["no run finished"])
    partial = [path.name for path in partial_files(output_dir)]
    problems += tables + ([f"half-written files: {partial}"] if partial else [])
    return OverlapOutcome(
        exit_codes=[run.exit_code for run in runs],
        refusal=refused[0].stderr.strip() if len(refused) == 1 else None,
        problems=problems,
        partial_files=partial,
        rows_lost=lost,
        rows_extra=extra,
    )
