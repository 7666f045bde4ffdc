"""The UI section: each tool's UI started, measured, shown in a browser, hot-reloaded, stopped.

One function per tool runs one start of its scenario and adds what it observed to the tool's
:class:`bench.ui.results.ToolUi` (``None`` with a reason when something could not be observed). The
ADR's five validation criteria are judged from the Dagster scenario's observations, through the
GraphQL API the Dagster UI itself uses.

Each UI is started ``starts`` times (the session's repeats: as many as its rounds, at most three;
once in quick mode), interleaved (Dagster, Airflow,
Prefect, then again), one UI at a time, so each time to ready is measured on an otherwise idle
harness and a slow spell of the shared machine falls on every tool alike. Every start is cold: a new
copy of the code and new tool state, and every start makes one hot-reload edit (bench/ui/reload.py),
so the times to ready and the hot reloads are samples, one per start. The first start also takes
the screenshot, reads the config files and the memory, and checks the criteria; a UI whose start
failed is not started again. ``--quick`` runs Dagster's alone, to keep the session short
(bench/ui/test_ui.py).
"""

from __future__ import annotations

import json
import shutil
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.deployed.clients import AirflowApi as AirflowRuns
from bench.lineage.graph import Lineage, coverage, true_lineage
from bench.lineage.introspect import data_nodes
from bench.ui.browser import BrowserService, Shot
from bench.ui.launch import (
    LAST_STEP,
    PROBE_NAME,
    TOOLS,
    AirflowApi,
    DagsterApi,
    PrefectApi,
    UiServer,
    airflow_ui_settings,
    answers,
    base_environment,
    config_files,
    make_workspace,
    recipe_commands,
    workspace_value,
)
from bench.ui.reload import (
    AIRFLOW_DAG,
    AUTOMATIC_WATCH,
    DAGSTER_JOB,
    RUN_TIMEOUT,
    ProbeRun,
    airflow_hot_reload,
    dagster_hot_reload,
    prefect_hot_reload,
    wait_dagster_run,
    watch_for_automatic_pickup,
)
from bench.ui.results import Criterion, HotReload, Newcomer, Screenshot, ToolUi, UiResults
from bench.ui.settings import newcomer_settings
from bench.ui.subjects import FLOOR, OURS, SUBJECTS, Subject
from core.implementations import interpreter
from core.services import free_port
from core.settings import INPUT_DIR_ENV, OUTPUT_DIR_ENV

# Screens on which each tool's whole graph of our pipeline stays legible.
WIDE = (2400, 1350)
LONG = (4800, 900)  # Airflow's graph of the expanded dbt group and its Assets is one long row
READY_TIMEOUT = 600.0  # seconds; a loaded 2-core machine took over 2 minutes for dagster dev
RELOAD_OUTPUT = "reload_run"  # the output folder, under the tool's state, of the run after the edit
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
    workspace: Path  # the section's folder; each start works in a copy of the code made under it
    results_dir: Path
    input_dir: Path
    quick: bool
    starts: int  # how many times each UI is started
    browser: BrowserService | None
    browser_note: str  # why there are no screenshots, when there are none
    start: int = 1  # which start of the tool's UI this is (1: the one that also screenshots and checks)

    @property
    def first(self) -> bool:
        return self.start == 1

    def named(self, name: str) -> str:
        """A file name for this start: ``name`` on the first, ``name-<start>`` on the others."""
        return name if self.first else f"{name}-{self.start}"


def _start_context(ctx: UiContext, tool: str, start: int) -> UiContext:
    """A new copy of the code for one start: the previous start's edit and tool state are gone."""
    return replace(ctx, workspace=make_workspace(ctx.workspace / f"{tool}-{start}"), start=start)


def _server(ctx: UiContext, name: str, subject: Subject) -> UiServer:
    label = f"{name}-floor" if subject.floor else name
    state = ctx.workspace / "state" / label
    env = base_environment(ctx.workspace, {INPUT_DIR_ENV: str(ctx.input_dir), OUTPUT_DIR_ENV: str(state / "run")})
    log = ctx.results_dir / "ui" / f"{ctx.named(label)}.log"
    return UiServer(TOOLS[name], ctx.workspace, free_port(), state, log, env, subject.make_variables)


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


def _finish(ctx: UiContext, server: UiServer, result: ToolUi) -> None:
    """Stop the server; the first start's memory and log are the tool's."""
    result.stops.append(server.stop())
    if ctx.first:
        result.peak_rss_mib = round(server.peak_rss_mib)
        result.peak_rss_mib_at_ready = round(server.peaks["ready"]) if "ready" in server.peaks else None
        result.log = str(server.log_path)


def _failed(ctx: UiContext, result: ToolUi, error: Exception) -> None:
    """Keep the first error, naming the start it happened in after the first."""
    where = "" if ctx.first else f"start {ctx.start}: "
    result.error = result.error or f"{where}{type(error).__name__}: {error}"


def _readiness(
    server: UiServer, result: ToolUi, answering: Callable[[], bool], listed: Callable[[], bool] | None
) -> None:
    """Time from the command to the UI answering, and to our pipeline being listed in it: one sample each."""
    result.answers_samples.append(server.wait_until("answers", answering, READY_TIMEOUT))
    if listed is not None:
        result.listed_samples.append(server.wait_until("ready", listed, READY_TIMEOUT))
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


def dagster_ui(ctx: UiContext, result: ToolUi | None, subject: Subject) -> ToolUi:
    """One start of ``make dagster-dev``: ready, (our first start) the criteria and a screenshot, one edit."""
    server = _server(ctx, "dagster", subject)
    result = result or ToolUi("dagster", " ".join(server.command), _newcomer(server))
    result.starts += 1
    api = DagsterApi(server.url)
    server.start()
    try:
        _readiness(
            server,
            result,
            lambda: answers(f"{server.url}/server_info"),
            lambda: subject.first_step in api.loaded_asset_keys(),
        )
        location = next(e["name"] for e in api.locations() if e["loadStatus"] == "LOADED")
        ours_first = ctx.first and not subject.floor
        if ours_first:
            _dagster_first_look(ctx, server, api, result)
        output = server.state_dir / RELOAD_OUTPUT
        reload = dagster_hot_reload(ctx.workspace, api, location, subject, ctx.input_dir, output)
        if ours_first:  # untimed, after the timed edit: is anything picked up with no Reload at all?
            reload = replace(reload, automatic=watch_for_automatic_pickup(ctx.workspace, api))
        result.hot_reloads.append(reload)
    except Exception as error:
        _failed(ctx, result, error)
    finally:
        _finish(ctx, server, result)
    return result


def _dagster_first_look(ctx: UiContext, server: UiServer, api: DagsterApi, result: ToolUi) -> None:
    """The first start's checks: config files, criteria 1, 2, 3 and 5 (a run launched through the
    API), and the screenshot of the materialized graph."""
    criteria = result.criteria
    result.config_files = config_files(server.state_dir)
    served = api.asset_nodes()
    manifest = ctx.workspace / "dbt" / "target" / "dagster" / "manifest.json"
    _judge_graph(criteria, served, manifest)
    # 5: a run launched through the API, as the UI's "Materialize all" / Launchpad does.
    launched = time.perf_counter()
    run_id = api.launch_job(DAGSTER_JOB)
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
    status = wait_dagster_run(api, run_id)
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


def judge_hot_reload(reloads: list[HotReload]) -> Criterion:
    """Criterion 4 over every edit: met when each new asset was listed after the Reload and a run
    materialized it; the evidence names the action, and says whether anything is picked up without it."""
    if not reloads:
        return Criterion(NOT_MEASURED, "no edit was made")
    done = [r for r in reloads if r.ok]
    automatic = next((r.automatic for r in reloads if r.automatic is not None), None)
    without = {
        True: f"`dagster dev` also listed a second new asset with no Reload within {AUTOMATIC_WATCH:.0f} s",
        False: f"nothing is picked up without it: a second new asset, saved with no Reload, was not listed "
        f"within {AUTOMATIC_WATCH:.0f} s",
        None: "whether anything is picked up without it was not checked",
    }[automatic]
    action = (
        "a Reload of the code location taken at once after the save (GraphQL `reloadRepositoryLocation`, what "
        "the UI's Reload button sends)"
    )
    if len(done) < len(reloads):
        failed = next(r for r in reloads if not r.ok)
        return Criterion(
            NOT_MET,
            f"after {action}, {len(done)}/{len(reloads)} new assets listed and materialized by a run; "
            f"{failed.note or 'not listed'}; {without}",
        )
    listed = statistics.median(r.listed_seconds or 0.0 for r in done)
    whole = statistics.median(r.seconds or 0.0 for r in done)
    return Criterion(
        MET,
        f"met after {action}: in {len(done)}/{len(reloads)} edits the new asset `{PROBE_NAME}` (downstream of "
        f"`{LAST_STEP}`) was listed (median {listed:.1f} s after the save) and materialized by a run of "
        f"`{DAGSTER_JOB}` (save to run finished: median {whole:.1f} s); {without}",
    )


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


def _judge_materialization(criteria: dict[str, Criterion], api: DagsterApi, run_id: str, status: str) -> None:
    nodes = [n for n in api.asset_nodes() if n["isMaterializable"]]
    fresh = [n for n in nodes if n["assetMaterializations"] and n["assetMaterializations"][0]["runId"] == run_id]
    ok = status == "SUCCESS" and len(fresh) == len(nodes)
    criteria["materialization_succeeds"] = Criterion(
        MET if ok else NOT_MET,
        f"`lc_pipeline_job` launched through GraphQL `launchRun`: {status}; {len(fresh)}/{len(nodes)} "
        "materializable assets materialized by that run",
    )


# --- Airflow --------------------------------------------------------------------------------------


def airflow_ui(ctx: UiContext, result: ToolUi | None, subject: Subject) -> ToolUi:
    """One start of ``make airflow-ui``: ready, (our first start) a screenshot, one edit."""
    server = _server(ctx, "airflow", subject)
    if result is None:
        settings = [] if subject.floor else airflow_ui_settings(ctx.workspace)
        result = ToolUi("airflow", " ".join(server.command), _newcomer(server, settings))
    result.starts += 1
    home = server.state_dir / "airflow_home"
    api = AirflowApi(server.url, home)
    server.start()
    try:
        _readiness(server, result, api.healthy, lambda: subject.first_step in api.task_ids(subject.graph))
        if ctx.first and not subject.floor:
            result.config_files = config_files(home)
            result.screenshot = _airflow_screenshot(ctx, server, api)
        if not api.unpause(subject.graph):
            raise RuntimeError(f"{subject.graph} stayed paused")
        runs = AirflowRuns(server.url, home, subject.graph)
        try:
            output = server.state_dir / RELOAD_OUTPUT
            reload = airflow_hot_reload(ctx.workspace, api, runs, subject, ctx.input_dir, output)
        finally:
            runs.close()
        result.hot_reloads.append(reload)
    except Exception as error:
        _failed(ctx, result, error)
    finally:
        _finish(ctx, server, result)
    return result


def _airflow_screenshot(ctx: UiContext, server: UiServer, api: AirflowApi) -> Screenshot:
    return _screenshot(
        ctx,
        Shot(
            f"{server.url}/dags/{AIRFLOW_DAG}",
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


# --- Prefect --------------------------------------------------------------------------------------


def prefect_ui(ctx: UiContext, result: ToolUi | None, subject: Subject) -> ToolUi:
    """One start of ``make prefect-ui``: ready, (our first start) a first run and a screenshot, one edit."""
    server = _server(ctx, "prefect", subject)
    result = result or ToolUi("prefect", " ".join(server.command), _newcomer(server))
    result.starts += 1
    api = PrefectApi(server.url)
    server.start()
    try:
        _readiness(server, result, lambda: api.healthy() and answers(server.url), None)
        if ctx.first and not subject.floor:
            _prefect_first_run(ctx, server, api, result, subject)
        reload = prefect_hot_reload(ctx.workspace, api, subject, lambda: _flow_run(ctx, server, subject, RELOAD_OUTPUT))
        result.hot_reloads.append(reload)
    except Exception as error:
        _failed(ctx, result, error)
    finally:
        _finish(ctx, server, result)
    return result


def _prefect_first_run(ctx: UiContext, server: UiServer, api: PrefectApi, result: ToolUi, subject: Subject) -> None:
    """The first start's checks: config files, a first run (the flow shows with it), its screenshot."""
    result.config_files = config_files(server.state_dir / "prefect_home")
    first = _flow_run(ctx, server, subject, "run1")
    result.run_seconds = first.seconds
    if not first.ok:
        raise RuntimeError(f"the flow run failed: {first.detail}")
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


def _flow_run(ctx: UiContext, server: UiServer, subject: Subject, name: str) -> ProbeRun:
    """One run of the subject's flow (``python -m impl_prefect.launch.pipeline`` for ours, docs/prefect.md's
    "watch a run live") reporting to this server, writing ``<state>/<name>``; ``ok`` is its exit status 0,
    ``detail`` its log's last lines."""
    env = {**server.env, "PREFECT_API_URL": f"{server.url}/api"}
    output = server.state_dir / name
    log = ctx.results_dir / "ui" / f"prefect{'-floor' if subject.floor else ''}_{ctx.named(name)}.log"
    began = time.perf_counter()
    with log.open("w") as handle:
        process = subprocess.Popen(
            [
                str(interpreter("prefect")),
                *subject.run_command,
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
        try:
            process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    tail = log.read_text(errors="replace").strip().splitlines()[-3:]
    return ProbeRun(time.perf_counter() - began, process.returncode == 0, " | ".join(tail))


SCENARIOS: dict[str, Callable[[UiContext, ToolUi | None, Subject], ToolUi]] = {
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
    """Every tool's scenario, ``ctx.starts`` starts each, interleaved; each beside its floor (not in quick
    mode). Every start runs the whole pipeline once after its edit (Airflow's run, one task at a time
    with a process each, is most of a start's time)."""
    with _sigint_not_ignored():
        return _run_scenarios(ctx, tools)


def start_order(tools: list[str], starts: int) -> list[tuple[int, str]]:
    """(start, tool) in the order the UIs are started: each tool once, then each again, so a slow
    spell of the shared machine is spread over the tools instead of falling on one."""
    return [(start, tool) for start in range(1, starts + 1) for tool in tools]


def _run_scenarios(ctx: UiContext, tools: list[str]) -> UiResults:
    began = time.perf_counter()
    starts = ctx.starts
    kinds = (OURS,) if ctx.quick else (OURS, FLOOR)
    results: dict[tuple[str, str], ToolUi] = {}
    for start, name in start_order(tools, starts):
        for kind in kinds:
            key = (name, kind)
            if key in results and results[key].error:
                continue  # a UI that failed once is not started again: it would most likely fail the same way
            start_ctx = _start_context(ctx, f"{name}-{kind}", start)
            try:
                results[key] = SCENARIOS[name](start_ctx, results.get(key), SUBJECTS[name][kind])
            finally:
                shutil.rmtree(start_ctx.workspace, ignore_errors=True)
    if ("dagster", OURS) in results:
        _settle_criteria(results["dagster", OURS])
    order = ", ".join(tools)
    floors = " (each beside its hello world, the tool's floor)" if FLOOR in kinds else ""
    mode = (
        f"{starts} start(s) of each UI{floors}, interleaved ({order}, then again)"
        if starts > 1
        else f"one start of each UI{floors}"
    )
    return UiResults(
        mode,
        time.perf_counter() - began,
        ctx.browser_note,
        {n: results[n, OURS] for n in tools if (n, OURS) in results},
        {n: results[n, FLOOR] for n in tools if (n, FLOOR) in results},
    )


def _settle_criteria(dagster: ToolUi) -> None:
    """Criterion 4 from every start's edit; any criterion never reached is "not measured", with why."""
    if dagster.hot_reloads:
        dagster.criteria["hot_reload_works"] = judge_hot_reload(dagster.hot_reloads)
    for key, _ in CRITERIA:
        dagster.criteria.setdefault(
            key, Criterion(NOT_MEASURED, f"not reached: {dagster.error or 'stopped early'}"[:300])
        )
