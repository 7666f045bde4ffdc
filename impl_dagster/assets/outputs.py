"""Output assets: each mart's files (CSV, and Parquet where it has one) and the quality report."""

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset
from dagster_dbt import get_asset_key_for_model

from core.export import QUALITY_REPORT_TABLES, export_table, write_quality_report
from core.layout import OUTPUT_TABLES, QUALITY_REPORT, RAW_SCHEMA, OutputTable
from impl_dagster.assets.dbt import lc_dbt_models
from impl_dagster.assets.ingestion import RAW_ASSET_KEYS
from impl_dagster.assets.retries import TRANSIENT_RETRIES, permanent_failures
from impl_dagster.resources import LcPaths

GROUP = "outputs"


def model_key(model: str) -> AssetKey:
    return get_asset_key_for_model([lc_dbt_models], model)


def table_asset_key(table: str) -> AssetKey:
    """The asset of a warehouse table: a raw table's ingestion asset, or a dbt model's asset."""
    schema, _, name = table.rpartition(".")
    return RAW_ASSET_KEYS[name] if schema == RAW_SCHEMA else model_key(name)


def files_asset_key(table: OutputTable) -> AssetKey:
    return AssetKey(f"{table.table}_files")


def _files_asset(table: OutputTable) -> AssetsDefinition:
    formats = " and ".join(fmt.upper() for fmt in table.formats)

    @asset(
        key=files_asset_key(table),
        deps=[model_key(table.table)],
        group_name=GROUP,
        kinds=set(table.formats),
        description=f"`{table.table}` written as {formats} under the output folder, ordered by `{table.order_by}`.",
        retry_policy=TRANSIENT_RETRIES,
    )
    def _export(context: AssetExecutionContext, lc_paths: LcPaths) -> MaterializeResult:
        output_dir = lc_paths.output_path()
        with lc_paths.connect() as con:
            exported = export_table(con, table, output_dir)
        context.log.info(f"{table.table}: {exported.rows:,} rows to {', '.join(p.name for p in exported.files)}")
        return MaterializeResult(
            metadata={
                "dagster/row_count": exported.rows,
                **{f"{path.suffix[1:]}_file": MetadataValue.path(str(path)) for path in exported.files},
                **{f"{path.suffix[1:]}_bytes": path.stat().st_size for path in exported.files},
            }
        )

    return _export


output_file_assets: list[AssetsDefinition] = [_files_asset(table) for table in OUTPUT_TABLES]


@asset(
    key=AssetKey("quality_report"),
    deps=[
        *(files_asset_key(table) for table in OUTPUT_TABLES),  # written last, after the files
        *(table_asset_key(table) for table in QUALITY_REPORT_TABLES),  # the tables its checks read
    ],
    group_name=GROUP,
    kinds={"json"},
    description=f"`{QUALITY_REPORT}`: per input file the rows read, clean and quarantined by reason, "
    "and the result of every data-quality check. Fails (after writing it) if a check failed.",
    retry_policy=TRANSIENT_RETRIES,
)
def quality_report(context: AssetExecutionContext, lc_paths: LcPaths) -> MaterializeResult:
    output_dir = lc_paths.output_path()
    with permanent_failures(), lc_paths.connect() as con:
        report = write_quality_report(con, output_dir)  # raises QualityCheckFailed if a check failed
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(output_dir / QUALITY_REPORT)),
            "all_checks_passed": report["all_checks_passed"],
            "files": MetadataValue.json(report["files"]),
            "outputs": MetadataValue.json(report["outputs"]),
            "checks": MetadataValue.md(
                "| check | passed | detail |\n|---|---|---|\n"
                + "\n".join(f"| {c['name']} | {c['passed']} | {c['detail']} |" for c in report["checks"])
            ),
        }
    )
