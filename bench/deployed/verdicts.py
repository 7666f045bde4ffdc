"""The ADR's need "production deployment" judged from the deployed section's figures."""

from __future__ import annotations

from collections.abc import Callable

from bench.deployed.results import Crash, DeployedResult
from bench.measure import report_order
from bench.store import Store
from bench.variants import mode_read
from bench.verdicts import (
    AS_JUDGED,
    DEFAULT_MODES,
    EXACT,
    MARGIN_READINGS,
    TENTH,
    Criterion,
    Figure,
    Reading,
    Verdict,
    decide,
    figure_cells,
    left_out,
    show_count,
    show_seconds,
    show_yes,
)

NO_STACK = "no deployed stack: a plain script runs where it is started"
LOST_OR_WRONG = "runs lost or wrong"
CRASH = "run survives the crash of what starts runs"
WORKER_CRASH = "run survives the crash of its work process"
TIMINGS = (
    "stack start-up",
    "trigger to run start",
    "trigger to done",
    "between steps",
    "file arrival to run start",
    "three runs at once",
)


def survived(crash: Crash | None) -> float | None:
    """1 when the run hit by the crash still ended in success with outputs equal to the in-process run's."""
    if crash is None:
        return None
    return 1.0 if crash.outputs_equal else 0.0


def _one(value: float | None) -> list[float]:
    return [] if value is None else [value]


def _criteria(stacks: dict[str, DeployedResult], memory: str) -> list[Criterion]:
    def each(figure: str) -> dict[str, Figure]:
        return {tool: _samples(entry, figure, memory) for tool, entry in stacks.items()}

    correctness = [
        Criterion(LOST_OR_WRONG, each(LOST_OR_WRONG), False, EXACT, show_count, decisive=True),
        Criterion(CRASH, each(CRASH), True, EXACT, show_yes, decisive=True),
        Criterion(WORKER_CRASH, each(WORKER_CRASH), True, EXACT, show_yes, decisive=True),
    ]
    timings = [Criterion(label, each(label), False, TENTH, show_seconds, noisy=True) for label in TIMINGS]
    idle = Criterion(f"idle memory ({memory.upper()})", each("idle memory"), False, TENTH, _mib, noisy=True)
    return [*correctness, *timings, idle]


def _samples(entry: DeployedResult, figure: str, memory: str) -> Figure:
    """One tool's samples of one figure of the deployed table (a figure taken once is one sample)."""
    concurrency = entry.concurrency
    return {
        LOST_OR_WRONG: entry.runs_lost_or_wrong,
        CRASH: survived(entry.crash),
        WORKER_CRASH: survived(entry.worker_crash),
        "stack start-up": _one(entry.startup_seconds),
        "trigger to run start": entry.trigger_to_start,
        "trigger to done": entry.trigger_to_done,
        "between steps": entry.gap_totals or _one(entry.gaps.total if entry.gaps else None),
        "file arrival to run start": _one(entry.file_arrival_to_start),
        "three runs at once": _one(concurrency.drain_seconds if concurrency else None),
        "idle memory": entry.idle.memory(memory) if entry.idle else [],
    }[figure]


def stacks_read(store: Store, reading: Reading) -> dict[str, DeployedResult]:
    """Each tool's deployed stack in the mode ``reading`` reads (``bench.variants.mode_read``), where that
    mode was deployed and its measures did not stop short."""
    medians = store.cold_medians()
    chosen = {tool: mode_read(tool, reading.modes, medians) for tool in report_order() if tool in store.deployed}
    return {tool: store.deployed[mode] for tool, mode in chosen.items() if mode in store.deployed}


def judge_production(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """Every figure of the deployed table, each against the best other deployed stack, each tool in the
    mode the reading reads. Correctness is decisive: runs lost or wrong (triggered runs that did not
    end in success with outputs equal to the in-process run's) and whether a run survives a crash of
    the process that starts runs and, in a second scenario, of its own work process (all exact)
    outweigh every speed. Otherwise each timing weighs one (stack start-up,
    trigger to run start, trigger to done, seconds between steps, file arrival to run start, three runs
    at once: within 10% and beyond the noise of its samples, a figure taken once is not judged) and so
    does idle memory (PSS, summed over the stack's processes; within 10%, beyond the noise of its
    samples): supported when Dagster wins more than it loses, refuted when it loses more, no
    difference when even; not measurable without ``pytest bench --deployed``."""
    stacks = {tool: entry for tool, entry in stacks_read(store, reading).items() if not entry.error}
    verdict, evidence = decide(_criteria(stacks, reading.memory), reading)
    cells = {tool: _cell(entry) for tool, entry in stacks_read(store, reading).items()}
    return Verdict(
        verdict,
        evidence,
        "each deployed stack (section Deployed), each tool in its fastest mode: runs lost or wrong, a run "
        "through two crashes, every timing of the deployed table, idle memory",
        figure_cells(cells, {"scripts": NO_STACK}),
    )


PRODUCTION_READINGS = (
    *MARGIN_READINGS,
    DEFAULT_MODES,
    Reading("idle memory as RSS", memory="rss"),
    *(left_out(label) for label in (*TIMINGS, "idle memory (PSS)")),
)


def _cell(entry: DeployedResult) -> str:
    if entry.error:
        return f"stopped: {entry.error.splitlines()[0][:120]}"
    lost, done = entry.runs_lost_or_wrong, entry.median("trigger_to_done")
    idle = entry.idle.memory("pss") if entry.idle else []
    return (
        f"{entry.tool}: done in {_or_na(show_seconds, done)}, idle {_or_na(_mib, idle[-1] if idle else None)} PSS, "
        f"survives a crash of what starts runs: {_or_na(show_yes, survived(entry.crash))}, of its work process: "
        f"{_or_na(show_yes, survived(entry.worker_crash))}, runs lost or wrong: {_or_na(show_count, lost)}"
    )


def _or_na(show: Callable[[float], str], value: float | None) -> str:
    return "n/a" if value is None else show(value)


def _mib(value: float) -> str:
    return f"{value:,.0f} MiB"
