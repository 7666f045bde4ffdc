"""Where a run keeps its warehouse, and how every step opens it."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from core.errors import WarehouseInUse
from core.layout import WAREHOUSE_FILE

# DuckDB's buffer limit (it spills to disk beyond it). Its default, 80% of RAM, lets a 5-million
# customer run grow past 2 GiB; the pipeline streams and needs far less. dbt's profile reads the
# same variable with the same default (dbt/profiles.yml).
MEMORY_LIMIT_ENV = "LC_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "1GB"


def warehouse_path(output_dir: Path) -> Path:
    """The DuckDB file of a run: it lives beside the run's output files."""
    return output_dir / WAREHOUSE_FILE


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for writing. DuckDB allows one writer per file: a second one gets a clear error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as error:
        raise WarehouseInUse(
            f"{path}: the warehouse is in use by another process (DuckDB allows one writer); "
            "wait for it to finish or choose another --output"
        ) from error
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = $limit", {"limit": os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT})
    return con
