"""The ADR rows judged from the lineage section's figures: Mental Model, DBT Integration, Data Lineage.

Plain scripts keeps no records of its own, so these rows do not apply to it; Dagster is compared with
the best of Airflow and Prefect.
"""

from __future__ import annotations

from bench.report.context import percent
from bench.store import Store
from bench.verdicts import EXACT, Margin, Verdict, compare_with_best_other, figure_cells, judge_figures, tally

NO_RECORDS = {"scripts": "no tool, no records"}
TENTH = Margin(0.10, relative=True, text="10% of the best other's")


def _coverage(store: Store, share: str) -> dict[str, float | None]:
    return {name: getattr(known.coverage, share) for name, known in store.lineage.known.items()}


def judge_mental_model(store: Store) -> Verdict:
    """Supported when Dagster stores a larger share of the true lineage graph's data nodes (input files,
    tables, models, output files) as data objects of its own (assets, Assets) than the best other tool;
    exact: a node is a data object or it is not. Nodes a tool knows only as tasks (a cosmos model task)
    are shown apart and not counted."""
    truth = store.lineage.truth
    verdict = judge_figures(
        f"share of the true graph's {truth.nodes if truth else '?'} data nodes the tool stores as data objects "
        "(assets, Assets) after a run",
        {name: known.data_object_share for name, known in store.lineage.known.items()},
        higher_is_better=True,
        show=percent,
        not_applicable=NO_RECORDS,
    )
    known = store.lineage.known
    figures = {
        name: f"{cell} (+{known[name].task_only_nodes} known only as tasks)"
        if name in known and known[name].task_only_nodes and name not in NO_RECORDS
        else cell
        for name, cell in verdict.figures.items()
    }
    return Verdict(verdict.verdict, verdict.evidence, verdict.measured, figures)


def judge_dbt_integration(store: Store) -> Verdict:
    """Supported when more of the dbt project's models become objects of Dagster, with no per-model
    code, than of the best other tool; exact: a count of models."""
    truth = store.lineage.truth
    total = truth.dbt_models if truth else None
    return judge_figures(
        f"dbt models (of {total if total is not None else '?'}) that became tool objects without per-model code",
        {name: float(known.dbt_models_mapped) for name, known in store.lineage.known.items()},
        higher_is_better=True,
        show=lambda count: f"{count:.0f}/{total if total is not None else '?'}",
        not_applicable=NO_RECORDS,
    )


def judge_lineage(store: Store) -> Verdict:
    """ "Built-in, automatic" against "manual configuration": two comparisons with the best other tool.
    The share of the true lineage graph's edges the tool knows after a run (exact: an edge is shown or
    not), and the lineage declared by hand in its definitions (``deps=``, ``inlets=``/``outlets=``,
    ``asset_deps=``, asset constructors: ``bench.code_size.count.LINEAGE_NAMES``; fewer is more
    automatic, within 10%). Supported when Dagster wins more of them than it loses, refuted when it
    loses more, no difference when even."""
    truth, sizes = store.lineage.truth, store.code_size.sizes
    known = {name: result.coverage.edge_coverage for name, result in store.lineage.known.items()}
    declared = {name: float(size.lineage_declarations) for name, size in sizes.items()}
    comparisons = {
        "edges known": compare_with_best_other(
            {n: v for n, v in known.items() if n not in NO_RECORDS}, higher_is_better=True, margin=EXACT, show=percent
        ),
        "declared by hand": compare_with_best_other(
            {n: v for n, v in declared.items() if n not in NO_RECORDS},
            higher_is_better=False,
            margin=TENTH,
            show=lambda v: f"{v:.0f}",
        ),
    }
    cells = {
        name: f"{percent(known.get(name))} of edges; {sizes[name].lineage_declarations if name in sizes else '?'} "
        "declared by hand"
        for name in set(known) | set(declared)
        if name not in NO_RECORDS
    }
    return Verdict(
        tally({label: c.outcome for label, c in comparisons.items()}),
        "; ".join(f"{label}: {c.outcome} ({c.text})" for label, c in comparisons.items()),
        f"share of the true graph's {truth.edges if truth else '?'} lineage edges the tool knows after a run, and "
        "the lineage its definitions declare by hand",
        figure_cells(cells, NO_RECORDS),
    )
