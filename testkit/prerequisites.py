"""A test whose prerequisite is missing skips on a developer's machine and fails under CI.

CI (``CI`` set, as ``.ci/run`` runs) installs every prerequisite itself, so there a missing one
means a broken install step, and a silent skip would report tests as run that never were.
"""

from __future__ import annotations

import os

import pytest


def require(available: bool, what: str) -> None:
    """Skip (or, under CI, fail) unless ``available``; ``what`` names the missing prerequisite."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI: prerequisite missing: {what}")
    pytest.skip(what)
