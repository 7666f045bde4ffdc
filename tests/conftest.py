"""Shared fixtures: one generated data set and one scripts-pipeline run per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.generate import GeneratedData, generate

SAMPLE_CUSTOMERS = 2_000


@pytest.fixture(scope="session")
def sample_input(tmp_path_factory: pytest.TempPathFactory) -> GeneratedData:
    """A small messy data set with every quarantine reason (dirty rate raised so each one appears)."""
    return generate(tmp_path_factory.mktemp("input"), SAMPLE_CUSTOMERS, seed=7, dirty_rate=0.1)


@pytest.fixture(scope="session")
def scripts_output(sample_input: GeneratedData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one plain-scripts run on the sample, the reference other runs are compared with."""
    from impl_scripts.pipeline import run

    output_dir = tmp_path_factory.mktemp("scripts_output")
    run(sample_input.customers_path.parent, output_dir)
    return output_dir
