"""After a run: what each tool itself recorded, read back through the tool's own API.

For each implementation this returns the lineage graph the tool knows (named like the true graph of
:mod:`bench.lineage.graph`), which of its nodes the tool stores as data objects (assets, Assets) rather
than only as tasks, and the data-quality checks it records as first-class results. It runs in a
separate process per implementation (``python -m bench.lineage.introspect IMPL OUTPUT_DIR``), so one
tool's imports and settings never leak into another's.

Tool names are mapped onto the true graph's names by the implementations' naming conventions:
``<table>_csv`` is the input file, ``<table>_raw`` is ``raw.<table>``, ``<table>_files`` is that table's output files,
``quality_report`` is ``quality_report.json``, a dbt node is its model's name (Dagster). Airflow's
Assets ``lc-pipeline://<kind>/<name>`` and Prefect's asset keys (``duckdb://<db>/<schema>/<table>``,
``lcpipeline://<kind>/<file>``) name their table or file; a cosmos ``<group>.<model>.run`` task is its dbt model.
Tasks and task runs that are not data products keep their own names: they are the non-data nodes
through which :func:`bench.lineage.graph.coverage` follows a path.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.child import report, run_python
from core.implementations import interpreter
from core.layout import INPUT_FILES, OUTPUT_TABLES, QUALITY_REPORT, RAW_SCHEMA

_FILES = {t.table: [f"file:{t.table}.{fmt}" for fmt in t.formats] for t in OUTPUT_TABLES}


def data_nodes(tool_name: str) -> list[str]:
    """The true-graph nodes a tool object stands for (none when it is not a data product)."""
    if tool_name.endswith("_csv"):
        return [f"file:{tool_name.removesuffix('_csv')}.csv"]
    if tool_name.endswith("_raw"):
        return [f"{RAW_SCHEMA}.{tool_name.removesuffix('_raw')}"]
    if tool_name.endswith("_files") and tool_name.removesuffix("_files") in _FILES:
        return _FILES[tool_name.removesuffix("_files")]
    if tool_name == "quality_report":
        return [f"file:{QUALITY_REPORT}"]
    return [tool_name]


def _named(edges: Iterable[tuple[str, str]]) -> dict[str, list]:
    """Tool edges mapped onto true-graph names (a tool object may stand for several nodes)."""
    named = {(a, b) for parent, child in edges for a in data_nodes(parent) for b in data_nodes(child)}
    return {"nodes": sorted({n for edge in named for n in edge}), "edges": sorted(named)}


def dagster(output_dir: Path) -> dict[str, Any]:
    """The asset graph of the definitions, the assets the run's instance materialized, its checks."""
    from dagster import DagsterEventType, DagsterInstance

    from impl_dagster.definitions import defs

    graph = defs.resolve_asset_graph()
    with DagsterInstance.from_config(str(output_dir / "dagster_home")) as instance:
        run = instance.get_runs(limit=1)[0]
        materialized = {
            record.get_dagster_event().asset_key.to_user_string()
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
        }
        checks = [
            record.get_dagster_event().event_specific_data
            for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        ]
    edges = [
        (parent.to_user_string(), key.to_user_string())
        for key in graph.get_all_asset_keys()
        if key.to_user_string() in materialized
        for parent in graph.get(key).parent_keys
    ]
    lineage = _named(edges)
    lineage["nodes"] = sorted(set(lineage["nodes"]) | {n for m in materialized for n in data_nodes(m)})
    return {
        "lineage": lineage,
        "data_objects": lineage["nodes"],  # every node is named from an asset key
        "lineage_note": "asset graph of the Definitions, assets materialized in the run (instance event log)",
        "checks": {
            "queryable": len(checks),
            "failed": sum(not c.passed for c in checks),
            "note": "asset check evaluations in the run's event log (dbt tests and our own checks)",
        },
    }


def scripts(output_dir: Path) -> dict[str, Any]:
    """Plain scripts keep no metadata of their own: dbt's artifacts and the report are files only."""
    return {
        "lineage": {"nodes": [], "edges": []},
        "data_objects": [],
        "lineage_note": "none: no orchestrator records it (dbt's manifest.json knows the dbt part only)",
        "checks": {
            "queryable": 0,
            "failed": 0,
            "note": "none queryable; results only in dbt's run_results.json and quality_report.json",
        },
    }


def _graph(edges: Iterable[tuple[str, str]], nodes: Iterable[str] = ()) -> dict[str, list]:
    """Edges already named like the true graph (self-loops dropped), and their nodes."""
    kept = {(a, b) for a, b in edges if a != b}
    return {"nodes": sorted({n for edge in kept for n in edge} | set(nodes)), "edges": sorted(kept)}


_AIRFLOW_ASSET_URI = re.compile(r"^lc-pipeline://(input|warehouse|output)/(.+)$")
_AIRFLOW_TEST_OPERATOR = re.compile(r"^Dbt\w*Test\w*Operator$")  # cosmos: DbtTestLocalOperator, ...
_AIRFLOW_MODEL_OPERATOR = re.compile(r"^Dbt\w*(Run|Build)\w*Operator$")


def _airflow_asset_node(uri: str) -> str:
    """``lc-pipeline://warehouse/raw.customers`` -> ``raw.customers``; input and output kinds are files."""
    match = _AIRFLOW_ASSET_URI.match(uri)
    if not match:
        return uri
    kind, name = match.groups()
    return name if kind == "warehouse" else f"file:{name}"


def _airflow_task_node(task_id: str, operator: str) -> str:
    """A cosmos model task (``transform.<model>.run``) is its dbt model; any other task is itself."""
    parts = task_id.rsplit(".", 2)
    if _AIRFLOW_MODEL_OPERATOR.match(operator or "") and len(parts) == 3 and parts[2] in {"run", "build"}:
        return parts[1]
    return task_id


def airflow(output_dir: Path) -> dict[str, Any]:
    """The run's metadata DB: its serialized DAG (tasks, dependencies, Assets), asset events, test tasks.

    Reads ``<output_dir>/airflow_home/airflow.db`` through Airflow's ORM models, in this (fresh)
    process with the run's Airflow environment set before Airflow is imported.
    """
    from impl_airflow.config import DAG_ID, airflow_environment, airflow_home

    home = airflow_home(output_dir)
    if not (home / "airflow.db").is_file():
        raise FileNotFoundError(f"no Airflow metadata DB in {home}")
    os.environ.update(airflow_environment(home))  # before the first `import airflow`

    from airflow.models.asset import AssetEvent
    from airflow.models.dagrun import DagRun
    from airflow.models.serialized_dag import SerializedDagModel
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID).order_by(DagRun.id.desc()).limit(1)).first()
        if run is None:
            raise LookupError(f"no run of {DAG_ID} in {home}")
        # The DAG as serialized for this run (its DAG version), else the latest serialized one.
        serialized = None
        if run.created_dag_version_id is not None:
            serialized = session.scalars(
                select(SerializedDagModel).where(SerializedDagModel.dag_version_id == run.created_dag_version_id)
            ).first()
        if serialized is None:
            serialized = SerializedDagModel.get(DAG_ID, session=session)
        if serialized is None:
            raise LookupError(f"{DAG_ID} was never serialized in {home}")
        dag = serialized.dag
        instances = session.scalars(
            select(TaskInstance).where(TaskInstance.dag_id == DAG_ID, TaskInstance.run_id == run.run_id)
        ).all()
        states = {ti.task_id: (ti.operator or "", str(ti.state) if ti.state else "none") for ti in instances}
        events = [
            (event.source_task_id, event.uri)
            for event in session.scalars(
                select(AssetEvent).where(AssetEvent.source_dag_id == DAG_ID, AssetEvent.source_run_id == run.run_id)
            )
        ]
        run_id, run_state = run.run_id, str(run.state)

    operator = {task.task_id: task.task_type for task in dag.tasks}
    operator.update({task_id: op for task_id, (op, _) in states.items() if task_id not in operator})

    def task_node(task_id: str) -> str:
        return _airflow_task_node(task_id, operator.get(task_id, ""))

    # Task order is not lineage: only the dependencies cosmos rendered from dbt's ref() graph (both
    # ends cosmos dbt operators) are; every other link must be an inlet or outlet Asset.
    dbt_tasks = {task_id for task_id, op in operator.items() if op.startswith("Dbt")}
    edges: set[tuple[str, str]] = set()
    for task in dag.tasks:
        node = task_node(task.task_id)
        if task.task_id in dbt_tasks:
            edges.update((node, task_node(child)) for child in task.downstream_task_ids if child in dbt_tasks)
        edges.update((_airflow_asset_node(a.uri), node) for a in task.inlets if getattr(a, "uri", None))
        edges.update((node, _airflow_asset_node(a.uri)) for a in task.outlets if getattr(a, "uri", None))
    edges.update((task_node(task_id), _airflow_asset_node(uri)) for task_id, uri in events if task_id)
    lineage = _graph(edges, nodes=[_airflow_asset_node(uri) for _, uri in events])
    assets = {_airflow_asset_node(uri) for _, uri in events} | {
        _airflow_asset_node(a.uri)
        for task in dag.tasks
        for a in (*task.inlets, *task.outlets)
        if getattr(a, "uri", None)
    }
    # Their inputs reach such tasks only through task order (what ran before them), not as Assets.
    no_inlets = sorted(
        task.task_id
        for task in dag.tasks
        if task.outlets and not task.inlets and task_node(task.task_id) == task.task_id
    )

    tests = {task_id: state for task_id, (op, state) in states.items() if _AIRFLOW_TEST_OPERATOR.match(op)}
    failed = sorted(task_id for task_id, state in tests.items() if state == "failed")
    return {
        "lineage": lineage,
        "data_objects": sorted(assets),  # Assets; a cosmos model task is a task, not a data object
        "lineage_note": (
            f"serialized DAG of run {run_id} ({run_state}) in the metadata DB: task dependencies and "
            f"task inlets/outlets (Assets), plus the run's {len(events)} asset events; a cosmos "
            "<model>.run task stands for its dbt model; task order outside the dbt group is not counted; "
            f"tasks with outlets but no inlets: {', '.join(no_inlets) or 'none'}"
        ),
        "checks": {
            "queryable": len(tests),
            "failed": len(failed),
            "note": (
                f"task instances of the run with a cosmos dbt test operator ({len(tests)}: one per model's "
                "tests plus detached multi-model tests), state from the metadata DB; individual dbt test "
                "results are only in task logs; our own quality checks are not recorded by Airflow"
                + (f"; failed: {', '.join(failed)}" if failed else "")
            ),
        },
    }


def _prefect_asset_node(key: str) -> str:
    """``duckdb://warehouse/raw/customers`` -> ``raw.customers``, ``.../main/<model>`` -> ``<model>``,
    ``lcpipeline://input/<file>`` or ``.../output/<file>`` -> ``file:<file>``."""
    if key.startswith("lcpipeline://"):
        return f"file:{key.rstrip('/').rsplit('/', 1)[-1]}"
    _, sep, rest = key.partition("://")
    parts = rest.split("/") if sep else []
    if len(parts) == 3:  # <database>/<schema>/<table>, the key prefect-dbt gives a relation
        _, schema, table = parts
        return f"{schema}.{table}" if schema == RAW_SCHEMA else table
    return key


@contextmanager
def prefect_flow_run(output_dir: Path) -> Iterator[tuple[Any, Any, list[Any]]]:
    """The latest ``lc_pipeline`` flow run of a run's own Prefect database, its task runs, and a client.

    Starts Prefect's temporary server on ``<output_dir>/prefect_home/prefect.db`` (as the run did,
    :func:`impl_prefect.launch.runtime.prefect_runtime`); the client reads more while the block lasts.
    """
    from impl_prefect.launch.runtime import prefect_home, prefect_runtime, read_task_runs

    home = prefect_home(output_dir)
    if not (home / "prefect.db").is_file():
        raise FileNotFoundError(f"no Prefect database in {home}")
    os.environ.pop("PREFECT_API_URL", None)  # the run's own database, not whatever server is configured

    with prefect_runtime(home):
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import FlowFilter, FlowFilterName
        from prefect.client.schemas.sorting import FlowRunSort

        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=["lc_pipeline"])),
                sort=FlowRunSort.START_TIME_DESC,
                limit=20,
            )
            if not runs:
                raise LookupError(f"no lc_pipeline flow run in {home}")
            ours = [r for r in runs if str(r.parameters.get("output_dir") or "") == str(output_dir)]
            flow_run = (ours or runs)[0]
            task_runs = read_task_runs(client, flow_run.id)
            yield client, flow_run, task_runs


def prefect_events(client: Any, flow_run: Any, prefix: str) -> list[Any]:
    """Every event of the flow run whose name starts with ``prefix``, all pages."""
    from datetime import timedelta

    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter, EventRelatedFilter

    started = flow_run.start_time or flow_run.expected_start_time or flow_run.created
    since = started - timedelta(hours=1) if started else None  # None: the filter's default, 180 days
    page = client.read_events(
        filter=EventFilter(
            occurred=EventOccurredFilter(since=since) if since else EventOccurredFilter(),
            event=EventNameFilter(prefix=[prefix]),
            related=EventRelatedFilter(id=[f"prefect.flow-run.{flow_run.id}"]),
        ),
        limit=50,  # the events API's largest page
    )
    events = list(page.events)
    while page.next_page:
        page = client.read_events_page(str(page.next_page))
        events += page.events
    return events


def prefect(output_dir: Path) -> dict[str, Any]:
    """The run's Prefect database, through Prefect's API: task runs, asset events, artifacts."""
    with prefect_flow_run(output_dir) as (client, flow_run, task_runs):
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey

        events = prefect_events(client, flow_run, "prefect.asset.")
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id]),
                key=ArtifactFilterKey(any_=["lc-quality-checks"]),
            )
        )

    # Task runs: non-data nodes named as Prefect names them; task_inputs are their upstream runs.
    names: dict[str, str] = {}
    for task_run in task_runs:
        name = task_run.name
        names[str(task_run.id)] = name if name not in names.values() else f"{name} ({task_run.id})"
    edges: set[tuple[str, str]] = set()
    for task_run in task_runs:
        for inputs in task_run.task_inputs.values():
            for upstream in inputs:
                upstream_id = str(getattr(upstream, "id", ""))
                if getattr(upstream, "input_type", "") == "task_run" and upstream_id in names:
                    edges.add((names[upstream_id], names[str(task_run.id)]))
    # Asset events: materialized asset <- its upstream assets (role "asset") and the task run that
    # materialized it; a referenced asset -> the task run that referenced it.
    materialized: set[str] = set()
    for event in events:
        asset = _prefect_asset_node(event.resource.id)
        task_run_ids = [r.id.removeprefix("prefect.task-run.") for r in event.related if r.role == "task-run"]
        task_nodes = [names[i] for i in task_run_ids if i in names]
        if event.event == "prefect.asset.materialization.succeeded":
            materialized.add(asset)
            edges.update((_prefect_asset_node(r.id), asset) for r in event.related if r.role == "asset")
            edges.update((task, asset) for task in task_nodes)
        elif event.event == "prefect.asset.referenced":
            edges.update((asset, task) for task in task_nodes)
    lineage = _graph(edges, nodes=materialized)
    assets = {_prefect_asset_node(event.resource.id) for event in events} | {
        _prefect_asset_node(r.id) for event in events for r in event.related if r.role == "asset"
    }
    unrecorded = [spec.name for spec in INPUT_FILES if f"file:{spec.name}" not in lineage["nodes"]]

    tests = [t for t in task_runs if t.name.startswith("test ")]  # prefect-dbt: "test <dbt test name>"
    failed_tests = sorted(
        t.name for t in tests if t.state_type is not None and t.state_type.value in {"FAILED", "CRASHED"}
    )
    rows: list[dict[str, Any]] = []
    if artifacts:  # the latest version of the key in this flow run (a retried task publishes again)
        latest = max(artifacts, key=lambda a: str(a.created or ""))
        data: Any = json.loads(latest.data) if isinstance(latest.data, str) else latest.data
        rows = [row for row in data or [] if isinstance(row, dict)]
    failed_rows = sorted(str(row.get("check")) for row in rows if not row.get("passed"))
    return {
        "lineage": lineage,
        "data_objects": sorted(assets),
        "lineage_note": (
            f"flow run {flow_run.name} ({flow_run.state_type.value if flow_run.state_type else 'unknown'}) "
            f"via Prefect's API: {len(task_runs)} task runs (task_inputs = upstream runs) and "
            f"{len(events)} asset events (materialized asset <- upstream assets, task run -> asset)"
            + (f"; no asset for the input files {', '.join(unrecorded)}" if unrecorded else "")
        ),
        "checks": {
            "queryable": len(tests) + len(rows),
            "failed": len(failed_tests) + len(failed_rows),
            "note": (
                f"{len(tests)} dbt test task runs (prefect-dbt, 'test <name>', state per test) + "
                f"{len(rows)} rows of the lc-quality-checks table artifact (our checks, passed or not)"
                + (f"; failed: {', '.join(failed_tests + failed_rows)}" if failed_tests or failed_rows else "")
            ),
        },
    }


INTROSPECTORS = {"dagster": dagster, "scripts": scripts, "airflow": airflow, "prefect": prefect}


def introspect_in_subprocess(implementation: str, output_dir: Path) -> dict[str, Any]:
    """Read one implementation's records in a fresh process (its tool's imports set process-wide state)."""
    return run_python(
        ["-m", "bench.lineage.introspect", implementation, str(output_dir)],
        f"introspecting {implementation}",
        python=interpreter(implementation),
    )


if __name__ == "__main__":
    report(INTROSPECTORS[sys.argv[1]](Path(sys.argv[2]).resolve()))
