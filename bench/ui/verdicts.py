"""The ADR row judged from the UI section's figures: Local Development."""

from __future__ import annotations

from bench.store import Store
from bench.ui.render import measured_seconds
from bench.ui.results import ToolUi
from bench.verdicts import (
    AS_JUDGED,
    EXACT,
    MARGIN_READINGS,
    TENTH,
    Criterion,
    Reading,
    Verdict,
    decide,
    figure_cells,
    left_out,
    show_count,
    show_seconds,
)

NO_UI = {"scripts": "no UI"}
LISTED, SETTINGS, RELOAD = "command to our pipeline listed", "tool settings to pass", "code change to listed and run"


def listed(result: ToolUi) -> list[float]:
    """Every start's time from the command to our pipeline listed (a run that kept one has one)."""
    if result.listed_samples:
        return result.listed_samples
    return [] if result.pipeline_listed_seconds is None else [result.pipeline_listed_seconds]


def reloaded(result: ToolUi) -> list[float]:
    """Every edit's time from the save to the change listed and run, the tool's user action taken at once."""
    reloads = result.hot_reloads or ([result.hot_reload] if result.hot_reload else [])
    return [reload.seconds for reload in reloads if reload.seconds is not None]


def _criteria(tools: dict[str, ToolUi]) -> list[Criterion]:
    """Each figure the row weighs, per tool with a UI (lower is better for all three)."""
    return [
        Criterion(LISTED, {n: listed(r) for n, r in tools.items()}, False, TENTH, show_seconds, noisy=True),
        Criterion(SETTINGS, {n: float(len(r.newcomer.settings)) for n, r in tools.items()}, False, EXACT, show_count),
        Criterion(RELOAD, {n: reloaded(r) for n, r in tools.items()}, False, TENTH, show_seconds, noisy=True),
    ]


def _cell(result: ToolUi) -> str:
    reload = result.hot_reload.seconds if result.hot_reload else None
    action = f" ({result.hot_reload.action})" if result.hot_reload and result.hot_reload.action else ""
    return (
        f"listed {measured_seconds(result.pipeline_listed_seconds)}; {len(result.newcomer.settings)} setting(s); "
        f"change listed and run {measured_seconds(reload)}{action}"
    )


def judge_local_development(store: Store, reading: Reading = AS_JUDGED) -> Verdict:
    """Three comparisons with the best other UI: the time from the command to our pipeline listed (every
    start), the tool settings a newcomer passes (counted alike, telemetry opt-outs left out; exact), and
    the time from saving a code change to it listed and a run of it finished, each tool's fastest
    documented user action taken at once (every edit). Times within 10% and beyond the noise of their
    samples, a time taken fewer than three times is not judged. Supported when Dagster wins more of
    them than it loses, refuted when it loses more, no difference when even."""
    tools = store.ui.tools
    verdict, evidence = decide(_criteria(tools), reading)
    return Verdict(
        verdict,
        evidence,
        "each UI started by its make target: command to our pipeline listed, settings passed, code change to "
        "listed and run",
        figure_cells({name: _cell(result) for name, result in tools.items()}, NO_UI),
    )


LOCAL_DEVELOPMENT_READINGS = (*MARGIN_READINGS, *(left_out(label) for label in (LISTED, SETTINGS, RELOAD)))
