"""The verdicts the report gives an ADR claim, the one comparison every rule makes, and how robust each is.

The ADR chose Dagster over three options, so a rule compares Dagster with the **best** of the others
that have the figure (plain scripts included where it has one), never with one picked rival: Dagster's
claim holds only if no option does better. A difference decides nothing unless it is beyond the row's
margin **and**, for a timed figure, beyond the rounds' noise. Every rule is judged again under the
other fair readings a reviewer could pick (:class:`Reading`); a verdict one of them flips is *fragile*.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from bench.measure import ADR_CHOICE, report_order

if TYPE_CHECKING:
    from bench.store import Store

SUPPORTED, REFUTED, NO_DIFFERENCE, NOT_MEASURABLE = "supported", "refuted", "no difference", "not measurable here"
NOT_JUDGED = "not judged"  # a timed figure with too few samples to tell a difference from noise
DECIDED = (SUPPORTED, REFUTED)
SWAPPED = {SUPPORTED: REFUTED, REFUTED: SUPPORTED}

# A timed figure is judged on its samples (rounds, repeats): fewer than this and it is "not judged".
MIN_SAMPLES = 3
CONFIDENCE = 0.95  # of the bootstrap interval of the difference of medians
BOOTSTRAP_DRAWS = 4000
BOOTSTRAP_SEED = 20261207  # fixed: the same figures always give the same interval

# A figure: one value (a count, a share: no noise), the samples of a timed figure, or None (not measured).
Figure = float | Sequence[float] | None


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
    smaller of the two (so that swapping the two figures swaps the outcome); ``text`` says it in words."""

    amount: float = 0.0
    relative: bool = False
    text: str = "exact"

    def exceeded(self, difference: float, mine: float, other: float) -> bool:
        limit = self.amount * min(abs(mine), abs(other)) if self.relative else self.amount
        return abs(difference) > limit

    def scaled(self, factor: float) -> Margin:
        if factor == 1 or not self.amount:
            return self
        return Margin(self.amount * factor, self.relative, f"{self.text} ×{factor:g}")


EXACT = Margin()
TENTH = Margin(0.10, relative=True, text="10% of the smaller")


@dataclass(frozen=True)
class Reading:
    """One fair way to read a row's figures. Every row is judged under :data:`AS_JUDGED`; the report
    judges it again under each other reading a reviewer could pick (the same run's figures, nothing
    re-measured) and says whether the verdict holds."""

    name: str = "as judged"
    margin_scale: float = 1.0
    scripts_compared: bool = True  # plain scripts is one of the options the ADR weighed
    # Which of a tool's modes a verdict reads: each tool's fastest correct documented mode as this run
    # timed it (FASTEST), or each tool's documented default (DEFAULT). See bench.variants.mode_read.
    modes: str = "fastest"
    memory: str = "pss"  # "pss" (shared pages split between the processes) or "rss" (summed)
    left_out: str = ""  # a criterion this reading leaves out of a rule that weighs several
    option: str = ""  # a rule's own alternative, named by the rule (e.g. "all code" for Type Safety)


AS_JUDGED = Reading()
FASTEST, DEFAULT = "fastest", "default"
HALF_MARGIN = Reading("margin halved", margin_scale=0.5)
DOUBLE_MARGIN = Reading("margin doubled", margin_scale=2.0)
SCRIPTS_OUT = Reading("plain scripts left out", scripts_compared=False)
DEFAULT_MODES = Reading("each tool's documented default mode", modes=DEFAULT)
MARGIN_READINGS = (HALF_MARGIN, DOUBLE_MARGIN)


def left_out(label: str) -> Reading:
    """The reading that weighs every criterion of a rule but ``label``."""
    return Reading(f"without “{label}”", left_out=label)


def option(name: str) -> Reading:
    return Reading(name, option=name)


@dataclass(frozen=True)
class Comparison:
    """Dagster's figure against the best of the others: who that was, and what the difference means."""

    outcome: str  # SUPPORTED (Dagster better beyond margin and noise), REFUTED (worse), NO_DIFFERENCE, ...
    best_other: str | None
    text: str


def samples(figure: Figure) -> tuple[float, ...]:
    """A figure as its samples: one value is one sample, None none."""
    if figure is None:
        return ()
    if isinstance(figure, int | float):
        return (float(figure),)
    return tuple(float(value) for value in figure)


def noise_interval(mine: Sequence[float], other: Sequence[float]) -> tuple[float, float]:
    """The bootstrap interval (:data:`CONFIDENCE`) of median(mine) - median(other): both samples drawn
    again with replacement, the medians' difference each time. Symmetric: swapping the samples negates
    the interval exactly (the draws are made in one canonical order)."""
    first, second = tuple(sorted(mine)), tuple(sorted(other))
    if first > second:
        low, high = noise_interval(second, first)
        return -high, -low
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    medians_first = np.median(rng.choice(np.array(first), size=(BOOTSTRAP_DRAWS, len(first))), axis=1)
    medians_second = np.median(rng.choice(np.array(second), size=(BOOTSTRAP_DRAWS, len(second))), axis=1)
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(medians_first - medians_second, [tail, 1 - tail])
    return float(low), float(high)


def show_samples(values: Sequence[float], show: Callable[[float], str]) -> str:
    """A figure as the report prints it: the median, and the range and count when there are several."""
    if len(values) == 1:
        return show(values[0])
    return f"{show(statistics.median(values))} ({show(min(values))}–{show(max(values))}, {len(values)} samples)"


def compare_with_best_other(
    figures: Mapping[str, Figure],
    *,
    higher_is_better: bool,
    margin: Margin,
    show: Callable[[float], str] = str,
    noisy: bool = False,
) -> Comparison:
    """Dagster against the best figure (by median) among the other implementations in ``figures``.

    Supported when Dagster is better than that best by more than ``margin``, refuted when worse by more
    than it, no difference otherwise. A margin relative to the figures is a share of the smaller of the
    two. A timed figure decides only with at least three samples on each side ("not judged" otherwise)
    and only when the 95% bootstrap interval of the difference of medians excludes zero ("no difference
    (within noise)" otherwise). Not measurable when Dagster or every other lacks the figure.
    """
    mine = samples(figures.get(ADR_CHOICE))
    others = {name: samples(value) for name, value in figures.items() if name != ADR_CHOICE and samples(value)}
    if not mine or not others:
        missing = "Dagster" if not mine else "every other implementation"
        return Comparison(NOT_MEASURABLE, None, f"{missing} has no figure")
    pick = max if higher_is_better else min
    best = pick(others, key=lambda name: (statistics.median(others[name]), name))
    mine_median, best_median = statistics.median(mine), statistics.median(others[best])
    difference = mine_median - best_median
    text = (
        f"Dagster {show_samples(mine, show)} vs the best other, {best.capitalize()}, "
        f"{show_samples(others[best], show)} (margin: {margin.text}"
    )
    if noisy and min(len(mine), len(others[best])) < MIN_SAMPLES:
        counts = f"{len(mine)} and {len(others[best])} sample(s)"
        return Comparison(NOT_JUDGED, best, f"{text}; {counts}: not judged, a timing needs {MIN_SAMPLES} each)")
    if noisy:
        low, high = noise_interval(mine, others[best])
        text += f"; noise: {CONFIDENCE:.0%} interval of the difference {show(low)} to {show(high)})"
        if low <= 0 <= high:
            return Comparison(NO_DIFFERENCE, best, f"{text}, within noise")
    else:
        text += ")"
    if not margin.exceeded(difference, mine_median, best_median):
        return Comparison(NO_DIFFERENCE, best, text)
    return Comparison(SUPPORTED if (difference > 0) == higher_is_better else REFUTED, best, text)


@dataclass(frozen=True)
class Criterion:
    """One figure a rule weighs: every implementation's value or samples, and how to compare them."""

    label: str
    figures: Mapping[str, Figure]
    higher_is_better: bool
    margin: Margin = EXACT
    show: Callable[[float], str] = str
    noisy: bool = False  # a timing: judged on its samples, beyond the noise (compare_with_best_other)
    weight: float = 1.0
    # Correctness (a run lost, an output wrong): once decided it outweighs every other criterion.
    decisive: bool = False


def tally(
    outcomes: Mapping[str, str], weights: Mapping[str, float] | None = None, decisive: Collection[str] = ()
) -> str:
    """One verdict from several comparisons. A decided decisive comparison settles it (conflicting
    decisive ones are no difference); otherwise supported when the weights Dagster wins outweigh those
    it loses, refuted when the reverse, no difference when even. Comparisons not judged or not
    measurable do not vote; with none voting the verdict is theirs."""
    settled = {outcome for label, outcome in outcomes.items() if label in decisive and outcome in DECIDED}
    if settled:
        return settled.pop() if len(settled) == 1 else NO_DIFFERENCE
    weight = {label: (weights or {}).get(label, 1.0) for label in outcomes}
    votes = {label: outcome for label, outcome in outcomes.items() if outcome in (*DECIDED, NO_DIFFERENCE)}
    if not votes:
        return NOT_JUDGED if NOT_JUDGED in outcomes.values() else NOT_MEASURABLE
    score = sum(weight[label] * ((o == SUPPORTED) - (o == REFUTED)) for label, o in votes.items())
    return SUPPORTED if score > 0 else REFUTED if score < 0 else NO_DIFFERENCE


def decide(criteria: Sequence[Criterion], reading: Reading = AS_JUDGED) -> tuple[str, str]:
    """The verdict of a rule that weighs ``criteria`` under ``reading`` (its margins scaled, the
    criterion it leaves out left out, plain scripts dropped if it says so), and the evidence in words."""
    comparisons: dict[str, Comparison] = {}
    weights, decisive = {}, set()
    for criterion in criteria:
        if criterion.label == reading.left_out:
            continue
        figures = {n: v for n, v in criterion.figures.items() if reading.scripts_compared or n != "scripts"}
        comparisons[criterion.label] = compare_with_best_other(
            figures,
            higher_is_better=criterion.higher_is_better,
            margin=criterion.margin.scaled(reading.margin_scale),
            show=criterion.show,
            noisy=criterion.noisy,
        )
        weights[criterion.label] = criterion.weight
        if criterion.decisive:
            decisive.add(criterion.label)
    outcomes = {label: comparison.outcome for label, comparison in comparisons.items()}
    if len(comparisons) == 1:
        return next(iter(outcomes.values())), next(iter(comparisons.values())).text
    if set(outcomes.values()) == {NOT_MEASURABLE}:  # one reason is enough
        return NOT_MEASURABLE, "; ".join(dict.fromkeys(c.text for c in comparisons.values()))
    evidence = "; ".join(f"{label}: {c.outcome} ({c.text})" for label, c in comparisons.items())
    return tally(outcomes, weights, decisive), evidence


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
    figures: Mapping[str, Figure],
    *,
    higher_is_better: bool,
    margin: Margin = EXACT,
    show: Callable[[float], str] = str,
    not_applicable: Mapping[str, str] | None = None,
    reading: Reading = AS_JUDGED,
) -> Verdict:
    """A row decided by one figure: :func:`compare_with_best_other` over the implementations it applies
    to (plain scripts among them unless ``reading`` leaves it out)."""
    not_applicable = not_applicable or {}
    compared = {n: v for n, v in figures.items() if n not in not_applicable}
    criterion = Criterion(measured, compared, higher_is_better, margin, show)
    verdict, evidence = decide([criterion], reading)
    shown = {name: show_samples(samples(value), show) if samples(value) else None for name, value in figures.items()}
    return Verdict(verdict, evidence, measured, figure_cells(shown, not_applicable))


Judge = Callable[["Store", Reading], Verdict]


@dataclass(frozen=True)
class Robustness:
    """A row's verdict under each fair reading: how many agree with the one judged, and which flip it."""

    verdict: str
    readings: list[tuple[Reading, str]]  # every reading but AS_JUDGED, and its verdict

    @property
    def flips(self) -> list[tuple[Reading, str]]:
        return [(reading, verdict) for reading, verdict in self.readings if verdict != self.verdict]

    @property
    def fragile(self) -> bool:
        """A reading turns the verdict into another judgement (not into "not measurable" or "not judged",
        which only say that reading lacks figures)."""
        judged = (*DECIDED, NO_DIFFERENCE)
        return self.verdict in judged and any(verdict in judged for _, verdict in self.flips)

    def text(self) -> str:
        """ "supported in 6 of 8 readings; fragile: no difference with …", as the report prints it."""
        total = len(self.readings) + 1
        if total == 1:
            return "no other fair reading applies"
        if not self.flips:
            return f"{self.verdict} in all {total} readings"
        holds = f"{self.verdict} in {total - len(self.flips)} of {total} readings"
        flips = "; ".join(f"{verdict} with {reading.name}" for reading, verdict in self.flips)
        return f"{holds}; {'fragile' if self.fragile else 'changes'}: {flips}"


def robustness(judge: Judge, store: Store, readings: Sequence[Reading]) -> Robustness:
    """The verdict as judged, and under each of ``readings`` (the same figures, nothing re-measured)."""
    return Robustness(
        judge(store, AS_JUDGED).verdict, [(reading, judge(store, reading).verdict) for reading in readings]
    )


def swapped(verdict: str) -> str:
    """The verdict a rule must give when Dagster's figures and its rival's are exchanged."""
    return SWAPPED.get(verdict, verdict)


# How the rules print a figure in their evidence.
def show_count(value: float) -> str:
    return f"{value:.0f}"


def show_seconds(value: float) -> str:
    return f"{value:.1f} s"


def show_yes(value: float) -> str:
    return "yes" if value else "no"
