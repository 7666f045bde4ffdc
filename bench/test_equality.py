"""Output equality: every output file of every implementation equals the plain-scripts run's.

Rows are compared as multisets of business columns (audit columns starting with ``_`` ignored);
Parquet column types must match too. A difference fails and the report shows the first rows.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.store import Store
from core.layout import OUTPUT_TABLES, QUALITY_REPORT
from core.outputs import parquet_schema, read_rows
from tests.rules_oracle import expected_outputs

SHOWN_ROWS = 5


def compare_outputs(reference: Path, candidate: Path) -> list[dict]:
    """Every difference between two runs' output files, with the first differing rows of each."""
    differences = []
    for table in OUTPUT_TABLES:
        for fmt in table.formats:
            name = f"{table.table}.{fmt}"
            ref_columns, ref_rows = read_rows(reference, table.table, fmt)
            got_columns, got_rows = read_rows(candidate, table.table, fmt)
            if ref_columns != got_columns:
                differences.append({"file": name, "problem": "columns differ",
                                    "expected": ref_columns, "got": got_columns})
                continue
            if fmt == "parquet" and parquet_schema(reference, table.table) != parquet_schema(candidate, table.table):
                differences.append({"file": name, "problem": "types differ",
                                    "expected": parquet_schema(reference, table.table),
                                    "got": parquet_schema(candidate, table.table)})
            missing = Counter(ref_rows) - Counter(got_rows)
            extra = Counter(got_rows) - Counter(ref_rows)
            if missing or extra:
                differences.append({
                    "file": name, "problem": f"{sum(missing.values())} rows missing, {sum(extra.values())} extra",
                    "missing": [list(map(str, r)) for r in list(missing)[:SHOWN_ROWS]],
                    "extra": [list(map(str, r)) for r in list(extra)[:SHOWN_ROWS]],
                })
    ref_report = json.loads((reference / QUALITY_REPORT).read_text())
    got_report = json.loads((candidate / QUALITY_REPORT).read_text())
    if ref_report != got_report:
        differences.append({"file": QUALITY_REPORT, "problem": "reports differ"})
    return differences


def compare_with_oracle(input_dir: Path, candidate: Path) -> list[dict]:
    """Differences between a run's tables and the independent rules oracle of ``tests/``."""
    expected = expected_outputs(input_dir)
    differences = []
    for table in OUTPUT_TABLES:
        _, rows = read_rows(candidate, table.table)
        missing = Counter(expected[table.table]) - Counter(rows)
        extra = Counter(rows) - Counter(expected[table.table])
        if missing or extra:
            differences.append({
                "file": table.table, "problem": f"vs rules oracle: {sum(missing.values())} rows missing, {sum(extra.values())} extra",
                "missing": [list(map(str, r)) for r in list(missing)[:SHOWN_ROWS]],
                "extra": [list(map(str, r)) for r in list(extra)[:SHOWN_ROWS]],
            })
    return differences


def test_outputs_equal_plain_scripts(store: Store, dataset, finished_run, implementation: str) -> None:
    """Scripts is checked against the rules oracle; every other implementation against scripts."""
    candidate = finished_run(implementation)
    if implementation == "scripts":
        differences = compare_with_oracle(dataset(store.config.customers), candidate)
    else:
        differences = compare_outputs(finished_run("scripts"), candidate)
    store.equality[implementation] = {"equal": not differences, "differences": differences,
                                      "files_compared": sum(len(t.formats) for t in OUTPUT_TABLES) + 1}
    assert not differences, json.dumps(differences, indent=2)
