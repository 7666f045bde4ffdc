"""The report's section on overhead as the dbt project grows, and its chart.

Everything is computed here from the figures :mod:`bench.model_scaling.test_model_scaling` stored for this run:

* overhead(N) = an implementation's end-to-end wall time minus plain scripts' on the same project
  (same N, same shape);
* **per-node overhead** = the slope of overhead(N) against N, by least squares, with its standard
  error (closed form; with 3 sizes a fit has 1 degree of freedom, so the error is rough);
* dbt's own work = ``elapsed_time`` of dbt's ``run_results.json`` in the scripts run; the model
  count at which overhead exceeds it is where the two fitted lines cross.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.model_scaling.results import Fit, ModelScalingResults, ScalingCase


def machine_cpus() -> int:
    return os.cpu_count() or 0


CHART = "model_scaling.png"
_ALL_SHAPES = "all shapes"


def fit_line(xs: list[float], ys: list[float]) -> Fit | None:
    """Least-squares line ``y = intercept + slope * x`` with standard errors (None when < 2 distinct x)."""
    n = len(xs)
    if n < 2 or len(set(xs)) < 2:
        return None
    design = np.column_stack([np.ones(n), np.asarray(xs, dtype=float)])
    observed = np.asarray(ys, dtype=float)
    (intercept, slope), *_ = np.linalg.lstsq(design, observed, rcond=None)
    if n == 2:
        return Fit(float(slope), float(intercept), n)
    # the coefficients' covariance: residual variance times (XᵀX)⁻¹
    residuals = observed - design @ np.array([intercept, slope])
    covariance = float(residuals @ residuals) / (n - 2) * np.linalg.inv(design.T @ design)
    intercept_se, slope_se = (float(np.sqrt(covariance[i, i])) for i in (0, 1))
    return Fit(float(slope), float(intercept), n, slope_se, intercept_se)


def last_step_slope(xs: list[float], ys: list[float]) -> float | None:
    """Seconds per model between the two largest N (the mean y at each N): where a tool's cost per
    node grows with the project, this is larger than the least-squares slope."""
    by_n: dict[float, list[float]] = defaultdict(list)
    for x, y in zip(xs, ys):
        by_n[x].append(y)
    if len(by_n) < 2:
        return None
    (n1, y1), (n2, y2) = [(n, sum(v) / len(v)) for n, v in sorted(by_n.items())[-2:]]
    return (y2 - y1) / (n2 - n1)


def crossing(overhead: Fit | None, dbt: Fit | None, largest: int) -> str:
    """Where the fitted overhead line rises above the fitted dbt-work line, in words."""
    if not overhead or not dbt:
        return "n/a"
    gap0 = overhead.intercept - dbt.intercept  # overhead minus dbt work at N = 0
    gap_slope = overhead.slope - dbt.slope
    if gap_slope == 0:
        return "always" if gap0 > 0 else "never"
    point = -gap0 / gap_slope
    if gap0 >= 0 and gap_slope > 0 or point <= 0 and gap_slope > 0:
        return "at every N (overhead above dbt's work from the start)"
    if gap_slope < 0:
        if gap0 <= 0:
            return "never (dbt's work grows faster)"
        where = "within" if point <= largest else "beyond"
        return f"until N ≈ {point:,.0f} ({where} the measured range), then dbt's work is larger"
    if point <= largest:
        return f"from N ≈ {point:,.0f}"
    return f"not within N ≤ {largest} (extrapolated N ≈ {point:,.0f})"


Series = dict[tuple[str, str], dict[int, ScalingCase]]  # (implementation, shape) -> N -> the case


def _cases(results: ModelScalingResults) -> list[ScalingCase]:
    return [case for case in results.cases if case.run.ok]


def _series(results: ModelScalingResults) -> Series:
    series: Series = defaultdict(dict)
    for case in _cases(results):
        series[(case.implementation, case.shape)][case.models] = case
    return series


def _overhead_points(series: Series, implementation: str, shapes: list[str]) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for shape in shapes:
        base = series.get(("scripts", shape), {})
        for n, case in series.get((implementation, shape), {}).items():
            if n in base:
                xs.append(float(n))
                ys.append(case.run.wall_seconds - base[n].run.wall_seconds)
    return xs, ys


def _dbt_points(series: Series, shapes: list[str]) -> tuple[list[float], list[float]]:
    points = [
        (float(n), c.dbt_seconds)
        for shape in shapes
        for n, c in series.get(("scripts", shape), {}).items()
        if c.dbt_seconds is not None
    ]
    return [x for x, _ in points], [y for _, y in points]


def _metric_fit(
    series: Series, implementation: str, shapes: list[str], metric: Callable[[ScalingCase], float | None]
) -> Fit | None:
    points = [(float(n), metric(c)) for shape in shapes for n, c in series.get((implementation, shape), {}).items()]
    measured = [(x, y) for x, y in points if y is not None]
    return fit_line([x for x, _ in measured], [y for _, y in measured])


def _per_model(fit: Fit | None, scale: float = 1.0, unit: str = "s") -> str:
    if not fit:
        return "n/a"
    if fit.slope_se is None:
        return f"{fit.slope * scale:.3g} {unit} (2 points: no spread)"
    return f"{fit.slope * scale:.3g} ± {fit.slope_se * scale:.2g} {unit}"


def _step(slope: float | None) -> str:
    return "n/a" if slope is None else f"{slope:.3g} s"


def overhead_table(results: ModelScalingResults) -> list[str]:
    """The per-node overhead table."""
    series = _series(results)
    shapes = [s for s in results.shapes if any(k[1] == s for k in series)]
    largest = max((c.models for c in _cases(results)), default=0)
    rows = [
        "| implementation | shape | per-node overhead (s per model, ± s.e.) | between the two largest N | "
        "fixed overhead (intercept) | overhead at largest N | overhead > dbt's own work | load time per model | "
        "peak memory per model |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for shape in [*shapes, _ALL_SHAPES] if len(shapes) > 1 else shapes:
        dbt = fit_line(*_dbt_points(series, shapes if shape == _ALL_SHAPES else [shape]))
        dbt_step = last_step_slope(*_dbt_points(series, shapes if shape == _ALL_SHAPES else [shape]))
        rows.append(
            f"| *dbt's own work (scripts' `dbt build`, for comparison)* | {shape} | {_per_model(dbt)} | "
            f"{_step(dbt_step)} | {'n/a' if not dbt else format(dbt.intercept, '.1f') + ' s'} | | | | |"
        )
    for implementation in results.implementations:
        if implementation == "scripts":
            continue
        # a variant measured on one shape only (bench/test_model_scaling.VARIANT_SHAPES) gets that row only
        own = [s for s in shapes if (implementation, s) in series]
        for shape in [*own, _ALL_SHAPES] if len(own) > 1 else own:
            chosen = own if shape == _ALL_SHAPES else [shape]
            xs, ys = _overhead_points(series, implementation, chosen)
            fit = fit_line(xs, ys)
            dbt = fit_line(*_dbt_points(series, chosen))
            at_largest = [y for x, y in zip(xs, ys) if x == max(xs, default=None)]
            load = _metric_fit(series, implementation, chosen, lambda c: c.load_seconds)
            memory = _metric_fit(series, implementation, chosen, lambda c: c.run.peak_rss_mib)
            rows.append(
                f"| {implementation} | {shape} | {_per_model(fit)} | {_step(last_step_slope(xs, ys))} | "
                f"{'n/a' if not fit else format(fit.intercept, '.1f') + ' s'} | "
                f"{', '.join(f'{y:+.1f} s' for y in at_largest) or 'n/a'} | {crossing(fit, dbt, largest)} | "
                f"{_per_model(load, 1000, 'ms')} | {_per_model(memory, 1, 'MiB')} |"
            )
    return rows


def _raw_rows(results: ModelScalingResults) -> list[str]:
    series = _series(results)
    rows = [
        "| shape | N | implementation | definition load | end-to-end wall | pipeline in-process | "
        "overhead vs scripts | peak memory | dbt's own time (scripts) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for case in sorted(
        results.cases, key=lambda c: (c.shape, c.models, results.implementations.index(c.implementation))
    ):
        run = case.run
        if not run.ok:
            rows.append(f"| {case.shape} | {case.models} | {case.implementation} | | **failed**: {run.error} | | | | |")
            continue
        base = series.get(("scripts", case.shape), {}).get(case.models)
        over = (
            "baseline"
            if case.implementation == "scripts"
            else (f"{run.wall_seconds - base.run.wall_seconds:+.1f} s" if base else "n/a")
        )
        load = case.load_seconds
        rows.append(
            f"| {case.shape} | {case.models} | {case.implementation} | "
            f"{'not measured' if load is None else format(load, '.2f' if load < 1 else '.1f') + ' s'} | "
            f"{run.wall_seconds:.1f} s | "
            f"{_seconds(run.pipeline_seconds)} | {over} | {_mib(run.peak_rss_mib)} | "
            f"{'' if case.dbt_seconds is None else format(case.dbt_seconds, '.1f') + ' s'} |"
        )
    return rows


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


def _project_rows(results: ModelScalingResults) -> list[str]:
    rows = [
        "| project | models in manifest (synthetic) | tests in manifest | Dagster manifest build | Airflow manifest build |",
        "|---|---|---|---|---|",
    ]
    for project in results.projects.values():
        seconds = project.manifest_seconds
        rows.append(
            f"| {project.shape}, N={project.synthetic_models} | {project.models} "
            f"({project.synthetic_models}) | {project.tests} | {seconds.get('dagster', 0):.1f} s | "
            f"{seconds.get('airflow', 0):.1f} s |"
        )
    return rows


_METHOD = (
    "N counts the generated models; each has one `not_null` test, so the synthetic part adds 2N dbt nodes "
    "(N models + N tests) to the shipped project's own {shipped} (the real pipeline runs unchanged on top, "
    "with its exports and quality report). Shapes: `chain` (each model reads the previous one), `fan` (N − 1 "
    "models read the staging models, one model unions them all), `layered` (staging half of N → intermediate "
    "three tenths → marts the rest, each model reading two of the layer below). Every model is one row, so "
    "the SQL costs almost nothing. Each case is one end-to-end run in a new process (`python -m bench.runner` "
    "with `LC_DBT_PROJECT_DIR` pointing at the project) on {customers:,} customers; overhead(N) = its wall "
    "time − plain scripts' on the same project. Per-node overhead is the least-squares slope of overhead(N) "
    "against N (± its standard error; with 3 sizes one degree of freedom, so treat the spread as rough); "
    "*all shapes* pools the points of every shape. dbt's own work is `elapsed_time` of dbt's "
    "`run_results.json` in the scripts run; the crossing point is where the fitted overhead line rises above "
    "the fitted dbt-work line. Definition load is a new process per tool: Dagster imports the code location "
    "and resolves the asset graph; Airflow imports itself and parses the DAG file (`BundleDagBag`, cosmos "
    "renders the dbt tasks from the manifest); Prefect imports the flow module (measured on one shape per "
    "size: it does not read the dbt project at import; prefect-dbt learns the graph while running); scripts "
    "imports its module. Manifests for Dagster and Airflow are built once per project before anything is "
    "timed (a deploy-time `dbt parse`), and reported apart."
)

_MODES = (
    "Integration modes: each implementation as shipped (Dagster one `dbt build` for all dbt assets, "
    "`@dbt_assets`, events streamed, each test an asset check; Airflow astronomer-cosmos, a run task and a "
    "test task per model, `dbtRunner` in the task's process, `dag.test()`; Prefect prefect-dbt "
    "`PrefectDbtRunner`, one `dbt build` with a task run per dbt node), and five other modes of the same code, "
    "each switched by one setting (`bench/variants.py`): **dagster-multiprocess** (Dagster's default executor, a "
    "process per step, one at a time, `LC_DAGSTER_EXECUTOR=multiprocess`), **airflow-watcher** (cosmos `ExecutionMode.WATCHER`: one "
    "`dbt build` by a producer task, a sensor per model, `LC_COSMOS_EXECUTION_MODE=watcher`), **airflow-cosmos-build** (cosmos `TestBehavior.BUILD`: one `dbt build` "
    "task per model, `LC_COSMOS_TEST_BEHAVIOR=build`), **prefect-one-invoke** (one plain dbt invocation "
    "in the `dbt_build` task, no task run per node, `LC_PREFECT_DBT_RUNNER=dbt`) and **prefect-per-node** "
    "(prefect-dbt's `PrefectDbtOrchestrator`, `ExecutionMode.PER_NODE`: a task and a dbt invocation per node, "
    "one at a time, `LC_PREFECT_DBT_RUNNER=per-node`). Not measured: Dagster "
    "subset runs (a selection of dbt assets is the same one `dbt build` with a `--select`, not a different "
    "per-node mechanism)."
)


def model_scaling_section(results: ModelScalingResults) -> list[str]:
    """Markdown lines of the section (empty when the section did not run)."""
    if not results:
        return []
    lines = ["", "## Overhead as the dbt project grows", ""]
    if results.measured:
        shipped = next(iter(results.projects.values()), None)
        shipped_nodes = (
            (f"{shipped.models - shipped.synthetic_models} models and {shipped.tests - shipped.synthetic_models} tests")
            if shipped
            else "nodes"
        )
        lines += [_METHOD.format(shipped=shipped_nodes, customers=results.customers), "", _MODES, ""]
        loads = sorted(v for c in results.cases for v in c.load_average)
        if loads:
            lines += [
                f"Machine load during the runs (1-minute load average before and after each run, "
                f"{machine_cpus()} CPUs): median {loads[len(loads) // 2]:.1f}, range {loads[0]:.1f}–{loads[-1]:.1f}. "
                "Above the CPU count, runs wait for CPU and every time here is inflated.",
                "",
            ]
        lines += ["### Per-node overhead", ""] + overhead_table(results)
        lines += ["", "### Every case", ""] + _raw_rows(results)
        lines += ["", "### Projects and manifest builds (deploy-time, not in the runs above)", ""] + _project_rows(
            results
        )
        failed = [c for c in results.cases if c.failure]
        if failed:
            lines += [
                "",
                "Failures: " + "; ".join(f"{c.shape} N={c.models} {c.implementation}: {c.failure}" for c in failed),
            ]
        lines += ["", f"Chart: `{CHART}` (under Charts): time, load time and memory against N, per shape."]
    quick = results.quick
    if quick:
        parse = ", ".join(f"{shape} {s:.1f} s" for shape, s in quick.parse_seconds.items())
        load = quick.dagster_load
        lines += [""] if lines[-1] else []
        lines += [
            f"Quick check (`--quick`): the three shapes at N={quick.models} were generated and "
            f"parsed by dbt ({parse}), each DAG matched its plan; Dagster loaded one "
            f"({load.nodes} assets, {load.checks} checks) in {load.load_seconds:.1f} s. "
            f"This check took {quick.section_seconds:.0f} s. The full measurement is opt-in: "
            "`pytest bench --model-scaling`."
        ]
    return lines


def model_scaling_charts(results: ModelScalingResults, out: Path) -> list[str]:
    """Wall time, definition load time and peak memory against N: one column per shape."""
    series = _series(results)
    shapes = [s for s in results.shapes if any(k[1] == s for k in series)]
    if not shapes:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows: list[tuple[str, Callable[[ScalingCase], float | None]]] = [
        ("end-to-end wall time, s", lambda c: c.run.wall_seconds),
        ("definition load, s", lambda c: c.load_seconds),
        ("peak memory, MiB", lambda c: c.run.peak_rss_mib),
    ]
    fig, axes = plt.subplots(len(rows), len(shapes), figsize=(4.2 * len(shapes), 3.2 * len(rows)), squeeze=False)
    for column, shape in enumerate(shapes):
        for row, (label, metric) in enumerate(rows):
            ax = axes[row][column]
            for implementation in results.implementations:
                points = sorted(
                    (n, value)
                    for n, c in series.get((implementation, shape), {}).items()
                    if (value := metric(c)) is not None
                )
                if points:
                    ax.plot([n for n, _ in points], [y for _, y in points], "o-", label=implementation)
            if row == 0:
                dbt = sorted(
                    (n, c.dbt_seconds)
                    for n, c in series.get(("scripts", shape), {}).items()
                    if c.dbt_seconds is not None
                )
                if dbt:
                    ax.plot([n for n, _ in dbt], [y for _, y in dbt], "k--", label="dbt's own time (scripts)")
                ax.set_title(shape)
            ax.set_xlabel("generated dbt models (N)")
            ax.set_ylabel(label)
            ax.legend(fontsize=7)
    fig.suptitle("Overhead as the dbt project grows")
    fig.tight_layout()
    fig.savefig(out / CHART, dpi=110)
    plt.close(fig)
    return [CHART]


def main(argv: list[str] | None = None) -> int:
    """Render the section and chart again from a saved ``model_scaling.json``, e.g. of an interrupted
    session (the figures are saved after every case; the report is written only at session end)::

        python -m bench.model_scaling.render bench/results/model_scaling/model_scaling.json
    """
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.model_scaling.render", description=main.__doc__)
    parser.add_argument("figures", type=Path, help="a model_scaling.json written by the harness")
    args = parser.parse_args(argv)
    results = ModelScalingResults.from_dict(json.loads(args.figures.read_text(encoding="utf-8")))
    charts = model_scaling_charts(results, args.figures.parent)
    print("\n".join(model_scaling_section(results)))
    print(f"\n(chart: {', '.join(str(args.figures.parent / c) for c in charts) or 'none'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
