"""The verdicts the report gives an ADR claim, and the one comparison every rule makes with them.

The ADR chose Dagster over three options, so a rule compares Dagster with the **best** of the others
that have the figure, never with one picked rival: Dagster's claim holds only if no option does
better. Each rule states its margin: differences within it are "no difference", as is an exact tie.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bench.measure import ADR_CHOICE, report_order

SUPPORTED, REFUTED, NO_DIFFERENCE, NOT_MEASURABLE = "supported", "refuted", "no difference", "not measurable here"


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str  # what decided it, in words
    measured: str = ""  # the figure compared, in words
    # implementation -> its figure as the report's table shows it ("n/a: why" where it has none)
    figures: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Margin:
    """How far apart two figures must be to differ: an amount in the figure's unit, or a share of the
    best other's value; ``text`` says it in the report's words."""

    amount: float = 0.0
    relative: bool = False
    text: str = "exact"

    def exceeded(self, difference: float, reference: float) -> bool:
        limit = self.amount * abs(reference) if self.relative else self.amount
        return abs(difference) > limit


EXACT = Margin()


@dataclass(frozen=True)
class Comparison:
    """Dagster's figure against the best of the others: who that was, and what the difference means."""

    outcome: str  # SUPPORTED (Dagster better beyond the margin), REFUTED (worse), NO_DIFFERENCE, NOT_MEASURABLE
    best_other: str | None
    text: str


def compare_with_best_other(
    figures: Mapping[str, float | None], *, higher_is_better: bool, margin: Margin, show: Callable[[float], str] = str
) -> Comparison:
    """Dagster against the best figure among the other implementations in ``figures`` that have one.

    Supported when Dagster is better than that best by more than ``margin``, refuted when worse by
    more than it, no difference otherwise; not measurable when Dagster or every other lacks the figure.
    """
    mine = figures.get(ADR_CHOICE)
    others = {name: value for name, value in figures.items() if name != ADR_CHOICE and value is not None}
    if mine is None or not others:
        missing = "Dagster" if mine is None else "every other implementation"
        return Comparison(NOT_MEASURABLE, None, f"{missing} has no figure")
    pick = max if higher_is_better else min
    best = pick(others, key=lambda name: others[name])
    difference = mine - others[best]
    if not margin.exceeded(difference, others[best]):
        outcome = NO_DIFFERENCE
    else:
        outcome = SUPPORTED if (difference > 0) == higher_is_better else REFUTED
    text = f"Dagster {show(mine)} vs the best other, {best.capitalize()}, {show(others[best])} (margin: {margin.text})"
    return Comparison(outcome, best, text)


def tally(outcomes: Mapping[str, str]) -> str:
    """One verdict from several comparisons: supported when Dagster wins more of them than it loses,
    refuted when it loses more, no difference when wins and losses are even; not measurable when
    none could be made."""
    measured = [outcome for outcome in outcomes.values() if outcome != NOT_MEASURABLE]
    if not measured:
        return NOT_MEASURABLE
    wins, losses = measured.count(SUPPORTED), measured.count(REFUTED)
    return SUPPORTED if wins > losses else REFUTED if losses > wins else NO_DIFFERENCE


def figure_cells(
    figures: Mapping[str, str | None],
    not_applicable: Mapping[str, str] | None = None,
    implementations: list[str] | None = None,
) -> dict[str, str]:
    """What the report's table shows for each implementation: its figure, "n/a: why" where the row does
    not apply to it, "not measured" where it applies but this run has no figure."""
    names = report_order() if implementations is None else implementations
    not_applicable = not_applicable or {}
    return {
        name: f"n/a: {not_applicable[name]}" if name in not_applicable else figures.get(name) or "not measured"
        for name in names
    }


def judge_figures(
    measured: str,
    figures: Mapping[str, float | None],
    *,
    higher_is_better: bool,
    margin: Margin = EXACT,
    show: Callable[[float], str] = str,
    not_applicable: Mapping[str, str] | None = None,
    reference: tuple[str, ...] = (),
) -> Verdict:
    """A row decided by one figure: :func:`compare_with_best_other` over the implementations it applies
    to; those in ``reference`` are shown beside them but not compared (plain scripts, the baseline)."""
    not_applicable = not_applicable or {}
    compared = {n: v for n, v in figures.items() if n not in not_applicable and n not in reference}
    comparison = compare_with_best_other(compared, higher_is_better=higher_is_better, margin=margin, show=show)
    shown = {
        name: None if value is None else show(value) + (" (reference, not compared)" if name in reference else "")
        for name, value in figures.items()
    }
    return Verdict(comparison.outcome, comparison.text, measured, figure_cells(shown, not_applicable))
