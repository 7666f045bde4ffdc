"""Write the run's output files and quality report from the warehouse tables.

Every file is written under a temporary name and renamed into place, so a failure never leaves a
file that looks complete. Rows are ordered by each table's key so that the same inputs give
byte-identical files whichever implementation ran.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from core.errors import QualityCheckFailed
from core.faults import fail_once
from core.files import atomic_write
from core.layout import (
    ACCOUNT_REASONS,
    ACCOUNTS,
    CUSTOMER_REASONS,
    CUSTOMERS,
    INPUT_FILES,
    OUTPUT_TABLES,
    QUALITY_REPORT,
    RAW_SCHEMA,
    InputFile,
    OutputTable,
)

_COPY_OPTIONS = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet"}


@dataclass(frozen=True)
class ExportedTable:
    """The files one table was written to, and its number of rows (what each tool records of it)."""

    files: list[Path]
    rows: int


def export_table(con: duckdb.DuckDBPyConnection, table: OutputTable, output_dir: Path) -> ExportedTable:
    """Write one warehouse table to its files (CSV and/or Parquet), ordered by its key.

    The table is sorted once, into its Parquet file when it has one; the CSV is then copied from
    that file, already in order, instead of sorting the table a second time.
    """
    written: dict[str, Path] = {}
    rows = 0
    source = f"(SELECT * FROM {table.table} ORDER BY {table.order_by})"
    parameters: dict[str, str] = {}
    for fmt in sorted(table.formats, key=lambda fmt: fmt != "parquet"):
        final = output_dir / f"{table.table}.{fmt}"
        with atomic_write(final) as temporary:
            copied = con.execute(
                f"COPY {source} TO $path ({_COPY_OPTIONS[fmt]})", {**parameters, "path": str(temporary)}
            ).fetchone()
            rows = copied[0] if copied else 0  # COPY ... TO answers with the number of rows written
            fail_once(f"export_{table.table}", con)  # written, not yet renamed into place
        written[fmt] = final
        if fmt == "parquet":
            source, parameters = "(FROM read_parquet($sorted))", {"sorted": str(final)}
    return ExportedTable([written[fmt] for fmt in table.formats], rows)


# How each format is read back, for checks that a written file matches its table: the CSV as text,
# with the dialect COPY wrote, so that no value can fail to parse.
_READ_BACK = {
    "csv": "read_csv($path, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"')",
    "parquet": "read_parquet($path)",
}


def exported_file_shape(con: duckdb.DuckDBPyConnection, path: Path, fmt: str) -> tuple[list[str], int]:
    """Column names and number of data rows of one written output file (DuckDB streams the file)."""
    scan = _READ_BACK[fmt]
    columns = [column[0] for column in con.execute(f"SELECT * FROM {scan} LIMIT 0", {"path": str(path)}).description]
    rows = con.execute(f"SELECT count(*) FROM {scan}", {"path": str(path)}).fetchall()[0][0]
    return columns, rows


def export_outputs(con: duckdb.DuckDBPyConnection, output_dir: Path) -> list[Path]:
    """Write every output table's files; returns their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    return [path for table in OUTPUT_TABLES for path in export_table(con, table, output_dir).files]


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


@dataclass(frozen=True)
class Reconciliation:
    """Where the records of one input file went: the rule raw = clean + quarantined, counted."""

    rows_read: int
    clean: int
    quarantined: int

    @property
    def passed(self) -> bool:
        return self.rows_read == self.clean + self.quarantined

    @property
    def detail(self) -> str:
        return f"{self.rows_read} read = {self.clean} clean + {self.quarantined} quarantined"


def reconcile(con: duckdb.DuckDBPyConnection, spec: InputFile) -> Reconciliation:
    """Count one file's records in the warehouse after dbt ran: read, clean, quarantined."""
    read, clean, quarantined = con.execute(
        f"SELECT (SELECT count(*) FROM {RAW_SCHEMA}.{spec.raw_table}), (SELECT count(*) FROM {spec.clean_model}), "
        f"(SELECT count(*) FROM {spec.quarantine_model})"
    ).fetchall()[0]
    return Reconciliation(read, clean, quarantined)


def _file_counts(con: duckdb.DuckDBPyConnection, spec: InputFile, reasons: tuple[str, ...]) -> dict[str, Any]:
    counts = reconcile(con, spec)
    by_reason = dict(con.execute(f"SELECT reason, count(*) FROM {spec.quarantine_model} GROUP BY reason").fetchall())
    return {
        "rows_read": counts.rows_read,
        "clean": counts.clean,
        "quarantined": counts.quarantined,
        "quarantined_by_reason": {reason: by_reason.get(reason, 0) for reason in reasons},
    }


# Checks beyond the reconciliation of each file: a query returning one boolean (true = passed) and
# a detail, computed from the tables.
QUALITY_CHECKS: dict[str, str] = {
    "customer_ids_unique": """
        SELECT count(*) = count(DISTINCT customer_id), format('{} rows, {} ids', count(*),
          count(DISTINCT customer_id)) FROM customer_profile""",
    "account_ids_unique": """
        SELECT count(*) = count(DISTINCT account_id), format('{} rows, {} ids', count(*),
          count(DISTINCT account_id)) FROM int_accounts_clean""",
    "savings_balances_reconcile": """
        SELECT a = s AND s = p, format('clean savings {} = account_summary {} = customer_profile {}',
          a, s, p) FROM (SELECT
          (SELECT coalesce(sum(balance), 0) FROM int_accounts_clean WHERE account_type = 'savings') a,
          (SELECT coalesce(sum(balance), 0) FROM account_summary) s,
          (SELECT coalesce(sum(savings_balance), 0) FROM customer_profile) p)""",
    "total_balances_reconcile": """
        SELECT a = p, format('clean accounts {} = customer_profile {}', a, p) FROM (SELECT
          (SELECT coalesce(sum(balance), 0) FROM int_accounts_clean) a,
          (SELECT coalesce(sum(total_balance), 0) FROM customer_profile) p)""",
    "interest_reconciles": """
        SELECT s = p, format('account_summary {} = customer_profile {}', s, p) FROM (SELECT
          (SELECT coalesce(sum(annual_interest), 0) FROM account_summary) s,
          (SELECT coalesce(sum(annual_interest), 0) FROM customer_profile) p)""",
}


# The tables the checks above read: the quality report's inputs in the lineage graph.
QUALITY_REPORT_TABLES: tuple[str, ...] = (
    "raw.customers",
    "raw.accounts",
    "int_customers_clean",
    "int_accounts_clean",
    "customers_quarantine",
    "accounts_quarantine",
    "account_summary",
    "customer_profile",
)


def quality_report(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per input file: rows read, clean, quarantined by reason; and the result of every check."""
    checks = []
    for spec in INPUT_FILES:
        counts = reconcile(con, spec)
        checks.append({"name": f"{spec.raw_table}_reconcile", "passed": counts.passed, "detail": counts.detail})
    for name, sql in QUALITY_CHECKS.items():
        passed, detail = con.execute(sql).fetchall()[0]
        checks.append({"name": name, "passed": bool(passed), "detail": detail})
    return {
        "files": {
            CUSTOMERS.name: _file_counts(con, CUSTOMERS, CUSTOMER_REASONS),
            ACCOUNTS.name: _file_counts(con, ACCOUNTS, ACCOUNT_REASONS),
        },
        "outputs": {table.table: _scalar(con, f"SELECT count(*) FROM {table.table}") for table in OUTPUT_TABLES},
        "checks": checks,
        "all_checks_passed": all(check["passed"] for check in checks),
    }


def write_quality_report(con: duckdb.DuckDBPyConnection, output_dir: Path) -> dict[str, Any]:
    """Write ``quality_report.json``; raise :class:`QualityCheckFailed` afterwards if any check failed."""
    report = quality_report(con)
    final = output_dir / QUALITY_REPORT
    with atomic_write(final) as temporary:
        temporary.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        fail_once("quality_report", con)
    failed = [check["name"] for check in report["checks"] if not check["passed"]]
    if failed:
        raise QualityCheckFailed(f"{final}: data-quality checks failed: {', '.join(failed)}")
    return report
