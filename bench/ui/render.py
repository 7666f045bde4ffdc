"""The report's UI section, from ``store.ui``.

Everything here reads what ``bench/ui/test_ui.py`` observed; a figure that was not observed is shown
as "not measured" with the reason, and a criterion is "met" only when the run saw it met.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.report.context import markdown_table
from bench.store import Store
from bench.ui.checks import CRITERIA, NOT_MEASURED
from bench.ui.results import Criterion, ToolUi

TOOL_NAMES = {"dagster": "Dagster", "airflow": "Airflow", "prefect": "Prefect"}


def measured_seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} s"


def _reload(result: ToolUi) -> str:
    reload = result.hot_reload
    if not reload:
        return f"not measured: {result.error or 'not reached'}"
    if reload.seconds is None:
        return f"not measured: {reload.note or '?'}"
    return f"{reload.seconds:.1f} s; user action: {reload.action or 'none'} ({reload.how})"


def _ready_row(result: ToolUi) -> str:
    if result.pipeline_listed_seconds is not None:
        return measured_seconds(result.pipeline_listed_seconds)
    if result.tool == "prefect" and result.run_seconds is not None:
        return f"no code location: the flow shows with its first run ({result.run_seconds:.1f} s run)"
    return measured_seconds(None)


def _newcomer(result: ToolUi) -> str:
    newcomer = result.newcomer
    telemetry = ", ".join(f"`{s}`" for s in newcomer.telemetry_opt_outs) or "none"
    return (
        f"1 (`{newcomer.make_target}`) = {len(newcomer.commands)} shell command(s), "
        f"{len(newcomer.settings)} setting(s): {', '.join(f'`{s}`' for s in newcomer.settings) or 'none'} "
        f"(not counted, telemetry opt-outs: {telemetry})"
    )


def _screenshot_cell(result: ToolUi) -> str:
    shot = result.screenshot
    if shot and shot.ok:
        return shot.note
    return f"**not rendered**: {(shot.note if shot else '') or result.error or 'not reached'}"


def _stopped(result: ToolUi) -> str:
    stop = result.stop
    if stop.seconds is None:
        return "not stopped?"
    killed = "" if stop.cleanly else f", {stop.killed_after_grace} process(es) SIGKILLed after the grace period"
    return f"{stop.seconds:.1f} s{killed}"


def _memory(result: ToolUi) -> str:
    return f"{result.peak_rss_mib_at_ready or '?'} / {result.peak_rss_mib or '?'} MiB"


ROWS: list[tuple[str, Callable[[ToolUi], str]]] = [
    ("started with", lambda r: f"`{r.newcomer.make_target}`"),
    ("time from command to UI answering", lambda r: measured_seconds(r.ui_answers_seconds)),
    ("time from command to our pipeline listed", _ready_row),
    ("peak memory at ready / overall (sum of PSS over its processes, incl. runs it started)", _memory),
    ("what a newcomer runs", _newcomer),
    ("config files in its state folder after start", lambda r: ", ".join(f"`{f}`" for f in r.config_files) or "none"),
    ("hot reload: from the file save to the change listed, with the user's action", _reload),
    ("screenshot of our pipeline's graph", _screenshot_cell),
    ("stopped by SIGTERM to its process group", _stopped),
]


def _rows(tools: dict[str, ToolUi]) -> list[str]:
    names = list(tools)
    rows = markdown_table(
        ["", *(TOOL_NAMES.get(n, n) for n in names)],
        [[label, *(cell(tools[n]) for n in names)] for label, cell in ROWS],
    )
    errors = {n: r.error for n, r in tools.items() if r.error}
    return rows + (
        [""] + [f"- **{TOOL_NAMES.get(n, n)} failed**: {e[:600]}" for n, e in errors.items()] if errors else []
    )


def ui_section(store: Store) -> list[str]:
    lines = ["", "## Local development and the UIs, live", ""]
    ui = store.ui
    if not ui:
        return lines + ["Not measured in this run (`--no-ui`, or the section did not run)."]
    tools = ui.tools
    lines += [
        f"Each UI started with its README make target (port and state folder overridden, state under a temporary "
        f"folder), {ui.mode}; the section took {ui.section_seconds or 0:.0f} s. Screenshots: {ui.browser}. "
        "Time to ready is from the command to the UI answering HTTP, then to our pipeline being listed by the tool's "
        "own API. Timings are from one run on a shared 2-core machine"
        + (". Quick mode starts Dagster's UI only." if store.config.quick else "."),
        "",
    ]
    lines += _rows(tools)
    shots = [(n, shot.file if (shot := result.screenshot) else None) for n, result in tools.items()]
    if any(path for _, path in shots):
        lines += [""] + markdown_table(
            [TOOL_NAMES.get(n, n) for n, _ in shots], [[f"![{n}]({p})" if p else "not taken" for n, p in shots]]
        )
    criteria = ui.criteria
    lines += ["", "### The ADR's validation criteria, checked", ""]
    if not criteria:
        lines.append("Not measured: Dagster's UI did not run.")
    else:
        lines += markdown_table(
            ["ADR success criterion", "observed", "evidence"],
            [
                [label, f"**{entry.status}**", entry.evidence]
                for key, label in CRITERIA
                for entry in [criteria.get(key, Criterion(NOT_MEASURED, "not reached"))]
            ],
        )
    return lines
