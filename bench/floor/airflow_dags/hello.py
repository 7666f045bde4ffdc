"""Airflow's hello world, its floor: one DAG with one task that writes one file.

A DAGs folder of its own, like ours (``impl_airflow/dags``): ``AIRFLOW__CORE__DAGS_FOLDER`` names it.
"""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import dag, task


@dag(schedule=None, params={"output_dir": "output/floor-airflow"})
def hello() -> None:
    @task
    def write_hello(params: dict) -> None:
        """Write ``hello.txt`` into the run's ``output_dir``."""
        folder = Path(params["output_dir"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "hello.txt").write_text("hello, world\n", encoding="utf-8")

    write_hello()


hello()
