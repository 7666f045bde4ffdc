"""The ADR rows judged from the lineage section's figures: Mental Model, DBT Integration, Data Lineage."""

from __future__ import annotations

from bench.lineage.graph import Coverage
from bench.report.context import percent
from bench.store import Store
from bench.verdicts import NOT_MEASURABLE, REFUTED, SUPPORTED, Verdict


def _coverage(store: Store, implementation: str) -> Coverage | None:
    entry = store.lineage.known.get(implementation)
    return None if entry is None else entry.coverage


def judge_mental_model(store: Store) -> Verdict:
    dagster, airflow = (
        None if (known := _coverage(store, i)) is None else known.node_coverage for i in ("dagster", "airflow")
    )
    truth = store.lineage.truth
    evidence = (
        f"data products the tool records as first-class objects (share of the true graph's "
        f"{truth.nodes if truth else '?'} nodes): Dagster {percent(dagster)}, "
        f"Airflow {percent(airflow)}"
    )
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)


def judge_dbt_integration(store: Store) -> Verdict:
    known, truth = store.lineage.known, store.lineage.truth
    dagster, airflow = (known[i].dbt_models_mapped if i in known else None for i in ("dagster", "airflow"))
    total = truth.dbt_models if truth else None
    evidence = f"dbt models that became tool objects without per-model code: Dagster {dagster}/{total}, Airflow {airflow}/{total}"
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)


def judge_lineage(store: Store) -> Verdict:
    dagster, airflow = (
        None if (known := _coverage(store, i)) is None else known.edge_coverage for i in ("dagster", "airflow")
    )
    evidence = (
        f"true lineage edges known to the tool after a run: Dagster {percent(dagster)}, Airflow {percent(airflow)}"
    )
    if dagster is None or airflow is None:
        return Verdict(NOT_MEASURABLE, evidence + " (an implementation did not run)")
    return Verdict(SUPPORTED if dagster > airflow else REFUTED, evidence)
