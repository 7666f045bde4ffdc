"""Ingestion: each input CSV becomes a raw DuckDB table (``raw.customers``, ``raw.accounts``).

The dbt sources ``raw.customers`` and ``raw.accounts`` are mapped onto these assets' keys (see
``assets/dbt.py``), so the graph runs from the files through dbt to the output files unbroken.
"""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    asset,
)

from core.ingest import check_inputs, ingest_file
from core.layout import INPUT_FILES, RAW_SCHEMA, InputFile
from impl_dagster.assets.retries import TRANSIENT_RETRIES, permanent_failures
from impl_dagster.resources import LcPaths

GROUP = "ingestion"


def raw_asset_key(spec: InputFile) -> AssetKey:
    """``customers_raw`` / ``accounts_raw``: the key of the raw table loaded from ``spec``'s file."""
    return AssetKey(f"{spec.raw_table}_raw")


def input_file_key(spec: InputFile) -> AssetKey:
    """``customers_csv`` / ``accounts_csv``: the input file itself, written outside Dagster."""
    return AssetKey(f"{spec.raw_table}_csv")


# The input files as external assets, so that lineage starts at the files, not at the raw tables.
input_files = [
    AssetSpec(
        input_file_key(spec),
        group_name=GROUP,
        kinds={"csv"},
        description=f"The input file `{spec.name}`, dropped into the input folder by upstream systems.",
    )
    for spec in INPUT_FILES
]

# dbt source table name -> the asset that loads it
RAW_ASSET_KEYS: dict[str, AssetKey] = {spec.raw_table: raw_asset_key(spec) for spec in INPUT_FILES}


def _ingest(context: AssetExecutionContext, lc_paths: LcPaths, spec: InputFile) -> MaterializeResult:
    input_dir = lc_paths.input_path()
    with permanent_failures():
        # Every input file is checked before anything is written, so a bad file leaves the warehouse as it was.
        headers = check_inputs(input_dir, INPUT_FILES)
        with lc_paths.connect() as con:
            loaded = ingest_file(con, headers[spec.name], spec)
            lc_paths.dbt_engine().land(con, spec)  # on Spark: the table as Parquet, where dbt reads it
    context.log.info(f"{loaded.file}: {loaded.rows:,} records into {loaded.table} ({loaded.reader} reader)")
    return MaterializeResult(
        metadata={
            "dagster/row_count": loaded.rows,
            "dagster/table_name": loaded.table,
            "dagster/column_schema": TableSchema(columns=[TableColumn(name, "VARCHAR") for name in loaded.columns]),
            "file": MetadataValue.path(str(input_dir / loaded.file)),
            "malformed_rows": loaded.malformed_rows,
            "columns": loaded.columns,
            "reader": loaded.reader,
            "warehouse": MetadataValue.path(str(lc_paths.warehouse_path())),
        }
    )


def _description(spec: InputFile) -> str:
    required = ", ".join(spec.columns.values())
    return (
        f"`{spec.name}` loaded as text, unchanged, into `{RAW_SCHEMA}.{spec.raw_table}`: every data "
        f"record with its record number (`source_row`). Required columns: {required}."
    )


def _raw_table_asset(spec: InputFile) -> AssetsDefinition:
    """The asset loading one input file into its raw table (one factory for both files)."""

    @asset(
        key=raw_asset_key(spec),
        deps=[input_file_key(spec)],
        group_name=GROUP,
        kinds={"duckdb", "csv"},
        description=_description(spec),
        retry_policy=TRANSIENT_RETRIES,
    )
    def _raw(context: AssetExecutionContext, lc_paths: LcPaths) -> MaterializeResult:
        return _ingest(context, lc_paths, spec)

    return _raw


raw_table_assets: list[AssetsDefinition] = [_raw_table_asset(spec) for spec in INPUT_FILES]
