"""Dagster: materialize the quality-report asset alone, its resource pointed at a finished run."""

import os

from dagster import ExecuteInProcessResult, materialize

from impl_dagster.assets.outputs import quality_report
from impl_dagster.resources import LcPaths


def report_step(folder: str) -> ExecuteInProcessResult:
    return materialize([quality_report], resources={"lc_paths": LcPaths(output_dir=folder)}, raise_on_error=False)


def test_the_report_is_written_when_every_check_passes() -> None:
    result = report_step(os.environ["LC_STEP_GOOD"])
    assert result.success and result.asset_materializations_for_node("quality_report")


def test_the_step_fails_on_a_broken_warehouse() -> None:
    assert not report_step(os.environ["LC_STEP_BROKEN"]).success
