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


# Each tool's documented default way to run our definitions: Dagster's default executor runs a process
# per step (the definitions set the in-process one, which is faster here), cosmos' default is
# ExecutionMode.LOCAL, prefect-dbt's is PrefectDbtRunner. Plain scripts has one mode.
DEFAULT_MODE = {"dagster": "dagster-multiprocess", "airflow": "airflow", "prefect": "prefect", "scripts": "scripts"}


FASTEST_OR_DEFAULT = ("fastest", "default")  # the two principles (bench.verdicts.Reading.modes)


def modes_of(tool: str) -> list[str]:
    """Every way this project runs ``tool``'s dbt work: the shipped mode and its variants (storage left out)."""
    return [tool, *(name for name, (of, _) in VARIANTS.items() if of == tool and name not in STORAGE_VARIANTS)]


def fastest_mode(tool: str, cold_medians: dict[str, float]) -> str:
    """The tool's mode with the lowest median cold wall time among those timed (``cold_medians``: mode ->
    median of its successful cold rounds, each round's outputs checked); the shipped mode when none was."""
    timed = {mode: cold_medians[mode] for mode in modes_of(tool) if mode in cold_medians}
    return min(timed, key=lambda mode: (timed[mode], mode)) if timed else tool


def mode_read(tool: str, principle: str, cold_medians: dict[str, float]) -> str:
    """The one principle for the mode a verdict reads, the same for every tool: its fastest correct
    documented mode as this run timed it ("fastest", the verdicts' reading), or its documented default
    ("default", a reading the report shows beside it)."""
    return fastest_mode(tool, cold_medians) if principle == "fastest" else DEFAULT_MODE.get(tool, tool)
