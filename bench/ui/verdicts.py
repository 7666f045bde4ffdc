"""The ADR row judged from the UI section's figures: Local Development."""

from __future__ import annotations

from bench.store import Store
from bench.ui.render import measured_seconds
from bench.ui.results import ToolUi
from bench.verdicts import EXACT, Margin, Verdict, compare_with_best_other, figure_cells, tally

# Timings on a shared 2-core machine, one run each: a tenth of the best other's time is within noise.
TIME_MARGIN = Margin(0.10, relative=True, text="10% of the best other's time")
NO_UI = {"scripts": "no UI"}


def _criteria(tools: dict[str, ToolUi]) -> dict[str, tuple[dict[str, float | None], Margin]]:
    """Each figure the row weighs, per tool with a UI (lower is better for all three)."""
    return {
        "command to our pipeline listed": ({n: r.pipeline_listed_seconds for n, r in tools.items()}, TIME_MARGIN),
        "tool settings to pass": ({n: float(len(r.newcomer.settings)) for n, r in tools.items()}, EXACT),
        "code change to listed": (
            {n: r.hot_reload.seconds if r.hot_reload else None for n, r in tools.items()},
            TIME_MARGIN,
        ),
    }


def _cell(result: ToolUi) -> str:
    reload = result.hot_reload.seconds if result.hot_reload else None
    return (
        f"listed {measured_seconds(result.pipeline_listed_seconds)}; {len(result.newcomer.settings)} setting(s); "
        f"change listed {measured_seconds(reload)}"
    )


def judge_local_development(store: Store) -> Verdict:
    """Three comparisons with the best other UI: time from the command to our pipeline listed, tool
    settings a newcomer passes (counted alike, telemetry opt-outs left out), time from saving a code
    change to it being listed (each tool's user action taken at once); times within 10%, settings
    exactly. Supported when Dagster wins more of them than it loses, refuted when it loses more, no
    difference when even."""
    tools = store.ui.tools
    outcomes, texts = {}, []
    for name, (figures, margin) in _criteria(tools).items():
        show = (lambda v: f"{v:.0f}") if margin is EXACT else (lambda v: f"{v:.1f} s")
        comparison = compare_with_best_other(figures, higher_is_better=False, margin=margin, show=show)
        outcomes[name] = comparison.outcome
        texts.append(f"{name}: {comparison.outcome} ({comparison.text})")
    return Verdict(
        tally(outcomes),
        "; ".join(texts),
        "each UI started by its make target: command to our pipeline listed, settings passed, code change to listed",
        figure_cells({name: _cell(result) for name, result in tools.items()}, NO_UI),
    )
