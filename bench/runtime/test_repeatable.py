"""A second ``pytest bench`` into the same results folder passes and measures the same thing.

Runs a small harness session (plain scripts and the yardsticks: timed rounds, equality, reliability)
twice into one results folder, each with ``--benchmark-json``, then checks that the second session
started from an empty folder, that both ``results.json`` carry their provenance, that
pytest-benchmark's JSON holds exactly the wall times of ``results.json``, and that
``pytest-benchmark compare`` reads the two files. The two sessions are in quick mode whatever
mode this session is in (minutes: docs/harness.md says how long).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.measure import scrubbed_environment
from bench.paths import REPO

SESSION = [
    "bench/runtime/test_runtime.py",
    "bench/equality/test_equality.py",
    "bench/reliability/test_reliability.py",
    "--quick",
    "--impls",
    "scripts",
    "--no-ui",
    "-p",
    "no:cacheprovider",
]


def _session(results: Path, benchmark_json: Path, log: Path) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "pytest",
        *SESSION,
        "--results-dir",
        str(results),
        f"--benchmark-json={benchmark_json}",
    ]
    with log.open("w") as handle:
        return subprocess.run(
            command, cwd=REPO, stdout=handle, stderr=subprocess.STDOUT, check=False, env=scrubbed_environment()
        )


def _wall_times(results_json: Path) -> dict[str, list[float]]:
    runs = json.loads(results_json.read_text())["runs"]
    return {key: sorted(r["wall_seconds"] for r in rounds if r["ok"]) for key, rounds in runs.items()}


def test_a_second_session_passes_from_an_empty_folder(tmp_path: Path) -> None:
    results, first_json, second_json = tmp_path / "results", tmp_path / "first.json", tmp_path / "second.json"
    first = _session(results, first_json, tmp_path / "first.log")
    assert first.returncode == 0, (tmp_path / "first.log").read_text()[-3000:]
    first_walls = _wall_times(results / "results.json")
    leftover = results / "runs" / "scripts_1000" / "left-by-the-first-session"
    leftover.write_text("a file the second session must not find")

    second = _session(results, second_json, tmp_path / "second.log")
    assert second.returncode == 0, (tmp_path / "second.log").read_text()[-3000:]
    assert not leftover.exists(), "the second session did not start from an empty results folder"
    raw = json.loads((results / "results.json").read_text())
    assert raw["schema_version"] >= 2
    assert len(raw["provenance"]["commit"] or "") == 40 and isinstance(raw["provenance"]["dirty"], bool)
    assert raw["provenance"]["command_line"][:2] == ["pytest", "bench/runtime/test_runtime.py"]
    assert set(_wall_times(results / "results.json")) == set(first_walls)

    # pytest-benchmark's JSON carries the very wall times of results.json.
    walls = _wall_times(results / "results.json")
    benchmarks = {b["name"]: b for b in json.loads(second_json.read_text())["benchmarks"]}
    assert benchmarks["test_runtime[scripts-1000]"]["stats"]["data"] == pytest.approx(
        [r["wall_seconds"] for r in raw["runs"]["scripts@1000"] if r["mode"] == "cold"]
    )
    assert sorted(benchmarks["test_yardstick[1000-limit]"]["stats"]["data"]) == pytest.approx(walls["limit@1000"])

    compare = subprocess.run(
        [
            str(Path(sys.executable).parent / "pytest-benchmark"),
            "compare",
            str(first_json),
            str(second_json),
            "--group-by",
            "group",
            "--columns",
            "median,rounds",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert compare.returncode == 0, compare.stderr
    assert "test_runtime[scripts-1000]" in compare.stdout and "test_yardstick[1000-limit]" in compare.stdout
