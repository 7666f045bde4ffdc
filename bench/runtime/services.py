"""What a round runs beside: a server the run reports to, up before the round starts, as deployed.

A cold round (``bench.measure.run_once``'s default) starts on an empty folder, so it pays what a
first run pays: Dagster creates its instance, Airflow creates and migrates its metadata DB, Prefect
starts a temporary server on a new database, dbt parses the project in full. A warm round is a
second run into the folder a cold round left, which already holds the instance, the metadata DB and
dbt's partial-parse state. Prefect's temporary server lives only as long as a run, so for Prefect
"already up" means a long-running ``prefect server start`` (the README's ``make prefect-ui``), which
the run reports to through ``PREFECT_API_URL`` as a deployed Prefect's runs do; so does Prefect's
floor (its hello world, ``bench/floor/``).

The ``dagster-postgres`` mode records its run in the instance of Dagster's deployment
(``impl_dagster/deploy/dagster.yaml``: run and event storage on PostgreSQL) instead of a SQLite
instance in the run's folder: the same in-process run, with what each of its events costs on the
storage a team deploys. PostgreSQL is started by our own code (``core.services``), the instance's
tables made (``dagster instance migrate``) before the round, as a deployment's are.

Each server is started before its round and stopped after it (its data kept between rounds), so
that no other round is timed beside an idle server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from bench.floor import floor_tool
from bench.measure import BUSY_CPU_PERCENT, scrubbed_environment
from bench.paths import REPO
from bench.ui.launch import TOOLS, PrefectApi, UiServer, base_environment
from core.services import free_port, postgres_server
from impl_dagster.launch.deploy import BIN, DEPLOY_DIR
from testkit.deployed import reachable_deploy_dir

SERVER_READY_TIMEOUT_SECONDS = 180
SETTLE_TIMEOUT_SECONDS = 20
DAGSTER_POSTGRES = "dagster-postgres"


def _wait_until_quiet() -> None:
    """Let a server that has just answered finish starting, so the round begins on a quiet machine."""
    for _ in range(SETTLE_TIMEOUT_SECONDS):
        if psutil.cpu_percent(interval=1.0) <= BUSY_CPU_PERCENT:
            return


@contextmanager
def round_services(target: str, warm: bool, state_dir: Path, log: Path) -> Iterator[dict[str, str]]:
    """The settings a round of ``target`` gets, with its server up while the block lasts."""
    if target == DAGSTER_POSTGRES:
        with _dagster_postgres_instance(state_dir) as env:
            yield env
    elif warm and (floor_tool(target) or target) == "prefect":  # ours or its floor
        with _prefect_server(state_dir, log) as env:
            yield env
    else:
        yield {}


@contextmanager
def _prefect_server(state_dir: Path, log: Path) -> Iterator[dict[str, str]]:
    server = UiServer(TOOLS["prefect"], REPO, free_port(), state_dir, log, base_environment(REPO))
    server.start()
    try:
        server.wait_until("ready", PrefectApi(server.url).healthy, SERVER_READY_TIMEOUT_SECONDS)
        _wait_until_quiet()
        yield {"PREFECT_API_URL": f"{server.url}/api"}
    finally:
        server.stop()


@contextmanager
def _dagster_postgres_instance(state_dir: Path) -> Iterator[dict[str, str]]:
    state_dir.mkdir(parents=True, exist_ok=True)
    deploy_dir = reachable_deploy_dir(state_dir)
    with postgres_server(deploy_dir / "postgres") as postgres:
        postgres.create_database("dagster")
        home = deploy_dir / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        shutil.copy(DEPLOY_DIR / "dagster.yaml", home / "dagster.yaml")
        env = {"DAGSTER_HOME": str(home), "LC_DAGSTER_PG_URL": postgres.url("dagster")}
        migrate = subprocess.run(
            [str(BIN / "dagster"), "instance", "migrate"], env=scrubbed_environment(env), capture_output=True, text=True
        )
        if migrate.returncode != 0:
            raise RuntimeError(f"dagster instance migrate failed: {(migrate.stderr or migrate.stdout).strip()}")
        _wait_until_quiet()
        yield env
