"""The middle rung: our core plus the dbt models' SQL, the same outputs with no runtime around them.

    python -m bench.runner --impl core-sql --input DIR --output DIR

Core's ingestion (DuckDB's CSV reader, the exact path only where a file needs it), then every dbt
model's *compiled* SQL executed in dependency order on one DuckDB connection (no dbt runtime, no
parse, no tests, no orchestrator), then core's exports and quality report on that same connection.
The compiled SQL is produced once per project by ``dbt compile`` and cached (like a deployed
manifest), so a timed run pays none of it. Between the limit (``bench/runtime/limit.py``) and an
implementation, it splits what our own code costs from what running it through dbt and a tool
costs. Its outputs are compared with the others like any implementation's.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

from bench.paths import RESULTS_DIR
from core.export import export_outputs, write_quality_report
from core.ingest import check_inputs, ingest_file
from core.layout import INPUT_FILES, WAREHOUSE_FILE
from core.manifest import project_fingerprint
from core.run import RunSummary, summarise
from core.transform import DBT_PROJECT_DIR, run_dbt
from core.warehouse import connect, warehouse_path

log = logging.getLogger(__name__)
CACHE_DIR = RESULTS_DIR / "compiled_sql"


@dataclass(frozen=True)
class CompiledModel:
    name: str
    relation: str  # e.g. "warehouse"."main"."stg_customers": the database is the warehouse file's stem
    schema: str
    materialized: str
    sql: str


def compiled_models() -> list[CompiledModel]:
    """Every model's compiled SQL in dependency order, from a cached ``dbt compile`` of the project."""
    cache = CACHE_DIR / f"{project_fingerprint(DBT_PROJECT_DIR)[:16]}.json"
    if not cache.is_file():
        scratch = CACHE_DIR / "scratch"
        # Compiled relation names carry the warehouse file's stem: compile against the same name.
        run_dbt(["compile", "--quiet"], scratch / WAREHOUSE_FILE, target_dir=scratch / "target")
        manifest = json.loads((scratch / "target" / "manifest.json").read_text(encoding="utf-8"))
        models = {key: node for key, node in manifest["nodes"].items() if node["resource_type"] == "model"}
        order = TopologicalSorter(
            {key: [dep for dep in node["depends_on"]["nodes"] if dep in models] for key, node in models.items()}
        ).static_order()
        compiled = [
            CompiledModel(
                models[key]["name"],
                models[key]["relation_name"],
                models[key]["schema"],
                models[key]["config"]["materialized"],
                models[key]["compiled_code"],
            )
            for key in order
        ]
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps([vars(model) for model in compiled], indent=1), encoding="utf-8")
    return [CompiledModel(**entry) for entry in json.loads(cache.read_text(encoding="utf-8"))]


def run(input_dir: Path, output_dir: Path) -> RunSummary:
    models = compiled_models()
    output_dir.mkdir(parents=True, exist_ok=True)
    headers = check_inputs(input_dir, INPUT_FILES)
    with connect(warehouse_path(output_dir)) as con:
        for spec in INPUT_FILES:
            ingest_file(con, headers[spec.name], spec)
        for model in models:
            kind = "VIEW" if model.materialized == "view" else "TABLE"
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{model.schema}"')
            con.execute(f"CREATE OR REPLACE {kind} {model.relation} AS {model.sql}")
        export_outputs(con, output_dir)
        report = write_quality_report(con, output_dir)
    return summarise("core-sql", output_dir, report)
