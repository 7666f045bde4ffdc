"""The landing folder of a deployed pipeline: where new input folders arrive to be picked up.

The contract is the same for every orchestrator, so that "file arrival" means one thing when the
harness compares them. A producer copies a batch into ``<landing>/.<name>`` and renames it to
``<landing>/<name>`` once whole (a rename is atomic); a folder is ready when it holds every input
file. Each ready folder gets one run, writing to ``<output>/runs/<name>``, and one more whenever its
files change: its version is the modification times of its input files. Each tool looks every
``POLL_SECONDS`` (Dagster's sensor, Airflow's trigger, Prefect's watcher flow) and keeps, in its own
way, which versions it has already started a run for.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.layout import INPUT_FILES, InputFile

LANDING_ENV = "LC_LANDING_DIR"
RUNS_DIR = "runs"
# How often each deployment looks for new folders (Dagster's default sensor interval).
POLL_SECONDS = 30


def landing_dir(output_dir: Path) -> Path:
    """``LC_LANDING_DIR``, else ``<output folder>/landing``."""
    configured = os.environ.get(LANDING_ENV)
    return Path(configured).expanduser().resolve() if configured else output_dir / "landing"


def ready_folders(landing: Path) -> list[Path]:
    """Subfolders holding every input file, by name; a dot-folder is still being written."""
    if not landing.is_dir():
        return []
    return sorted(
        folder
        for folder in landing.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and all(_input_files(folder, spec) for spec in INPUT_FILES)
    )


def folder_version(folder: Path) -> str:
    """Changes when any of the folder's input files is replaced or rewritten."""
    return "-".join(str(path.stat().st_mtime_ns) for spec in INPUT_FILES for path in _input_files(folder, spec))


def run_output_dir(output_dir: Path, folder: Path) -> Path:
    """Where the run of a landed folder writes its warehouse and files."""
    return output_dir / RUNS_DIR / folder.name


def run_key(folder: Path) -> str:
    """One key per folder version, made of the characters every tool accepts in a run's id."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", folder.name) + "-" + folder_version(folder)


def _input_files(folder: Path, spec: InputFile) -> list[Path]:
    """The files of ``folder`` under any name ``spec`` is accepted under (two at once: the run says so)."""
    return [folder / name for name in spec.accepted_names if (folder / name).is_file()]
