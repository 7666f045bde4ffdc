"""Output equality: every output file of every implementation equals the plain-scripts run's.

Rows are compared as multisets of business columns (audit columns starting with ``_`` ignored);
Parquet column types must match too. A difference fails and the report shows the first rows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from bench.equality.results import Equality
from bench.store import Store
from core.layout import OUTPUT_TABLES
from core.outputs import SHOWN_ROWS, output_differences, read_rows
from testkit.rules_oracle import expected_outputs


def compare_with_oracle(input_dir: Path, candidate: Path) -> list[dict]:
    """Differences between a run's tables and the independent rules oracle of ``tests/``."""
    expected = expected_outputs(input_dir)
    differences = []
    for table in OUTPUT_TABLES:
        _, rows = read_rows(candidate, table.table)
        missing = Counter(expected[table.table]) - Counter(rows)
        extra = Counter(rows) - Counter(expected[table.table])
        if missing or extra:
            differences.append(
                {
                    "file": table.table,
                    "problem": f"vs rules oracle: {sum(missing.values())} rows missing, {sum(extra.values())} extra",
                    "missing": [list(map(str, r)) for r in list(missing)[:SHOWN_ROWS]],
                    "extra": [list(map(str, r)) for r in list(extra)[:SHOWN_ROWS]],
                }
            )
    return differences


def test_outputs_equal_plain_scripts(store: Store, dataset, finished_run, implementation: str) -> None:
    """Scripts is checked against the rules oracle; every other implementation against scripts."""
    candidate = finished_run(implementation)
    if implementation == "scripts":
        differences = compare_with_oracle(dataset(store.config.customers), candidate)
    else:
        differences = output_differences(finished_run("scripts"), candidate)
    store.equality[implementation] = Equality(
        reference="the rules oracle" if implementation == "scripts" else "scripts",
        files_compared=sum(len(t.formats) for t in OUTPUT_TABLES) + 1,
        differences=differences,
    )
    assert not differences, json.dumps(differences, indent=2)
