"""Our own asset checks, beside the dbt tests that dagster-dbt turns into checks.

* ``<file>_reconcile`` on each raw asset: every record read from the file is either clean or
  quarantined, counted in the warehouse after dbt ran (rows read = clean + quarantined), by the
  same rule as the quality report (``core.export.reconcile``).
* ``files_match_table`` on each output-files asset: every file holds the table's columns and as
  many rows as the table.

Both are blocking: the quality report, downstream of the raw tables and of the files, waits for
them and is not written when one fails (dbt's own tests already stop the models they guard).
"""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, asset_check

from core.export import exported_file_shape, reconcile
from core.layout import INPUT_FILES, OUTPUT_TABLES, RAW_SCHEMA, InputFile, OutputTable
from impl_dagster.assets.ingestion import raw_asset_key
from impl_dagster.assets.outputs import files_asset_key, model_key
from impl_dagster.resources import LcPaths


def _reconcile_check(spec: InputFile) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_asset_key(spec),
        name=f"{spec.raw_table}_reconcile",
        blocking=True,
        # runs once dbt has built the tables it counts
        additional_deps=[model_key(spec.clean_model), model_key(spec.quarantine_model)],
        description=f"Every record of {spec.name} ends up in exactly one place: rows read "
        f"({RAW_SCHEMA}.{spec.raw_table}) = clean ({spec.clean_model}) + quarantined ({spec.quarantine_model}).",
    )
    def _check(context: AssetCheckExecutionContext, lc_paths: LcPaths) -> AssetCheckResult:
        with lc_paths.connect(read_only=True) as con:
            counts = reconcile(con, spec)
        missing = counts.rows_read - counts.clean - counts.quarantined
        return AssetCheckResult(
            passed=counts.passed,
            severity=AssetCheckSeverity.ERROR,
            description=f"{spec.name}: {counts.detail}" + ("" if counts.passed else f" FAILS by {missing:+,}"),
            metadata={"rows_read": counts.rows_read, "clean": counts.clean, "quarantined": counts.quarantined},
        )

    return _check


def _files_check(table: OutputTable) -> AssetChecksDefinition:
    @asset_check(
        asset=files_asset_key(table),
        name="files_match_table",
        blocking=True,
        description=f"Each file of {table.table} ({', '.join(table.formats)}) has the table's columns "
        "and as many rows as the table.",
    )
    def _check(context: AssetCheckExecutionContext, lc_paths: LcPaths) -> AssetCheckResult:
        output_dir = lc_paths.output_path()
        problems, metadata = [], {}
        with lc_paths.connect(read_only=True) as con:
            rows = con.execute(f"SELECT count(*) FROM {table.table}").fetchall()[0][0]
            columns = [c[0] for c in con.execute(f"DESCRIBE {table.table}").fetchall()]
            metadata["table_rows"] = rows
            for fmt in table.formats:
                path = output_dir / f"{table.table}.{fmt}"
                if not path.exists():
                    problems.append(f"{path.name} is missing")
                    continue
                file_columns, file_rows = exported_file_shape(con, path, fmt)
                metadata[f"{fmt}_rows"] = file_rows
                if file_rows != rows:
                    problems.append(f"{path.name} has {file_rows:,} rows, the table {rows:,}")
                if file_columns != columns:
                    problems.append(f"{path.name} columns {file_columns} differ from the table's {columns}")
        return AssetCheckResult(
            passed=not problems,
            severity=AssetCheckSeverity.ERROR,
            description="; ".join(problems) or f"{rows:,} rows in the table and in every file",
            metadata=metadata,
        )

    return _check


reconcile_checks = [_reconcile_check(spec) for spec in INPUT_FILES]
files_checks = [_files_check(table) for table in OUTPUT_TABLES]
all_checks: list[AssetChecksDefinition] = [*reconcile_checks, *files_checks]
