"""One run per output folder at a time, and paths a run cannot use refused in one line.

Every run here is the real ``lc-pipeline run`` in a process of its own (its tool's environment), so
what is checked is what a user sees: the exit status, the terminal's one line with no traceback,
the same line at the end of the run's log file, and the folder afterwards. Runs that must refuse
are made deterministic by holding the folder's lock from the test (the core's own lock); the pair
started together is the real race, judged by the rule the harness counts (``testkit/overlap.py``).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from core.cli import EXIT_BUSY, EXIT_USAGE, main
from core.implementations import implementation_names
from core.run_folders import HOLDER_FILENAME, LOCK_FILENAME, one_run_at_a_time
from testkit.bad_inputs import GOOD_ACCOUNTS, GOOD_CUSTOMERS, compare_with_oracle
from testkit.environments import implementation_param
from testkit.overlap import (
    ERROR_PREFIX,
    POLL_SECONDS,
    StartedRun,
    judge_overlap,
    refusal_problems,
    run_command,
    start_together,
)

EVERY_IMPLEMENTATION = [implementation_param(name) for name in implementation_names()]
# A process that takes a folder's run lock as a run does, says so, and sleeps until it is killed.
HOLD = (
    "import sys, time; from pathlib import Path; from core.run_folders import one_run_at_a_time\n"
    "with one_run_at_a_time(Path(sys.argv[1]), 'holder'):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(3600)\n"
)


# --- two runs, one folder -------------------------------------------------------------------------


@pytest.mark.parametrize("implementation", EVERY_IMPLEMENTATION)
def test_two_runs_started_together_one_runs_the_other_stops_at_once(
    implementation: str, small_input: Path, tmp_path: Path
) -> None:
    output_dir = tmp_path / "out"
    runs = start_together(implementation, small_input, output_dir, tmp_path / "terminal")
    outcome = judge_overlap(runs, small_input, output_dir)
    assert outcome.handled, outcome.problems


@pytest.mark.parametrize("implementation", EVERY_IMPLEMENTATION)
def test_a_run_into_a_folder_another_run_holds_does_nothing_and_says_who_holds_it(
    implementation: str, small_input: Path, tmp_path: Path
) -> None:
    output_dir = tmp_path / "out"
    output_dir.mkdir()
    with one_run_at_a_time(output_dir, "scripts"):
        refused = StartedRun(run_command(implementation, small_input, output_dir), tmp_path, "refused").finish()
    assert refusal_problems(refused, output_dir, os.getpid()) == []
    assert sorted(path.name for path in output_dir.iterdir()) == [LOCK_FILENAME, "logs"]  # nothing else written


def _wait_for_text(run: StartedRun, text: str) -> str:
    """The first line of ``run``'s terminal that contains ``text``, once it is written."""
    while True:
        found = [line for line in run.err.read_text(errors="replace").splitlines() if text in line]
        if found:
            return found[0]
        if run.process.poll() is not None:
            raise AssertionError(f"the run ended (exit {run.process.returncode}): {run.err.read_text()}")
        time.sleep(POLL_SECONDS)


@pytest.mark.scripts
def test_a_run_told_to_wait_runs_once_the_holder_is_gone_even_killed(small_input: Path, tmp_path: Path) -> None:
    """The kernel drops a killed holder's lock: the waiting run goes on, over its stale record."""
    output_dir = tmp_path / "out"
    output_dir.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(output_dir)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        command = [arg for arg in run_command("scripts", small_input, output_dir, "--wait", "3600") if arg != "-q"]
        waiting = StartedRun(command, tmp_path, "waiting")
        line = _wait_for_text(waiting, "waiting up to 3600 s")
        assert f"pid {holder.pid} " in line and str(output_dir) in line
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert (output_dir / HOLDER_FILENAME).is_file(), "a killed holder leaves its record behind"
    finished = waiting.finish()
    assert finished.exit_code == 0, finished.stderr[-2000:]
    assert compare_with_oracle(small_input, output_dir) == (0, 0, [])
    assert not (output_dir / HOLDER_FILENAME).exists(), "a run that ends removes its record"


@pytest.mark.scripts
def test_waiting_ends_after_the_seconds_given(small_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run = ["run", "--impl", "scripts", "-q", "--wait", "0.2", "--input", str(small_input), "--output", str(tmp_path)]
    with one_run_at_a_time(tmp_path, "dagster"):
        assert main(run) == EXIT_BUSY == 5
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{ERROR_PREFIX}{tmp_path}: output folder in use by a dagster run (pid {os.getpid()} ")
    assert "after waiting 0.2 s" in line


def test_a_negative_wait_is_a_usage_error(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--wait", "-1"])
    assert stopped.value.code == EXIT_USAGE
    assert "not a number of seconds: '-1'" in capsys.readouterr().err


# --- paths a run cannot use -----------------------------------------------------------------------


def _tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("input missing", "--input {input}: no such folder"),
        ("input is a file", "--input {input}: is a file, not a folder (give the folder that holds the input files)"),
        ("output is a file", "--output {output}: is a file, not a folder"),
        ("output under a file", "--output {output}: lies under {tmp}/file.csv, which is a file, not a folder"),
    ],
)
def test_a_path_the_run_cannot_use_is_one_line_and_creates_nothing(
    case: str, expected: str, small_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "file.csv").write_text("CustomerID\n")
    input_dir = {"input missing": tmp_path / "missing", "input is a file": tmp_path / "file.csv"}.get(case, small_input)
    output_dir = {"output is a file": tmp_path / "file.csv", "output under a file": tmp_path / "file.csv" / "out"}.get(
        case, tmp_path / "out"
    )
    before = _tree(tmp_path)
    assert main(["run", "--impl", "scripts", "--input", str(input_dir), "--output", str(output_dir)]) == EXIT_USAGE
    line = expected.format(input=input_dir, output=output_dir, tmp=tmp_path)
    assert capsys.readouterr().err.splitlines() == [f"{ERROR_PREFIX}{line}"]
    assert _tree(tmp_path) == before
    assert (tmp_path / "file.csv").read_text() == "CustomerID\n"


def test_an_output_folder_the_system_refuses_to_create_is_one_line(
    small_input: Path, capsys: pytest.CaptureFixture
) -> None:
    """Where even root cannot create a folder (/proc): the OS's refusal, told in one line."""
    output_dir = Path("/proc/lc-pipeline-test/out")
    assert main(["run", "--impl", "scripts", "--input", str(small_input), "--output", str(output_dir)]) == EXIT_USAGE
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{ERROR_PREFIX}--output {output_dir}: cannot be written")
    assert not output_dir.parent.exists()


@pytest.mark.parametrize("implementation", EVERY_IMPLEMENTATION)
def test_output_naming_a_file_is_one_line_from_every_implementation(
    implementation: str, small_input: Path, tmp_path: Path
) -> None:
    """The report this answers: a ``NotADirectoryError`` traceback from each of them."""
    output = tmp_path / "file.csv"
    output.write_text("x\n")
    refused = StartedRun(run_command(implementation, small_input, output), tmp_path, "refused").finish()
    assert refused.exit_code == EXIT_USAGE
    assert refused.stderr.splitlines() == [f"{ERROR_PREFIX}--output {output}: is a file, not a folder"]
    assert output.read_text() == "x\n"


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's own are private to this user)."""
    folder = Path(tempfile.mkdtemp(prefix="lc-run-folders-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755)
    shutil.rmtree(folder)


@contextmanager
def _unprivileged() -> Iterator[None]:
    """This process's effective user dropped from root to ``nobody`` for the block (root reads and
    writes any folder); as any other user, nothing changes."""
    if os.geteuid() != 0:
        yield
        return
    nobody = pwd.getpwnam("nobody")
    os.setegid(nobody.pw_gid)
    os.seteuid(nobody.pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("input unreadable", "--input {input}: cannot be read (Permission denied)"),
        ("output not writable", "--output {output}: cannot be written"),
        ("output's parent not writable", "--output {output}: cannot be written (its parent {locked} is not writable)"),
    ],
)
def test_a_folder_without_permission_is_one_line_and_creates_nothing(
    case: str, expected: str, shared_folder: Path, capsys: pytest.CaptureFixture
) -> None:
    input_dir, locked = shared_folder / "input", shared_folder / "locked"
    input_dir.mkdir()
    (input_dir / "customers.csv").write_bytes(GOOD_CUSTOMERS)
    (input_dir / "accounts.csv").write_bytes(GOOD_ACCOUNTS)
    locked.mkdir()
    output_dir = {"output not writable": locked, "output's parent not writable": locked / "out"}.get(
        case, shared_folder / "out"
    )
    (input_dir if case == "input unreadable" else locked).chmod(0o000 if case == "input unreadable" else 0o555)
    with _unprivileged():
        code = main(["run", "--impl", "scripts", "--input", str(input_dir), "--output", str(output_dir)])
    assert code == EXIT_USAGE
    line = expected.format(input=input_dir, output=output_dir, locked=locked)
    assert capsys.readouterr().err.splitlines() == [f"{ERROR_PREFIX}{line}"]
    assert sorted(path.name for path in shared_folder.iterdir()) == ["input", "locked"]
    assert not any(locked.iterdir())
