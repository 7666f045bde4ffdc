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

    for size, most in ((ONE_MILLION, 2.0), (FIVE_MILLION, 1.5)):
        ratio = store.ratio_to_limit("scripts", size)
        shown, verdict = _verdict(ratio, lambda r, most=most: r <= most, f"{ratio or 0:.2f}x the limit")
        rows.append(f"| scripts within {most:g}x of the limit at {size:,} customers | {shown} | {verdict} |")

    for size, most_seconds in ((FIXED_COST_SIZE, 5.0), (ONE_MILLION, 10.0)):
        over = store.overhead("dagster", size)
        extra = over["wall_seconds"] if over else None
        measured_by = "pytest bench, the default size" if size == FIXED_COST_SIZE else "pytest bench --large"
        shown, verdict = _verdict(extra, lambda s, most=most_seconds: s <= most, f"{extra or 0:+.1f} s", measured_by)
        rows.append(
            f"| dagster at most {most_seconds:g} s slower than scripts at {size:,} customers | {shown} | {verdict} |"
        )

    over = store.overhead("dagster", FIVE_MILLION)
    ratio = over["wall_ratio"] if over else None
    shown, verdict = _verdict(ratio, lambda r: r <= 1.15, f"{ratio or 0:.2f}x scripts")
    rows.append(f"| dagster within 1.15x of scripts at {FIVE_MILLION:,} customers | {shown} | {verdict} |")

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
