"""The UI section's pure parts, with no UI started: its samples and their medians, the order of the
starts, the hot-reload edits (the same place in every tool's graph) and the hot-reload criterion's
evidence. The UIs themselves are exercised by ``pytest bench/ui/test_ui.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bench.ui.checks import MET, NOT_MET, judge_hot_reload, start_order
from bench.ui.launch import (
    LAST_STEP,
    PROBE_NAME,
    TOOLS,
    add_airflow_task,
    add_dagster_asset,
    add_prefect_task,
    make_command,
    make_workspace,
)
from bench.ui.render import samples_cell
from bench.ui.results import HotReload, Newcomer, Stop, ToolUi, median_reload
from bench.ui.subjects import FLOOR, OURS, SUBJECTS


def _tool() -> ToolUi:
    return ToolUi("dagster", "make dagster-dev", Newcomer("make dagster-dev", [], []))


def _reload(seconds: float | None, run_ok: bool | None = True, automatic: bool | None = None) -> HotReload:
    return HotReload(
        seconds,
        note="" if seconds else "not listed",
        listed_seconds=seconds and seconds / 2,
        run_ok=run_ok,
        automatic=automatic,
    )


def test_single_figures_are_the_medians_of_the_samples() -> None:
    result = _tool()
    result.listed_samples, result.answers_samples = [30.0, 10.0, 20.0], [9.0, 11.0]
    result.hot_reloads = [_reload(5.0), _reload(None), _reload(3.0), _reload(4.0)]
    result.stops = [Stop(1.0, True), Stop(2.0, False)]
    assert (result.pipeline_listed_seconds, result.ui_answers_seconds) == (20.0, 10.0)
    assert result.hot_reload is not None and result.hot_reload.seconds == 4.0  # the median of 3, 4, 5
    assert result.stop == Stop(1.0, True)  # the first start's


def test_setting_a_single_figure_makes_it_the_one_sample() -> None:
    """What a reader that knows one figure per tool (older tests, rules) writes, the samples hold."""
    result = _tool()
    result.pipeline_listed_seconds, result.hot_reload = 12.5, _reload(3.0)
    assert result.listed_samples == [12.5] and len(result.hot_reloads) == 1
    result.pipeline_listed_seconds = None
    assert result.listed_samples == [] and result.pipeline_listed_seconds is None


def test_the_median_edit_of_none_timed_is_the_first_with_its_reason() -> None:
    failed = [_reload(None), HotReload(None, note="second")]
    assert median_reload(failed) is failed[0]
    assert median_reload([]) is None
    assert median_reload([_reload(2.0), _reload(1.0)]).seconds == 1.0  # the lower of an even count


def test_starts_are_interleaved() -> None:
    assert start_order(["dagster", "airflow", "prefect"], 2) == [
        (1, "dagster"),
        (1, "airflow"),
        (1, "prefect"),
        (2, "dagster"),
        (2, "airflow"),
        (2, "prefect"),
    ]


def test_samples_cell_shows_median_range_and_count() -> None:
    assert samples_cell([12.0, 10.0, 15.0]) == "12.0 s (10.0–15.0, n=3)"
    assert samples_cell([7.25]) == "7.2 s (one sample: not judged)"
    assert samples_cell([]) == "not measured"


# --- the edits: one new step downstream of the last step, in every tool ---------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_workspace(tmp_path_factory.mktemp("ui-workspace"))


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    return next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name)


@pytest.mark.parametrize("kind", [OURS, FLOOR])
def test_dagster_probe_is_an_asset_downstream_of_the_last_one(workspace: Path, kind: str) -> None:
    subject = SUBJECTS["dagster"][kind]
    tree = ast.parse(add_dagster_asset(workspace, subject).read_text())
    decorator = _function(tree, PROBE_NAME).decorator_list[0]
    assert isinstance(decorator, ast.Call)
    deps = next(k.value for k in decorator.keywords if k.arg == "deps")
    assert ast.literal_eval(deps) == [subject.last_step]


@pytest.mark.parametrize("kind", [OURS, FLOOR])
def test_airflow_probe_is_a_task_downstream_of_the_last_one(workspace: Path, kind: str) -> None:
    subject = SUBJECTS["airflow"][kind]
    source = add_airflow_task(workspace, subject).read_text()
    ast.parse(source)
    assert f'_lc_dag.get_task("{subject.last_step}") >> {PROBE_NAME}()' in source
    assert f"_lc_dag = {subject.graph}()" in source


@pytest.mark.parametrize("kind", [OURS, FLOOR])
def test_prefect_probe_takes_the_flows_last_result(workspace: Path, kind: str) -> None:
    """The flow's last statement returned its last result (ours: the quality report); now the probe is
    given it first, so Prefect's run graph draws the edge last step -> probe, and the flow still
    returns it."""
    subject = SUBJECTS["prefect"][kind]
    path = workspace / subject.definitions
    returned = _function(ast.parse(path.read_text()), subject.graph).body[-1]
    assert isinstance(returned, ast.Return) and returned.value is not None
    tree = ast.parse(add_prefect_task(workspace, subject).read_text())
    *_, assign, call, ret = _function(tree, subject.graph).body
    assert isinstance(assign, ast.Assign) and ast.unparse(assign.value) == ast.unparse(returned.value)
    assert ast.unparse(call) == f"{PROBE_NAME}(_probe_upstream)"
    assert isinstance(ret, ast.Return) and ast.unparse(ret) == "return _probe_upstream"
    assert _function(tree, PROBE_NAME).args.args  # it takes the upstream result


def test_our_last_step_is_the_same_in_every_tool() -> None:
    assert {SUBJECTS[tool][OURS].last_step for tool in SUBJECTS} == {LAST_STEP}


def test_a_floor_is_started_by_the_same_make_target_with_its_variables(tmp_path: Path) -> None:
    """Only the variables the Makefile declares for it point a target at a hello world."""
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    for tool, subjects in SUBJECTS.items():
        command = make_command(TOOLS[tool], 3000, tmp_path, subjects[FLOOR].make_variables)
        assert command[: -len(subjects[FLOOR].make_variables) or None] == make_command(TOOLS[tool], 3000, tmp_path)
        for name in subjects[FLOOR].make_variables:
            assert f"{name} ?=" in makefile and f"$({name})" in makefile


# --- the criterion: met only after the documented action, and saying which ------------------------


def test_hot_reload_criterion_names_the_action_and_no_automatic_pickup() -> None:
    criterion = judge_hot_reload([_reload(10.0, automatic=False), _reload(12.0), _reload(11.0)])
    assert criterion.status == MET
    assert "met after a Reload of the code location" in criterion.evidence
    assert "3/3 edits" in criterion.evidence and "nothing is picked up without it" in criterion.evidence


def test_hot_reload_criterion_is_not_met_when_a_run_did_not_run_the_change() -> None:
    criterion = judge_hot_reload([_reload(10.0), HotReload(None, note="run FAILURE", run_ok=False)])
    assert criterion.status == NOT_MET
    assert "1/2" in criterion.evidence and "run FAILURE" in criterion.evidence
