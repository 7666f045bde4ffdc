"""The performance targets, judged from what the session measured.

Every figure comes from the runtime section's rounds (``bench/runtime/test_runtime.py``) and the data sets
the session generated; a target whose size was not run says so. ``pytest bench --large`` runs the
sizes they name (1,000,000 and 5,000,000 customers).
"""

from __future__ import annotations

from collections.abc import Callable

from bench.store import Store

ONE_MILLION, FIVE_MILLION, FIXED_COST_SIZE = 1_000_000, 5_000_000, 10_000
MEMORY_LIMIT_MIB = 2048
GENERATOR_LIMIT_SECONDS = 60.0


def _verdict(
    value: float | None, met: Callable[[float], bool], shown: str, measured_by: str = "pytest bench --large"
) -> tuple[str, str]:
    if value is None:
        return f"not measured in this run (`{measured_by}`)", "n/a"
    return shown, "**met**" if met(value) else "**not met**"


def target_rows(store: Store) -> list[str]:
    """Markdown table: each target, the measured figure, met or not."""
    rows = ["| target | measured | verdict |", "|---|---|---|"]

    ratio = store.ratio_to_limit("scripts", ONE_MILLION)
    shown, verdict = _verdict(ratio, lambda r: r <= 1.5, f"{ratio or 0:.2f}x the limit")
    rows.append(f"| scripts within 1.5x of the limit at {ONE_MILLION:,} customers | {shown} | {verdict} |")

    over = store.overhead("dagster", ONE_MILLION)
    ratio = over["wall_ratio"] if over else None
    shown, verdict = _verdict(ratio, lambda r: r <= 1.25, f"{ratio or 0:.2f}x scripts")
    rows.append(f"| dagster within 1.25x of scripts at {ONE_MILLION:,} customers | {shown} | {verdict} |")

    over = store.overhead("dagster", FIXED_COST_SIZE)
    extra = over["wall_seconds"] if over else None
    shown, verdict = _verdict(extra, lambda s: s <= 5.0, f"{extra or 0:+.1f} s", "pytest bench, the default size")
    rows.append(f"| dagster at most 5 s slower than scripts at {FIXED_COST_SIZE:,} customers | {shown} | {verdict} |")

    for implementation in store.config.implementations:
        summary = store.runtime_summary(implementation, FIVE_MILLION)
        process = summary["peak_rss_mib"] if summary else None
        tree = summary["peak_tree_rss_mib"] if summary else None
        worst = max(process or 0, tree or 0) if summary else None
        shown, verdict = _verdict(
            worst,
            lambda mib: mib < MEMORY_LIMIT_MIB,
            f"largest process {process or 0:,.0f} MiB; whole process tree {tree or 0:,.0f} MiB",
        )
        rows.append(
            f"| {implementation}: peak memory below 2 GiB at {FIVE_MILLION:,} customers | {shown} | {verdict} |"
        )

    seconds = store.generation_seconds.get(FIVE_MILLION)
    shown, verdict = _verdict(seconds, lambda s: s < GENERATOR_LIMIT_SECONDS, f"{seconds or 0:.1f} s")
    rows.append(f"| the generator writes {FIVE_MILLION:,} customers in under a minute | {shown} | {verdict} |")
    return rows
