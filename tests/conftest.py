"""Shared fixtures: one generated data set and one scripts-pipeline run per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.environment import scoped_environ
from core.generate import GeneratedData, generate
from testkit.environments import skip_where_not_installed

SAMPLE_CUSTOMERS = 2_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    skip_where_not_installed(items)


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


@pytest.fixture(scope="session")
def small_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 300-customer data set for the orchestrator tests (each run costs seconds of tool start-up)."""
    folder = tmp_path_factory.mktemp("small_input")
    generate(folder, 300)
    return folder


@pytest.fixture(scope="session")
def scripts_reference(small_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plain-scripts run on ``small_input``: what every orchestrator's outputs must equal."""
    from impl_scripts.pipeline import run

    output_dir = tmp_path_factory.mktemp("scripts_reference")
    run(small_input, output_dir)
    return output_dir


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One Prefect test server (its own temporary SQLite database) for every test of the session.

    Prefect is imported here, with ``PREFECT_HOME`` set for the import alone, so collecting the tests
    imports nothing heavy and no test writes to the user's home.
    """
    from impl_prefect.launch.runtime import SERVER_STARTUP_TIMEOUT_SECONDS, prefect_environment

    home = tmp_path_factory.mktemp("prefect_session_home")
    with scoped_environ(prefect_environment(home)):  # read by a first import of Prefect, then undone
        from prefect.settings import (
            PREFECT_HOME,
            PREFECT_SERVER_ANALYTICS_ENABLED,
            get_current_settings,
            temporary_settings,
        )
        from prefect.testing.utilities import prefect_test_harness

    with temporary_settings(updates={PREFECT_HOME: home, PREFECT_SERVER_ANALYTICS_ENABLED: False}):
        with prefect_test_harness(server_startup_timeout=SERVER_STARTUP_TIMEOUT_SECONDS):
            yield get_current_settings().api.url
