"""Prefect's settings for one run: its home under the run's folder, a temporary server, no telemetry.

Prefect reads its settings from the environment once, when it is first imported, into a
process-wide settings context (later changes to ``os.environ`` are not seen), and importing it
creates ``PREFECT_HOME`` (``~/.prefect`` by default). So :func:`prefect_runtime` does two things,
both undone when the run ends:

1. it sets the variables below in the process environment and only then imports Prefect, so a
   first import reads them and never touches the user's home; and
2. it enters :func:`prefect.settings.temporary_settings` with the same values, for every run after
   Prefect was already imported (a second run in the same process, or a test session).

Which server the run reports to:

* ``PREFECT_API_URL`` set (``prefect server start``, Prefect Cloud, or the test harness): that one,
  so runs show up in its UI. Nothing is started.
* otherwise Prefect's temporary server (``SubprocessASGIServer``, what Prefect itself starts when no
  API is configured), with its SQLite database in ``<home>/prefect.db``. It is started here,
  with a startup timeout that holds on a slow 2-core machine (Prefect's default, 20 s, does not: a
  first start runs its database migrations), and stopped when the run ends,
  after the log and event workers have flushed and the server has recorded every task run (see
  :func:`settled_task_runs`). Prefect would otherwise keep it for the life of the process and
  reuse it, with its first database, for a later run into another folder.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

from core.environment import scoped_environ

log = logging.getLogger(__name__)

PREFECT_HOME_DIRNAME = "prefect_home"
# A first start runs the database migrations, which Prefect's 20 s default does not always allow.
SERVER_STARTUP_TIMEOUT_SECONDS = 120
# How long the recorded task runs must stay unchanged, all finished, to count as complete.
RECORDER_SETTLE_SECONDS = 1.0
RECORDER_TIMEOUT_SECONDS = 60.0
TASK_RUN_PAGE = 200  # the server's largest page


def prefect_home(output_dir: Path) -> Path:
    """Where a run keeps Prefect's own state (its SQLite database when it starts the server)."""
    return output_dir.resolve() / PREFECT_HOME_DIRNAME


def database_url(home: Path) -> str:
    return f"sqlite+aiosqlite:///{home / 'prefect.db'}"


def prefect_environment(home: Path) -> dict[str, str]:
    """The process environment a run sets while it lasts (read by a first ``import prefect``)."""
    return {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": str(SERVER_STARTUP_TIMEOUT_SECONDS),
        # Prefect's SDK telemetry reads this from os.environ at each event (so does dbt's).
        "DO_NOT_TRACK": "1",
    }


@contextmanager
def prefect_runtime(home: Path, while_server_starts: Callable[[], object] | None = None) -> Iterator[str]:
    """Prefect settings for one run, and a server to report to; yields the API URL in use.

    ``while_server_starts`` (e.g. importing the flow, which imports dbt) runs while the temporary
    server starts: the server is a separate process, so on two cores the two overlap.
    """
    home.mkdir(parents=True, exist_ok=True)
    with scoped_environ(prefect_environment(home)):
        from prefect.settings import (  # first import reads the environment set above
            PREFECT_HOME,
            PREFECT_SERVER_ANALYTICS_ENABLED,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
            get_current_settings,
            temporary_settings,
        )

        with temporary_settings(
            updates={
                PREFECT_HOME: home,
                PREFECT_SERVER_ANALYTICS_ENABLED: False,
                PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS: SERVER_STARTUP_TIMEOUT_SECONDS,
            }
        ):
            configured = get_current_settings().api.url
            if not configured:
                with _temporary_server(home, while_server_starts) as api_url:
                    yield api_url
                return
            if while_server_starts is not None:
                while_server_starts()
            try:
                yield configured
            finally:
                _flush_workers()


@contextmanager
def _temporary_server(home: Path, while_starting: Callable[[], object] | None) -> Iterator[str]:
    """Prefect's temporary server, on this run's database, for this run only."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_DATABASE_CONNECTION_URL, temporary_settings

    with temporary_settings(updates={PREFECT_SERVER_DATABASE_CONNECTION_URL: database_url(home)}):
        # The default (port-less) instance is the one Prefect's own clients look up when no API URL
        # is set, so every client of this run, in any thread, finds this server.
        server = SubprocessASGIServer()
        if server.running:  # started outside any run (someone called a flow directly): not ours
            yield server.api_url
            return
        log.info("starting Prefect's temporary server on %s", database_url(home))
        try:
            # start() waits for the server to answer: wait in a thread that sees this run's settings.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prefect-server-start") as pool:
                starting = pool.submit(contextvars.copy_context().run, server.start, SERVER_STARTUP_TIMEOUT_SECONDS)
                try:
                    if while_starting is not None:
                        while_starting()
                finally:
                    starting.result()  # raises if the server did not come up in time
            try:
                # Named as a setting too: Prefect hands its settings to the processes it spawns (the
                # process pool of prefect-dbt's per-node mode), which would otherwise start servers
                # of their own on this same SQLite file.
                with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
                    yield server.api_url
            finally:
                _flush_workers()
                settled_task_runs()
        finally:
            server.stop()


def _flush_workers() -> None:
    """Send the logs and events still queued, so the server has the whole run before it stops."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker
    from prefect.utilities.asyncutils import run_coro_as_sync

    async def drain() -> None:  # as prefect_test_harness does: sync or async, on one loop
        try:
            result = APILogWorker.instance().drain()
            if inspect.isawaitable(result):
                await result
        except RuntimeError:  # never started
            pass
        result = EventsWorker.drain_all()
        if inspect.isawaitable(result):
            await result

    run_coro_as_sync(drain())


def read_task_runs(client: Any, flow_run_id: UUID | None = None) -> list[Any]:
    """Every task run the server holds (of one flow run, if given), page by page."""
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.client.schemas.sorting import TaskRunSort

    flow_runs = None if flow_run_id is None else FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
    task_runs: list[Any] = []
    while True:
        page = client.read_task_runs(
            flow_run_filter=flow_runs, sort=TaskRunSort.ID_DESC, limit=TASK_RUN_PAGE, offset=len(task_runs)
        )
        task_runs += page
        if len(page) < TASK_RUN_PAGE:
            return task_runs


def settled_task_runs(
    flow_run_id: UUID | None = None,
    settle_seconds: float = RECORDER_SETTLE_SECONDS,
    timeout_seconds: float = RECORDER_TIMEOUT_SECONDS,
) -> list[Any]:
    """The task runs once the server has caught up with the run; waits for it.

    A flow run's state is written through the API, but its task runs are written by the server's
    task run recorder from the events the client sent, one event at a time, behind the run: a busy
    machine saw the flow run Completed while its last task runs were missing and ``dbt_build`` still
    Running. Stopping the temporary server then would lose them, and reading them at once reads an
    unfinished record. So this waits until every task run is in a final state and none has changed
    for ``settle_seconds``; after ``timeout_seconds`` it returns what is there.
    """
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + timeout_seconds
    seen: tuple[tuple[str, str], ...] | None = None
    unchanged_since = time.monotonic()
    with get_client(sync_client=True) as client:
        while True:
            task_runs = read_task_runs(client, flow_run_id)
            snapshot = tuple(sorted((str(run.id), str(run.state_type)) for run in task_runs))
            now = time.monotonic()
            if snapshot != seen:
                seen, unchanged_since = snapshot, now
            finished = all(run.state is not None and run.state.is_final() for run in task_runs)
            if (finished and now - unchanged_since >= settle_seconds) or now >= deadline:
                return task_runs
            time.sleep(0.2)
