"""The report's UI section, from ``store.ui``.

Everything here reads what ``bench/ui/test_ui.py`` observed; a figure that was not observed is shown
as "not measured" with the reason, and a criterion is "met" only when the run saw it met. A timing
taken at every start of a UI shows its median, range and count; one taken once is labelled so.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from bench.report.context import markdown_table
from bench.store import Store
from bench.ui.checks import CRITERIA, NOT_MEASURED
from bench.ui.results import Criterion, ToolUi, UiResults
from bench.ui.subjects import FLOOR, SUBJECTS

TOOL_NAMES = {"dagster": "Dagster", "airflow": "Airflow", "prefect": "Prefect"}
JUDGED_FROM = 3  # samples a timing needs before the verdict rules judge it (bench/ui/verdicts.py)


def measured_seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} s"


def samples_cell(samples: Sequence[float]) -> str:
    """Median, range and count of a timing's samples; fewer than :data:`JUDGED_FROM` are labelled
    as not judged."""
    if not samples:
        return "not measured"
    median = f"{statistics.median(samples):.1f} s"
    if len(samples) == 1:
        return f"{median} (one sample: not judged)"
    spread = f"{min(samples):.1f}–{max(samples):.1f}, n={len(samples)}"
    return f"{median} ({spread}{': not judged' if len(samples) < JUDGED_FROM else ''})"


def _reload_samples(result: ToolUi, figure: Callable[..., float | None]) -> str:
    """One hot-reload figure over the edits that reached their end point; the others said apart."""
    reloads = result.hot_reloads
    if not reloads:
        return f"not measured: {result.error or 'not reached'}"
    cell = samples_cell([value for r in reloads if r.ok and (value := figure(r)) is not None])
    failed = [r.note or "?" for r in reloads if not r.ok]
    return cell + (f"; {len(failed)} of {len(reloads)} edit(s) not completed: {failed[0]}" if failed else "")


def _reload_action(result: ToolUi) -> str:
    reload = result.hot_reloads[0] if result.hot_reloads else None
    if reload is None:
        return f"not measured: {result.error or 'not reached'}"
    actions = " → ".join(reload.actions) or reload.action or "none"
    return f"{actions} ({len(reload.actions)} user action(s)): {reload.how}"


def _ready_row(result: ToolUi) -> str:
    if result.listed_samples:
        return samples_cell(result.listed_samples)
    if result.tool == "prefect":
        first_run = f" ({result.run_seconds:.1f} s run, one sample)" if result.run_seconds is not None else ""
        return f"no code location: the flow shows with its first run{first_run}"
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
    stopped = [stop for stop in result.stops if stop.seconds is not None]
    if not stopped:
        return "not stopped?"
    unclean = [stop for stop in stopped if not stop.cleanly]
    killed = sum(stop.killed_after_grace for stop in unclean)
    clean = (
        f"{len(unclean)} of {len(result.stops)} with {killed} process(es) SIGKILLed after the grace period"
        if unclean
        else f"all {len(result.stops)} clean"
    )
    return f"{samples_cell([stop.seconds or 0.0 for stop in stopped])}; {clean}"


def _memory(result: ToolUi) -> str:
    return f"{result.peak_rss_mib_at_ready or '?'} / {result.peak_rss_mib or '?'} MiB (first start)"


ROWS: list[tuple[str, Callable[[ToolUi], str]]] = [
    ("started with", lambda r: f"`{r.newcomer.make_target}`"),
    ("time from command to UI answering", lambda r: samples_cell(r.answers_samples)),
    ("time from command to our pipeline listed", _ready_row),
    ("peak memory at ready / overall (sum of PSS over its processes, incl. runs it started)", _memory),
    ("what a newcomer runs", _newcomer),
    ("config files in its state folder after start", lambda r: ", ".join(f"`{f}`" for f in r.config_files) or "none"),
    ("hot reload: the user's actions after saving a new step downstream of the last one", _reload_action),
    (
        "hot reload: from the save to the change listed and a run including it finished",
        lambda r: _reload_samples(r, lambda h: h.seconds),
    ),
    (
        "hot reload, of which: from the save to the change listed",
        lambda r: _reload_samples(r, lambda h: h.listed_seconds),
    ),
    (
        "hot reload, of which: the run including it (start to end)",
        lambda r: _reload_samples(r, lambda h: h.run_seconds),
    ),
    ("screenshot of our pipeline's graph", _screenshot_cell),
    ("stopped by SIGTERM to its process group", _stopped),
]


def _over(ours: Sequence[float], floor: Sequence[float]) -> str:
    """Our median over the floor's: the seconds our pipeline adds to the tool's own."""
    if not ours or not floor:
        return "not measured"
    return f"{statistics.median(ours) - statistics.median(floor):+.1f} s"


def _reload_seconds(result: ToolUi, figure: Callable[..., float | None]) -> list[float]:
    return [value for r in result.hot_reloads if r.ok and (value := figure(r)) is not None]


def _floor_started(floor: ToolUi) -> str:
    subject = SUBJECTS[floor.tool][FLOOR]
    variables = " ".join(f"{name}={value}" for name, value in subject.make_variables.items())
    runs = f"; runs: `python {' '.join(subject.run_command)}`" if subject.run_command else ""
    return f"`{floor.newcomer.make_target}{' ' + variables if variables else ''}`{runs}"


def _reload_over(ours: ToolUi, floor: ToolUi) -> str:
    return _over(_reload_seconds(ours, lambda h: h.seconds), _reload_seconds(floor, lambda h: h.seconds))


FLOOR_ROWS: list[tuple[str, Callable[[ToolUi, ToolUi], str]]] = [
    ("the hello world started with", lambda floor, _: _floor_started(floor)),
    ("floor: time from command to UI answering", lambda floor, _: samples_cell(floor.answers_samples)),
    ("ours over the floor", lambda floor, ours: _over(ours.answers_samples, floor.answers_samples)),
    ("floor: time from command to the hello world listed", lambda floor, _: _ready_row(floor)),
    (
        "ours over the floor",
        lambda floor, ours: _over(ours.listed_samples, floor.listed_samples) if floor.listed_samples else "n/a",
    ),
    (
        "floor: hot reload, from the save to the new step listed and a run including it finished",
        lambda floor, _: _reload_samples(floor, lambda h: h.seconds),
    ),
    ("ours over the floor", lambda floor, ours: _reload_over(ours, floor)),
    ("floor: hot reload, of which the run", lambda floor, _: _reload_samples(floor, lambda h: h.run_seconds)),
    ("floor: peak memory at ready / overall", lambda floor, _: _memory(floor)),
]


def _floor_rows(ui: UiResults) -> list[str]:
    """Each tool's hello world in its UI beside ours: which of the seconds above are the tool's."""
    names = [name for name in ui.floors if name in ui.tools]
    if not names:
        return []
    lines = [
        "",
        "### Each tool's floor in its UI",
        "",
        "Each tool's hello world (`bench/floor/`: one asset, task or flow that writes one file) started with the "
        "same make target and edited the same way (a new step downstream of its one step, the same user action, "
        "the same end point), interleaved with ours. *Ours over the floor* is the difference of the medians: the "
        "seconds our pipeline adds to the tool's own.",
        "",
    ]
    lines += markdown_table(
        ["", *(TOOL_NAMES.get(n, n) for n in names)],
        [[label, *(cell(ui.floors[n], ui.tools[n]) for n in names)] for label, cell in FLOOR_ROWS],
    )
    errors = {n: ui.floors[n].error for n in names if ui.floors[n].error}
    failed = [f"- **{TOOL_NAMES.get(n, n)}'s floor failed**: {error[:600]}" for n, error in errors.items() if error]
    return lines + ([""] + failed if failed else [])


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
        f"folder, a new copy of the code each start), {ui.mode}; the section took {ui.section_seconds or 0:.0f} s. "
        f"Screenshots: {ui.browser}. Time to ready is from the command to the UI answering HTTP, then to our "
        "pipeline being listed by the tool's own API. Hot reload: at every start, a new step downstream of the "
        "pipeline's last one saved in the code, the user's fastest documented action taken at once, timed to the "
        "step listed by the tool's API and a run of the whole pipeline including it finished. A timing taken at "
        "every start shows its median (range, n starts); fewer than 3 samples are not judged. The screenshot, "
        "memory, config files and criteria are from the first start. Timings are from a shared 2-core machine"
        + (". Quick mode starts Dagster's UI only, once." if store.config.quick else "."),
        "",
    ]
    lines += _rows(tools)
    lines += _floor_rows(ui)
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
