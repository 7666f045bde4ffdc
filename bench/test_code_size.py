"""Lines of code, configuration files and framework APIs of each orchestration layer."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from bench.code_size import REPO, measure_folder, shared_code_size
from bench.store import Store


@pytest.mark.usefixtures("require_built")
def test_code_size(store: Store, implementation: str) -> None:
    size = measure_folder(implementation, REPO / f"impl_{implementation}")
    store.code_size[implementation] = asdict(size)
    store.code_size["_shared"] = shared_code_size()
    assert size.code_lines > 0
