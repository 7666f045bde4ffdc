"""The dbt project as assets: one asset per model, one asset check per dbt test.

``dbt build`` runs through :class:`~dagster_dbt.DbtCliResource` against the run's warehouse
(``LC_WAREHOUSE_PATH``, read by ``dbt/profiles.yml``), with its artifacts and logs under the run's
output folder. The manifest is read once, at import, from :mod:`impl_dagster.project`. With
``engine: spark`` on ``lc_paths``, dbt runs on a local Spark session instead (``core.spark``).
"""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from core.environment import scoped_environ
from core.layout import RAW_SCHEMA
from impl_dagster.assets.ingestion import RAW_ASSET_KEYS
from impl_dagster.project import dbt_project
from impl_dagster.resources import LcPaths


class LcDbtTranslator(DagsterDbtTranslator):
    """dbt sources ``raw.*`` are the ingestion assets; models are grouped by layer (staging, ...)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source" and dbt_resource_props["source_name"] == RAW_SCHEMA:
            return RAW_ASSET_KEYS[dbt_resource_props["name"]]
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        # fqn is [project, folder, ..., name]: models/staging/stg_customers.sql -> "staging"
        return fqn[1] if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2 else "transform"


dbt_translator = LcDbtTranslator(
    settings=DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_tests_as_checks=True)
)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=dbt_translator,
)
def lc_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, lc_paths: LcPaths):
    """``dbt build`` of the selected models and their tests, streamed as Dagster events."""
    engine = lc_paths.dbt_engine()  # on Spark, dbt's own process starts the session
    with scoped_environ(engine.dbt_environment()):
        invocation = dbt.cli(["build"], context=context, target_path=lc_paths.dbt_target_path())
    yield from invocation.stream()
    with lc_paths.connect() as con:
        engine.publish(con)  # on Spark: a DuckDB view of each table Spark wrote
