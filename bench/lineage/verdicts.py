"""The ADR rows judged from the lineage section's figures: Mental Model, DBT Integration, Data Lineage.

Plain scripts keeps no records of its own, so these rows do not apply to it; Dagster is compared with
the best of Airflow and Prefect.
"""

from __future__ import annotations

from bench.report.context import percent
from bench.store import Store
from bench.verdicts import Verdict, judge_figures

NO_RECORDS = {"scripts": "no tool, no records"}


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
    """Supported when Dagster knows a larger share of the true lineage graph's edges after a run than
    the best other tool; exact: one edge is a dependency the tool does or does not show."""
    truth = store.lineage.truth
    return judge_figures(
        f"share of the true graph's {truth.edges if truth else '?'} lineage edges the tool knows after a run",
        _coverage(store, "edge_coverage"),
        higher_is_better=True,
        show=percent,
        not_applicable=NO_RECORDS,
    )
