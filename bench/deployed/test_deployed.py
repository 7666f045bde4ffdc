"""Deployed (opt-in: ``pytest bench --deployed``): each tool's production stack really started on
PostgreSQL (``make deploy-dagster``, ``make deploy-airflow``, ``make deploy-prefect``), one stack at a
time, and measured through the tool's own API:

1. idle cost: the stack's processes (PostgreSQL included) watched while nothing runs;
2. trigger to run start and to done, per round, on the session's data set; the gaps between steps
   from the tool's records of the last round;
3. file arrival: a folder dropped into the landing folder, to the start of the run it gets;
4. concurrency: three runs triggered at once on three input folders, to the last one's end;
5. crash: the process that starts runs (Dagster's daemon, Airflow's scheduler, Prefect's worker)
   killed with SIGKILL once the run's first step has finished, started again at once; what becomes
   of the run;
6. every deployed run that succeeded compared with the same tool's in-process run of the session.

Each stack runs alone on the machine: the in-process run it is compared with is made before it starts.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import psutil
import pytest

from bench.deployed.clients import RUNNING, SUCCESS, RunRecord, ToolApi, tool_api
from bench.deployed.results import CONCURRENT_RUNS, Concurrency, Crash, DeployedResult, IdleCost, step_gaps
from bench.store import Store
from bench.variants import FASTEST_OR_DEFAULT, RUNTIME_VARIANTS, STORAGE_VARIANTS, VARIANTS, mode_read
from core.landing import run_output_dir
from core.outputs import output_differences
from core.services import DeployedStack, free_port
from core.warehouse import warehouse_path
from testkit.deployed import drop_folder, reachable_deploy_dir

DEPLOYED_TOOLS = ("dagster", "airflow", "prefect")
# Every other mode the runtime section times (bench/variants.py), deployed when a verdict's reading reads
# it (each tool's fastest mode as the runtime section timed it, or its documented default); cosmos
# WATCHER's sensors, besides, wait in the triggerer, which dag.test() lacks.
DEPLOYED_VARIANTS = tuple(name for name in RUNTIME_VARIANTS if name not in STORAGE_VARIANTS)
RUN_TIMEOUT_SECONDS = 1800
# A run left behind by a crash: how long we wait before calling it stuck (a daily run that has not
# recovered in ten minutes is lost to the team waiting for it).
CRASH_TIMEOUT_SECONDS = 600
WORKER_WAIT_SECONDS = 300  # for a process to hold the run's warehouse open (the work under way)
IDLE_MEMORY_SAMPLES = 3
LOCK_ERROR = "Could not set lock"  # DuckDB's message when a second process opens a warehouse to write


def _stack(tool: str) -> Callable[[Path, int], AbstractContextManager[DeployedStack]]:
    """What ``make deploy-<tool>`` starts (imported late: each tool's modules only for its own test)."""
    return getattr(importlib.import_module(f"impl_{tool}.launch.deploy"), f"{tool}_stack")


def test_deployed(deployed_tool: str, store: Store, dataset, finished_run, monkeypatch: pytest.MonkeyPatch) -> None:
    if not store.config.deployed:
        pytest.skip("opt-in: pytest bench --deployed")
    tool, switch = VARIANTS.get(deployed_tool, (deployed_tool, {}))
    read = {mode_read(tool, principle, store.cold_medians()) for principle in FASTEST_OR_DEFAULT}
    if deployed_tool != tool and deployed_tool not in read:  # the shipped mode is always deployed
        pytest.skip(f"no verdict reads {deployed_tool} (the modes of {tool} they read: {', '.join(sorted(read))})")
    result = store.deployed[deployed_tool] = DeployedResult(deployed_tool)
    reference = finished_run(tool)  # before the stack starts: the stack runs alone
    source = dataset(store.config.customers)
    (tool_dir := store.config.results_dir / "deployed" / deployed_tool).mkdir(parents=True, exist_ok=True)
    deploy_dir = reachable_deploy_dir(tool_dir)
    for name, value in switch.items():  # every process of the stack inherits it
        monkeypatch.setenv(name, value)
    try:
        _measure(tool, deploy_dir, source, reference, result, store)
    except Exception as error:
        result.error = f"{type(error).__name__}: {error}"[:3000]
        raise
    assert result.outputs_compared and result.outputs_equal == result.outputs_compared, result.differences


def _measure(tool: str, deploy_dir: Path, source: Path, reference: Path, result: DeployedResult, store: Store) -> None:
    started = time.monotonic()
    with _stack(tool)(deploy_dir, free_port()) as stack:
        result.startup_seconds = time.monotonic() - started
        result.services = ["postgresql", *stack.services.names()]
        api = tool_api(tool, stack.url, stack.home)
        try:
            result.idle = _idle_cost(stack, deploy_dir, 30 if store.config.quick else 60)
            _timed_rounds(api, stack, source, reference, result, store.config.rounds)
            _file_arrival(api, stack, source, reference, result)
            _concurrency(api, stack, source, reference, result)
            _crash(api, stack, source, reference, result)
        finally:
            api.close()


def _compare(result: DeployedResult, reference: Path, record: RunRecord, output_dir: Path) -> bool | None:
    if record.state != SUCCESS:
        return None
    differences = output_differences(reference, output_dir)
    result.outputs_compared += 1
    result.outputs_equal += not differences
    result.differences += [f"{output_dir.name}: {d}" for d in differences]
    return not differences


def _wait(
    api: ToolApi, stack: DeployedStack, run_id: str, until: Callable[[RunRecord], bool], timeout: float
) -> RunRecord | None:
    """The run's record once ``until`` holds; None after ``timeout`` s (a stack process exiting raises)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.services.check()
        record = api.run(run_id)
        if until(record):
            return record
        time.sleep(1)
    return None


def _finished(api: ToolApi, stack: DeployedStack, run_id: str) -> RunRecord:
    record = _wait(api, stack, run_id, lambda r: r.finished, RUN_TIMEOUT_SECONDS)
    if record is None:
        raise TimeoutError(f"run {run_id} not finished within {RUN_TIMEOUT_SECONDS} s (logs: {stack.output_dir})")
    return record


def _timed_rounds(
    api: ToolApi, stack: DeployedStack, source: Path, reference: Path, result: DeployedResult, rounds: int
) -> None:
    for number in range(1, rounds + 1):
        output_dir = stack.output_dir / "runs" / f"round-{number}"
        triggered = time.time()
        result.runs_triggered += 1
        record = _finished(api, stack, api.trigger(source, output_dir))
        if record.state != SUCCESS:
            raise RuntimeError(f"round {number}: run {record.run_id} ended {record.tool_state}")
        assert record.start is not None and record.end is not None
        result.trigger_to_start.append(record.start - triggered)
        result.trigger_to_done.append(record.end - triggered)
        result.gaps = step_gaps(record.steps, record.start)
        result.gap_totals.append(result.gaps.total)
        _compare(result, reference, record, output_dir)


def _file_arrival(api: ToolApi, stack: DeployedStack, source: Path, reference: Path, result: DeployedResult) -> None:
    folder = drop_folder(source, stack.landing, "arrival")
    result.runs_triggered += 1
    landed = time.time()  # the rename that makes the folder whole is drop_folder's last step
    deadline = time.monotonic() + RUN_TIMEOUT_SECONDS
    while (run_id := api.run_for_landed(folder)) is None:
        stack.services.check()
        if time.monotonic() > deadline:
            raise TimeoutError(f"no run for the landed folder {folder} within {RUN_TIMEOUT_SECONDS} s")
        time.sleep(1)
    record = _finished(api, stack, run_id)
    if record.start is not None:
        result.file_arrival_to_start = record.start - landed
    _compare(result, reference, record, run_output_dir(stack.output_dir, folder))


def _concurrency(api: ToolApi, stack: DeployedStack, source: Path, reference: Path, result: DeployedResult) -> None:
    inputs = []
    for number in range(1, CONCURRENT_RUNS + 1):
        inputs.append(stack.output_dir / "inputs" / f"at-once-{number}")
        shutil.copytree(source, inputs[-1])
    outputs = [stack.output_dir / "runs" / folder.name for folder in inputs]
    triggered = time.time()
    result.runs_triggered += len(inputs)
    run_ids = [api.trigger(folder, output) for folder, output in zip(inputs, outputs, strict=True)]
    records = [_finished(api, stack, run_id) for run_id in run_ids]
    for record, output in zip(records, outputs, strict=True):
        _compare(result, reference, record, output)
    ends = [record.end for record in records if record.end is not None]
    result.concurrency = Concurrency(
        runs=len(records),
        succeeded=sum(record.state == SUCCESS for record in records),
        lock_errors=_lock_errors(stack.output_dir),
        drain_seconds=max(ends) - triggered if len(ends) == len(records) else None,
    )


def _crash(api: ToolApi, stack: DeployedStack, source: Path, reference: Path, result: DeployedResult) -> None:
    """Two scenarios, one run each: the process that starts runs killed (and started again at once), then
    the process that runs the work killed with everything it started (a worker lost to the OOM killer)."""
    result.crash = _crash_scenario(api, stack, source, reference, result, "crash", _kill_starter)
    result.worker_crash = _crash_scenario(api, stack, source, reference, result, "worker-crash", _kill_worker)


def _kill_starter(api: ToolApi, stack: DeployedStack, output_dir: Path, triggered: float) -> str:
    stack.services.crash(api.crash_target)
    stack.services.restart(api.crash_target)
    return api.crash_target


def _kill_worker(api: ToolApi, stack: DeployedStack, output_dir: Path, triggered: float) -> str:
    """SIGKILL to the run's work process and every process it started. The work process, one rule for
    every tool: the outermost ancestor of a process holding the run's warehouse open that was started
    for this run (after the trigger; no service of the stack): Dagster's run worker, Airflow's task
    supervisor, Prefect's flow-run process."""
    warehouse = str(warehouse_path(output_dir))
    deadline = time.monotonic() + WORKER_WAIT_SECONDS
    while (holder := _holder(stack, warehouse)) is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"crash scenario: no process held {warehouse} within {WORKER_WAIT_SECONDS} s")
        time.sleep(0.2)
    services = {service.process.pid for service in stack.services.services if service.process is not None}
    work = holder
    while (parent := work.parent()) is not None and parent.pid not in services and parent.create_time() >= triggered:
        work = parent
    name = " ".join(work.cmdline()[:3])[:80]
    for process in [*work.children(recursive=True), work]:
        with contextlib.suppress(psutil.Error):
            process.kill()
    return f"the run's work process ({name})"


def _holder(stack: DeployedStack, warehouse: str) -> psutil.Process | None:
    """A process of the stack that has ``warehouse`` open, if one has right now."""
    for service in stack.services.services:
        if service.process is None or service.crashed:
            continue
        with contextlib.suppress(psutil.Error):
            for process in psutil.Process(service.process.pid).children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    if any(f.path == warehouse for f in process.open_files()):
                        return process
    return None


def _crash_scenario(
    api: ToolApi,
    stack: DeployedStack,
    source: Path,
    reference: Path,
    result: DeployedResult,
    name: str,
    kill: Callable[[ToolApi, DeployedStack, Path, float], str],
) -> Crash:
    output_dir = stack.output_dir / "runs" / name
    triggered = time.time()
    run_id = api.trigger(source, output_dir)
    result.runs_triggered += 1
    running = _wait(
        api, stack, run_id, lambda r: r.finished or (r.state == RUNNING and bool(r.steps)), RUN_TIMEOUT_SECONDS
    )
    if running is None or running.finished or running.start is None:
        raise RuntimeError(f"{name} scenario: run {run_id} finished before a step had (nothing left to crash)")
    killed = kill(api, stack, output_dir, triggered)
    killed_at = time.time()
    record = _wait(api, stack, run_id, lambda r: r.finished, CRASH_TIMEOUT_SECONDS)
    final = record or api.run(run_id)
    return Crash(
        killed=killed,
        killed_after_seconds=killed_at - running.start,
        outcome=final.tool_state if record else f"still {final.tool_state} after {CRASH_TIMEOUT_SECONDS} s",
        finished_seconds=final.end - killed_at if record and final.end else None,
        retried_steps=sum(step.tries > 1 for step in final.steps),
        outputs_equal=_compare(result, reference, final, output_dir),
    )


def _lock_errors(output_dir: Path) -> int:
    """Lines naming a DuckDB lock conflict in every log of the stack and its runs."""
    count = 0
    for path in output_dir.rglob("*"):
        if path.is_file() and (path.suffix == ".log" or "logs" in path.parts) and "postgres" not in path.parts:
            with path.open(encoding="utf-8", errors="replace") as handle:
                count += sum(LOCK_ERROR in line for line in handle)
    return count


# --- idle cost -------------------------------------------------------------------------------------


def _stack_processes(stack: DeployedStack, deploy_dir: Path) -> Iterator[psutil.Process]:
    """Every process of the stack: each service's process group, and PostgreSQL's server with its children."""
    groups = {service.process.pid for service in stack.services.services if service.process is not None}
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) in groups:
                yield process
        except (ProcessLookupError, psutil.Error):
            continue
    postmaster = int((deploy_dir / "postgres" / "postmaster.pid").read_text().split()[0])
    server = psutil.Process(postmaster)
    yield from [server, *server.children(recursive=True)]


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def _memory_mib(stack: DeployedStack, deploy_dir: Path) -> tuple[float, float, int]:
    """The stack's resident and proportional memory (MiB, summed over its processes), and how many there are."""
    rss, pss, count = 0, 0, 0
    for process in _stack_processes(stack, deploy_dir):
        try:
            memory = process.memory_full_info()
        except psutil.Error:
            continue
        rss, pss, count = rss + memory.rss, pss + memory.pss, count + 1
    return rss / 2**20, pss / 2**20, count


def _idle_cost(stack: DeployedStack, deploy_dir: Path, seconds: float) -> IdleCost:
    """CPU over the window (processes that appear in it count whole; ones that exit count in their parent
    once it has waited for them), and memory at :data:`IDLE_MEMORY_SAMPLES` evenly spaced points of it,
    the last at its end (samples, so that the verdict can tell a difference from noise)."""
    before = {}
    for process in _stack_processes(stack, deploy_dir):
        try:
            before[process.pid] = _cpu_seconds(process)
        except psutil.Error:
            continue
    started = time.monotonic()
    rss_samples, pss_samples = [], []
    for _ in range(IDLE_MEMORY_SAMPLES):
        time.sleep(seconds / IDLE_MEMORY_SAMPLES)
        stack.services.check()
        rss, pss, count = _memory_mib(stack, deploy_dir)
        rss_samples.append(rss)
        pss_samples.append(pss)
    cpu = 0.0
    for process in _stack_processes(stack, deploy_dir):
        try:
            cpu += _cpu_seconds(process) - before.get(process.pid, 0.0)
        except psutil.Error:
            continue
    window = time.monotonic() - started
    return IdleCost(window, count, rss_samples[-1], cpu / window * 60, rss_samples, pss_samples)
