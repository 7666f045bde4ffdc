"""The tools' other integration modes, each measured as a series of its own beside the shipped one.

Same orchestration code, one setting each (read when the tool loads our definitions). The shipped
mode of each tool is the one every ADR verdict reads (for dbt, each tool's documented default way
to run a project; for Dagster's executor, its in-process one); these show
what the other modes cost or save, in the runtime section (cold rounds) and in model scaling.
"""

from __future__ import annotations

from impl_airflow.config import COSMOS_EXECUTION_MODE_ENV, COSMOS_TEST_BEHAVIOR_ENV

# name -> (implementation, the environment that switches it)
VARIANTS: dict[str, tuple[str, dict[str, str]]] = {
    # Dagster's default executor (a process per step, one step at a time: one DuckDB file) instead of
    # the in-process executor the definitions set (impl_dagster.launch.pipeline.EXECUTOR_ENV; not imported here)
    "dagster-multiprocess": ("dagster", {"LC_DAGSTER_EXECUTOR": "multiprocess"}),
    # the run recorded in the deployment's instance (impl_dagster/deploy/dagster.yaml: PostgreSQL, up
    # before the round) instead of a SQLite instance in the run's folder; its DAGSTER_HOME is set by
    # bench/runtime/services.py
    "dagster-postgres": ("dagster", {}),
    # cosmos ExecutionMode.WATCHER: one producer task runs the whole `dbt build`, a sensor per model
    # reports its result (under dag.test() the sensors run after the producer: no triggerer)
    "airflow-watcher": ("airflow", {COSMOS_EXECUTION_MODE_ENV: "watcher"}),
    # cosmos TestBehavior.BUILD: one `dbt build` task per model instead of a run task and a test task
    "airflow-cosmos-build": ("airflow", {COSMOS_TEST_BEHAVIOR_ENV: "build"}),
    # one plain dbt invocation in the dbt_build task instead of prefect-dbt's task run per node
    # (impl_prefect.tasks.DBT_RUNNER_ENV; not imported here: that module imports Prefect)
    "prefect-one-invoke": ("prefect", {"LC_PREFECT_DBT_RUNNER": "dbt"}),
    # prefect-dbt's PrefectDbtOrchestrator, ExecutionMode.PER_NODE: a Prefect task and a dbt invocation
    # per node, one at a time (DuckDB: one writing process)
    "prefect-per-node": ("prefect", {"LC_PREFECT_DBT_RUNNER": "per-node"}),
}
# Modes that change where a run is recorded, not how it runs dbt: timed in the runtime section only.
STORAGE_VARIANTS = ("dagster-postgres",)
# The variants the runtime section times (cold rounds): each tool's other documented ways to run dbt,
# and Dagster on the storage it is deployed with.
RUNTIME_VARIANTS = (
    "dagster-multiprocess",
    "dagster-postgres",
    "airflow-watcher",
    "airflow-cosmos-build",
    "prefect-per-node",
)


def variants_of(implementations: list[str], names: tuple[str, ...] | None = None) -> list[str]:
    """The variants of the implementations chosen, in :data:`VARIANTS` order (only ``names`` if given)."""
    return [
        name for name, (tool, _) in VARIANTS.items() if tool in implementations and (names is None or name in names)
    ]
