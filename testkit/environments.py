"""Tests of a tool run where the tool is installed: Airflow and Prefect each in an environment of its own.

A test that needs a tool carries a mark named after its implementation (``pytestmark =
pytest.mark.airflow``, or :func:`implementation_param` for a test parametrized over implementations);
``make test`` runs ``pytest -m airflow`` in ``.venvs/airflow`` and so on, the rest in ``.venv``, and
:func:`skip_where_not_installed` skips a marked test that a plain ``pytest`` collected in an
environment without its tool, saying where it runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from core.implementations import TOOL_ENVIRONMENTS_DIR, implementation_names, installed_here


def implementation_param(implementation: str, *values: Any, id: str | None = None) -> Any:
    """A test parameter for ``implementation`` (then ``values``), marked with its name."""
    return pytest.param(implementation, *values, marks=getattr(pytest.mark, implementation), id=id or implementation)


def skip_where_not_installed(items: Iterable[pytest.Item]) -> None:
    """Skip each collected test marked with an implementation whose tool this environment lacks."""
    missing = [name for name in implementation_names() if not installed_here(name)]
    for item in items:
        for name in missing:
            if item.get_closest_marker(name):
                environment = TOOL_ENVIRONMENTS_DIR.name + "/" + name
                item.add_marker(pytest.mark.skip(reason=f"needs {name}: runs in {environment} (make test)"))
