"""Asset keys: the raw tables, the dbt models and the output files, as Prefect lineage sees them.

The raw tables use the key prefect-dbt gives a dbt source (``duckdb://<catalog>/<schema>/<table>``,
the catalog being the warehouse file's stem), so the ingestion tasks and the dbt nodes meet in one
lineage graph: raw table -> dbt models -> output files. dbt model keys come from the manifest of
the run (see ``dbt_build``), never rebuilt by hand. Input and output files are logical assets,
keyed by name, not by the folder of a run.
"""

from __future__ import annotations

from pathlib import Path

from prefect.assets import Asset, AssetProperties
from prefect_dbt.utilities import format_resource_id

from core.layout import RAW_SCHEMA, WAREHOUSE_FILE, InputFile

DBT_ADAPTER = "duckdb"
WAREHOUSE_CATALOG = Path(WAREHOUSE_FILE).stem  # dbt-duckdb names the database after the file
FILE_SCHEME = "lcpipeline"  # Prefect wants [a-z0-9]+:// as a key's scheme


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


def file_asset(kind: str, name: str, description: str) -> Asset:
    """A file's *logical* asset (``lcpipeline://input/customers.csv``, ``.../output/<file>``): the same
    key whichever folder a run reads or writes, so the asset graph is one graph for every run; where
    the file actually is travels in the metadata of each materialization."""
    return Asset(key=f"{FILE_SCHEME}://{kind}/{name}", properties=AssetProperties(name=name, description=description))
