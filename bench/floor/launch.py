"""The orchestrators' hello worlds, each started through our implementation's own launcher.

Each function hands the launcher the hello world's definitions in place of ours (the seams are
public: :func:`impl_dagster.launch.pipeline.recorded_run`, :func:`impl_airflow.launch.pipeline.run_dag`,
:func:`impl_prefect.launch.pipeline.run_flow`), so that a floor and our run differ in what the tool
runs, not in how it is started. Tools are imported inside the functions, as ours are: importing this
module is cheap, and each function runs in its own tool's environment.
"""

from __future__ import annotations

from pathlib import Path

FLOOR_DIR = Path(__file__).resolve().parent
AIRFLOW_DAGS = FLOOR_DIR / "airflow_dags"


def run_dagster(input_dir: Path, output_dir: Path) -> None:
    """Materialize the hello asset in this process, recorded in the run's local instance, as ours is."""
    from bench.floor.dagster_hello import defs
    from impl_dagster.launch.pipeline import recorded_run, reported_run_id

    output_dir = output_dir.resolve()
    output_dir.mkdir(parents=True, exist_ok=True)
    config = {"ops": {"hello": {"config": {"output_dir": str(output_dir)}}}}
    with recorded_run(output_dir) as (instance, progress):
        job = defs.resolve_implicit_global_asset_job_def()
        job.execute_in_process(run_config=config, instance=instance, run_id=reported_run_id(instance, progress))


def run_airflow(input_dir: Path, output_dir: Path) -> None:
    """One ``dag.test()`` of the hello DAG in a child process, on a new SQLite metadata DB, as ours."""
    from impl_airflow.launch.pipeline import run_dag

    outcome = run_dag(input_dir, output_dir, dag_id="hello", dags_folder=AIRFLOW_DAGS)
    if outcome["state"] != "success":
        raise RuntimeError(f"Airflow's hello world ended {outcome['state']}: {outcome['failed_tasks']}")


def run_prefect(input_dir: Path, output_dir: Path) -> None:
    """One run of the hello flow, reported to Prefect's temporary server (or ``PREFECT_API_URL``), as ours."""
    from impl_prefect.launch.pipeline import run_flow

    output_dir = output_dir.resolve()
    run_flow("bench.floor.prefect_hello:hello", output_dir, {"output_dir": output_dir})
