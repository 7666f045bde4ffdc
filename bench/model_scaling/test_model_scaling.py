"""Overhead as the dbt project grows: every implementation on synthetic projects of N models.

Opt-in (slow): ``pytest bench/model_scaling/test_model_scaling.py --model-scaling [--model-sizes 10,50,200,500]``.
For each N and shape (:data:`bench.model_scaling.projects.SHAPES`) a synthetic project is generated once under
``<results>/model_scaling/projects/``, its manifests are built for Dagster and Airflow (a deploy-time
step, timed apart), then per implementation: the definition load time in a new process and one
end-to-end run (``python -m bench.runner`` with ``LC_DBT_PROJECT_DIR`` set) on 1,000 customers, so
orchestration dominates. Cases run shape by shape, smallest N first, so an interrupted session
still has whole shapes to fit. The fits (per-node overhead, crossing point) are computed by the report
(:mod:`bench.model_scaling.render`) from the figures stored here.

In ``--quick`` mode only :func:`test_synthetic_projects_quick` runs: the three shapes at N=10
are generated and parsed by dbt, the DAG of each checked against the plan, and Dagster's definition
load time is measured on one of them.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from bench.measure import BASELINE, RunMeasurement, report_order, run_once
from bench.model_scaling.measure import dbt_elapsed_seconds, measure_load, parse_projects, prepare_manifest
from bench.model_scaling.projects import SHAPES, check_manifest, generate_project, plan, project_environment
from bench.model_scaling.render import crossing, fit_line, last_step_slope
from bench.model_scaling.results import (
    DefinitionLoad,
    Fit,
    ManifestBuild,
    ManifestCounts,
    ModelScalingResults,
    Project,
    QuickCheck,
    ScalingCase,
)
from bench.store import Store
from bench.variants import STORAGE_VARIANTS, VARIANTS

CUSTOMERS = 1_000  # small on purpose: the SQL is cheap, orchestration dominates
QUICK_MODELS = 10
# The variants run on the layered shape only (staging -> intermediate -> marts, the shape real
# projects have): a shape of Airflow at N = 200 is the costliest case (docs/performance.md has the time).
VARIANT_SHAPES = ("layered",)
# Prefect's flow module never reads the dbt project at import (prefect-dbt learns the graph while
# running), so its load time is measured on one shape per size only, and not again for its variant.
LOAD_ONCE_PER_SIZE = {"prefect"}
LOAD_NEVER = {"dagster-multiprocess", "prefect-one-invoke", "prefect-per-node"}


def _sizes(config: pytest.Config) -> list[int]:
    return sorted({int(part) for part in config.getoption("--model-sizes").split(",") if part.strip()})


def _series(chosen: set[str]) -> list[str]:
    """Scripts first (the baseline every overhead is taken from), each chosen tool, then its dbt modes."""
    shipped = [i for i in report_order() if i in chosen and i != BASELINE]
    modes = [name for name, (tool, _) in VARIANTS.items() if tool in shipped and name not in STORAGE_VARIANTS]
    return [BASELINE, *shipped, *modes]


def _implementations(store: Store) -> list[str]:
    return _series(set(store.config.implementations))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scaling_case" not in metafunc.fixturenames:
        return
    config = metafunc.config
    cases: list[tuple[int, str, str]] = []
    if config.getoption("--model-scaling"):
        implementations = _series({name.strip() for name in config.getoption("--impls").split(",")})
        # Shape by shape, smallest N first: an interrupted session still has whole shapes to fit.
        cases = [
            (n, shape, impl)
            for shape in SHAPES
            for n in _sizes(config)
            for impl in implementations
            if impl not in VARIANTS or shape in VARIANT_SHAPES
        ]
    if not cases:
        skip = pytest.mark.skip(reason="opt-in: pytest bench --model-scaling (slow)")
        metafunc.parametrize("scaling_case", [pytest.param(None, marks=skip, id="opt-in")])
        return
    metafunc.parametrize("scaling_case", cases, ids=[f"{shape}-{n}-{impl}" for n, shape, impl in cases])


def _section(store: Store, config: pytest.Config) -> ModelScalingResults:
    section = store.model_scaling
    if not section.measured:
        section.customers = CUSTOMERS
        section.shapes = list(SHAPES)
        section.sizes = _sizes(config)
        section.implementations = _implementations(store)
    return section


def _save(store: Store) -> None:
    """Raw figures so far, written after each case: a crashed session keeps what it measured."""
    out = store.config.results_dir / "model_scaling" / "model_scaling.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(asdict(store.model_scaling), indent=2, default=str) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def synthetic_project(store: Store, pytestconfig: pytest.Config):
    """``synthetic_project(shape, n)``: generated once per session, manifests built, DAG checked."""
    made: dict[tuple[str, int], Path] = {}
    root = store.config.results_dir / "model_scaling"

    def project(shape: str, models: int) -> Path:
        key = (shape, models)
        if key not in made:
            folder = generate_project(root / "projects" / f"{shape}_{models}", shape, models)
            manifests: dict[str, ManifestBuild] = {}
            for tool in ("dagster", "airflow"):
                built = prepare_manifest(tool, folder, root / "logs" / f"prepare_{tool}_{shape}_{models}.log")
                assert built is not None, f"{tool} builds a manifest"
                manifests[tool] = built
            counts = check_manifest(Path(manifests["dagster"].manifest), shape, models)
            check_manifest(Path(manifests["airflow"].manifest), shape, models)
            _section(store, pytestconfig).projects[f"{shape}@{models}"] = Project(
                shape=shape,
                path=str(folder),
                manifest_seconds={tool: built.seconds for tool, built in manifests.items()},
                **asdict(counts),
            )
            made[key] = folder
        return made[key]

    return project


def test_model_scaling_case(
    scaling_case: tuple[int, str, str], store: Store, dataset, synthetic_project, pytestconfig: pytest.Config
) -> None:
    """One implementation on one synthetic project: definition load time, then one end-to-end run."""
    models, shape, implementation = scaling_case
    tool, mode_env = VARIANTS.get(implementation, (implementation, {}))
    section = _section(store, pytestconfig)
    project = synthetic_project(shape, models)
    base = store.config.results_dir / "model_scaling" / "runs" / f"{shape}_{models}" / implementation
    load, load_error = None, None
    try:
        if implementation not in LOAD_NEVER and (implementation not in LOAD_ONCE_PER_SIZE or shape == SHAPES[0]):
            load = measure_load(tool, project, base / "load.log", env=mode_env)
    except Exception as error:  # a load failure is a finding; the run still tells its own story
        load_error = str(error)
    load_before = os.getloadavg()[0]
    run = run_once(
        tool, dataset(CUSTOMERS), base / "out", base / "run.log", env={**project_environment(project), **mode_env}
    )
    case = ScalingCase(
        shape,
        models,
        implementation,
        run,
        load,
        load_error,
        # The machine's 1-minute load average around the run: timings on a shared machine need it.
        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        dbt_seconds=dbt_elapsed_seconds(base / "out") if implementation == "scripts" else None,
    )
    section.cases.append(case)
    _save(store)
    print(
        f"\n  model scaling {shape} N={models} {implementation}: "
        f"load {case.load_seconds or float('nan'):.1f} s, wall {run.wall_seconds:.1f} s, "
        f"peak {run.peak_rss_mib or float('nan'):.0f} MiB" + ("" if run.ok else f", FAILED: {run.error}")
    )
    assert run.ok, f"{implementation} on {shape} N={models} failed: {run.error}"
    assert load_error is None, load_error


def test_synthetic_projects_quick(store: Store, pytestconfig: pytest.Config) -> None:
    """Quick mode: three N=10 projects parse with dbt and have the planned DAG; one tool's load time."""
    if not store.config.quick or pytestconfig.getoption("--model-scaling"):
        pytest.skip("quick-mode check only (--quick without --model-scaling)")
    started = time.perf_counter()
    root = store.config.results_dir / "model_scaling" / "quick"
    projects = {shape: generate_project(root / f"{shape}_{QUICK_MODELS}", shape, QUICK_MODELS) for shape in SHAPES}
    parse_seconds = parse_projects(list(projects.values()), root / "parse.log")
    counts = {
        shape: check_manifest(path / "target" / "dagster" / "manifest.json", shape, QUICK_MODELS)
        for shape, path in projects.items()
    }
    load = measure_load("dagster", projects[SHAPES[0]], root / "load_dagster.log")
    store.model_scaling.quick = QuickCheck(
        models=QUICK_MODELS,
        parse_seconds={shape: parse_seconds[str(path)] for shape, path in projects.items()},
        counts=counts,
        dagster_load=load,
        section_seconds=time.perf_counter() - started,
    )
    assert load.nodes is not None and load.nodes >= QUICK_MODELS


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("models", [3, 10, 200, 500])
def test_synthetic_plan_shapes(shape: str, models: int) -> None:
    """Pure Python, every mode: N models, unique names, parents defined before use (a DAG), one root set."""
    planned = plan(shape, models)
    names = [m.name for m in planned]
    assert len(planned) == models and len(set(names)) == models
    seen: set[str] = set()
    for model in planned:
        assert set(model.parents) <= seen, f"{model.name} reads a model not defined before it"
        assert bool(model.parents) != bool(model.root or model.source), model
        seen.add(model.name)
    if shape == "chain":
        assert all(len(m.parents) == 1 for m in planned[1:])
    if shape == "fan":
        assert len(planned[-1].parents) == models - 1


def test_fit_line_and_crossing() -> None:
    """The per-node slope, its standard error and the crossing point on lines whose answer is known."""
    exact = fit_line([10, 50, 200], [1 + 0.5 * n for n in (10, 50, 200)])
    assert exact is not None and abs(exact.slope - 0.5) < 1e-9 and abs(exact.intercept - 1) < 1e-9
    assert exact.slope_se is not None and exact.slope_se < 1e-9
    noisy = fit_line([10, 50, 200], [6.0, 24.0, 101.0])
    assert noisy is not None and noisy.slope_se is not None and noisy.slope_se > 0
    assert fit_line([10, 10], [1.0, 2.0]) is None
    # a cost per node that grows with N: the last step is steeper than the fitted line
    assert last_step_slope([10, 50, 200, 200], [10.0, 80.0, 700.0, 720.0]) == (710.0 - 80.0) / 150
    assert last_step_slope([10, 10], [1.0, 2.0]) is None
    dbt = Fit(intercept=10.0, slope=0.1, points=3)
    assert crossing(Fit(intercept=2.0, slope=0.5, points=3), dbt, 200) == "from N ≈ 20"
    assert crossing(Fit(intercept=20.0, slope=0.5, points=3), dbt, 200).startswith("at every N")
    assert crossing(Fit(intercept=2.0, slope=0.05, points=3), dbt, 200).startswith("never")
    assert crossing(Fit(intercept=2.0, slope=0.11, points=3), dbt, 200).startswith("not within N ≤ 200")


def test_saved_figures_read_back() -> None:
    """What ``_save`` writes, ``python -m bench.model_scaling.render`` reads back unchanged."""
    load = DefinitionLoad(1.5, 1.0, 0.5, 30, "import", checks=4)
    results = ModelScalingResults(
        customers=CUSTOMERS,
        shapes=list(SHAPES),
        sizes=[10],
        implementations=["scripts", "dagster"],
        projects={"chain@10": Project("chain", "/p", {"dagster": 2.0}, 20, 25, 10)},
        cases=[
            ScalingCase("chain", 10, "dagster", RunMeasurement("dagster", True, 9.0, 1.0, 7.0, 300.0), load),
            ScalingCase("chain", 10, "scripts", RunMeasurement("scripts", False, 3.0, None, None, None, "boom")),
        ],
        quick=QuickCheck(10, {"chain": 1.0}, {"chain": ManifestCounts(20, 25, 10)}, load, 12.0),
    )
    saved = json.loads(json.dumps(asdict(results), default=str))
    assert ModelScalingResults.from_dict(saved) == results
    assert [case.failure for case in results.cases] == [None, "boom"]
