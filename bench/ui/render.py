"""The report's UI section and the verdict on the ADR's "Local Development" row, from ``store.ui``.

Everything here reads what ``bench/ui/test_ui.py`` observed; a figure that was not observed is shown
as "not measured" with the reason, and a criterion is "met" only when the run saw it met.
"""

from __future__ import annotations

from typing import Any

from bench.store import Store
from bench.ui.checks import CRITERIA
from bench.verdicts import NOT_MEASURABLE, REFUTED, SUPPORTED, Verdict

TOOL_NAMES = {"dagster": "Dagster", "airflow": "Airflow", "prefect": "Prefect"}


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} s"


def _reload(result: dict[str, Any]) -> str:
    reload = result.get("hot_reload")
    if not reload:
        return f"not measured: {result.get('error', 'not reached')}"
    if reload.get("seconds") is None:
        return f"not measured: {reload.get('note', '?')}"
    return f"{reload['seconds']:.1f} s ({reload['how']})"


def _ready_row(result: dict[str, Any]) -> str:
    if result.get("pipeline_listed_seconds") is not None:
        return _seconds(result["pipeline_listed_seconds"])
    if result.get("tool") == "prefect" and result.get("flow_run_seconds") is not None:
        return f"no code location: the flow shows with its first run ({result['flow_run_seconds']:.1f} s run)"
    return _seconds(None)


def _newcomer(result: dict[str, Any]) -> str:
    newcomer = result.get("newcomer") or {}
    commands, settings = newcomer.get("commands", []), newcomer.get("settings", [])
    return (
        f"1 (`{newcomer.get('make_target', '?')}`) = {len(commands)} shell command(s), "
        f"{len(settings)} setting(s): {', '.join(f'`{s}`' for s in settings) or 'none'}"
    )


def _screenshot_cell(result: dict[str, Any]) -> str:
    if result.get("screenshot_ok"):
        return result.get("screenshot_note", "")
    return f"**not rendered**: {result.get('screenshot_note') or result.get('error', 'not reached')}"


def _rows(tools: dict[str, dict[str, Any]]) -> list[str]:
    names = list(tools)
    rows = ["| | " + " | ".join(TOOL_NAMES.get(n, n) for n in names) + " |", "|---" * (len(names) + 1) + "|"]

    def row(label: str, cell) -> None:
        rows.append(f"| {label} | " + " | ".join(cell(tools[n]) for n in names) + " |")

    row("started with", lambda r: f"`{r.get('newcomer', {}).get('make_target', '?')}`")
    row("time from command to UI answering", lambda r: _seconds(r.get("ui_answers_seconds")))
    row("time from command to our pipeline listed", _ready_row)
    row(
        "peak memory at ready / overall (sum of PSS over its processes, incl. runs it started)",
        lambda r: f"{r.get('peak_rss_mib_at_ready') or '?'} / {r.get('peak_rss_mib') or '?'} MiB",
    )
    row("what a newcomer runs", _newcomer)
    row(
        "config files in its state folder after start",
        lambda r: ", ".join(f"`{f}`" for f in r.get("config_files", [])) or "none",
    )
    row("hot reload: until the change is listed (Dagster: from the Reload click; others: from the save)", _reload)
    row("screenshot of our pipeline's graph", _screenshot_cell)
    row(
        "stopped by SIGTERM to its process group",
        lambda r: (
            (
                f"{r['stop_seconds']:.1f} s"
                + (
                    ""
                    if r.get("stopped_cleanly")
                    else f", {r.get('killed_after_grace', 0)} process(es) SIGKILLed after the grace period"
                )
            )
            if r.get("stop_seconds") is not None
            else "not stopped?"
        ),
    )
    errors = {n: r["error"] for n, r in tools.items() if r.get("error")}
    return rows + (
        [""] + [f"- **{TOOL_NAMES.get(n, n)} failed**: {e[:600]}" for n, e in errors.items()] if errors else []
    )


def ui_section(store: Store) -> list[str]:
    lines = ["", "## Local development and the UIs, live", ""]
    ui = store.ui
    if not ui:
        return lines + ["Not measured in this run (`--no-ui`, or the section did not run)."]
    tools = ui["tools"]
    lines += [
        f"Each UI started with its README make target (port and state folder overridden, state under a temporary "
        f"folder), {ui['mode']}; the section took {ui['section_seconds']:.0f} s. Screenshots: {ui.get('browser', '?')}. "
        "Time to ready is from the command to the UI answering HTTP, then to our pipeline being listed by the tool's "
        "own API. Timings are from one run on a shared 2-core machine"
        + (". Quick mode starts Dagster's UI only." if store.config.quick else "."),
        "",
    ]
    lines += _rows(tools)
    shots = [(n, tools[n].get("screenshot")) for n in tools]
    if any(path for _, path in shots):
        lines += [
            "",
            "| " + " | ".join(TOOL_NAMES.get(n, n) for n, _ in shots) + " |",
            "|---" * len(shots) + "|",
            "| " + " | ".join(f"![{n}]({p})" if p else "not taken" for n, p in shots) + " |",
        ]
    criteria = ui.get("criteria") or {}
    lines += ["", "### The ADR's validation criteria, checked", ""]
    if not criteria:
        lines.append("Not measured: Dagster's UI did not run.")
    else:
        lines += ["| ADR success criterion | observed | evidence |", "|---|---|---|"]
        for key, label in CRITERIA:
            entry = criteria.get(key, {"status": "not measured", "evidence": "not reached"})
            lines.append(f"| {label} | **{entry['status']}** | {entry['evidence']} |")
    return lines


def judge_local_development(store: Store):
    """ADR row "Local Development: `dagster dev` vs Complex setup", from the UI section's figures.

    Supported when Dagster's UI lists our pipeline sooner than Airflow's, needs fewer settings, and
    shows a code change sooner; refuted when any of these is not so; not measurable without both.
    """

    tools = store.ui.get("tools", {}) if store.ui else {}
    dagster, airflow = tools.get("dagster"), tools.get("airflow")
    if not dagster or not airflow:
        return Verdict(NOT_MEASURABLE, "the UI section did not run for both Dagster and Airflow (`--no-ui`?)")
    ready = {n: r.get("pipeline_listed_seconds") for n, r in (("dagster", dagster), ("airflow", airflow))}
    settings = {
        n: len(r.get("newcomer", {}).get("settings", [])) for n, r in (("dagster", dagster), ("airflow", airflow))
    }
    reload = {n: (r.get("hot_reload") or {}).get("seconds") for n, r in (("dagster", dagster), ("airflow", airflow))}
    evidence = (
        f"one make command each; settings passed: Dagster {settings['dagster']}, Airflow {settings['airflow']}; "
        f"command to pipeline listed: Dagster {_seconds(ready['dagster'])}, Airflow {_seconds(ready['airflow'])}; "
        f"code change to listed: Dagster {_seconds(reload['dagster'])} (Reload clicked), "
        f"Airflow {_seconds(reload['airflow'])} (automatic)"
    )
    if ready["dagster"] is None or ready["airflow"] is None:
        return Verdict(NOT_MEASURABLE, evidence)
    simpler = ready["dagster"] < ready["airflow"] and settings["dagster"] < settings["airflow"]
    if reload["dagster"] is not None and reload["airflow"] is not None:
        simpler = simpler and reload["dagster"] <= reload["airflow"]
    return Verdict(SUPPORTED if simpler else REFUTED, evidence)
