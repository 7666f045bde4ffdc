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
from pathlib import Path
from typing import Any

import pytest

from bench.measure import BASELINE, report_order, run_once
from bench.model_scaling.measure import dbt_elapsed_seconds, measure_load, parse_projects, prepare_manifest
from bench.model_scaling.projects import SHAPES, check_manifest, generate_project, plan, project_environment
from bench.model_scaling.render import crossing, fit_line, last_step_slope
from bench.store import Store
from impl_airflow.config import COSMOS_TEST_BEHAVIOR_ENV

CUSTOMERS = 1_000  # small on purpose: the SQL is cheap, orchestration dominates
QUICK_MODELS = 10
# The tools' other dbt integration modes, each run as a series of its own beside the shipped one:
# name -> (implementation, the environment that switches it). Same orchestration code, one setting.
VARIANTS: dict[str, tuple[str, dict[str, str]]] = {
    # cosmos TestBehavior.BUILD: one `dbt build` task per model instead of a run task and a test task
    "airflow-cosmos-build": ("airflow", {COSMOS_TEST_BEHAVIOR_ENV: "build"}),
    # one plain dbt invocation in the dbt_build task instead of prefect-dbt's task run per node
    # (impl_prefect.tasks.DBT_RUNNER_ENV; not imported here: that module imports Prefect)
    "prefect-one-invoke": ("prefect", {"LC_PREFECT_DBT_RUNNER": "dbt"}),
}
# The variants run on the layered shape only (staging -> intermediate -> marts, the shape real
# projects have): a shape of Airflow at N = 200 is the costliest case (docs/performance.md has the time).
VARIANT_SHAPES = ("layered",)
# Prefect's flow module never reads the dbt project at import (prefect-dbt learns the graph while
# running), so its load time is measured on one shape per size only, and not again for its variant.
LOAD_ONCE_PER_SIZE = {"prefect"}
LOAD_NEVER = {"prefect-one-invoke"}


def _sizes(config: pytest.Config) -> list[int]:
    return sorted({int(part) for part in config.getoption("--model-sizes").split(",") if part.strip()})


def _series(chosen: set[str]) -> list[str]:
    """Scripts first (the baseline every overhead is taken from), each chosen tool, then its variants."""
    shipped = [i for i in report_order() if i in chosen and i != BASELINE]
    return [BASELINE, *shipped, *(name for name, (tool, _) in VARIANTS.items() if tool in shipped)]


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


def _section(store: Store, config: pytest.Config) -> dict[str, Any]:
    section = store.model_scaling
    if not section:
        section.update(
            {
                "customers": CUSTOMERS,
                "shapes": list(SHAPES),
                "sizes": _sizes(config),
                "implementations": _implementations(store),
                "projects": {},
                "cases": [],
            }
        )
    return section


def _save(store: Store) -> None:
    """Raw figures so far, written after each case: a crashed session keeps what it measured."""
    out = store.config.results_dir / "model_scaling" / "model_scaling.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(store.model_scaling, indent=2, default=str) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def synthetic_project(store: Store, pytestconfig: pytest.Config):
    """``synthetic_project(shape, n)``: generated once per session, manifests built, DAG checked."""
    made: dict[tuple[str, int], Path] = {}
    root = store.config.results_dir / "model_scaling"

    def project(shape: str, models: int) -> Path:
        key = (shape, models)
        if key not in made:
            folder = generate_project(root / "projects" / f"{shape}_{models}", shape, models)
            manifests: dict[str, dict[str, Any]] = {}
            for tool in ("dagster", "airflow"):
                built = prepare_manifest(tool, folder, root / "logs" / f"prepare_{tool}_{shape}_{models}.log")
                assert built is not None, f"{tool} builds a manifest"
                manifests[tool] = built
            counts = check_manifest(Path(manifests["dagster"]["manifest"]), shape, models)
            check_manifest(Path(manifests["airflow"]["manifest"]), shape, models)
            _section(store, pytestconfig)["projects"][f"{shape}@{models}"] = {
                "shape": shape,
                "models": models,
                "path": str(folder),
                **counts,
                "manifest_seconds": {tool: built["seconds"] for tool, built in manifests.items()},
            }
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
    case: dict[str, Any] = {"shape": shape, "models": models, "implementation": implementation}
    try:
        if implementation not in LOAD_NEVER and (implementation not in LOAD_ONCE_PER_SIZE or shape == SHAPES[0]):
            case["load"] = measure_load(tool, project, base / "load.log", env=mode_env)
    except Exception as error:  # a load failure is a finding; the run still tells its own story
        case["load_error"] = str(error)
    load_before = os.getloadavg()[0]
    run = run_once(
        tool, dataset(CUSTOMERS), base / "out", base / "run.log", env={**project_environment(project), **mode_env}
    )
    case["run"] = run.as_dict()
    # The machine's 1-minute load average around the run: timings on a shared machine need it.
    case["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    if implementation == "scripts":
        case["dbt_seconds"] = dbt_elapsed_seconds(base / "out")
    section["cases"].append(case)
    _save(store)
    print(
        f"\n  model scaling {shape} N={models} {implementation}: "
        f"load {case.get('load', {}).get('load_seconds', float('nan')):.1f} s, wall {run.wall_seconds:.1f} s, "
        f"peak {run.peak_rss_mib or float('nan'):.0f} MiB" + ("" if run.ok else f", FAILED: {run.error}")
    )
    assert run.ok, f"{implementation} on {shape} N={models} failed: {run.error}"
    assert "load_error" not in case, case["load_error"]


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
    store.model_scaling["quick"] = {
        "models": QUICK_MODELS,
        "parse_seconds": {shape: parse_seconds[str(path)] for shape, path in projects.items()},
        "counts": counts,
        "dagster_load": load,
        "section_seconds": time.perf_counter() - started,
    }
    assert load["nodes"] >= QUICK_MODELS


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
    assert exact is not None and abs(exact["slope"] - 0.5) < 1e-9 and abs(exact["intercept"] - 1) < 1e-9
    assert exact["slope_se"] is not None and exact["slope_se"] < 1e-9
    noisy = fit_line([10, 50, 200], [6.0, 24.0, 101.0])
    assert noisy is not None and noisy["slope_se"] > 0
    assert fit_line([10, 10], [1.0, 2.0]) is None
    # a cost per node that grows with N: the last step is steeper than the fitted line
    assert last_step_slope([10, 50, 200, 200], [10.0, 80.0, 700.0, 720.0]) == (710.0 - 80.0) / 150
    assert last_step_slope([10, 10], [1.0, 2.0]) is None
    dbt = {"intercept": 10.0, "slope": 0.1}
    assert crossing({"intercept": 2.0, "slope": 0.5}, dbt, 200) == "from N ≈ 20"
    assert crossing({"intercept": 20.0, "slope": 0.5}, dbt, 200).startswith("at every N")
    assert crossing({"intercept": 2.0, "slope": 0.05}, dbt, 200).startswith("never")
    assert crossing({"intercept": 2.0, "slope": 0.11}, dbt, 200).startswith("not within N ≤ 200")
