"""The fault scenario every implementation is tested with (``core/faults.py``).

A run starts on an output folder left by an earlier run on *other* input (stale tables and files),
with ``LC_FAIL_ONCE`` failing one ingestion and one export once, each at its worst moment. An
orchestrator's retries must carry the run through; plain scripts must fail clearly, and the next
run must recover. Either way the end state equals a clean run on the new input: nothing stale,
nothing half-written, nothing lost.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from core.faults import FAULT_MARKER_DIR
from core.files import PARTIAL_SUFFIX
from core.layout import QUALITY_REPORT
from core.outputs import output_differences
from core.settings import DBT_TARGET_DIRNAME

FAULTS = ("ingest_accounts", "export_account_summary")


def stale_output(earlier_run: Path, target: Path) -> Path:
    """A copy of an earlier run's folder (warehouse and files) to run the new input into."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(earlier_run, target, ignore=shutil.ignore_patterns(DBT_TARGET_DIRNAME))
    return target


def partial_files(output_dir: Path) -> list[Path]:
    """Files left under a temporary name: a failure must never leave any."""
    return sorted(output_dir.glob(f".*{PARTIAL_SUFFIX}"))


def assert_recovered(output_dir: Path, reference: Path) -> None:
    """Every fault fired once, nothing was left half-written, and the outputs equal the reference."""
    fired = sorted(path.name for path in (output_dir / FAULT_MARKER_DIR).iterdir())
    assert fired == sorted(FAULTS)
    assert partial_files(output_dir) == []
    assert output_differences(reference, output_dir) == []
    assert _report(output_dir) == _report(reference)


def _report(output_dir: Path) -> dict:
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    return {key: report[key] for key in ("files", "outputs", "all_checks_passed")}
