"""Options and shared fixtures of the harness; the report is written when the session ends.

    pytest bench/                       # default: 10,000 customers, 3 rounds per implementation
    pytest bench/ --quick               # CI: 1,000 customers, 1 round
    pytest bench/ --customers 100000    # the size of the issue notes
    pytest bench/ --scaling             # also 100,000 and 1,000,000 customers, 1 round each
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.measure import run_once
from bench.store import BenchConfig, Store
from core.cli import IMPLEMENTATIONS
from core.generate import generate

RESULTS_DIR = Path(__file__).resolve().parent / "results"
_STORE_KEY = pytest.StashKey[Store]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lc-bench", "lc-pipeline comparison harness")
    group.addoption("--customers", type=int, default=10_000, help="customers in the data set (default 10,000)")
    group.addoption("--rounds", type=int, default=3, help="timed rounds per implementation (default 3)")
    group.addoption("--seed", type=int, default=42, help="generator seed (default 42)")
    group.addoption("--quick", action="store_true", help="CI size: 1,000 customers, 1 round")
    group.addoption("--scaling", action="store_true",
                    help="also time 100,000 and 1,000,000 customers (1 round each; slow)")
    group.addoption("--impls", default=",".join(IMPLEMENTATIONS),
                    help="comma-separated implementations to compare (default: all)")
    group.addoption("--results-dir", type=Path, default=RESULTS_DIR, help="where the report goes")


def pytest_configure(config: pytest.Config) -> None:
    quick = config.getoption("--quick")
    customers = 1_000 if quick else config.getoption("--customers")
    chosen = [name.strip() for name in config.getoption("--impls").split(",") if name.strip()]
    config.stash[_STORE_KEY] = Store(
        BenchConfig(
            customers=customers,
            rounds=1 if quick else config.getoption("--rounds"),
            seed=config.getoption("--seed"),
            scaling_sizes=[s for s in (100_000, 1_000_000) if s != customers] if config.getoption("--scaling") else [],
            implementations=[name for name in IMPLEMENTATIONS if name in chosen],
            results_dir=config.getoption("--results-dir"),
            quick=quick,
        )
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    store = metafunc.config.stash[_STORE_KEY]
    if "implementation" in metafunc.fixturenames:
        metafunc.parametrize("implementation", store.config.implementations)
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
            generate(made[size], size, seed=store.config.seed)
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
    if store is None or not (store.runs or store.code_size or store.equality or store.lineage):
        return
    from bench.report import write_report

    paths = write_report(store)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter:
        reporter.write_line(f"lc-bench: report written to {paths['report']}")
