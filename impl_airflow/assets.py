"""Airflow Assets of the LendingClub pipeline: input files, warehouse tables, output files.

Each Asset is a *logical* identity that stays the same whichever folder a run reads or writes
(the folders are DAG params), so that other DAGs can be scheduled on them and the UI's lineage
graph is the same for every run. Where a run actually read or wrote, and how many rows, travels in
the extra of each asset event (see the tasks in ``dags/lc_pipeline.py``).

Lineage: input file -> raw table -> (dbt staging ... marts) -> mart table -> output file(s).
"""

from __future__ import annotations

from airflow.sdk import Asset

from core.layout import INPUT_FILES, OUTPUT_TABLES, QUALITY_REPORT, RAW_SCHEMA

_SCHEME = "lc-pipeline"


def _asset(kind: str, name: str) -> Asset:
    return Asset(name=f"lc_pipeline.{kind}.{name}", uri=f"{_SCHEME}://{kind}/{name}", group=f"lc_pipeline_{kind}")


# Input CSVs, keyed by file name ("customers.csv").
INPUT_FILE_ASSETS: dict[str, Asset] = {spec.name: _asset("input", spec.name) for spec in INPUT_FILES}
# Raw tables written by ingestion, keyed by input file name.
RAW_TABLE_ASSETS: dict[str, Asset] = {
    spec.name: _asset("warehouse", f"{RAW_SCHEMA}.{spec.raw_table}") for spec in INPUT_FILES
}
# Mart tables built by dbt and exported, keyed by table name ("account_summary").
MART_TABLE_ASSETS: dict[str, Asset] = {table.table: _asset("warehouse", table.table) for table in OUTPUT_TABLES}
# Output files, keyed by table name, one Asset per format.
OUTPUT_FILE_ASSETS: dict[str, list[Asset]] = {
    table.table: [_asset("output", f"{table.table}.{fmt}") for fmt in table.formats] for table in OUTPUT_TABLES
}
QUALITY_REPORT_ASSET = _asset("output", QUALITY_REPORT)
# Every warehouse table with an Asset, by table name ("raw.customers", "account_summary").
TABLE_ASSETS: dict[str, Asset] = {
    **{f"{RAW_SCHEMA}.{spec.raw_table}": RAW_TABLE_ASSETS[spec.name] for spec in INPUT_FILES},
    **MART_TABLE_ASSETS,
}
