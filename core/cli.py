"""``lc-pipeline``: generate sample data and run the pipeline with any of the four implementations.

Implementations are found through entry points (:mod:`core.implementations`) and imported only
when chosen, so ``--impl scripts`` never pays for importing Dagster, Airflow or Prefect.

Exit status: 0 success; 1 the run failed for another reason (a tool error, a locked warehouse);
2 usage error (a wrong option or value, an input or output path the run cannot use); 3 bad input
data (the message names the file, the record and the problem); 4 a data-quality check failed (the
outputs were written but do not reconcile); 5 another run holds the output folder (nothing ran).

Every error ends the command with one line on stderr, also the last line of the run's log file
once there is one (a path refused before anything is created has none).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from core.engine import ENGINE_ENV, ENGINES, resolve_engine
from core.errors import OutputFolderBusy, PipelineError, PipelineInputError, QualityCheckFailed, UsageError
from core.generate import CHUNK_CUSTOMERS, PROGRESS_FROM, SAMPLE_CUSTOMERS, SAMPLE_SEED, generate, sample_input
from core.implementations import (
    DISTRIBUTION,
    implementation_names,
    installed_here,
    interpreter,
    load_run,
    requirement_names,
)
from core.progress import PROGRESS_LOGGER
from core.run_folders import check_run_folders, make_output_folder, one_run_at_a_time
from core.settings import OUTPUT_ROOT, default_output_dir

# The production path: what `lc-pipeline run` (and `make run`) runs unless told otherwise.
DEFAULT_IMPLEMENTATION = "dagster"

log = logging.getLogger("lc_pipeline.cli")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_CHECK_FAILED = 4
# Distinct from a failed run (1): nothing was wrong with this run, it never started; try again later.
EXIT_BUSY = 5
EXIT_CODES_HELP = (
    f"exit status: 0 success, {EXIT_FAILED} run failed, {EXIT_USAGE} usage error, "
    f"{EXIT_BAD_INPUT} bad input data, {EXIT_CHECK_FAILED} data-quality check failed, "
    f"{EXIT_BUSY} output folder in use by another run"
)
# The one line every error ends the command with: on the terminal as it is, in the log file stamped.
ERROR_LOGGER = "lc_pipeline.error"


LOGS_DIRNAME = "logs"
# customers.csv and accounts.csv together, per customer (about two accounts each), as generated.
BYTES_PER_CUSTOMER = 100
# Loggers of this project: shown at the default verbosity. Everything else (Dagster, Airflow,
# Prefect, dbt, alembic, ...) reaches the terminal with -v only, and the run's log file always.
OWN_LOGGERS = ("lc_pipeline", "core", "impl_")


class _VersionAction(argparse.Action):
    """``--version``: one line per package, read only when asked (argparse's own rewraps them)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(versions())
        parser.exit()


def versions() -> str:
    """This package's version and those of what it runs on in this environment: the core's
    dependencies, then each orchestrator's that is installed here."""
    from importlib.metadata import PackageNotFoundError, version

    lines = [f"{DISTRIBUTION} {version(DISTRIBUTION)} (python {sys.version.split()[0]}, {sys.prefix})"]
    for extra in [None, *(name for name in implementation_names() if installed_here(name))]:
        for name in requirement_names(extra):
            try:
                lines.append(f"  {name} {version(name)}")
            except PackageNotFoundError:
                continue
    return "\n".join(lines)


def _generate(args: argparse.Namespace) -> int:
    data = generate(args.out, args.customers, seed=args.seed, dirty_rate=args.dirty_rate)
    print(f"wrote {data.customer_rows:,} customers to {data.customers_path}")
    print(f"wrote {data.account_rows:,} accounts to {data.accounts_path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    engine = resolve_engine(args.engine)
    python = interpreter(args.impl)
    if python != Path(sys.executable):
        # The tool lives in an environment of its own (Airflow and Prefect cannot share one): the
        # same command, run by that environment's Python, in this process's place.
        os.execv(python, [str(python), "-m", "core.cli", *args.argv])
    # A Spark run has its own default folder, so DuckDB's tables and Spark's views never share one.
    output_dir: Path = args.output or default_output_dir(args.impl if engine == "duckdb" else f"{args.impl}-{engine}")
    check_run_folders(args.input, output_dir)  # before anything is created
    log_file = _log_to_file(make_output_folder(output_dir) / LOGS_DIRNAME, args.impl)
    log.info("%s run into %s; full log: %s", args.impl, output_dir, log_file)
    # Taken after the re-exec, by the process that runs the pipeline, before any work, to its end.
    with one_run_at_a_time(output_dir, args.impl, wait=args.wait):
        started = time.perf_counter()
        run = load_run(args.impl)
        input_dir: Path | None = args.input
        if input_dir is None:
            input_dir = sample_input()
            log.info("no --input given: using %s generated sample customers in %s", f"{SAMPLE_CUSTOMERS:,}", input_dir)
        summary = run(input_dir, output_dir, engine)
    print("\n".join(summary.lines()))
    print(f"  wall time: {time.perf_counter() - started:.1f} s")
    return 0


class _ConsoleFilter(logging.Filter):
    """What reaches the terminal: errors only (-q); this project's lines (default); every log (-v)."""

    def __init__(self, verbosity: int) -> None:
        super().__init__()
        self.verbosity = verbosity

    def filter(self, record: logging.LogRecord) -> bool:
        if self.verbosity < 0 or record.levelno >= logging.ERROR:
            return record.levelno >= logging.ERROR
        return self.verbosity > 0 or record.name.startswith(OWN_LOGGERS)


class _LineFormatter(logging.Formatter):
    """Progress lines as ``HH:MM:SS message``; any other record also names its logger."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S")
        self.progress = logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if record.name == ERROR_LOGGER:
            return record.getMessage()
        return self.progress.format(record) if record.name == PROGRESS_LOGGER else super().format(record)


@contextmanager
def _logging(verbosity: int) -> Iterator[None]:
    """Every record from INFO to the root logger's handlers, the terminal's showing what ``verbosity``
    asks for; the root logger is given back as it was (``main`` may be called from other code)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    console = logging.StreamHandler(sys.stderr)
    console.addFilter(_ConsoleFilter(verbosity))
    console.setFormatter(_LineFormatter())
    root.handlers = [console]
    root.setLevel(logging.INFO)  # not ``root.level =``: setLevel also clears the loggers' cached levels
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers = handlers
        root.setLevel(level)


def _log_to_file(folder: Path, implementation: str) -> Path:
    """The run's full log (every logger, every level from INFO): a new file per run, under ``folder``;
    named by its process too, so two runs started in the same second never share one."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now().strftime('%Y%m%dT%H%M%S')}-{implementation}-{os.getpid()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    return path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lc-pipeline",
        description="The LendingClub pipeline, orchestrated by Dagster, Airflow, Prefect or plain scripts.",
        epilog=EXIT_CODES_HELP,
    )
    parser.add_argument("--version", action=_VersionAction, help="show the versions of this package and its tools")
    commands = parser.add_subparsers(dest="command", required=True)
    verbosity = argparse.ArgumentParser(add_help=False)
    loudness = verbosity.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=1,
        default=0,
        help="also show the tools' own logs",
    )
    loudness.add_argument(
        "-q", "--quiet", dest="verbosity", action="store_const", const=-1, help="show only errors and the summary"
    )

    gen = commands.add_parser("generate", parents=[verbosity], help="write messy customers.csv and accounts.csv")
    gen.add_argument(
        "--customers",
        type=int,
        required=True,
        help=f"number of customers; the two files take about {BYTES_PER_CUSTOMER} bytes a customer "
        f"(1,000,000 customers: about {BYTES_PER_CUSTOMER} MB); from {PROGRESS_FROM:,} customers a "
        f"progress line every {CHUNK_CUSTOMERS:,}",
    )
    gen.add_argument("--seed", type=int, default=SAMPLE_SEED, help="random seed (default %(default)s)")
    gen.add_argument("--dirty-rate", type=float, default=0.03, help="share of rows that break a rule")
    gen.add_argument("--out", type=Path, required=True, help="folder to write the two files into")
    gen.set_defaults(handler=_generate)

    run = commands.add_parser(
        "run",
        parents=[verbosity],
        help="run the pipeline once",
        description="Run the pipeline once: a line as each step starts and ends, then a summary. "
        f"The run's full log goes to <output>/{LOGS_DIRNAME}/. One run per output folder at a time: "
        f"a run into a folder another run holds stops at once (exit status {EXIT_BUSY}), or waits with --wait.",
        epilog=EXIT_CODES_HELP,
    )
    run.add_argument(
        "--impl",
        choices=implementation_names(),
        default=DEFAULT_IMPLEMENTATION,
        help="which implementation runs it (default %(default)s)",
    )
    run.add_argument(
        "--input",
        type=Path,
        help="folder with customers.csv (or Customer.csv) and accounts.csv (default: a generated sample)",
    )
    run.add_argument(
        "--output",
        type=Path,
        help=f"folder for the warehouse and output files (default {OUTPUT_ROOT}/<impl>, "
        f"or {OUTPUT_ROOT}/<impl>-spark with --engine spark)",
    )
    run.add_argument(
        "--engine",
        choices=list(ENGINES),
        help=f"what runs the dbt project: duckdb (embedded) or spark (a local Spark session; "
        f"Java 17 needed); default ${ENGINE_ENV}, else duckdb",
    )
    run.add_argument(
        "--wait",
        type=_seconds,
        default=0.0,
        metavar="SECONDS",
        help=f"when another run holds the output folder, wait up to SECONDS for it (default 0: stop at once "
        f"with exit status {EXIT_BUSY})",
    )
    run.set_defaults(handler=_run)
    return parser


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # negative or NaN
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    with _logging(args.verbosity):
        try:
            return args.handler(args)
        except (PipelineError, ValueError) as error:
            # Through logging, so that it is also the last line of the run's log file, if there is one.
            logging.getLogger(ERROR_LOGGER).error("lc-pipeline: error: %s", error)
            return exit_code(error)


def exit_code(error: Exception) -> int:
    """The documented exit status for an error the CLI reports in one line."""
    if isinstance(error, PipelineInputError):
        return EXIT_BAD_INPUT
    if isinstance(error, QualityCheckFailed):
        return EXIT_CHECK_FAILED
    if isinstance(error, OutputFolderBusy):
        return EXIT_BUSY
    # A path the run cannot use, or an option's value it refused (an unknown engine, ...).
    if isinstance(error, UsageError | ValueError):
        return EXIT_USAGE
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
