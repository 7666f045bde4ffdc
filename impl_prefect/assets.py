"""Asset keys: the raw tables, the dbt models and the output files, as Prefect lineage sees them.

The raw tables use the key prefect-dbt gives a dbt source (``duckdb://<catalog>/<schema>/<table>``,
the catalog being the warehouse file's stem), so the ingestion tasks and the dbt nodes meet in one
lineage graph: raw table -> dbt models -> output files. dbt model keys come from the manifest of
the run (see ``dbt_build``), never rebuilt by hand. Output files are keyed by where they are.
"""

from __future__ import annotations

from pathlib import Path

from prefect.assets import Asset, AssetProperties
from prefect.types.names import MAX_ASSET_KEY_LENGTH, RESTRICTED_ASSET_CHARACTERS
from prefect_dbt.utilities import format_resource_id

from core.layout import RAW_SCHEMA, WAREHOUSE_FILE, InputFile

DBT_ADAPTER = "duckdb"
WAREHOUSE_CATALOG = Path(WAREHOUSE_FILE).stem  # dbt-duckdb names the database after the file


def raw_table_asset(spec: InputFile) -> Asset:
    """The raw table an input file lands in; the same key as the dbt source that reads it."""
    relation = f'"{WAREHOUSE_CATALOG}"."{RAW_SCHEMA}"."{spec.raw_table}"'
    return Asset(
        key=format_resource_id(DBT_ADAPTER, relation),
        properties=AssetProperties(
            name=f"{WAREHOUSE_CATALOG}.{RAW_SCHEMA}.{spec.raw_table}",
            description=f"{spec.name} as loaded by core.ingest: every data record, text as written, "
            "with its record number.",
        ),
    )


def file_asset_key(path: Path) -> str:
    """An output file's key: its absolute path (characters Prefect refuses in a key dropped)."""
    location = path.resolve().as_posix()
    for char in RESTRICTED_ASSET_CHARACTERS:
        location = location.replace(char, "")
    return f"file://{location}"[:MAX_ASSET_KEY_LENGTH]


def file_asset(path: Path, description: str) -> Asset:
    return Asset(key=file_asset_key(path), properties=AssetProperties(name=path.name, description=description))
