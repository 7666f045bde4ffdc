"""Prefect: the quality-report task's function called with ``.fn()``, the way Prefect's "Test workflows"
guide tests a task without the engine: no task run, no test harness, no server of its own.

This task's body cannot run that way, and the test is kept as the guide writes it so the harness
records that: the body records the report's metadata on its asset (``add_asset_metadata``), which
raises outside the asset context only a task run opens, and it publishes the report as artifacts,
which outside a run Prefect deprecates and sends to a temporary server it starts for the purpose.
The guide's one remedy for ``.fn()``, ``disable_run_logger()``, is for ``get_run_logger()``, which
this body does not call; for the rest it points to the test harness (``step_prefect.py``)."""

import os
from pathlib import Path

import pytest

from core.export import QualityCheckFailed
from impl_prefect.tasks import RunConfig, quality_report_task


def report_step(folder: Path) -> dict:
    return quality_report_task({}).fn(RunConfig(folder, folder), [])


def test_the_report_is_written_when_every_check_passes() -> None:
    assert report_step(Path(os.environ["LC_STEP_GOOD"]))["all_checks_passed"]


def test_the_step_fails_on_a_broken_warehouse() -> None:
    with pytest.raises(QualityCheckFailed):
        report_step(Path(os.environ["LC_STEP_BROKEN"]))
