"""A run's two folders: checked before anything is created, and one run per output folder at a time.

A scheduled pipeline meets mistyped paths and overlapping runs (a slow day, a rerun by hand while
cron fires). Both are settled here, once for every implementation, before any work starts:

- :func:`check_run_folders` refuses an input folder that is missing, a file or unreadable, and an
  output folder that is a file, lies under a file, or cannot be written, in one line
  (:class:`~core.errors.UsageError`) and without creating anything. A missing output folder is
  normal: the run creates it, with any missing parents (:func:`make_output_folder`).
- :func:`one_run_at_a_time` holds an OS file lock (``filelock``: ``flock`` on Unix) on
  ``<output>/.lc-pipeline.lock`` for the whole run. A second run into the same folder stops at once
  (:class:`~core.errors.OutputFolderBusy`, naming the folder and the run that holds it), or waits
  up to ``wait`` seconds for it. The kernel releases the lock when its holder exits, however it
  exits (a crash, SIGKILL), so a dead run never blocks the next one. Who holds it is written beside
  the lock (``.lc-pipeline.run.json``) for the refusal to name; the lock itself is the decision.

The CLI takes both after it has re-executed itself in the tool's own environment, so the lock is
held by the process that runs the pipeline, whichever implementation it is. Deployed stacks start
their runs without it and keep them apart their own way (Dagster's per-warehouse tag limit,
Airflow's ``max_active_runs=1``, a folder per landed input); ``lc-pipeline run`` has no queue, so
this lock is what keeps two of its runs out of one folder.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from core.errors import OutputFolderBusy, UsageError
from core.files import atomic_write

LOCK_FILENAME = ".lc-pipeline.lock"
HOLDER_FILENAME = ".lc-pipeline.run.json"

log = logging.getLogger(__name__)


def check_run_folders(input_dir: Path | None, output_dir: Path) -> None:
    """Refuse, in one line, folders a run cannot use; create nothing (``input_dir`` None: a sample)."""
    if input_dir is not None:
        check_input_folder(input_dir)
    check_output_folder(output_dir)


def check_input_folder(folder: Path) -> None:
    """The input folder must exist, be a folder and be listable (its files are checked by ingestion)."""
    try:
        is_folder = stat.S_ISDIR(folder.stat().st_mode)
        if is_folder:
            with os.scandir(folder) as entries:
                next(entries, None)
    except FileNotFoundError:
        raise UsageError(f"--input {folder}: no such folder") from None
    except OSError as error:
        raise UsageError(f"--input {folder}: cannot be read ({error.strerror})") from error
    if not is_folder:
        raise UsageError(f"--input {folder}: is a file, not a folder (give the folder that holds the input files)")


def check_output_folder(folder: Path) -> None:
    """The output folder, or the nearest of its parents that exists, must be a writable folder."""
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        where = "is a file" if existing == folder.absolute() else f"lies under {existing}, which is a file"
        raise UsageError(f"--output {folder}: {where}, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids):
        where = "" if existing == folder.absolute() else f" (its parent {existing} is not writable)"
        raise UsageError(f"--output {folder}: cannot be written{where}")


def make_output_folder(folder: Path) -> Path:
    """Create the output folder and its missing parents; a refusal by the OS is a usage error too
    (``os.access`` cannot tell root about a read-only or virtual file system)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unwritable(folder, error) from error
    return folder


def _unwritable(folder: Path, error: OSError) -> UsageError:
    return UsageError(f"--output {folder}: cannot be written ({error.strerror})")


def _nearest_existing(folder: Path) -> Path:
    """``folder`` or its nearest parent that exists (a file among them ends the search)."""
    path = folder.absolute()
    while path != path.parent:
        try:
            path.stat()
            return path
        except (FileNotFoundError, NotADirectoryError):
            path = path.parent
        except OSError as error:  # a parent that cannot be searched
            raise _unwritable(folder, error) from error
    return path


@dataclass(frozen=True)
class RunHolder:
    """The run holding an output folder, as the refusal names it."""

    implementation: str
    pid: int
    host: str
    started: str  # local time, ISO 8601, to the second

    @classmethod
    def this_process(cls, implementation: str) -> RunHolder:
        return cls(implementation, os.getpid(), socket.gethostname(), datetime.now().isoformat(timespec="seconds"))

    def describe(self) -> str:
        return f"a {self.implementation} run (pid {self.pid} on {self.host}, started {self.started})"


def holder_of(output_dir: Path) -> RunHolder | None:
    """The run that last took ``output_dir``'s lock, from its record; None if there is none to read
    (the holder has not written it yet, or it was not written by this version)."""
    try:
        return RunHolder(**json.loads((output_dir / HOLDER_FILENAME).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def _holder_named(output_dir: Path) -> str:
    holder = holder_of(output_dir)
    return holder.describe() if holder else "another run"


def _busy(output_dir: Path, waited: float) -> OutputFolderBusy:
    after = f" after waiting {waited:g} s" if waited else ""
    return OutputFolderBusy(
        f"{output_dir}: output folder in use by {_holder_named(output_dir)}{after}; nothing ran: "
        "wait for it (--wait SECONDS) or choose another --output"
    )


@contextmanager
def one_run_at_a_time(output_dir: Path, implementation: str, wait: float = 0) -> Iterator[RunHolder]:
    """Hold ``output_dir``'s run lock for the block: at once, or within ``wait`` seconds, else raise
    :class:`~core.errors.OutputFolderBusy`. The folder must exist (:func:`make_output_folder`)."""
    lock = FileLock(output_dir / LOCK_FILENAME)
    if not _acquire(lock, output_dir, 0):
        if wait <= 0:
            raise _busy(output_dir, 0)
        log.info("waiting up to %g s for %s: in use by %s", wait, output_dir, _holder_named(output_dir))
        if not _acquire(lock, output_dir, wait):
            raise _busy(output_dir, wait)
    holder_file = output_dir / HOLDER_FILENAME
    try:
        holder = RunHolder.this_process(implementation)
        with atomic_write(holder_file) as partial:
            partial.write_text(json.dumps(asdict(holder)), encoding="utf-8")
        yield holder
    finally:
        holder_file.unlink(missing_ok=True)
        lock.release()


def _acquire(lock: FileLock, output_dir: Path, timeout: float) -> bool:
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        return False
    except OSError as error:  # the lock file cannot be created: the folder is not writable after all
        raise _unwritable(output_dir, error) from error
    return True
