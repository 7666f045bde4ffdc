"""Dagster: the quality-report asset called as a function, the way Dagster's "Testing assets" guide
unit-tests an asset (direct invocation): its context from ``build_asset_context()``, its resource
passed as an argument. No run, no job, no instance on disk (the context uses an ephemeral one).

``build_asset_context`` is used as a context manager, as its docstring allows, so the context's
resources are torn down when the call returns rather than when Python exits."""

import os

import pytest
from dagster import Failure, MaterializeResult, build_asset_context

from impl_dagster.assets.outputs import quality_report
from impl_dagster.resources import LcPaths


def report_step(folder: str) -> MaterializeResult:
    with build_asset_context() as context:
        return quality_report(context, LcPaths(output_dir=folder))


def test_the_report_is_written_when_every_check_passes() -> None:
    assert report_step(os.environ["LC_STEP_GOOD"]).metadata["all_checks_passed"]


def test_the_step_fails_on_a_broken_warehouse() -> None:
    with pytest.raises(Failure):
        report_step(os.environ["LC_STEP_BROKEN"])
