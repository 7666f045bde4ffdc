"""The reliability section: bad inputs, injected faults and secrets, for one implementation per process.

    python -m bench.reliability.shard --impl airflow --cases all --fault-input DIR --stale DIR --work DIR
    python -m bench.reliability.shard --impl airflow --cases all --overlap-input DIR --work DIR

In one process (so a tool's start-up is paid once per process, not per case) it runs:

1. the bad-input corpus (``testkit/bad_inputs.py``; ``--cases`` picks a subset), each case judged by
   the same :func:`testkit.bad_inputs.judge` the tests assert with;
2. the fault scenario of the tests (``testkit/faults.py``): new input over an earlier run's folder,
   with ``LC_FAIL_ONCE`` failing one ingestion and one export once. An orchestrator must recover
   within the run, by its own retries; plain scripts must fail and recover on the next run. Rows
   lost or counted twice are counted against the rules oracle. Only when ``--fault-input`` is
   given: the harness splits an implementation's corpus over two processes, one of which also runs
   this scenario;
3. with ``--overlap-input``, two runs started together into one new output folder
   (``testkit/overlap.py``): two real ``lc-pipeline run`` commands, each in a process of its own,
   as cron and a rerun by hand would start them; exactly one must run and the other stop at once
   with its one line, and the folder must hold what the rules oracle expects. The harness gives it
   to the other process of the two, so the scenarios do not add up in one.
and the harness (``bench/reliability/test_reliability.py``) starts it with canary values in the environment
variables where secrets live (a cloud key, a dbt ``DBT_ENV_SECRET_`` variable), then looks for them
in every file the process left behind (its log, metadata databases, dbt artifacts, outputs).

The result is reported as every child of the harness reports it (``bench.child``).
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from bench.child import report
from bench.reliability.results import FaultScenario, ShardResult
from core.environment import scoped_environ
from core.faults import FAULT_ENV, FAULT_MARKER_DIR, InjectedFault
from core.implementations import implementation_names, load_run
from testkit.bad_inputs import CASES, Outcome, compare_with_oracle, judge
from testkit.faults import FAULTS, partial_files, stale_output
from testkit.overlap import OverlapOutcome, judge_overlap, start_together

SECRET_VARIABLES = ("AWS_SECRET_ACCESS_KEY", "DBT_ENV_SECRET_WAREHOUSE_TOKEN")
RETRY_DELAY = {"LC_RETRY_DELAY_SECONDS": "1"}  # Airflow's production base delay is 30 s


def _bad_inputs(run: Callable[[Path, Path], object], names: list[str], work: Path) -> list[Outcome]:
    outcomes = []
    for case in (case for case in CASES if case.name in names):
        print(f"lc-bench reliability: case {case.name}", file=sys.stderr, flush=True)
        outcomes.append(judge(case, run, work / case.name))
    return outcomes


def _fault_scenario(run: Callable[[Path, Path], object], fault_input: Path, stale: Path, work: Path) -> FaultScenario:
    """Runs until one succeeds (at most one per fault): an orchestrator needs one, scripts three."""
    output_dir = stale_output(stale, work / "fault" / "output")
    failed_runs: list[str] = []
    with scoped_environ({FAULT_ENV: ",".join(FAULTS), **RETRY_DELAY}):
        for _ in range(len(FAULTS) + 1):
            try:
                run(fault_input, output_dir)
                break
            except InjectedFault as error:
                failed_runs.append(str(error))
    marker_dir = output_dir / FAULT_MARKER_DIR
    fired = sorted(path.name for path in marker_dir.iterdir()) if marker_dir.is_dir() else []
    lost, extra, tables = compare_with_oracle(fault_input, output_dir)
    return FaultScenario(
        injected=len(FAULTS),
        fired=fired,
        failed_runs=failed_runs,
        recovered=len(failed_runs) < len(FAULTS) + 1 and fired == sorted(FAULTS),
        recovered_within_run=not failed_runs,
        partial_files=[path.name for path in partial_files(output_dir)],
        rows_lost=lost,
        rows_extra=extra,
        problems=tables,
    )


def _overlap_scenario(implementation: str, input_dir: Path, work: Path) -> OverlapOutcome:
    """Two ``lc-pipeline run`` into one folder, started one right after the other, as a user's are."""
    print("lc-bench reliability: two runs into one folder", file=sys.stderr, flush=True)
    output_dir = work / "overlap" / "output"
    runs = start_together(implementation, input_dir, output_dir, work / "overlap" / "terminal")
    return judge_overlap(runs, input_dir, output_dir)


def canary_environment() -> dict[str, str]:
    """A unique fake value for each variable where secrets usually live."""
    return {name: f"lc-canary-{uuid.uuid4().hex}" for name in SECRET_VARIABLES}


def secret_leaks(folders: list[Path], canaries: list[str]) -> list[str]:
    """Files under ``folders`` (or the files themselves) that contain any canary value."""
    needles = [canary.encode() for canary in canaries]
    leaks = []
    for folder in folders:
        for path in (p for p in ([folder] if folder.is_file() else folder.rglob("*")) if p.is_file()):
            content = path.read_bytes()
            if any(needle in content for needle in needles):
                leaks.append(str(path))
    return leaks


@contextmanager
def _shared_prefect_server(implementation: str, work: Path) -> Iterator[None]:
    """Prefect only: one temporary server for every run of this process (runs reuse a running one)."""
    if implementation != "prefect":
        yield
        return
    from impl_prefect.launch.runtime import prefect_runtime

    with prefect_runtime(work / "prefect_home"):
        yield


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability.shard")
    parser.add_argument("--impl", choices=implementation_names(), required=True)
    parser.add_argument("--cases", default="all", help="comma-separated case names, or 'all'")
    parser.add_argument("--fault-input", type=Path, help="the new input of the fault scenario (none: no scenario)")
    parser.add_argument("--stale", type=Path, help="an earlier run's folder to run the fault scenario over")
    parser.add_argument("--overlap-input", type=Path, help="the input of two runs into one folder (none: not run)")
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    if args.fault_input and not args.stale:
        parser.error("--fault-input needs --stale")
    names = [case.name for case in CASES] if args.cases == "all" else args.cases.split(",")

    run = load_run(args.impl)
    # Before the shared Prefect server: each command starts its own, as a user's does.
    overlap = _overlap_scenario(args.impl, args.overlap_input.resolve(), args.work) if args.overlap_input else None
    with _shared_prefect_server(args.impl, args.work):
        cases = _bad_inputs(run, names, args.work / "cases")
        fault = _fault_scenario(run, args.fault_input.resolve(), args.stale, args.work) if args.fault_input else None
    report(asdict(ShardResult(cases, fault, overlap)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
