"""Every case of the bad-input corpus, run through every implementation that exists.

A failing case must stop with one clear error naming the file (and row or line) and write no
output file; a succeeding one must put every record where the rules page says, lose none, and
match the rules oracle.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.implementations import implementation_names, load_run
from testkit.bad_inputs import CASES, Case, judge
from testkit.environments import implementation_param

# Every rule lives in the shared core and dbt project, which plain scripts runs with nothing around
# it: scripts gets the whole corpus here. The orchestrators get their cases from the harness's
# reliability section (bench/reliability/test_reliability.py: ORCHESTRATOR_CASES by default, QUICK_CASES with
# --quick, every case with --full-corpus), so CI does not run the same orchestrator cases twice;
# LC_FULL_CORPUS=1 runs every case through every implementation here too.
FULL_CORPUS = os.environ.get("LC_FULL_CORPUS") == "1"


def _pairs() -> list:
    return [
        implementation_param(implementation, case, id=f"{implementation}-{case.name}")
        for implementation in implementation_names()
        for case in CASES
        if implementation == "scripts" or FULL_CORPUS
    ]


@pytest.mark.parametrize(("implementation", "case"), _pairs())
def test_case(implementation: str, case: Case, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    if implementation == "prefect":
        request.getfixturevalue("prefect_server")  # one Prefect server for the session, not one per run
    run = load_run(implementation)
    outcome = judge(case, run, tmp_path)
    assert outcome.handled, outcome.problem
    assert (outcome.rows_lost, outcome.rows_extra) == (0, 0)
