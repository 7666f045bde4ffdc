"""Plain scripts: the quality-report step is a function of the core; the test calls it."""

import os
from pathlib import Path

import pytest

from core.export import QualityCheckFailed, write_quality_report
from core.warehouse import connect, warehouse_path


def report_step(folder: Path) -> dict:
    with connect(warehouse_path(folder)) as con:
        return write_quality_report(con, folder)


def test_the_report_is_written_when_every_check_passes() -> None:
    assert report_step(Path(os.environ["LC_STEP_GOOD"]))["all_checks_passed"]


def test_the_step_fails_on_a_broken_warehouse() -> None:
    with pytest.raises(QualityCheckFailed):
        report_step(Path(os.environ["LC_STEP_BROKEN"]))
