"""What a warm round runs with: each tool's state already made and any server it needs already up.

A cold round (``bench.measure.run_once``'s default) starts on an empty folder, so it pays what a
first run pays: Dagster creates its instance, Airflow creates and migrates its metadata DB, Prefect
starts a temporary server on a new database, dbt parses the project in full. A warm round is a
second run into the folder a cold round left, which already holds the instance, the metadata DB and
dbt's partial-parse state. Prefect's temporary server lives only as long as a run, so for Prefect
"already up" means a long-running ``prefect server start`` (the README's ``make prefect-ui``), which
the run reports to through ``PREFECT_API_URL`` as a deployed Prefect's runs do. It is started before
each of Prefect's warm rounds and stopped after it (its database kept between rounds), so that no
other round is timed beside an idle server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil

from bench.measure import BUSY_CPU_PERCENT
from bench.paths import REPO
from bench.ui.launch import TOOLS, PrefectApi, UiServer, base_environment
from core.services import free_port

SERVER_READY_TIMEOUT_SECONDS = 180
SETTLE_TIMEOUT_SECONDS = 20


def _wait_until_quiet() -> None:
    """Let a server that has just answered finish starting, so the round begins on a quiet machine."""
    for _ in range(SETTLE_TIMEOUT_SECONDS):
        if psutil.cpu_percent(interval=1.0) <= BUSY_CPU_PERCENT:
            return


@contextmanager
def warm_services(implementation: str, state_dir: Path, log: Path) -> Iterator[dict[str, str]]:
    """The settings a warm round of ``implementation`` gets, with its server up while the block lasts."""
    if implementation != "prefect":
        yield {}
        return
    server = UiServer(TOOLS["prefect"], REPO, free_port(), state_dir, log, base_environment(REPO))
    server.start()
    try:
        server.wait_until("ready", PrefectApi(server.url).healthy, SERVER_READY_TIMEOUT_SECONDS)
        _wait_until_quiet()
        yield {"PREFECT_API_URL": f"{server.url}/api"}
    finally:
        server.stop()
