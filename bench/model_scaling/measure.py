"""Measurements on synthetic dbt projects, each in a fresh process so no tool's imports leak into another's.

Three things are measured here, apart from the end-to-end runs (those go through
:func:`bench.measure.run_once` like every other round of the harness):

* **manifest build** (a deploy-time step, done once per project before anything is timed): Dagster's
  ``dbt parse`` into ``<project>/target/dagster`` (what ``import impl_dagster.project`` does when
  the manifest is missing) and Airflow's into ``<project>/target/airflow``
  (``impl_airflow.launch.manifest.prepare_manifest``). Timed, reported separately, never inside a run;
* **definition load**: what a tool does before it can run or show anything, in a new process:
  Dagster imports the code location and resolves its asset graph; Airflow parses the DAG file
  (``BundleDagBag``, as its DAG processor and our runner do; cosmos renders the dbt tasks then);
  Prefect imports the flow module (it learns the dbt graph only while running); scripts imports
  its module;
* **dbt's own time** in a scripts run: ``elapsed_time`` of dbt's ``run_results.json``.

    python -m bench.model_scaling.measure load --impl dagster      # with LC_DBT_PROJECT_DIR set
    python -m bench.model_scaling.measure prepare --impl airflow
    python -m bench.model_scaling.measure parse DIR [DIR ...]      # dbt parse each into DIR/target/dagster
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.child import report, result_in
from bench.measure import scrubbed_environment, tool_state_environment
from bench.model_scaling.projects import project_environment
from bench.model_scaling.results import DefinitionLoad, ManifestBuild
from bench.paths import REPO
from core.implementations import interpreter
from core.settings import dbt_target_dir

# Load and prepare are whole-process measurements; a wedged tool must not hang the session.
SUBPROCESS_TIMEOUT_SECONDS = 900


# --- in the child process -------------------------------------------------------------------------


def _load_dagster() -> DefinitionLoad:
    started = time.perf_counter()
    from impl_dagster.definitions import defs

    imported = time.perf_counter()
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    checks = graph.asset_check_keys
    finished = time.perf_counter()
    return DefinitionLoad(
        load_seconds=finished - started,
        import_seconds=imported - started,
        graph_seconds=finished - imported,
        nodes=len(keys),
        checks=len(checks),
        what="import impl_dagster.definitions + resolve_asset_graph()",
    )


def _load_airflow() -> DefinitionLoad:
    from impl_airflow.config import DAG_BUNDLE, DAG_ID, DAGS_FOLDER

    started = time.perf_counter()
    from airflow.dag_processing.dagbag import BundleDagBag

    imported = time.perf_counter()
    dagbag = BundleDagBag(dag_folder=DAGS_FOLDER, bundle_path=DAGS_FOLDER, bundle_name=DAG_BUNDLE)
    finished = time.perf_counter()
    if dagbag.import_errors:
        raise RuntimeError(f"DAG import errors: {dagbag.import_errors}")
    return DefinitionLoad(
        load_seconds=finished - started,
        import_seconds=imported - started,
        graph_seconds=finished - imported,
        nodes=len(dagbag.dags[DAG_ID].tasks),
        what="import Airflow + parse the DAG file (BundleDagBag; cosmos renders the dbt tasks)",
    )


def _load_prefect() -> DefinitionLoad:
    started = time.perf_counter()
    import impl_prefect.flows  # noqa: F401

    finished = time.perf_counter()
    return DefinitionLoad(
        load_seconds=finished - started,
        import_seconds=finished - started,
        graph_seconds=0.0,
        nodes=None,
        what="import impl_prefect.flows (the dbt graph is known only at run time)",
    )


def _load_scripts() -> DefinitionLoad:
    started = time.perf_counter()
    import impl_scripts.pipeline  # noqa: F401

    finished = time.perf_counter()
    return DefinitionLoad(
        load_seconds=finished - started,
        import_seconds=finished - started,
        graph_seconds=0.0,
        nodes=None,
        what="import impl_scripts.pipeline (dbt is imported when it runs)",
    )


_LOADERS: dict[str, Callable[[], DefinitionLoad]] = {
    "dagster": _load_dagster,
    "airflow": _load_airflow,
    "prefect": _load_prefect,
    "scripts": _load_scripts,
}


def _prepare_dagster() -> ManifestBuild:
    """``import impl_dagster.project`` parses the project when its manifest is missing or stale."""
    import dagster_dbt  # noqa: F401  (the library's import is load time, not manifest build)

    started = time.perf_counter()
    from impl_dagster.project import dbt_project, manifest_is_current

    finished = time.perf_counter()
    if not manifest_is_current(dbt_project):
        raise RuntimeError(f"{dbt_project.manifest_path} is not current after import")
    return ManifestBuild(
        seconds=finished - started,
        manifest=str(dbt_project.manifest_path),
        what="import impl_dagster.project after dagster_dbt (dbt parse into <project>/target/dagster)",
    )


def _prepare_airflow() -> ManifestBuild:
    from impl_airflow.launch.manifest import prepare_manifest

    started = time.perf_counter()
    manifest = prepare_manifest()
    return ManifestBuild(
        seconds=time.perf_counter() - started,
        manifest=str(manifest),
        what="impl_airflow.launch.manifest.prepare_manifest() (dbt parse into <project>/target/airflow)",
    )


_PREPARERS: dict[str, Callable[[], ManifestBuild]] = {"dagster": _prepare_dagster, "airflow": _prepare_airflow}


def _parse(projects: list[Path]) -> dict[str, Any]:
    """``dbt parse`` of each project into ``<project>/target/dagster``, in this one process."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DO_NOT_TRACK", "1")
    timings = {}
    for project in projects:
        target = project / "target" / "dagster"
        started = time.perf_counter()
        result = dbtRunner().invoke(
            [
                "parse",
                "--quiet",
                "--project-dir",
                str(project),
                "--profiles-dir",
                str(project),
                "--target-path",
                str(target),
                "--log-path",
                str(target / "logs"),
            ]
        )
        if not result.success:
            raise RuntimeError(f"dbt parse of {project} failed: {result.exception}")
        timings[str(project)] = time.perf_counter() - started
    return {"parse_seconds": timings}


def _child_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.model_scaling.measure")
    parser.add_argument("action", choices=["load", "prepare", "parse"])
    parser.add_argument("--impl")
    parser.add_argument("projects", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if args.action == "load":
        report(asdict(_LOADERS[args.impl]()))
    elif args.action == "prepare":
        report(asdict(_PREPARERS[args.impl]()))
    else:
        report(_parse(args.projects))
    return 0


# --- in the harness ---------------------------------------------------------------------------------


def run_child(
    args: list[str], env: Mapping[str, str], log_file: Path, python: Path | str = sys.executable
) -> dict[str, Any]:
    """Run ``python -m bench.model_scaling.measure ARGS`` with ``env`` added; return its result, or raise."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as log:
        process = subprocess.run(
            [str(python), "-m", "bench.model_scaling.measure", *args],
            cwd=REPO,
            env=scrubbed_environment(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=SUBPROCESS_TIMEOUT_SECONDS,
            check=False,
        )
    output = log_file.read_text(errors="replace")
    result = result_in(output)
    if result is not None:
        return result
    tail = " | ".join(line for line in output.strip().splitlines()[-3:])
    raise RuntimeError(f"bench.model_scaling.measure {' '.join(args)} exited {process.returncode}: {tail}")


def measure_load(
    implementation: str, project: Path, log_file: Path, env: Mapping[str, str] | None = None
) -> DefinitionLoad:
    """Definition load time of one tool on one project, in a new process (its state in a scratch
    folder); ``env`` is added, e.g. the setting of one of the tool's dbt integration modes."""
    with tempfile.TemporaryDirectory(prefix=f"load_{implementation}_") as scratch:
        child_env = {
            **project_environment(project),
            **tool_state_environment(implementation, Path(scratch)),
            **(env or {}),
        }
        return DefinitionLoad(
            **run_child(["load", "--impl", implementation], child_env, log_file, interpreter(implementation))
        )


def prepare_manifest(implementation: str, project: Path, log_file: Path) -> ManifestBuild | None:
    """Build the tool's manifest for ``project`` (deploy-time step); None for tools that have none."""
    if implementation not in _PREPARERS:
        return None
    with tempfile.TemporaryDirectory(prefix=f"prepare_{implementation}_") as scratch:
        env = {**project_environment(project), **tool_state_environment(implementation, Path(scratch))}
        return ManifestBuild(
            **run_child(["prepare", "--impl", implementation], env, log_file, interpreter(implementation))
        )


def parse_projects(projects: list[Path], log_file: Path) -> dict[str, float]:
    """``dbt parse`` each project (one process); seconds per project."""
    return run_child(["parse", *map(str, projects)], {}, log_file)["parse_seconds"]


def dbt_elapsed_seconds(output_dir: Path) -> float | None:
    """dbt's own time for its ``build`` in a run (``run_results.json``), None if absent."""
    results = dbt_target_dir(output_dir) / "run_results.json"
    if not results.is_file():
        return None
    return float(json.loads(results.read_text(encoding="utf-8"))["elapsed_time"])


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
