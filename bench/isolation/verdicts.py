"""The ADR consequence judged from the isolation section's figures: "assets are easy to test in isolation"."""

from __future__ import annotations

from bench.store import Store
from bench.verdicts import Margin, Verdict, compare_with_best_other, figure_cells, tally

# One run each on a shared machine, and test modules of a few dozen lines: a tenth is within noise.
TENTH = Margin(0.10, relative=True, text="10% of the best other's")


def judge_testing(store: Store) -> Verdict:
    """Two comparisons with the best other tool's test of the same step: its code lines and its wall
    time (each within 10%). Supported when Dagster wins more of them than it loses, refuted when it
    loses more, no difference when even. Plain scripts (a function call) is shown as the reference."""
    tests = {name: result for name, result in store.isolation.items() if result.passed}
    tools = {name: result for name, result in tests.items() if name != "scripts"}
    outcomes, texts = {}, []
    for label, figures, show in (
        ("test code lines", {n: float(r.code_lines) for n, r in tools.items()}, lambda v: f"{v:.0f}"),
        ("wall time", {n: r.seconds for n, r in tools.items()}, lambda v: f"{v:.1f} s"),
    ):
        comparison = compare_with_best_other(figures, higher_is_better=False, margin=TENTH, show=show)
        outcomes[label] = comparison.outcome
        texts.append(f"{label}: {comparison.outcome} ({comparison.text})")
    cells = {name: f"{r.code_lines} lines, {r.seconds:.1f} s" for name, r in tests.items()}
    if "scripts" in cells:
        cells["scripts"] += " (reference, not compared)"
    return Verdict(
        tally(outcomes),
        "; ".join(texts),
        "a test of the quality-report step alone, with the tool's own test helper: its code lines and wall time",
        figure_cells(cells),
    )
