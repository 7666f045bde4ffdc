"""Environment variables set for one block of work, then put back as they were.

dbt's shipped ``profiles.yml`` reads the warehouse path from the environment, and Prefect and
Airflow read their homes from it: every implementation scopes such settings to the work that
needs them, so runs in one process (tests, the harness) never see each other's settings.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


@contextmanager
def scoped_environ(values: Mapping[str, str]) -> Iterator[None]:
    """Set ``values`` in ``os.environ`` for the duration of the block, then restore what was there."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
