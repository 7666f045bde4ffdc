"""Run the one dbt project (``dbt/``) against a run's warehouse, in-process."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from core.environment import scoped_environ
from core.errors import PipelineInputError
from core.progress import Progress
from core.spark import SparkLayout, start_session
from core.spark import dbt_environment as spark_dbt_environment

_CORE_DIR = Path(__file__).resolve().parent
# The one dbt project: the copy an installed wheel carries as package data (``core/dbt_project``), else
# a source checkout's ``dbt/``. Never ``site-packages/dbt`` of an install: that is dbt-core itself.
SHIPPED_DBT_PROJECT_DIR = next(
    (
        folder
        for folder in (_CORE_DIR / "dbt_project", _CORE_DIR.parent / "dbt")
        if (folder / "dbt_project.yml").is_file()
    ),
    _CORE_DIR.parent / "dbt",
)
# The harness swaps in generated projects of N models (bench/synthetic) through this variable, so
# every implementation runs them with its own code unchanged; users never need to set it.
PROJECT_DIR_ENV = "LC_DBT_PROJECT_DIR"
DBT_PROJECT_DIR = Path(os.environ.get(PROJECT_DIR_ENV) or SHIPPED_DBT_PROJECT_DIR).resolve()
WAREHOUSE_ENV = "LC_WAREHOUSE_PATH"


def dbt_environment(warehouse: Path, spark: SparkLayout | None = None) -> dict[str, str]:
    """The environment the shipped ``profiles.yml`` reads: where the warehouse file is, and with
    ``spark`` (a Spark run's folders) the ``spark`` target and where its files go."""
    return {WAREHOUSE_ENV: str(warehouse.resolve()), **(spark_dbt_environment(spark) if spark else {})}


def dbt_cli_args(command: Sequence[str], target_dir: Path) -> list[str]:
    """dbt arguments for this project, with logs and artifacts under the run's own folder."""
    return [
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_dir.resolve()),  # relative paths are read from the project dir
        "--log-path",
        str(target_dir.resolve() / "logs"),
    ]


def run_dbt(
    command: Sequence[str],
    warehouse: Path,
    target_dir: Path,
    spark: SparkLayout | None = None,
    progress: Progress | None = None,
) -> None:
    """Invoke dbt (e.g. ``["build"]``) with ``dbtRunner``; raise naming the failed nodes if any fail.

    With ``spark``, dbt runs on Spark: the session is started here first (see ``core.spark``). With
    ``progress``, each node that ends is reported to it and dbt's console output goes to the
    ``dbt`` logger instead of stdout (dbt's own log file, under ``target_dir``, is unchanged).
    """
    from dbt.cli.main import dbtRunner  # imported late: dbt's import alone takes seconds

    if spark is not None:
        start_session(spark)
    args = dbt_cli_args([*command, "--quiet"] if progress else command, target_dir)
    callbacks = [dbt_event_reporter(progress)] if progress else []
    with scoped_environ(dbt_environment(warehouse, spark)):
        result = dbtRunner(callbacks=callbacks).invoke(args)
    raise_for_failures(result, command)


_DBT_LOG = logging.getLogger("dbt")
_DBT_LEVELS = {"info": logging.INFO, "warn": logging.WARNING, "error": logging.ERROR}


def dbt_event_reporter(progress: Progress) -> Callable[[Any], None]:
    """A ``dbtRunner`` callback: each finished node to ``progress``, dbt's console lines to the ``dbt`` logger."""

    def report(event: Any) -> None:
        level = _DBT_LEVELS.get(event.info.level)
        if level is not None and event.info.msg:
            _DBT_LOG.log(level, event.info.msg)
        if event.info.name == "NodeFinished":
            node, outcome = event.data.node_info, event.data.run_result
            progress.node_finished(
                node.resource_type, node.node_name, outcome.execution_time, outcome.status in FAILED_STATUSES
            )

    return report


FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})


def failed_nodes(target_dir: Path) -> list[str]:
    """``<name> (<status>)`` of every node that failed in the last dbt invocation into ``target_dir``,
    read from its ``run_results.json`` (dbt writes it whatever the outcome); empty if there is none.

    For a tool that runs dbt in a subprocess (dagster-dbt): dbt's own record of what failed, rather
    than a pattern over its log text.
    """
    path = target_dir / "run_results.json"
    if not path.is_file():
        return []
    results = json.loads(path.read_text(encoding="utf-8")).get("results", [])
    return [
        f"{_node_name(result['unique_id'])} ({result['status']})"
        for result in results
        if result.get("status") in FAILED_STATUSES
    ]


def _node_name(unique_id: str) -> str:
    """A node's name from its unique id: ``model.<project>.<name>``, ``test.<project>.<name>[.<hash>]``,
    ``unit_test.<project>.<model>.<name>``."""
    parts = unique_id.split(".")
    return parts[3] if parts[0] == "unit_test" and len(parts) > 3 else parts[2]


def raise_for_failures(result: Any, command: Sequence[str]) -> None:
    """Raise for a failed dbt invocation (a ``dbtRunnerResult``): a dbt error as such, failed nodes
    (a model that did not build, a test that found bad rows) as bad input, naming them."""
    if result.success:
        return
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(command)} failed: {result.exception}") from result.exception
    failed = [
        f"{node.node.name} ({node.status})" for node in (result.result or []) if str(node.status) in FAILED_STATUSES
    ]
    raise _failed_nodes_error(command, failed)


def raise_for_failed_nodes(target_dir: Path, command: Sequence[str]) -> None:
    """Raise as :func:`raise_for_failures` does, from the ``run_results.json`` dbt (or a tool writing
    dbt's format) left in ``target_dir``: for a tool that runs dbt node by node."""
    failed = failed_nodes(target_dir)
    if failed:
        raise _failed_nodes_error(command, failed)


def _failed_nodes_error(command: Sequence[str], failed: Sequence[str]) -> PipelineInputError:
    return PipelineInputError(f"dbt {' '.join(command)} failed: {', '.join(failed) or 'see dbt logs'}")
