"""Run the one dbt project (``dbt/``) against a run's warehouse, in-process."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from core.environment import scoped_environ
from core.errors import PipelineInputError

DBT_PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt"
WAREHOUSE_ENV = "LC_WAREHOUSE_PATH"


def dbt_environment(warehouse: Path) -> dict[str, str]:
    """The environment the shipped ``profiles.yml`` reads: where the warehouse file is."""
    return {WAREHOUSE_ENV: str(warehouse.resolve())}


def dbt_cli_args(command: Sequence[str], target_dir: Path) -> list[str]:
    """dbt arguments for this project, with logs and artifacts under the run's own folder."""
    return [
        *command,
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target_dir),
        "--log-path", str(target_dir / "logs"),
    ]


def run_dbt(command: Sequence[str], warehouse: Path, target_dir: Path) -> None:
    """Invoke dbt (e.g. ``["build"]``) with ``dbtRunner``; raise naming the failed nodes if any fail."""
    from dbt.cli.main import dbtRunner  # imported late: dbt's import alone takes seconds

    with scoped_environ(dbt_environment(warehouse)):
        result = dbtRunner().invoke(dbt_cli_args(command, target_dir))
    if result.success:
        return
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(command)} failed: {result.exception}") from result.exception
    failed = [
        f"{node.node.name} ({node.status})"
        for node in (result.result or [])
        if str(node.status) in {"error", "fail", "runtime error"}
    ]
    raise PipelineInputError(f"dbt {' '.join(command)} failed: {', '.join(failed) or 'see dbt logs'}")
