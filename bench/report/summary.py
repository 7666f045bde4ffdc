"""The tables ``pytest bench`` prints when it ends: the verdicts first, then the runtimes behind them.

The same rules and figures as report.md (``bench.report.claims.CLAIMS``, ``Store.runtime_summary``), drawn
with rich for a terminal; the report stays the full account.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from bench.measure import report_order
from bench.report.claims import CLAIMS
from bench.store import Store


def _verdicts(store: Store) -> Table:
    table = Table(title="The ADR's comparison table, judged from this run", show_lines=True)
    names = report_order()
    table.add_column("Feature", style="bold", no_wrap=True)
    for name in names:
        table.add_column(name)
    table.add_column("Verdict", no_wrap=True)
    for claim in CLAIMS:
        verdict = claim.verdict(store)
        fragile = " (fragile)" if claim.robustness(store).fragile else ""
        table.add_row(claim.feature, *(verdict.figures.get(name, "") for name in names), verdict.verdict + fragile)
    return table


def _runtimes(store: Store) -> Table:
    size = store.config.customers
    table = Table(title=f"End-to-end wall time at {size:,} customers (median of the rounds)")
    for name in ("implementation", "cold", "warm", "first-run cost", "overhead vs scripts (cold)", "peak memory, tree"):
        table.add_column(name, justify="left" if name == "implementation" else "right")
    for implementation in store.timed():
        cold = store.runtime_summary(implementation, size)
        if cold is None:
            table.add_row(implementation, "failed or not run", "", "", "", "")
            continue
        warm = store.runtime_summary(implementation, size, "warm")
        cost = store.fresh_state_cost(implementation, size)
        overhead = store.overhead(implementation, size)
        table.add_row(
            implementation,
            f"{cold['wall_seconds']['median']:.1f} s",
            f"{warm['wall_seconds']['median']:.1f} s" if warm else "-",
            f"{cost:+.1f} s" if cost is not None else "-",
            "baseline" if implementation == "scripts" else f"{overhead['wall_seconds']:+.1f} s" if overhead else "-",
            f"{cold['peak_tree_rss_mib']:.0f} MiB",
        )
    return table


def summary_tables(store: Store, width: int) -> list[str]:
    """The tables as plain lines for pytest's terminal reporter."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=max(width, 120), force_terminal=False, color_system=None)
    console.print(_verdicts(store))
    if store.runs:
        console.print(_runtimes(store))
    return buffer.getvalue().splitlines()
