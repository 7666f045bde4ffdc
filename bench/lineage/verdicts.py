"""The ADR rows judged from the lineage section's figures: Mental Model, DBT Integration, Data Lineage.

Plain scripts keeps no records of its own, so these rows do not apply to it; Dagster is compared with
the best of Airflow and Prefect.
"""

from __future__ import annotations

from bench.lineage.results import LineageResult
from bench.report.context import percent
from bench.store import Store
from bench.verdicts import (
    AS_JUDGED,
    EXACT,
    MARGIN_READINGS,
    TENTH,
    Criterion,
    Reading,
    Verdict,
    decide,
    figure_cells,
    judge_figures,
    left_out,
    option,
    show_count,
)

NO_RECORDS = {"scripts": "no tool, no records"}
TASKS_COUNT = "nodes known only as tasks counted as data objects"
READS_ONLY = "only the dependencies read counted as declared"
EDGES_KNOWN, DECLARED, FALSE_EDGES = "edges known", "declared by hand", "false edges"


def _known(store: Store) -> dict[str, LineageResult]:
    return {name: known for name, known in store.lineage.known.items() if name not in NO_RECORDS}


def judge_mental_model(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """Supported when Dagster stores a larger share of the true lineage graph's data nodes (input files,
    tables, models, output files) as data objects of its own (assets, Assets) than the best other tool;
    exact: a node is a data object or it is not. Nodes a tool knows only as tasks (a cosmos model task)
    are shown apart and not counted (a reading counts them)."""
    truth, known = store.lineage.truth, store.lineage.known
    with_tasks = reading.option == TASKS_COUNT
    verdict = judge_figures(
        f"share of the true graph's {truth.nodes if truth else '?'} data nodes the tool stores as data objects "
        "(assets, Assets) after a run",
        {name: k.coverage.node_coverage if with_tasks else k.data_object_share for name, k in known.items()},
        higher_is_better=True,
        show=percent,
        not_applicable=NO_RECORDS,
        reading=reading,
    )
    figures = {
        name: f"{cell} (+{known[name].task_only_nodes} known only as tasks)"
        if name in known and known[name].task_only_nodes and name not in NO_RECORDS
        else cell
        for name, cell in verdict.figures.items()
    }
    return Verdict(verdict.verdict, verdict.evidence, verdict.measured, figures)


MENTAL_MODEL_READINGS = (option(TASKS_COUNT),)


def judge_dbt_integration(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
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
        reading=reading,
    )


def judge_lineage(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """ "Built-in, automatic" against "manual configuration": three comparisons with the best other tool.
    The share of the true lineage graph's edges the tool knows after a run (exact); the lineage its
    definitions declare by hand, each dependency written counted once the same way for every tool
    (what a step reads: ``deps=``, ``inlets=``, ``asset_deps=``; what it writes: ``@asset``,
    ``materialize``, ``outlets=``; ``bench.code_size.count.lineage_declarations``; fewer is more
    automatic, within 10%); and the false edges the tool records between data nodes (exact, fewer is
    better). Supported when Dagster wins more of them than it loses, refuted when it loses more, no
    difference when even."""
    truth, sizes, known = store.lineage.truth, store.code_size.sizes, _known(store)
    reads_only = reading.option == READS_ONLY
    declared = {
        name: float(size.lineage_reads if reads_only else size.lineage_declarations)
        for name, size in sizes.items()
        if name not in NO_RECORDS
    }
    criteria = [
        Criterion(EDGES_KNOWN, {n: k.coverage.edge_coverage for n, k in known.items()}, True, EXACT, percent),
        Criterion(DECLARED, declared, False, TENTH, show_count),
        Criterion(
            FALSE_EDGES, {n: float(len(k.coverage.extra_edges)) for n, k in known.items()}, False, EXACT, show_count
        ),
    ]
    verdict, evidence = decide(criteria, reading)
    cells = {
        name: f"{percent(k.coverage.edge_coverage)} of edges; "
        + (
            f"{sizes[name].lineage_declarations} declared by hand ({sizes[name].lineage_reads} read, "
            f"{sizes[name].lineage_writes} written)"
            if name in sizes
            else "? declared by hand"
        )
        + f"; {len(k.coverage.extra_edges)} false edge(s)"
        for name, k in known.items()
    }
    return Verdict(
        verdict,
        evidence,
        f"share of the true graph's {truth.edges if truth else '?'} lineage edges the tool knows after a run, the "
        "lineage its definitions declare by hand, the false edges it records",
        figure_cells(cells, NO_RECORDS),
    )


LINEAGE_READINGS = (*MARGIN_READINGS, option(READS_ONLY), *(left_out(c) for c in (EDGES_KNOWN, DECLARED, FALSE_EDGES)))
