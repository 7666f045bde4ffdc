"""What a UI start serves: our pipeline, or the tool's hello world (its floor, ``bench/floor/``).

Both are started with the same make target (the floor through the target's own variables, e.g.
``DAGSTER_MODULE=bench.floor.dagster_hello``), answer the same API calls and get the same hot-reload
edit (a new step downstream of the last one, the same user action, the same end point). So the
difference between the two is what our pipeline adds to the tool's own start-up and dev loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OURS, FLOOR = "ours", "floor"


@dataclass(frozen=True)
class Subject:
    """One tool's pipeline as a UI start sees it."""

    kind: str  # OURS or FLOOR
    definitions: str  # the file a hot-reload edit changes, relative to the workspace
    graph: str  # Dagster: the job a run launches; Airflow: the DAG id; Prefect: the flow function
    first_step: str  # the pipeline is listed once the tool's API lists this step
    last_step: str  # the step the edit's new one goes downstream of
    make_variables: dict[str, str] = field(default_factory=dict)  # what points the make target at it
    # Dagster: (input folder, output folder) -> the run config of a run writing there.
    run_config: Callable[[Path, Path], dict[str, Any]] | None = None
    run_command: tuple[str, ...] = ()  # Prefect: the module (and arguments) one run is started with

    @property
    def floor(self) -> bool:
        return self.kind == FLOOR


def _our_dagster_config(input_dir: Path, output_dir: Path) -> dict[str, Any]:
    return {"resources": {"lc_paths": {"config": {"input_dir": str(input_dir), "output_dir": str(output_dir)}}}}


def _hello_dagster_config(input_dir: Path, output_dir: Path) -> dict[str, Any]:
    return {"ops": {"hello": {"config": {"output_dir": str(output_dir)}}}}


SUBJECTS: dict[str, dict[str, Subject]] = {
    "dagster": {
        OURS: Subject(
            OURS,
            "impl_dagster/definitions.py",
            "lc_pipeline_job",  # AssetSelection.all(): every asset, the new one included
            "customers_raw",
            "quality_report",
            run_config=_our_dagster_config,
        ),
        FLOOR: Subject(
            FLOOR,
            "bench/floor/dagster_hello.py",
            "__ASSET_JOB",  # the implicit job of every asset (what "Materialize all" launches)
            "hello",
            "hello",
            {"DAGSTER_MODULE": "bench.floor.dagster_hello"},
            run_config=_hello_dagster_config,
        ),
    },
    "airflow": {
        OURS: Subject(OURS, "impl_airflow/dags/lc_pipeline.py", "lc_pipeline", "check_inputs", "quality_report"),
        FLOOR: Subject(
            FLOOR,
            "bench/floor/airflow_dags/hello.py",
            "hello",
            "write_hello",
            "write_hello",
            {"AIRFLOW_DAGS": "bench/floor/airflow_dags"},
        ),
    },
    "prefect": {
        OURS: Subject(
            OURS,
            "impl_prefect/flows.py",
            "lc_pipeline",
            "lc_pipeline",
            "quality_report",
            run_command=("-m", "impl_prefect.launch.pipeline"),  # docs/prefect.md's "watch a run live"
        ),
        FLOOR: Subject(
            FLOOR,
            "bench/floor/prefect_hello.py",
            "hello",
            "hello",
            "hello",
            run_command=("-m", "bench.runner", "--impl", "floor-prefect"),  # the floor's runner (bench.runner)
        ),
    },
}
