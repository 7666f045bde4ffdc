"""Every case of the bad-input corpus, run through every implementation that exists.

A failing case must stop with one clear error naming the file (and row or line) and write no
output file; a succeeding one must put every record where the rules page says, lose none, and
match the rules oracle.
"""

from __future__ import annotations

import importlib
import os
from collections import Counter
from pathlib import Path

import pytest

from core.cli import IMPLEMENTATIONS
from core.errors import PipelineInputError
from core.layout import OUTPUT_TABLES, output_files
from core.outputs import read_rows
from tests.bad_inputs import CASES, Case
from tests.rules_oracle import expected_outputs

BUILT = list(IMPLEMENTATIONS)
# Every rule lives in the shared core and dbt project, which plain scripts runs with nothing around
# it: scripts gets the whole corpus. An orchestrator is checked on what it adds, stopping cleanly
# with the core's one-line error and passing awkward files through, on a subset that keeps the
# default suite fast; LC_FULL_CORPUS=1 runs every case through every implementation.
ORCHESTRATOR_CASES = {"text_after_closing_quote", "header_only"}
FULL_CORPUS = os.environ.get("LC_FULL_CORPUS") == "1"


def _pairs() -> list:
    return [
        pytest.param(implementation, case, id=f"{implementation}-{case.name}")
        for implementation in BUILT
        for case in CASES
        if implementation == "scripts" or FULL_CORPUS or case.name in ORCHESTRATOR_CASES
    ]


def _run(implementation: str, input_dir: Path, output_dir: Path) -> None:
    importlib.import_module(IMPLEMENTATIONS[implementation]).run(input_dir, output_dir)


def _reasons(output_dir: Path, table: str) -> dict[int, str]:
    _, rows = read_rows(output_dir, table)
    return {row[0]: row[1] for row in rows}


@pytest.mark.parametrize(("implementation", "case"), _pairs())
def test_case(implementation: str, case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if implementation == "prefect":
        request.getfixturevalue("prefect_server")  # one Prefect server for the session, not one per run
    input_dir = case.write(tmp_path / "input")
    output_dir = tmp_path / "output"
    if case.error:
        with pytest.raises(PipelineInputError) as raised:
            _run(implementation, input_dir, output_dir)
        message = str(raised.value)
        assert case.error_file in message and case.error in message, message
        assert "\n" not in message.strip()
        assert not any(path.exists() for path in output_files(output_dir))
        return

    _run(implementation, input_dir, output_dir)
    customers_q = _reasons(output_dir, "customers_quarantine")
    accounts_q = _reasons(output_dir, "accounts_quarantine")
    for row, reason in case.customers_expect.items():
        assert customers_q.get(row) == reason, f"customers row {row}"
    for row, reason in case.accounts_expect.items():
        assert accounts_q.get(row) == reason, f"accounts row {row}"
    expected = expected_outputs(input_dir)
    for table in OUTPUT_TABLES:
        assert Counter(read_rows(output_dir, table.table)[1]) == Counter(expected[table.table]), table.table
