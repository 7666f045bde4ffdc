"""Read a run's output files back as rows of Python values, for comparing runs and checking rules.

Parquet files carry their types (DECIMAL, BIGINT, BOOLEAN); the quarantine CSVs are text but for
``source_row``. Business columns only: audit columns (names starting with ``_``) are left out.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from core.layout import OUTPUT_TABLES, QUALITY_REPORT

SHOWN_ROWS = 5


def _business(names: list[str]) -> list[str]:
    return [name for name in names if not name.startswith("_")]


def read_rows(output_dir: Path, table: str, fmt: str | None = None) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one output table, from its Parquet file where it has one."""
    formats = next(t.formats for t in OUTPUT_TABLES if t.table == table)
    fmt = fmt or ("parquet" if "parquet" in formats else "csv")
    path = output_dir / f"{table}.{fmt}"
    if fmt == "parquet":
        data = pq.read_table(path)
        columns = _business(data.column_names)
        return columns, list(zip(*(data.column(c).to_pylist() for c in columns)))
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        keep = [i for i, name in enumerate(header) if not name.startswith("_")]
        rows = [tuple(int(row[i]) if header[i] == "source_row" else row[i] for i in keep) for row in reader]
    return [header[i] for i in keep], rows


def parquet_schema(output_dir: Path, table: str) -> dict[str, str]:
    """Column name -> Arrow type name of a Parquet output (business columns only)."""
    schema = pq.read_schema(output_dir / f"{table}.parquet")
    return {field.name: str(field.type) for field in schema if not field.name.startswith("_")}


def output_differences(reference: Path, candidate: Path, with_report: bool = True) -> list[dict[str, Any]]:
    """Every difference between two runs' output files, with the first differing rows of each
    (``with_report=False``: the data files only, for the harness's limit, which writes no report)."""
    differences: list[dict[str, Any]] = []
    for table in OUTPUT_TABLES:
        for fmt in table.formats:
            name = f"{table.table}.{fmt}"
            ref_columns, ref_rows = read_rows(reference, table.table, fmt)
            got_columns, got_rows = read_rows(candidate, table.table, fmt)
            if ref_columns != got_columns:
                differences.append(
                    {"file": name, "problem": "columns differ", "expected": ref_columns, "got": got_columns}
                )
                continue
            if fmt == "parquet" and parquet_schema(reference, table.table) != parquet_schema(candidate, table.table):
                differences.append(
                    {
                        "file": name,
                        "problem": "types differ",
                        "expected": parquet_schema(reference, table.table),
                        "got": parquet_schema(candidate, table.table),
                    }
                )
            missing = Counter(ref_rows) - Counter(got_rows)
            extra = Counter(got_rows) - Counter(ref_rows)
            if missing or extra:
                differences.append(
                    {
                        "file": name,
                        "problem": f"{sum(missing.values())} rows missing, {sum(extra.values())} extra",
                        "missing": [list(map(str, r)) for r in list(missing)[:SHOWN_ROWS]],
                        "extra": [list(map(str, r)) for r in list(extra)[:SHOWN_ROWS]],
                    }
                )
    if not with_report:
        return differences
    ref_report = json.loads((reference / QUALITY_REPORT).read_text())
    got_report = json.loads((candidate / QUALITY_REPORT).read_text())
    if ref_report != got_report:
        differences.append({"file": QUALITY_REPORT, "problem": "reports differ"})
    return differences
