"""Options and shared fixtures of the harness; the report is written when the session ends.

pytest bench/                       # default: 10,000 customers, every section once (1 cold, 1 warm round)
pytest bench/ --rounds 5            # what the committed sample runs (make sample): timings judged
pytest bench/ --quick               # a smaller session: 1,000 customers, 1 cold round
pytest bench/ --customers 100000    # a larger data set
pytest bench/ --scaling             # also 100,000 and 1,000,000 customers, 1 round each
pytest bench/ --large               # also 1,000,000 and 5,000,000 customers (LendingClub scale)
pytest bench/ --full-corpus         # every bad-input case through every implementation
pytest bench/model_scaling/test_model_scaling.py --model-scaling   # synthetic dbt projects of 10-200 models
pytest bench/deployed --deployed    # each tool's production stack on PostgreSQL, one at a time (about an hour)
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from bench.measure import TOOL_ENV_PREFIXES, report_order, run_once, scrubbed_names
from bench.paths import RESULTS_DIR
from bench.store import BenchConfig, Store
from core.generate import generate
from core.implementations import implementation_names

# A results folder the harness made; it only ever empties a folder that carries this file.
RESULTS_MARKER = ".lc-bench-results"
# Caches that stay valid across sessions (keyed by what they were made from), never measurements.
KEPT_ACROSS_SESSIONS = {RESULTS_MARKER, "compiled_sql", ".mypy_cache"}
# One of each: every section, every implementation, every mode and floor, each UI started once, in
# about an hour on two cores (CI runs it after the tests). A timing taken once is shown and not judged
# (the rules judge on three samples or more): `make sample` runs --rounds 5 for the verdicts.
DEFAULT_ROUNDS = 1
_STORE_KEY = pytest.StashKey[Store]()
_WRITTEN_KEY = pytest.StashKey[dict[str, Path]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lc-bench", "lc-pipeline comparison harness")
    group.addoption("--customers", type=int, default=10_000, help="customers in the data set (default 10,000)")
    group.addoption(
        "--rounds",
        type=int,
        default=DEFAULT_ROUNDS,
        help=f"timed cold rounds, and as many warm ones, per implementation (default {DEFAULT_ROUNDS})",
    )
    group.addoption("--seed", type=int, default=42, help="generator seed (default 42)")
    group.addoption("--quick", action="store_true", help="a smaller session: 1,000 customers, 1 cold round")
    group.addoption(
        "--scaling", action="store_true", help="also time 100,000 and 1,000,000 customers (1 round each; slow)"
    )
    group.addoption(
        "--large", action="store_true", help="also time 1,000,000 and 5,000,000 customers (1 round each; about an hour)"
    )
    group.addoption(
        "--impls", default=",".join(report_order()), help="comma-separated implementations to compare (default: all)"
    )
    group.addoption(
        "--full-corpus",
        action="store_true",
        help="run every bad-input case through every implementation "
        "(default: the whole corpus through scripts, one case per path through the orchestrators)",
    )
    group.addoption("--results-dir", type=Path, default=RESULTS_DIR, help="where the report goes")
    group.addoption(
        "--no-ui",
        action="store_true",
        help="skip the UI section (starting dagster dev, airflow standalone, prefect server)",
    )
    group.addoption(
        "--no-browser",
        action="store_true",
        help="start the UIs but take no screenshots (for machines without Chromium)",
    )
    group.addoption(
        "--model-scaling",
        action="store_true",
        help="time every implementation on synthetic dbt projects of 10, 50, 200 models "
        "x 3 shapes (slow; see bench/model_scaling/test_model_scaling.py)",
    )
    group.addoption(
        "--deployed",
        action="store_true",
        help="also start each tool's deployed stack (PostgreSQL, its own services) and measure it "
        "through its API, one stack at a time (slow; see bench/deployed/test_deployed.py)",
    )
    group.addoption(
        "--model-sizes",
        default="10,50,200",
        help="model counts for --model-scaling (default 10,50,200; e.g. 10,50,200,500)",
    )


def pytest_configure(config: pytest.Config) -> None:
    quick = config.getoption("--quick")
    customers = 1_000 if quick else config.getoption("--customers")
    chosen = [name.strip() for name in config.getoption("--impls").split(",") if name.strip()]
    config.stash[_STORE_KEY] = Store(
        BenchConfig(
            customers=customers,
            rounds=1 if quick else config.getoption("--rounds"),
            seed=config.getoption("--seed"),
            scaling_sizes=_scaling_sizes(config, customers),
            implementations=report_order([name for name in implementation_names() if name in chosen]),
            # absolute: run folders are handed to dbt, which reads a relative path from its project dir
            results_dir=config.getoption("--results-dir").resolve(),
            quick=quick,
            full_corpus=config.getoption("--full-corpus"),
            deployed=config.getoption("--deployed"),
        )
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    """Every session starts from an empty results folder: no run reuses state a previous one left."""
    store = session.config.stash.get(_STORE_KEY, None)
    if store is None or session.config.option.collectonly:
        return
    _empty_results_dir(store.config.results_dir)
    store.environment = {
        "not_inherited": scrubbed_names(),
        "not_inherited_prefixes": list(TOOL_ENV_PREFIXES),
        "command_line": ["pytest", *sys.argv[1:]],
    }


def _empty_results_dir(folder: Path) -> None:
    ours = folder == RESULTS_DIR.resolve() or (folder / RESULTS_MARKER).exists()
    if folder.exists() and any(folder.iterdir()) and not ours:
        raise pytest.UsageError(
            f"{folder}: not empty and not a results folder of this harness; "
            "choose another --results-dir (the harness empties it at every start)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.name not in KEPT_ACROSS_SESSIONS:
            shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    (folder / RESULTS_MARKER).write_text("Emptied by `pytest bench` at every start; see docs/harness.md.\n")


def _scaling_sizes(config: pytest.Config, customers: int) -> list[int]:
    sizes = {
        *((100_000, 1_000_000) if config.getoption("--scaling") else ()),
        *((1_000_000, 5_000_000) if config.getoption("--large") else ()),
    }
    return sorted(sizes - {customers})


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    store = metafunc.config.stash[_STORE_KEY]
    if "implementation" in metafunc.fixturenames:
        metafunc.parametrize("implementation", store.config.implementations)
    if "variant" in metafunc.fixturenames:
        from bench.variants import RUNTIME_VARIANTS, variants_of

        variants = variants_of(store.config.implementations, RUNTIME_VARIANTS)
        skip = pytest.mark.skip(reason="none of the implementations chosen has another mode timed")
        metafunc.parametrize("variant", variants or [pytest.param(None, marks=skip, id="none")])
    if "deployed_tool" in metafunc.fixturenames:
        from bench.deployed.test_deployed import DEPLOYED_TOOLS, DEPLOYED_VARIANTS
        from bench.variants import variants_of

        tools = [t for t in store.config.implementations if t in DEPLOYED_TOOLS]
        metafunc.parametrize("deployed_tool", [*tools, *variants_of(tools, DEPLOYED_VARIANTS)])
    if "size" in metafunc.fixturenames:
        metafunc.parametrize("size", [store.config.customers, *store.config.scaling_sizes])


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Timed runs first: the other sections then read their output folders instead of running again."""
    items.sort(key=lambda item: 0 if item.module.__name__.endswith("test_runtime") else 1)


@pytest.fixture(scope="session")
def store(pytestconfig: pytest.Config) -> Store:
    return pytestconfig.stash[_STORE_KEY]


@pytest.fixture(scope="session")
def dataset(store: Store):
    """``dataset(size)``: the input folder of that size, generated once per session for the seed."""
    made: dict[int, Path] = {}

    def folder(size: int) -> Path:
        if size not in made:
            made[size] = store.config.results_dir / "data" / f"{size}_seed{store.config.seed}"
            started = time.perf_counter()
            generate(made[size], size, seed=store.config.seed)
            store.generation_seconds[size] = time.perf_counter() - started
        return made[size]

    return folder


@pytest.fixture(scope="session")
def finished_run(store: Store, dataset):
    """``finished_run(impl)``: the output folder of a successful run at the main size.

    The runtime test's first round if it ran; otherwise one run made here.
    """

    def folder(implementation: str) -> Path:
        if implementation not in store.outputs:
            base = store.config.results_dir / "runs" / f"{implementation}_{store.config.customers}"
            result = run_once(implementation, dataset(store.config.customers), base / "single", base / "single.log")
            if not result.ok:
                store.failures[implementation] = result.error or "failed"
                pytest.fail(f"{implementation} failed: {result.error}")
            store.outputs[implementation] = base / "single"
        return store.outputs[implementation]

    return folder


def pytest_sessionfinish(session: pytest.Session) -> None:
    store = session.config.stash.get(_STORE_KEY, None)
    if store is None or not (
        store.runs
        or store.code_size.sizes
        or store.equality
        or store.lineage.known
        or store.model_scaling
        or store.reliability
        or store.ui
        or store.engines.runs
        or store.isolation
        or store.isolation_direct
        or store.deployed
    ):
        return
    from bench.report.document import write_report

    session.config.stash[_WRITTEN_KEY] = write_report(store)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """The verdicts and runtimes at the end of the run, as a table; the full report is a file."""
    written = config.stash.get(_WRITTEN_KEY, None)
    if written is None:
        return
    from bench.report.summary import summary_tables

    terminalreporter.section("lc-bench: the ADR re-checked")
    for line in summary_tables(config.stash[_STORE_KEY], terminalreporter._tw.fullwidth):
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"report: {written['report']}")
    terminalreporter.write_line(f"raw figures: {written['results']}")
