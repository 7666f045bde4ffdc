"""The ADR's comparison table: each row, what the ADR says of each tool, and the rule that judges it.

The rules live beside the sections whose figures they read (``bench/<section>/verdicts.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.code_size.verdicts import (
    MIGRATION_READINGS,
    TYPE_SAFETY_READINGS,
    judge_learning_curve,
    judge_migration,
    judge_type_safety,
)
from bench.deployed.verdicts import PRODUCTION_READINGS, judge_production
from bench.isolation.verdicts import TESTING_READINGS, judge_testing
from bench.lineage.verdicts import (
    LINEAGE_READINGS,
    MENTAL_MODEL_READINGS,
    judge_dbt_integration,
    judge_lineage,
    judge_mental_model,
)
from bench.measure import report_order
from bench.report.context import markdown_table
from bench.store import Store
from bench.ui.verdicts import LOCAL_DEVELOPMENT_READINGS, judge_local_development
from bench.verdicts import AS_JUDGED, NOT_MEASURABLE, Judge, Reading, Robustness, Verdict, robustness


@dataclass(frozen=True)
class Claim:
    """One row of the ADR's comparison table, and the rule that judges it from the figures."""

    feature: str
    dagster_says: str
    airflow_says: str
    judge: Judge
    readings: tuple[Reading, ...] = ()  # the other fair readings a reviewer could pick (bench.verdicts.Reading)

    def verdict(self, store: Store) -> Verdict:
        return self.judge(store, AS_JUDGED)

    def robustness(self, store: Store) -> Robustness:
        return robustness(self.judge, store, self.readings)


def _not_measurable(why: str) -> Callable[[Store, Reading], Verdict]:
    """A row no figure of this machine can decide: it says why."""

    def judge(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
        return Verdict(NOT_MEASURABLE, why, "nothing here", {name: "not measured" for name in report_order()})

    judge.__doc__ = f"Not measurable here: {why}."
    return judge


CLAIMS: list[Claim] = [
    Claim("Mental Model", "Assets (data products)", "Tasks (operations)", judge_mental_model, MENTAL_MODEL_READINGS),
    Claim("DBT Integration", "Native `@dbt_assets`", "Via operators", judge_dbt_integration),
    Claim("Local Development", "`dagster dev`", "Complex setup", judge_local_development, LOCAL_DEVELOPMENT_READINGS),
    Claim("Type Safety", "Full type hints", "Limited", judge_type_safety, TYPE_SAFETY_READINGS),
    Claim("Data Lineage", "Built-in, automatic", "Manual configuration", judge_lineage, LINEAGE_READINGS),
    Claim("Learning Curve", "Moderate", "Steep", judge_learning_curve),
    Claim(
        "Community",
        "Growing",
        "Large",
        _not_measurable("needs download or contributor statistics; this machine reaches no such source"),
    ),
]


# The ADR's consequences that this project can put a figure beside (docs/adr.md lists them all).
CONSEQUENCES: list[Claim] = [
    Claim(
        "Migration (negative)",
        "moving to another orchestrator later is harder",
        "",
        judge_migration,
        MIGRATION_READINGS,
    ),
    Claim(
        "Testing (positive)",
        "assets are easy to test in isolation",
        "",
        judge_testing,
        TESTING_READINGS,
    ),
    Claim(
        "Production deployment (the ADR's need)",
        "chosen for local development and production deployment",
        "",
        judge_production,
        PRODUCTION_READINGS,
    ),
]


def claims_table(store: Store, claims: list[Claim] | None = None) -> list[str]:
    """The report's first table: each claim, what was measured, every implementation's figure, the
    verdict with the figures and noise that decided it, and how it fares under the other fair readings."""
    names = report_order()
    rows = []
    for claim in CLAIMS if claims is None else claims:
        verdict = claim.verdict(store)
        rows.append(
            [
                f"**{claim.feature}**",
                f"Dagster: {claim.dagster_says}" + (f"; Airflow: {claim.airflow_says}" if claim.airflow_says else ""),
                verdict.measured,
                *(verdict.figures.get(name, "not measured") for name in names),
                f"**{verdict.verdict}**: {verdict.evidence}",
                claim.robustness(store).text(),
            ]
        )
    return markdown_table(["Feature", "the ADR says", "measured", *names, "verdict", "robustness"], rows)
