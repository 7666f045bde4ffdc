"""Output equality: plain scripts' seven output files equal the rules oracle's expectations
(``testkit.against_oracle``), and every other implementation's equal plain scripts' (``core.outputs``).

Rows are compared as multisets of business columns (audit columns starting with ``_`` ignored);
Parquet column types must match too. A difference fails and the report shows the first rows.
"""

from __future__ import annotations

import json

from bench.equality.results import Equality
from bench.store import Store
from core.outputs import output_differences
from testkit.against_oracle import files_checked, oracle_differences


def test_outputs_equal_plain_scripts(store: Store, dataset, finished_run, implementation: str) -> None:
    """Scripts is checked against the rules oracle; every other implementation against scripts."""
    candidate = finished_run(implementation)
    if implementation == "scripts":
        differences = oracle_differences(dataset(store.config.customers), candidate)
    else:
        differences = output_differences(finished_run("scripts"), candidate)
    store.equality[implementation] = Equality(
        reference="the rules oracle" if implementation == "scripts" else "scripts",
        files_compared=files_checked(),
        differences=differences,
    )
    assert not differences, json.dumps(differences, indent=2)
