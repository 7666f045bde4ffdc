"""Hot reload, like for like: the same edit, the user's fastest documented action, the same end point.

For every tool the edit is the same (bench/ui/launch.py: a new step downstream of the pipeline's last
step), saved in the workspace copy, and the user's fastest documented action is taken at once:

- Dagster: *Reload* of the code location (GraphQL ``reloadRepositoryLocation``, what the UI's Reload
  button sends; ``dagster dev`` picks up nothing by itself, see :func:`watch_for_automatic_pickup`),
  then *Materialize all* (``launchRun`` of ``lc_pipeline_job``, which selects every asset);
- Airflow 3: *Reparse Dag* (REST ``PUT /api/v2/parseDagFile/{file_token}``, the DAG page's button:
  without it the DAG processor re-parses the file within ``min_file_process_interval``, 30 s by
  default), then *Trigger* (``POST /api/v2/dags/lc_pipeline/dagRuns``);
- Prefect: *start the next run* (``python -m impl_prefect.launch.pipeline`` against the server, as
  docs/prefect.md runs the flow): the run imports the changed file, and there is no code on the
  server to reload. (A flow served with ``flow.serve()`` would run the flow object it loaded at start:
  it would need a restart, a slower action than a new run.)

The end point is the same for all: the new step listed by the tool's own API *and* a run of the
whole pipeline that includes it finished. :class:`~bench.ui.results.HotReload` keeps the save to
both (``seconds``), the save to listed and the run's own time apart. Each run writes a new output
folder, so no run reuses a warehouse another left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.deployed.clients import SUCCESS
from bench.deployed.clients import AirflowApi as AirflowRuns
from bench.ui.launch import (
    PROBE_NAME,
    AirflowApi,
    DagsterApi,
    PrefectApi,
    add_airflow_task,
    add_dagster_asset,
    add_prefect_task,
    poll_until,
)
from bench.ui.results import HotReload
from bench.ui.subjects import OURS, SUBJECTS, Subject

RELOAD_TIMEOUT = 300.0  # seconds from the save to the new step listed
# Seconds for a run of the whole pipeline: Airflow's, one task at a time with a process each, took
# 548-632 s (and once more than 900) on a 2-core machine shared with other test sessions.
RUN_TIMEOUT = 1800.0
AUTOMATIC_WATCH = 15.0  # seconds a second edit is watched for with no user action (Dagster)
DAGSTER_JOB = SUBJECTS["dagster"][OURS].graph
AIRFLOW_DAG = SUBJECTS["airflow"][OURS].graph


@dataclass(frozen=True)
class ProbeRun:
    """A run of the whole pipeline after the edit: its own time, and whether it ran the new step."""

    seconds: float
    ok: bool  # the run succeeded and the new step ran in it
    detail: str  # the tool's word for how it ended, or what went wrong


def wait(check: Callable[[], Any], timeout: float, every: float = 0.5) -> float | None:
    """Seconds until ``check`` holds (any error counts as not yet: a UI mid-reload answers oddly),
    or None at the timeout."""
    return poll_until(check, timeout, every, not_yet=(Exception,))


def wait_dagster_run(api: DagsterApi, run_id: str) -> str:
    """The run's final status (``SUCCESS``, ``FAILURE``, ``CANCELED``), or the last one seen at the timeout."""
    status = "UNKNOWN"

    def ended() -> bool:
        nonlocal status
        status = api.run_status(run_id)
        return status in ("SUCCESS", "FAILURE", "CANCELED")

    wait(ended, RUN_TIMEOUT, every=1.0)
    return status


def timed_hot_reload(
    edit: Callable[[], object],
    act: Callable[[], None],
    listed: Callable[[], bool],
    run: Callable[[], ProbeRun],
    describe: HotReload,
    listed_timeout: float = RELOAD_TIMEOUT,
) -> HotReload:
    """Save the edit, take the user's action at once, wait until the new step is listed, then until
    ``run`` (a run that includes it) has finished. ``describe`` gives the action, ``how`` and the
    actions; the times are filled in here."""
    edit()
    saved = time.perf_counter()
    act()
    if wait(listed, listed_timeout, every=0.5) is None:
        return _with(describe, None, note=f"the new step was not listed within {listed_timeout:.0f} s of the save")
    listed_seconds = time.perf_counter() - saved
    probe_run = run()
    done = time.perf_counter() - saved
    return _with(
        describe,
        done if probe_run.ok else None,
        note="" if probe_run.ok else f"listed, but the run including it did not succeed: {probe_run.detail}",
        listed_seconds=listed_seconds,
        run_seconds=probe_run.seconds,
        run_ok=probe_run.ok,
    )


def _with(describe: HotReload, seconds: float | None, **fields: Any) -> HotReload:
    return HotReload(
        seconds,
        how=describe.how,
        action=describe.action,
        automatic=describe.automatic,
        actions=describe.actions,
        **fields,
    )


# --- Dagster ---------------------------------------------------------------------------------------


def dagster_hot_reload(
    workspace: Path, api: DagsterApi, location: str, subject: Subject, input_dir: Path, output_dir: Path
) -> HotReload:
    """The new asset, Reload at once, then Materialize all into ``output_dir``."""
    assert subject.run_config is not None
    run_config = subject.run_config(input_dir, output_dir)

    def run() -> ProbeRun:
        launched = time.perf_counter()
        run_id = api.launch_job(subject.graph, run_config)
        status = wait_dagster_run(api, run_id)
        seconds = time.perf_counter() - launched
        ran = any(
            node["assetKey"]["path"] == [PROBE_NAME] and node["assetMaterializations"][:1] == [{"runId": run_id}]
            for node in api.asset_nodes()
        )
        return ProbeRun(seconds, status == "SUCCESS" and ran, f"{status}; new asset materialized: {ran}")

    manifest = "" if subject.floor else ", dbt's manifest included"
    return timed_hot_reload(
        lambda: add_dagster_asset(workspace, subject),
        lambda: _reload(api, location),
        lambda: PROBE_NAME in api.loaded_asset_keys(),
        run,
        HotReload(
            None,
            how="reloadRepositoryLocation (what the UI's Reload button sends; the code location is loaded anew"
            f"{manifest}), then launchRun of {subject.graph}",
            action="click Reload in the UI",
            actions=("Reload the code location", "Materialize all"),
        ),
    )


def _reload(api: DagsterApi, location: str) -> None:
    outcome = api.reload_location(location)
    if outcome != "WorkspaceLocationEntry":
        raise RuntimeError(f"reloadRepositoryLocation answered {outcome}")


def watch_for_automatic_pickup(workspace: Path, api: DagsterApi) -> bool:
    """Whether ``dagster dev`` lists a second new asset with no user action within
    :data:`AUTOMATIC_WATCH` seconds of its save (untimed: what the criterion's evidence reports)."""
    second = f"{PROBE_NAME}_2"
    add_dagster_asset(workspace, SUBJECTS["dagster"][OURS], second, downstream_of_last=False)
    return wait(lambda: second in api.loaded_asset_keys(), AUTOMATIC_WATCH, every=1.0) is not None


# --- Airflow ---------------------------------------------------------------------------------------


def airflow_hot_reload(
    workspace: Path, api: AirflowApi, runs: AirflowRuns, subject: Subject, input_dir: Path, output_dir: Path
) -> HotReload:
    """The new task, Reparse Dag at once, then a triggered run into ``output_dir``. The DAG must be
    unpaused already (a one-off toggle, not part of the edit)."""
    token = api.file_token(subject.graph)  # the DAG page the user is on already has it

    def run() -> ProbeRun:
        triggered = time.perf_counter()
        run_id = runs.trigger(input_dir, output_dir)
        record = runs.run(run_id)

        def finished() -> bool:
            nonlocal record
            record = runs.run(run_id)
            return record.finished

        wait(finished, RUN_TIMEOUT, every=1.0)
        seconds = time.perf_counter() - triggered
        ran = PROBE_NAME in {step.name for step in record.steps}
        return ProbeRun(seconds, record.state == SUCCESS and ran, f"{record.tool_state}; new task ran: {ran}")

    return timed_hot_reload(
        lambda: add_airflow_task(workspace, subject),
        lambda: api.reparse(token),
        lambda: PROBE_NAME in api.task_ids(subject.graph),
        run,
        HotReload(
            None,
            how="PUT /api/v2/parseDagFile/{file_token} (what the DAG page's Reparse Dag button sends; without it "
            "the DAG processor re-parses the file within min_file_process_interval, 30 s by default), then "
            f"POST /api/v2/dags/{subject.graph}/dagRuns",
            action="click Reparse Dag in the UI",
            actions=("Reparse Dag", "Trigger"),
        ),
    )


# --- Prefect ---------------------------------------------------------------------------------------


def prefect_hot_reload(
    workspace: Path, api: PrefectApi, subject: Subject, start_run: Callable[[], ProbeRun]
) -> HotReload:
    """The new task, then the next run started at once (``start_run`` runs it to its end); the new
    step is listed when the run records its task run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        started: list[Future[ProbeRun]] = []

        def run() -> ProbeRun:
            probe_run = started[0].result()
            states = api.task_run_states(PROBE_NAME)
            ran = "COMPLETED" in states
            return ProbeRun(probe_run.seconds, probe_run.ok and ran, f"{probe_run.detail}; new task run: {states}")

        return timed_hot_reload(
            lambda: add_prefect_task(workspace, subject),
            lambda: started.append(pool.submit(start_run)),
            # Listed once the run records its task run; a run that ended without it ends the wait too.
            lambda: bool(api.task_runs_named(PROBE_NAME)) or started[0].done(),
            run,
            HotReload(
                None,
                how=f"the next run started at once (`python {' '.join(subject.run_command)}`): it imports the "
                "changed file; the new task is listed when the run records it",
                action="start the next run (no code on the server to reload)",
                actions=("start the next run",),
            ),
            listed_timeout=RUN_TIMEOUT,  # the new task is listed as the run reaches it
        )
