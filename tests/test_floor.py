"""Each tool's floor (``bench/floor/``): its hello world runs through the harness's own runner and
our launcher, as the runtime section times it, and writes its file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.floor import FLOORS, HELLO_FILE, floor_of
from bench.measure import run_once
from core.implementations import implementation_names
from testkit.environments import implementation_param


def test_every_implementation_has_a_hello_world() -> None:
    assert set(FLOORS) == set(implementation_names())


@pytest.mark.parametrize("tool", [implementation_param(tool) for tool in FLOORS])
def test_the_hello_world_runs_through_the_runner_and_writes_its_file(tool: str, tmp_path: Path) -> None:
    output = tmp_path / "output"
    result = run_once(floor_of(tool), tmp_path / "input", output, tmp_path / "run.log")
    assert result.ok, result.error
    assert (output / HELLO_FILE).read_text(encoding="utf-8") == "hello, world\n"
