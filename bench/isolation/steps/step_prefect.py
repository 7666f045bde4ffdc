"""Prefect: run the quality-report task alone against a temporary server (prefect_test_harness)."""

import os
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from core.export import QualityCheckFailed
from impl_prefect.tasks import RunConfig, quality_report_task


@pytest.fixture(scope="module", autouse=True)
def prefect_server():
    with prefect_test_harness(server_startup_timeout=120):  # a first start migrates its database
        yield


def report_step(folder: Path) -> dict:
    return quality_report_task({})(RunConfig(folder, folder), [])


def test_the_report_is_written_when_every_check_passes() -> None:
    assert report_step(Path(os.environ["LC_STEP_GOOD"]))["all_checks_passed"]


def test_the_step_fails_on_a_broken_warehouse() -> None:
    with pytest.raises(QualityCheckFailed):
        report_step(Path(os.environ["LC_STEP_BROKEN"]))
