"""Names shared by every step: input files, their required columns, warehouse tables, output files.

Kept in one place so that ingestion, dbt sources, exports and the harness's lineage graph agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class InputFile:
    """One input CSV: its file name, the raw table it lands in, and its required columns.

    ``columns`` maps the snake_case name used everywhere downstream to the header spelling of
    docs/pipeline-rules.md; headers match it case-insensitively, ignoring spaces and underscores.
    """

    name: str
    raw_table: str
    columns: dict[str, str]
    # Other exact file names accepted for it (the assignment ships its customers as Customer.csv).
    other_names: tuple[str, ...] = ()

    @property
    def accepted_names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)

    @property
    def clean_model(self) -> str:
        """The dbt model holding the file's clean rows."""
        return f"int_{self.raw_table}_clean"

    @property
    def quarantine_model(self) -> str:
        """The dbt model holding the file's refused rows, each with its reason."""
        return f"{self.raw_table}_quarantine"


CUSTOMERS = InputFile(
    name="customers.csv",
    raw_table="customers",
    columns={"customer_id": "CustomerID", "name": "Name", "has_loan": "HasLoan"},
    other_names=("Customer.csv",),
)
ACCOUNTS = InputFile(
    name="accounts.csv",
    raw_table="accounts",
    columns={
        "account_id": "AccountID",
        "customer_id": "CustomerID",
        "balance": "Balance",
        "account_type": "AccountType",
    },
)
INPUT_FILES: tuple[InputFile, ...] = (CUSTOMERS, ACCOUNTS)

RAW_SCHEMA = "raw"
# Metadata columns every raw table carries beside the file's own columns.
SOURCE_ROW = "source_row"
SOURCE_FILE = "source_file"
FIELD_COUNT = "field_count"
HEADER_FIELD_COUNT = "header_field_count"

WAREHOUSE_FILE = "warehouse.duckdb"
QUALITY_REPORT = "quality_report.json"


@dataclass(frozen=True)
class OutputTable:
    """A dbt model exported as files, with the key that orders its rows in every file."""

    table: str
    order_by: str
    formats: tuple[str, ...]


OUTPUT_TABLES: tuple[OutputTable, ...] = (
    OutputTable("account_summary", "account_id", ("csv", "parquet")),
    OutputTable("customer_profile", "customer_id", ("csv", "parquet")),
    OutputTable("customers_quarantine", "source_row", ("csv",)),
    OutputTable("accounts_quarantine", "source_row", ("csv",)),
)

CUSTOMER_REASONS = (
    "malformed_row",
    "missing_customer_id",
    "invalid_customer_id",
    "duplicate_customer_id",
    "missing_name",
    "invalid_has_loan",
)
ACCOUNT_REASONS = (
    "malformed_row",
    "missing_account_id",
    "duplicate_account_id",
    "invalid_customer_id",
    "unknown_customer",
    "missing_balance",
    "invalid_balance",
    "negative_balance",
    "invalid_account_type",
)


def output_files(output_dir: Path) -> list[Path]:
    """Every file a run writes under its output folder (the warehouse aside)."""
    files = [output_dir / f"{table.table}.{fmt}" for table in OUTPUT_TABLES for fmt in table.formats]
    return [*files, output_dir / QUALITY_REPORT]
