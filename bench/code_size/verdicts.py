"""The ADR rows judged from the code-size section's figures: Type Safety, Learning Curve."""

from __future__ import annotations

from bench.report.context import percent
from bench.store import Store
from bench.verdicts import NOT_MEASURABLE, REFUTED, SUPPORTED, Verdict


def judge_type_safety(store: Store) -> Verdict:
    typing = store.code_size.typing
    shares = {i: typing[i].typed_share for i in ("dagster", "airflow") if i in typing}
    errors = {i: typing[i].mypy_errors for i in ("dagster", "airflow") if i in typing}
    evidence = (
        f"share of expressions in the orchestration code that mypy types (not Any): "
        f"Dagster {percent(shares.get('dagster'))}, Airflow {percent(shares.get('airflow'))}; mypy errors {errors}"
    )
    if shares.get("dagster") is None or shares.get("airflow") is None:
        return Verdict(NOT_MEASURABLE, evidence)
    return Verdict(SUPPORTED if shares["dagster"] > shares["airflow"] else REFUTED, evidence)


def judge_learning_curve(store: Store) -> Verdict:
    sizes = store.code_size.sizes
    apis = {i: len(sizes[i].framework_apis) for i in ("dagster", "airflow") if i in sizes}
    lines = {i: sizes[i].code_lines for i in ("dagster", "airflow") if i in sizes}
    return Verdict(
        NOT_MEASURABLE,
        f"no measure of learning here; proxies: distinct framework APIs used {apis}, orchestration code lines {lines}",
    )
