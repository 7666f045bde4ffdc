"""The ADR's need "production deployment" judged from the deployed section's figures."""

from __future__ import annotations

from bench.deployed.results import DeployedResult
from bench.measure import report_order
from bench.store import Store
from bench.verdicts import EXACT, Margin, Verdict, compare_with_best_other, figure_cells, tally

# One stack at a time on a shared machine, a few rounds each: a tenth is within noise.
TENTH = Margin(0.10, relative=True, text="10% of the best other's")
NO_STACK = "no deployed stack: a plain script runs where it is started"


def survived_crash(entry: DeployedResult) -> float | None:
    """1 when the run hit by the crash still ended in success with outputs equal to the in-process run's."""
    if entry.crash is None:
        return None
    return 1.0 if entry.crash.outputs_equal else 0.0


def judge_production(store: Store) -> Verdict:
    """Three comparisons with the best other deployed stack: trigger to done (median, within 10%),
    resident memory while idle (within 10%), and whether a run survives a crash of the process that
    starts runs (exact). Supported when Dagster wins more of them than it loses, refuted when it loses
    more, no difference when even; not measurable without ``pytest bench --deployed``."""
    shipped = {tool: entry for tool, entry in store.deployed.items() if tool in report_order()}  # no variants
    stacks = {tool: entry for tool, entry in shipped.items() if not entry.error}
    outcomes, texts = {}, []
    for label, figures, margin, higher, show in (
        ("trigger to done", {t: e.median("trigger_to_done") for t, e in stacks.items()}, TENTH, False, _s),
        ("idle memory", {t: e.idle.rss_mib if e.idle else None for t, e in stacks.items()}, TENTH, False, _mib),
        ("run survives a crash", {t: survived_crash(e) for t, e in stacks.items()}, EXACT, True, _yes),
    ):
        comparison = compare_with_best_other(figures, higher_is_better=higher, margin=margin, show=show)
        outcomes[label] = comparison.outcome
        texts.append(f"{label}: {comparison.outcome} ({comparison.text})")
    cells = {tool: _cell(entry) for tool, entry in shipped.items()}
    return Verdict(
        tally(outcomes),
        "; ".join(texts),
        "each deployed stack (section Deployed): trigger to done, idle memory, a run through a crash",
        figure_cells(cells, {"scripts": NO_STACK}),
    )


def _cell(entry: DeployedResult) -> str:
    if entry.error:
        return f"stopped: {entry.error.splitlines()[0][:120]}"
    survived = survived_crash(entry)
    crash = "not measured" if survived is None else _yes(survived)
    return f"done in {_s(entry.median('trigger_to_done'))}, idle {_mib(entry.idle.rss_mib if entry.idle else None)}, survives a crash: {crash}"


def _s(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} s"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} MiB"


def _yes(value: float | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")
