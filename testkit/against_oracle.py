"""Every output file of a run against the rules oracle: the seven files, each the way it can differ.

- the four tables' rows, as multisets of business columns (from Parquet where a table has one);
- the two marts' CSV files: the same rows as their Parquet files, as text;
- the two marts' Parquet column types, as the rules page states them;
- the quality report: per input file, records read, clean, quarantined and per reason; rows per
  output table; every check passed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from core.layout import OUTPUT_TABLES, QUALITY_REPORT
from core.outputs import SHOWN_ROWS, parquet_schema, read_rows
from testkit.rules_oracle import EXPECTED_PARQUET_TYPES, expected_file_counts, expected_outputs


def _as_text(row: tuple) -> tuple:
    return tuple(str(value).lower() if isinstance(value, bool) else str(value) for value in row)


def _rows_differ(file: str, expected: list[tuple], got: list[tuple]) -> dict[str, Any] | None:
    missing, extra = Counter(expected) - Counter(got), Counter(got) - Counter(expected)
    if not missing and not extra:
        return None
    return {
        "file": file,
        "problem": f"vs rules oracle: {sum(missing.values())} rows missing, {sum(extra.values())} extra",
        "missing": [list(map(str, r)) for r in list(missing)[:SHOWN_ROWS]],
        "extra": [list(map(str, r)) for r in list(extra)[:SHOWN_ROWS]],
    }


def _types_differ(output_dir: Path, table: str) -> dict[str, Any] | None:
    expected, got = EXPECTED_PARQUET_TYPES[table], parquet_schema(output_dir, table)
    wrong = {
        column: got.get(column)
        for column, pattern in expected.items()
        if got.get(column) is None or not re.fullmatch(pattern, got[column])
    }
    if list(got) == list(expected) and not wrong:
        return None
    return {"file": f"{table}.parquet", "problem": f"columns or types differ from the rules page: {wrong or list(got)}"}


def _report_differs(input_dir: Path, output_dir: Path, expected: dict[str, list[tuple]]) -> dict[str, Any] | None:
    report = json.loads((output_dir / QUALITY_REPORT).read_text(encoding="utf-8"))
    files = [
        {**counts, "quarantined_by_reason": {r: n for r, n in counts["quarantined_by_reason"].items() if n}}
        for counts in report["files"].values()
    ]
    problems = []
    if files != expected_file_counts(input_dir):
        problems.append(f"input file counts {files} != {expected_file_counts(input_dir)}")
    outputs = {table: len(rows) for table, rows in expected.items()}
    if report["outputs"] != outputs:
        problems.append(f"output rows {report['outputs']} != {outputs}")
    failed = [check["name"] for check in report["checks"] if not check["passed"]]
    if failed or not report["all_checks_passed"]:
        problems.append(f"checks failed: {failed}")
    return {"file": QUALITY_REPORT, "problem": "; ".join(problems)} if problems else None


def oracle_differences(input_dir: Path, output_dir: Path) -> list[dict[str, Any]]:
    """Every way the run's output files differ from what the rules oracle expects of ``input_dir``."""
    expected = expected_outputs(input_dir)
    found: list[dict[str, Any] | None] = []
    for table in OUTPUT_TABLES:
        _, rows = read_rows(output_dir, table.table)
        found.append(
            _rows_differ(
                f"{table.table}.{'parquet' if 'parquet' in table.formats else 'csv'}", expected[table.table], rows
            )
        )
        if "parquet" in table.formats:
            found.append(_types_differ(output_dir, table.table))
            if "csv" in table.formats:
                _, text_rows = read_rows(output_dir, table.table, "csv")
                found.append(
                    _rows_differ(f"{table.table}.csv", [_as_text(row) for row in expected[table.table]], text_rows)
                )
    found.append(_report_differs(input_dir, output_dir, expected))
    return [difference for difference in found if difference]


def files_checked() -> int:
    """How many files :func:`oracle_differences` reads: every table in each format, and the report."""
    return sum(len(table.formats) for table in OUTPUT_TABLES) + 1
