"""The run settings every implementation shares, and the folders of a run: each name defined once.

A run is configured by an input folder and an output folder. Each tool takes them its own way (a
function argument, a Dagster resource's config, an Airflow DAG param, a Prefect flow parameter);
where none is given, all of them fall back to the same environment variables, then to the same
default folders, named here.
"""

from __future__ import annotations

import os
from pathlib import Path

INPUT_DIR_ENV = "LC_INPUT_DIR"
OUTPUT_DIR_ENV = "LC_OUTPUT_DIR"

# Relative to the working directory, as a user starting a run from the repository expects.
OUTPUT_ROOT = Path("output")
SAMPLE_INPUT_DIR = OUTPUT_ROOT / "sample_input"

# Inside a run's output folder: dbt's artifacts and logs (manifest, run_results.json).
DBT_TARGET_DIRNAME = "dbt_target"


def default_output_dir(implementation: str) -> Path:
    """Where a run of ``implementation`` writes when no output folder is given."""
    return OUTPUT_ROOT / implementation


def dbt_target_dir(output_dir: Path) -> Path:
    return Path(output_dir) / DBT_TARGET_DIRNAME


def env_path(name: str, default: Path | None = None) -> Path | None:
    """The folder an environment variable names (blank counts as unset), else ``default``."""
    value = os.environ.get(name, "").strip()
    return Path(value) if value else default
