"""Open the ``lc_pipeline`` DAG in Airflow's own UI: ``airflow standalone`` with this project's settings.

    .venvs/airflow/bin/python -m impl_airflow.launch.ui                       # output/airflow (the DAG's default)
    .venvs/airflow/bin/python -m impl_airflow.launch.ui --output /tmp/run1    # the runs impl_airflow.launch.pipeline.run made there
    .venvs/airflow/bin/python -m impl_airflow.launch.ui --dags-folder bench/floor/airflow_dags  # other DAG files (no dbt manifest made)

It points ``AIRFLOW_HOME`` at ``<output>/airflow_home``, the home ``impl_airflow.launch.pipeline.run`` uses
for that folder, so the UI shows the DAG (graph, dbt task group, Assets) and every run recorded
there, ``dag.test()`` runs included. ``airflow standalone`` starts the API server (UI) on
http://127.0.0.1:8080, the scheduler (LocalExecutor), the DAG processor and the triggerer; it
creates an ``admin`` user and prints its password (also kept in
``<output>/airflow_home/simple_auth_manager_passwords.json.generated``). Runs triggered from the UI
read ``--input`` and write ``--output`` unless their params say otherwise. Ctrl-C stops it.

The same thing by hand, from the repository root (what this module does)::

    .venvs/airflow/bin/python -m impl_airflow.launch.manifest
    AIRFLOW_HOME=$PWD/output/airflow/airflow_home \\
    AIRFLOW__CORE__DAGS_FOLDER=$PWD/impl_airflow/dags AIRFLOW__CORE__LOAD_EXAMPLES=False \\
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False DO_NOT_TRACK=1 AIRFLOW__API__HOST=127.0.0.1 \\
    LC_INPUT_DIR=$PWD/output/sample_input LC_OUTPUT_DIR=$PWD/output/airflow PATH=$PWD/.venvs/airflow/bin:$PATH \\
    airflow standalone
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV
from impl_airflow.config import (
    DAGS_FOLDER,
    DEFAULT_INPUT_DIR,
    DEFAULT_OUTPUT_DIR,
    REPO_ROOT,
    airflow_environment,
    airflow_home,
)


def ui_environment(input_dir: Path, output_dir: Path, port: int, dags_folder: Path = DAGS_FOLDER) -> dict[str, str]:
    return {
        **airflow_environment(airflow_home(output_dir), dags_folder.resolve()),
        INPUT_DIR_ENV: str(input_dir.resolve()),
        OUTPUT_DIR_ENV: str(output_dir.resolve()),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m impl_airflow.launch.ui", description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, default=DEFAULT_INPUT_DIR, help="default input folder of new runs")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT_DIR,
        help="output folder whose airflow_home the UI shows (default %(default)s)",
    )
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--dags-folder", type=Path, default=DAGS_FOLDER, help="the DAG files to serve (default: ours, %(default)s)"
    )
    args = parser.parse_args(argv)

    if args.dags_folder.resolve() == DAGS_FOLDER:
        from impl_airflow.launch.manifest import prepare_manifest

        prepare_manifest()  # our DAG file renders its dbt tasks from it
    airflow_home(args.output).mkdir(parents=True, exist_ok=True)
    airflow = Path(sys.executable).with_name("airflow")
    env = {**os.environ, **ui_environment(args.input, args.output, args.port, args.dags_folder)}
    # standalone starts its components as `airflow ...` subprocesses: this environment's first.
    env["PATH"] = os.pathsep.join([str(airflow.parent), env.get("PATH", "")])
    print(f"AIRFLOW_HOME={env['AIRFLOW_HOME']}; UI on http://127.0.0.1:{args.port} (Ctrl-C stops it)", flush=True)
    os.chdir(REPO_ROOT)
    os.execve(str(airflow), [str(airflow), "standalone"], env)


if __name__ == "__main__":
    main()
