"""The limit: the six output files from the input CSVs in one DuckDB pass, the yardstick of every run.

    python -m bench.runner --impl limit --input DIR --output DIR

Written by hand as the shortest way this machine can compute the outputs, not from the project:
each CSV read once into memory (DuckDB's parallel reader, every field as text, one spare column to
see long rows), every rule of docs/pipeline-rules.md as one set-based query per table, each mart
sorted once into its Parquet file and the CSV copied from it. Nothing else: no warehouse file, no
quality report, no dbt, no tests, no reconciliation, no Python per row, under the pipeline's own
DuckDB memory limit (1 GB), which shapes it: the checked tables hold no raw text (the quarantines
read it back from the raw tables by record number, which are then dropped), and each total of
``customer_profile`` is a table of its own; at 5,000,000 customers a shape that kept either ran
out of memory.
Its outputs are checked equal to plain scripts' (``core.outputs.output_differences`` without the
quality report) wherever the harness times it, so it is a limit of the same result.

It assumes what the generated inputs guarantee and a user's file need not: one record per line (no
quoted line breaks, no blank lines) and valid UTF-8. On other input it may differ, which the
equality check would show; the pipeline itself handles those files (``core/ingest.py``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import duckdb

from core.ingest import Header, check_inputs
from core.layout import ACCOUNTS, CUSTOMERS, INPUT_FILES, OUTPUT_TABLES, OutputTable
from core.warehouse import DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV

WHITESPACE = "' ' || chr(9) || chr(13) || chr(10)"


def _read(header: Header, table: str) -> str:
    """The file as text columns in file order, with whether each record has the header's width."""
    width = len(header.fields)
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width + 1)) + "}"
    fields = ", ".join(f"c{position} AS {name}" for name, position in header.positions.items())
    return f"""
        CREATE TEMP TABLE {table} AS
        SELECT {fields}, c{width - 1} IS NULL OR c{width} IS NOT NULL AS is_malformed
        FROM read_csv($path, columns = {columns}, header = true, auto_detect = false,
                      delim = ',', quote = '"', escape = '"', null_padding = true, strict_mode = false,
                      nullstr = '\x00', max_line_size = 100000000)
    """


def _trimmed(column: str) -> str:
    return f"trim(coalesce({column}, ''), {WHITESPACE})"


def _positive_integer(text: str) -> str:
    return f"CASE WHEN regexp_full_match({text}, '[0-9]{{1,18}}') AND TRY_CAST({text} AS BIGINT) > 0 THEN TRY_CAST({text} AS BIGINT) END"


def _ascii(text: str, upper: bool) -> str:
    """ASCII-only case mapping; DuckDB's Unicode-aware upper()/lower() give the same on ASCII text, 5x faster."""
    lower, capital = "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    mapped = f"translate({text}, '{lower if upper else capital}', '{capital if upper else lower}')"
    return f"CASE WHEN strlen({text}) = length({text}) THEN {'upper' if upper else 'lower'}({text}) ELSE {mapped} END"


CUSTOMERS_CHECKED = f"""
    CREATE TEMP TABLE customers_checked AS
    WITH typed AS (
        SELECT rowid + 1 AS source_row, is_malformed,
               {_trimmed("customer_id")} AS id_text, {_trimmed("name")} AS name_text,
               {_ascii(_trimmed("has_loan"), upper=False)} AS loan_text
        FROM customers_raw
    ), identified AS (
        SELECT *, CASE WHEN NOT is_malformed THEN {_positive_integer("id_text")} END AS customer_id FROM typed
    ), ranked AS (
        SELECT *, CASE WHEN customer_id IS NOT NULL
                       THEN row_number() OVER (PARTITION BY customer_id ORDER BY source_row) END AS occurrence
        FROM identified
    )
    SELECT source_row, customer_id,
           regexp_replace(name_text, '[ \\t\\r\\n]+', ' ', 'g') AS customer_name,
           loan_text IN ('yes', 'y', 'true', '1') AS has_loan,
           CASE WHEN is_malformed THEN 'malformed_row'
                WHEN id_text = '' THEN 'missing_customer_id'
                WHEN customer_id IS NULL THEN 'invalid_customer_id'
                WHEN occurrence > 1 THEN 'duplicate_customer_id'
                WHEN name_text = '' THEN 'missing_name'
                WHEN loan_text NOT IN ('yes', 'y', 'true', '1', 'no', 'n', 'false', '0') THEN 'invalid_has_loan'
           END AS reason
    FROM ranked
"""

ACCOUNTS_CHECKED = f"""
    CREATE TEMP TABLE accounts_checked AS
    WITH typed AS (
        SELECT rowid + 1 AS source_row, is_malformed,
               {_ascii(_trimmed("account_id"), upper=True)} AS account_id,
               {_trimmed("customer_id")} AS customer_text, {_trimmed("balance")} AS balance_text,
               {_ascii(_trimmed("account_type"), upper=False)} AS account_type
        FROM accounts_raw
    ), ranked AS (
        SELECT *, {_positive_integer("customer_text")} AS customer_id,
               CASE WHEN regexp_full_match(balance_text, '[+-]?[0-9]{{1,15}}(\\.[0-9]{{1,2}})?')
                    THEN TRY_CAST(balance_text AS DECIMAL(18, 2)) END AS balance,
               CASE WHEN NOT is_malformed AND account_id <> ''
                    THEN row_number() OVER (PARTITION BY NOT is_malformed AND account_id <> '', account_id
                                            ORDER BY source_row) END AS occurrence
        FROM typed
    )
    SELECT ranked.source_row, account_id, ranked.customer_id, balance, account_type,
           CASE WHEN is_malformed THEN 'malformed_row'
                WHEN account_id = '' THEN 'missing_account_id'
                WHEN occurrence > 1 THEN 'duplicate_account_id'
                WHEN ranked.customer_id IS NULL THEN 'invalid_customer_id'
                WHEN customers.customer_id IS NULL THEN 'unknown_customer'
                WHEN balance_text = '' THEN 'missing_balance'
                WHEN balance IS NULL THEN 'invalid_balance'
                WHEN balance < 0 THEN 'negative_balance'
                WHEN account_type NOT IN ('savings', 'checking') THEN 'invalid_account_type'
           END AS reason
    FROM ranked
    LEFT JOIN (SELECT customer_id FROM customers_checked WHERE reason IS NULL) AS customers
        ON ranked.customer_id = customers.customer_id
"""

ACCOUNT_SUMMARY = """
    CREATE TEMP TABLE account_summary AS
    WITH rated AS (
        SELECT accounts.account_id, accounts.customer_id, customers.customer_name, customers.has_loan,
               accounts.balance,
               CAST(CASE WHEN accounts.balance < 10000 THEN 0.0100
                         WHEN accounts.balance < 20000 THEN 0.0150 ELSE 0.0200 END
                    + CASE WHEN customers.has_loan THEN 0.0050 ELSE 0 END AS DECIMAL(6, 4)) AS interest_rate
        FROM accounts_checked AS accounts
        JOIN customers_checked AS customers
            ON accounts.customer_id = customers.customer_id AND customers.reason IS NULL
        WHERE accounts.reason IS NULL AND accounts.account_type = 'savings'
    ), with_interest AS (
        SELECT *, CAST(round(CAST(balance AS DECIMAL(24, 2)) * interest_rate, 2) AS DECIMAL(18, 2))
                  AS annual_interest
        FROM rated
    )
    SELECT *, CAST(balance + annual_interest AS DECIMAL(18, 2)) AS new_balance
    FROM with_interest
"""

CUSTOMER_PROFILE = (
    """
    CREATE TEMP TABLE account_totals AS
    SELECT customer_id, count(*) FILTER (WHERE account_type = 'savings') AS savings_accounts,
           count(*) FILTER (WHERE account_type = 'checking') AS checking_accounts,
           sum(balance) AS total_balance,
           coalesce(sum(balance) FILTER (WHERE account_type = 'savings'), 0) AS savings_balance
    FROM accounts_checked WHERE reason IS NULL GROUP BY customer_id
    """,
    """
    CREATE TEMP TABLE interest_totals AS
    SELECT customer_id, sum(annual_interest) AS annual_interest FROM account_summary GROUP BY customer_id
    """,
    """
    CREATE TEMP TABLE customer_profile AS
    SELECT customers.customer_id, customers.customer_name, customers.has_loan,
           CAST(coalesce(account_totals.savings_accounts, 0) AS BIGINT) AS savings_accounts,
           CAST(coalesce(account_totals.checking_accounts, 0) AS BIGINT) AS checking_accounts,
           CAST(coalesce(account_totals.total_balance, 0) AS DECIMAL(38, 2)) AS total_balance,
           CAST(coalesce(account_totals.savings_balance, 0) AS DECIMAL(38, 2)) AS savings_balance,
           CAST(coalesce(interest_totals.annual_interest, 0) AS DECIMAL(38, 2)) AS annual_interest
    FROM customers_checked AS customers
    LEFT JOIN account_totals USING (customer_id)
    LEFT JOIN interest_totals USING (customer_id)
    WHERE customers.reason IS NULL
    """,
)

QUARANTINES = {
    "customers_quarantine": """
        SELECT source_row, reason, coalesce(raw.customer_id, '') AS customer_id, coalesce(raw.name, '') AS name,
               coalesce(raw.has_loan, '') AS has_loan
        FROM customers_checked AS checked JOIN customers_raw AS raw ON raw.rowid + 1 = checked.source_row
        WHERE reason IS NOT NULL""",
    "accounts_quarantine": """
        SELECT source_row, reason, coalesce(raw.account_id, '') AS account_id,
               coalesce(raw.customer_id, '') AS customer_id, coalesce(raw.balance, '') AS balance,
               coalesce(raw.account_type, '') AS account_type
        FROM accounts_checked AS checked JOIN accounts_raw AS raw ON raw.rowid + 1 = checked.source_row
        WHERE reason IS NOT NULL""",
}
COPY_OPTIONS = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet"}


def _write(con: duckdb.DuckDBPyConnection, source: str, table: OutputTable, output_dir: Path) -> None:
    """Sort once, into the Parquet file when there is one, and copy the sorted file to the other format."""
    first, *others = sorted(table.formats, key=lambda fmt: fmt != "parquet")
    sorted_file = output_dir / f"{table.table}.{first}"
    con.execute(
        f"COPY ({source} ORDER BY {table.order_by}) TO $path ({COPY_OPTIONS[first]})", {"path": str(sorted_file)}
    )
    for fmt in others:
        con.execute(
            f"COPY (FROM read_parquet($sorted)) TO $path ({COPY_OPTIONS[fmt]})",
            {"sorted": str(sorted_file), "path": str(output_dir / f"{table.table}.{fmt}")},
        )


def run(input_dir: Path, output_dir: Path) -> None:
    headers = check_inputs(input_dir, INPUT_FILES)
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".limit-spill-", dir=output_dir) as spill:
        con = duckdb.connect()
        try:
            con.execute("SET enable_progress_bar = false")
            con.execute(
                "SET memory_limit = $limit", {"limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT}
            )
            con.execute("SET temp_directory = $spill", {"spill": spill})
            for spec, table in ((CUSTOMERS, "customers_raw"), (ACCOUNTS, "accounts_raw")):
                con.execute(_read(headers[spec.name], table), {"path": str(headers[spec.name].path)})
            for statement in (CUSTOMERS_CHECKED, ACCOUNTS_CHECKED):
                con.execute(statement)
            tables = {table.table: table for table in OUTPUT_TABLES}
            for name, source in QUARANTINES.items():
                _write(con, source, tables[name], output_dir)
            con.execute("DROP TABLE customers_raw")  # the quarantines were their last readers
            con.execute("DROP TABLE accounts_raw")
            for statement in (ACCOUNT_SUMMARY, *CUSTOMER_PROFILE):
                con.execute(statement)
            for name in tables.keys() - QUARANTINES.keys():
                _write(con, f"SELECT * FROM {name}", tables[name], output_dir)
        finally:
            con.close()
