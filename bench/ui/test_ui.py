"""The UIs, live: time to ready, a screenshot of our pipeline's graph, hot reload, the ADR's criteria.

Each tool's UI is started with the README's make target (see bench/ui/launch.py), driven through its own
API and headless Chromium, and stopped; as many times each as the session's rounds, at most three, interleaved (bench/ui/checks.py). The whole
section runs once per session (fixture ``ui_section``); the tests below only read what it observed,
so a failure names the one thing that did not work. Timings are figures for the report, never
pass/fail.

    pytest bench/ui/test_ui.py               # one UI at a time, started once (--rounds N: N, at most 3), beside its floor
    pytest bench/ui/test_ui.py --quick       # Dagster's UI only, started once (the ADR's five criteria, a screenshot)
    pytest bench --no-browser             # no screenshots (no Chromium on the machine)
    pytest bench --no-ui                  # skip the whole section
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from bench.store import Store
from bench.ui.browser import BrowserService, BrowserUnavailable
from bench.ui.checks import CRITERIA, MET, NOT_MEASURED, NOT_MET, UiContext, run_ui_section
from bench.ui.results import ToolUi, UiResults
from testkit.prerequisites import require

UI_TOOLS = ("dagster", "airflow", "prefect")
# The data the UIs' runs read (the hot-reload runs, Dagster's criteria run, Prefect's first run): the small
# sample a developer iterates on, so that the dev loop's figures are the tools' and our code's, not the
# data's (and the starts of every UI and its floor fit in the harness's time).
UI_CUSTOMERS = 1_000


def _browser(config: pytest.Config) -> tuple[BrowserService | None, str]:
    if config.getoption("--no-browser"):
        return None, "not taken: --no-browser"
    service = BrowserService()
    try:
        service.start()
    except BrowserUnavailable as error:
        service.close()
        return None, f"not taken: {error}"
    return service, f"Chromium {service.version} (headless, Playwright)"


@pytest.fixture(scope="session")
def ui_section(store: Store, dataset, pytestconfig: pytest.Config) -> UiResults:
    if pytestconfig.getoption("--no-ui"):
        pytest.skip("--no-ui: UI section skipped")
    # Quick mode starts one UI: Dagster's, whose five ADR criteria are the ones to check.
    tools = [t for t in (("dagster",) if store.config.quick else UI_TOOLS) if t in store.config.implementations]
    if not tools:
        pytest.skip("no implementation with a UI selected (--impls)")
    browser, browser_note = _browser(pytestconfig)
    workspace = Path(tempfile.mkdtemp(prefix="lc-bench-ui-"))
    ctx = UiContext(
        workspace,
        store.config.results_dir,
        dataset(min(store.config.customers, UI_CUSTOMERS)),
        store.config.quick,
        store.config.repeats,
        browser,
        browser_note,
    )
    (store.config.results_dir / "ui").mkdir(parents=True, exist_ok=True)
    try:
        section = run_ui_section(ctx, tools)
    finally:
        if browser:
            browser.close()
        shutil.rmtree(workspace, ignore_errors=True)
    store.ui = section
    return section


def _tool(section: UiResults, tool: str, store: Store) -> ToolUi:
    if tool not in section.tools:
        pytest.skip(f"{tool} not selected ({'--quick runs Dagster only' if store.config.quick else '--impls'})")
    return section.tools[tool]


@pytest.mark.parametrize("tool", UI_TOOLS)
def test_ui_starts_and_stops(ui_section: UiResults, store: Store, tool: str) -> None:
    result = _tool(ui_section, tool, store)
    assert result.error is None, f"{tool}: {result.error} (log: {result.log})"
    assert len(result.answers_samples) == result.starts, f"{tool}: answered in {result.answers_samples}"
    assert [stop.seconds is not None for stop in result.stops] == [True] * result.starts, f"{tool} was not stopped"


@pytest.mark.parametrize("tool", UI_TOOLS)
def test_ui_screenshot_of_pipeline_graph(
    ui_section: UiResults, store: Store, tool: str, pytestconfig: pytest.Config
) -> None:
    result = _tool(ui_section, tool, store)
    shot = result.screenshot
    if shot is None or shot.ok is None:
        why = f"{tool}: screenshot {shot.note if shot else 'not reached: ' + (result.error or '?')}"
        if pytestconfig.getoption("--no-browser"):
            pytest.skip(why)
        require(False, why)
    assert shot is not None and shot.ok, f"{tool}: {shot} (see bench/results/)"


@pytest.mark.parametrize("tool", UI_TOOLS)
def test_ui_hot_reload(ui_section: UiResults, store: Store, tool: str) -> None:
    """Every start's edit was listed by the tool's API after the user's action, and a run ran it."""
    result = _tool(ui_section, tool, store)
    if not result.hot_reloads:
        pytest.fail(f"{tool}: hot reload not reached: {result.error}")
    failed = [f"edit {n}: {r.note}" for n, r in enumerate(result.hot_reloads, 1) if not r.ok]
    assert not failed, f"{tool}: {failed}"
    assert len(result.hot_reloads) == result.starts, f"{tool}: {result.error}"


@pytest.mark.parametrize("tool", UI_TOOLS)
def test_floor_ui_starts_lists_and_reloads(ui_section: UiResults, store: Store, tool: str) -> None:
    """The tool's hello world, started and edited as ours is: the floor the UI table subtracts."""
    if store.config.quick:
        pytest.skip("--quick starts no floor")
    if tool not in ui_section.floors:
        pytest.skip(f"{tool} not selected (--impls)")
    floor = ui_section.floors[tool]
    assert floor.error is None, f"{tool}'s floor: {floor.error} (log: {floor.log})"
    assert len(floor.answers_samples) == floor.starts
    failed = [r.note for r in floor.hot_reloads if not r.ok]
    assert len(floor.hot_reloads) == floor.starts and not failed, f"{tool}'s floor: {failed}"


def test_adr_validation_criteria(ui_section: UiResults) -> None:
    """The ADR's five success criteria, each met or not from what the Dagster run observed."""
    criteria = ui_section.criteria
    if not criteria:
        pytest.skip("Dagster's UI not selected")
    not_met = {key: c.evidence for key, c in criteria.items() if c.status == NOT_MET}
    assert not not_met, f"ADR validation criteria not met: {not_met}"
    unobserved = [label for key, label in CRITERIA if criteria[key].status == NOT_MEASURED]
    assert not unobserved, f"not observed: {unobserved}: {[criteria[k].evidence for k, _ in CRITERIA]}"
    assert all(criteria[key].status == MET for key, _ in CRITERIA)
