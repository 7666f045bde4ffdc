"""The UI section: each tool's UI started, measured, shown in a browser, hot-reloaded, stopped.

One function per tool runs its whole scenario and returns what it observed (:class:`bench.ui.results.ToolUi`:
every figure from this run; ``None`` with a reason when something could not be observed). The ADR's five
validation criteria are judged from the Dagster scenario's observations, through the GraphQL API
the Dagster UI itself uses.

The UIs start one after another, so each time to ready is measured on an otherwise idle harness.
``--quick`` runs Dagster's alone, to keep the session short (bench/ui/test_ui.py).
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.lineage.graph import Lineage, coverage, true_lineage
from bench.lineage.introspect import data_nodes
from bench.ui.browser import BrowserService, Shot
from bench.ui.launch import (
    PROBE_NAME,
    TOOLS,
    AirflowApi,
    DagsterApi,
    PrefectApi,
    UiServer,
    add_airflow_task,
    add_dagster_asset,
    add_prefect_task,
    airflow_ui_settings,
    answers,
    base_environment,
    config_files,
    poll_until,
    recipe_commands,
    workspace_value,
)
from bench.ui.results import Criterion, HotReload, Newcomer, Screenshot, ToolUi, UiResults
from bench.ui.settings import newcomer_settings
from core.implementations import interpreter
from core.services import free_port
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV

# Screens on which each tool's whole graph of our pipeline stays legible.
WIDE = (2400, 1350)
LONG = (4800, 900)  # Airflow's graph of the expanded dbt group and its Assets is one long row
READY_TIMEOUT = 600.0  # seconds; a loaded 2-core machine took over 2 minutes for dagster dev
RUN_TIMEOUT = 900.0
RELOAD_TIMEOUT = 300.0
MET, NOT_MET, NOT_MEASURED = "met", "not met", "not measured"
CRITERIA = [
    ("all_assets_visible", "All assets visible in Dagster UI"),
    ("lineage_complete", "Lineage graph shows complete data flow"),
    ("dbt_models_are_assets", "DBT models automatically mapped to assets"),
    ("hot_reload_works", "Local development with hot-reload works"),
    ("materialization_succeeds", "Asset materialization succeeds end-to-end"),
]


@dataclass
class UiContext:
    workspace: Path
    results_dir: Path
    input_dir: Path
    quick: bool
    browser: BrowserService | None
    browser_note: str  # why there are no screenshots, when there are none


def _server(ctx: UiContext, name: str, extra_env: dict[str, str] | None = None) -> UiServer:
    state = ctx.workspace / "state" / name
    env = base_environment(
        ctx.workspace, {INPUT_DIR_ENV: str(ctx.input_dir), OUTPUT_DIR_ENV: str(state / "run"), **(extra_env or {})}
    )
    return UiServer(TOOLS[name], ctx.workspace, free_port(), state, ctx.results_dir / "ui" / f"{name}.log", env)


def _newcomer(server: UiServer, launcher_environment: list[str] | None = None) -> Newcomer:
    """What the README's one command stands for: the shell commands a newcomer would type without
    make, and the tool's settings in them (``bench/ui/settings.py``: counted alike for every tool)."""
    commands = recipe_commands(server.tool, server.workspace, server.port, server.state_dir)
    settings, telemetry = newcomer_settings(commands, launcher_environment or [])
    return Newcomer(f"make {server.tool.target}", commands, settings, telemetry)


def _screenshot(ctx: UiContext, shot: Shot) -> Screenshot:
    if ctx.browser is None:
        return Screenshot(None, None, ctx.browser_note)
    taken = ctx.browser.screenshot(shot)
    return Screenshot(taken.path.name if taken.path else None, taken.ok, taken.note)


def _wait(check: Callable[[], bool], timeout: float, every: float = 0.5) -> float | None:
    """Seconds until ``check`` holds (any error counts as not yet: a UI mid-reload answers oddly),
    or None at the timeout."""
    return poll_until(check, timeout, every, not_yet=(Exception,))


def _finish(server: UiServer, result: ToolUi) -> None:
    result.stop = server.stop()
    result.peak_rss_mib = round(server.peak_rss_mib)
    result.peak_rss_mib_at_ready = round(server.peaks["ready"]) if "ready" in server.peaks else None
    result.log = str(server.log_path)


def _readiness(
    server: UiServer, result: ToolUi, answering: Callable[[], bool], listed: Callable[[], bool] | None
) -> None:
    """Time from the command to the UI answering, and to our pipeline being listed in it."""
    result.ui_answers_seconds = server.wait_until("answers", answering, READY_TIMEOUT)
    if listed is not None:
        result.pipeline_listed_seconds = server.wait_until("ready", listed, READY_TIMEOUT)
    else:
        server.mark("ready")


# --- Dagster --------------------------------------------------------------------------------------


def _definitions_asset_keys(workspace: Path) -> set[str]:
    """The asset keys of the code location's Definitions, loaded in a separate process (the copy)."""
    keys = workspace_value(
        workspace,
        "dagster",
        "from impl_dagster.definitions import defs",
        "sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())",
    )
    return set(keys)


def _lineage_from_nodes(nodes: list[dict[str, Any]]) -> Lineage:
    edges = {
        (a, b)
        for node in nodes
        for dep in node["dependencyKeys"]
        for a in data_nodes("/".join(dep["path"]))
        for b in data_nodes("/".join(node["assetKey"]["path"]))
    }
    return Lineage(frozenset(n for edge in edges for n in edge), frozenset(edges))


def dagster_ui(ctx: UiContext) -> ToolUi:
    server = _server(ctx, "dagster")
    result = ToolUi("dagster", " ".join(server.command), _newcomer(server))
    criteria = result.criteria
    api = DagsterApi(server.url)
    server.start()
    try:
        _readiness(
            server,
            result,
            lambda: answers(f"{server.url}/server_info"),
            lambda: any(e["loadStatus"] == "LOADED" for e in api.locations()) and bool(api.loaded_asset_keys()),
        )
        result.config_files = config_files(server.state_dir)
        location = next(e["name"] for e in api.locations() if e["loadStatus"] == "LOADED")
        served = api.asset_nodes()
        manifest = ctx.workspace / "dbt" / "target" / "dagster" / "manifest.json"
        _judge_graph(criteria, served, manifest)
        # 5: a run launched through the API, as the UI's "Materialize all" / Launchpad does.
        launched = time.perf_counter()
        run_id = api.launch_job("lc_pipeline_job")
        try:  # 1 needs the Definitions themselves; loaded while the run executes
            defined = _definitions_asset_keys(ctx.workspace)
            listed = {"/".join(n["assetKey"]["path"]) for n in served}
            criteria["all_assets_visible"] = Criterion(
                MET if defined <= listed else NOT_MET,
                f"{len(defined & listed)}/{len(defined)} assets of the Definitions listed by the UI's GraphQL API"
                + (f"; missing {sorted(defined - listed)}" if defined - listed else ""),
            )
        except Exception as error:
            criteria["all_assets_visible"] = Criterion(NOT_MEASURED, f"Definitions not loadable: {error}")
        status = _wait_run(api, run_id)
        result.run_seconds = time.perf_counter() - launched
        _judge_materialization(criteria, api, run_id, status)
        result.screenshot = _screenshot(
            ctx,
            Shot(
                # The global asset lineage (the "Lineage" page, which fits the whole graph to the
                # screen) with every group expanded (its shortcut, Alt+E).
                f"{server.url}/asset-groups",
                ctx.results_dir / "ui_dagster.png",
                wait_for=("quality_report", "stg_accounts", "customers_raw"),
                clicks=("Skip", "key:Alt+e"),
                viewport=WIDE,
            ),
        )
        reload = result.hot_reload = _dagster_hot_reload(ctx, api, location)
        criteria["hot_reload_works"] = Criterion(
            MET if reload.seconds is not None else NOT_MET,
            f"new asset `{PROBE_NAME}` added to the code location's copy: listed {reload.seconds:.1f} s after "
            f"the save, the reload sent at once ({reload.how})"
            if reload.seconds is not None
            else reload.note or "not listed",
        )
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        _finish(server, result)
    for key, _ in CRITERIA:
        criteria.setdefault(key, Criterion(NOT_MEASURED, f"not reached: {result.error or 'stopped early'}"[:300]))
    return result


def _judge_graph(criteria: dict[str, Criterion], served: list[dict[str, Any]], manifest: Path) -> None:
    """Criteria 2 and 3: the served graph against the harness's true lineage graph and dbt's models."""
    if not manifest.exists():
        for key in ("lineage_complete", "dbt_models_are_assets"):
            criteria[key] = Criterion(NOT_MEASURED, f"no dbt manifest at {manifest}")
        return
    truth = true_lineage(manifest)
    result = coverage("dagster", truth, _lineage_from_nodes(served))
    missing = ", ".join(f"{a} → {b}" for a, b in result.missing_edges[:6])
    criteria["lineage_complete"] = Criterion(
        MET if not result.missing_edges else NOT_MET,
        f"{result.known_edges}/{result.total_edges} edges of the true lineage graph (bench/lineage/graph.py) in the "
        f"served asset graph" + (f"; missing {missing}" if missing else ""),
    )
    models = {
        node["name"] for uid, node in json.loads(manifest.read_text())["nodes"].items() if uid.startswith("model.")
    }
    dbt_assets = {"/".join(n["assetKey"]["path"]) for n in served if "dbt" in (n.get("kinds") or [])}
    criteria["dbt_models_are_assets"] = Criterion(
        MET if models <= dbt_assets else NOT_MET,
        f"{len(models & dbt_assets)}/{len(models)} dbt models are assets of kind dbt (from `@dbt_assets`, no per-model code)"
        + (f"; missing {sorted(models - dbt_assets)}" if models - dbt_assets else ""),
    )


def _wait_run(api: DagsterApi, run_id: str) -> str:
    status = "UNKNOWN"

    def ended() -> bool:
        nonlocal status
        status = api.run_status(run_id)
        return status in ("SUCCESS", "FAILURE", "CANCELED")

    poll_until(ended, RUN_TIMEOUT, every=2)
    return status


def _judge_materialization(criteria: dict[str, Criterion], api: DagsterApi, run_id: str, status: str) -> None:
    nodes = [n for n in api.asset_nodes() if n["isMaterializable"]]
    fresh = [n for n in nodes if n["assetMaterializations"] and n["assetMaterializations"][0]["runId"] == run_id]
    ok = status == "SUCCESS" and len(fresh) == len(nodes)
    criteria["materialization_succeeds"] = Criterion(
        MET if ok else NOT_MET,
        f"`lc_pipeline_job` launched through GraphQL `launchRun`: {status}; {len(fresh)}/{len(nodes)} "
        "materializable assets materialized by that run",
    )


def _dagster_hot_reload(ctx: UiContext, api: DagsterApi, location: str) -> HotReload:
    """Add an asset, then do at once what the UI's "Reload definitions" button does; time from the save.

    Then (not in quick mode) whether ``dagster dev`` picks up a second change with no click: watched
    for 15 s after that save, outside the timed figure.
    """
    add_dagster_asset(ctx.workspace)
    saved = time.perf_counter()
    outcome = api.reload_location(location)
    seen = _wait(lambda: PROBE_NAME in api.loaded_asset_keys(), RELOAD_TIMEOUT)
    if seen is None:
        return HotReload(None, note=f"not listed {RELOAD_TIMEOUT:.0f} s after reload ({outcome})")
    seconds = time.perf_counter() - saved
    automatic = None
    if not ctx.quick:
        second = f"{PROBE_NAME}_2"
        add_dagster_asset(ctx.workspace, second)
        automatic = _wait(lambda: second in api.loaded_asset_keys(), 15.0, every=1.0) is not None
    return HotReload(
        seconds,
        how="reloadRepositoryLocation, what the UI's Reload button sends"
        + ("; a change is not picked up without it (watched 15 s)" if automatic is False else ""),
        action="click Reload in the UI",
        automatic=automatic,
    )


# --- Airflow --------------------------------------------------------------------------------------


def airflow_ui(ctx: UiContext) -> ToolUi:
    server = _server(ctx, "airflow")
    result = ToolUi("airflow", " ".join(server.command), _newcomer(server, airflow_ui_settings(ctx.workspace)))
    api = AirflowApi(server.url, server.state_dir / "airflow_home")
    server.start()
    try:
        _readiness(server, result, api.healthy, lambda: "check_inputs" in api.task_ids("lc_pipeline"))
        result.config_files = config_files(server.state_dir / "airflow_home")
        result.screenshot = _screenshot(
            ctx,
            Shot(
                f"{server.url}/dags/lc_pipeline",
                ctx.results_dir / "ui_airflow.png",
                wait_for=("check_inputs", "transform", "quality_report"),
                cookies=({"name": "_token", "value": api.token(), "url": server.url},),
                # The graph with the dbt task group expanded (every cosmos task) and the Assets the
                # tasks update drawn beside them (Options > Dependencies > External conditions), on a
                # screen as long as the DAG.
                clicks=(
                    "Collapse Details Panel",
                    "Show Graph (Press g)",
                    "Expand all task groups",
                    "Options",
                    "combobox:Dependencies",
                    "option:External conditions",
                    "Options",  # closes the options again
                ),
                viewport=LONG,
            ),
        )
        add_airflow_task(ctx.workspace)
        seen = _wait(lambda: PROBE_NAME in api.task_ids("lc_pipeline"), RELOAD_TIMEOUT, every=1.0)
        result.hot_reload = (
            HotReload(
                seen,
                how="DAG file changed; picked up by the DAG processor "
                "(default min_file_process_interval 30 s), seen in the REST API",
                action="none",
                automatic=True,
            )
            if seen is not None
            else HotReload(None, note=f"new task not listed within {RELOAD_TIMEOUT:.0f} s")
        )
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        _finish(server, result)
    return result


# --- Prefect --------------------------------------------------------------------------------------


def prefect_ui(ctx: UiContext) -> ToolUi:
    server = _server(ctx, "prefect")
    result = ToolUi("prefect", " ".join(server.command), _newcomer(server))
    api = PrefectApi(server.url)
    server.start()
    try:
        _readiness(server, result, lambda: api.healthy() and answers(server.url), None)
        result.config_files = config_files(server.state_dir / "prefect_home")
        first = _flow_run(ctx, server, "run1")
        result.run_seconds = first.seconds
        if first.returncode != 0:
            raise RuntimeError(f"the flow run failed: {first.tail}")
        run_id = api.flow_runs()[0]["id"]
        result.screenshot = _screenshot(
            ctx,
            Shot(
                f"{server.url}/runs/flow-run/{run_id}",
                ctx.results_dir / "ui_prefect.png",
                wait_for=("lc_pipeline", "dbt_build"),
                settle_seconds=4.0,
            ),
        )
        result.hot_reload = (
            HotReload(None, note="not measured in quick mode (it needs a second full flow run)")
            if ctx.quick
            else _prefect_hot_reload(ctx, server, api)
        )
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"
    finally:
        _finish(server, result)
    return result


@dataclass(frozen=True)
class _FlowRun:
    seconds: float
    returncode: int | None
    tail: str  # the log's last lines


def _flow_run(ctx: UiContext, server: UiServer, name: str, started: threading.Event | None = None) -> _FlowRun:
    """``python -m impl_prefect.launch.pipeline`` reporting to this server (docs/prefect.md's "watch a run live")."""
    env = {**server.env, "PREFECT_API_URL": f"{server.url}/api"}
    output = server.state_dir / name
    log = ctx.results_dir / "ui" / f"prefect_{name}.log"
    began = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(
            [
                str(interpreter("prefect")),
                "-m",
                "impl_prefect.launch.pipeline",
                "--input",
                str(ctx.input_dir),
                "--output",
                str(output),
            ],
            cwd=ctx.workspace,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if started:
            started.set()
        try:
            process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    return _FlowRun(time.perf_counter() - began, process.returncode, " | ".join(tail))


def _prefect_hot_reload(ctx: UiContext, server: UiServer, api: PrefectApi) -> HotReload:
    """Change the flow, start the next run right away; time until the server shows the new task run."""
    add_prefect_task(ctx.workspace)
    saved = time.perf_counter()
    started = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(_flow_run, ctx, server, "run2", started)
        started.wait(timeout=60)
        seen = _wait(lambda: bool(api.task_runs_named(PROBE_NAME)), RELOAD_TIMEOUT, every=0.5)
        seen_at = time.perf_counter()
        run = second.result()
    if seen is None:
        return HotReload(None, note=f"new task run not seen ({run.tail})")
    return HotReload(
        seen_at - saved,
        how="flow file changed, next run started at once (`python -m impl_prefect.launch.pipeline`); "
        "its new task run shows in the server's API",
        action="start the next run (no code location to reload)",
        next_run_seconds=run.seconds,
        next_run_ok=run.returncode == 0,
    )


SCENARIOS: dict[str, Callable[[UiContext], ToolUi]] = {
    "dagster": dagster_ui,
    "airflow": airflow_ui,
    "prefect": prefect_ui,
}


@contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """Let the servers stop on SIGTERM even when the harness was started with SIGINT ignored.

    ``dagster dev`` maps SIGTERM onto its SIGINT handler; a process started in the background of a
    non-interactive shell inherits SIGINT *ignored*, and so does everything it starts: SIGTERM would
    then be ignored too. Children inherit the disposition set here (main thread only).
    """
    previous = signal.getsignal(signal.SIGINT)
    if previous == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous == signal.SIG_IGN:
            signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_ui_section(ctx: UiContext, tools: list[str]) -> UiResults:
    """Every tool's scenario, one after another."""
    with _sigint_not_ignored():
        return _run_scenarios(ctx, tools)


def _run_scenarios(ctx: UiContext, tools: list[str]) -> UiResults:
    began = time.perf_counter()
    results = {name: SCENARIOS[name](ctx) for name in tools}
    return UiResults("one after another", time.perf_counter() - began, ctx.browser_note, results)
