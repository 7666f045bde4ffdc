"""The harness's measures on small made-up inputs: lineage coverage, the mapping of each tool's names
onto the true graph, line counting, and what a step test's repeats add up to. A judge whose measures are untested is not a judge."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.code_size.count import code_lines, framework_apis
from bench.isolation.repeats import Repeat, outcome, step_module, step_test
from bench.isolation.results import DIRECT, HELPER
from bench.lineage.graph import Lineage, coverage
from bench.lineage.introspect import _airflow_asset_node, _airflow_task_node, _prefect_asset_node, data_nodes
from core.generate import GeneratedData

TRUTH = Lineage(
    frozenset({"file:a.csv", "raw.a", "stg_a", "file:out.csv"}),
    frozenset({("file:a.csv", "raw.a"), ("raw.a", "stg_a"), ("stg_a", "file:out.csv")}),
)


def test_an_edge_known_directly_or_through_the_tools_own_task_counts() -> None:
    known = Lineage(
        frozenset({"file:a.csv", "raw.a", "stg_a", "file:out.csv", "export_task"}),
        frozenset({("file:a.csv", "raw.a"), ("stg_a", "export_task"), ("export_task", "file:out.csv")}),
    )
    result = coverage("tool", TRUTH, known)
    assert (result.known_nodes, result.known_edges) == (4, 2)
    assert result.missing_edges == [("raw.a", "stg_a")]
    assert result.extra_edges == []


def test_task_order_through_another_data_node_is_not_lineage() -> None:
    """file:a.csv -> raw.a -> stg_a known as a chain does not make file:a.csv -> stg_a known, and an
    edge between two data nodes the truth lacks is extra."""
    known = Lineage(TRUTH.nodes, frozenset({("file:a.csv", "raw.a"), ("file:a.csv", "stg_a")}))
    result = coverage("tool", TRUTH, known)
    assert result.known_edges == 1
    assert result.extra_edges == [("file:a.csv", "stg_a")]
    assert result.edge_coverage == pytest.approx(1 / 3)


def test_nothing_known_is_zero_not_an_error() -> None:
    result = coverage("scripts", TRUTH, Lineage(frozenset(), frozenset()))
    assert (result.node_coverage, result.edge_coverage, len(result.missing_edges)) == (0.0, 0.0, 3)


@pytest.mark.parametrize(
    ("tool_name", "nodes"),
    [
        ("customers_csv", ["file:customers.csv"]),
        ("accounts_raw", ["raw.accounts"]),
        ("account_summary_files", ["file:account_summary.csv", "file:account_summary.parquet"]),
        ("quality_report", ["file:quality_report.json"]),
        ("stg_customers", ["stg_customers"]),
    ],
)
def test_dagster_asset_names_map_onto_the_true_graph(tool_name: str, nodes: list[str]) -> None:
    assert data_nodes(tool_name) == nodes


def test_airflow_assets_and_cosmos_tasks_map_onto_the_true_graph() -> None:
    assert _airflow_asset_node("lc-pipeline://warehouse/raw.customers") == "raw.customers"
    assert _airflow_asset_node("lc-pipeline://output/account_summary.csv") == "file:account_summary.csv"
    assert _airflow_asset_node("s3://elsewhere/x") == "s3://elsewhere/x"
    assert _airflow_task_node("transform.stg_customers.run", "DbtRunLocalOperator") == "stg_customers"
    assert _airflow_task_node("transform.stg_customers.test", "DbtTestLocalOperator") == "transform.stg_customers.test"
    assert _airflow_task_node("export_account_summary", "_PythonDecoratedOperator") == "export_account_summary"


def test_prefect_asset_keys_map_onto_the_true_graph() -> None:
    assert _prefect_asset_node("duckdb://warehouse/raw/customers") == "raw.customers"
    assert _prefect_asset_node("duckdb://warehouse/main/stg_customers") == "stg_customers"
    assert _prefect_asset_node("lcpipeline://output/account_summary.csv") == "file:account_summary.csv"
    assert _prefect_asset_node("lcpipeline://input/customers.csv") == "file:customers.csv"


def test_code_lines_leave_out_blanks_comments_and_docstrings() -> None:
    source = '''"""Module docstring,
over two lines."""

# a comment
import os


def f(x: int) -> int:
    """Doc."""
    text = """a string that is code,
not a docstring"""
    return x  # trailing comment
'''
    assert code_lines(source) == 5  # import, def, the two lines of `text = ...`, return


def test_framework_apis_are_distinct_imported_names() -> None:
    source = (
        "from dagster import asset, Definitions\nimport dagster_dbt\nfrom os import path\nfrom dagster import asset\n"
    )
    assert framework_apis(source, ("dagster", "dagster_dbt")) == {"dagster.asset", "dagster.Definitions", "dagster_dbt"}


def test_newcomer_settings_are_counted_alike_for_every_tool() -> None:
    from bench.ui.settings import newcomer_settings

    dagster = [
        "test -f h/dagster.yaml || printf 'telemetry:\\n  enabled: false\\n' > h/dagster.yaml",
        "DAGSTER_HOME=/x/h .venv/bin/dagster dev -m impl_dagster.definitions -h 127.0.0.1 -p 3000",
    ]
    assert newcomer_settings(dagster) == (["-h", "-m", "-p", "DAGSTER_HOME"], ["telemetry.enabled"])
    prefect = [
        "PREFECT_HOME=/p DO_NOT_TRACK=1 PREFECT_UI_API_URL=http://h/api .venv/bin/prefect server start --port=4200"
    ]
    assert newcomer_settings(prefect) == (["--port", "PREFECT_HOME", "PREFECT_UI_API_URL"], ["DO_NOT_TRACK"])
    # our launcher's flags are not the tool's, even with a folder named after the tool
    airflow = [".venv/bin/python -m impl_airflow.launch.ui --output /tmp/state/airflow --port 8080"]
    launcher = ["AIRFLOW_HOME", "AIRFLOW__API__PORT", "SCARF_NO_ANALYTICS", "LC_INPUT_DIR"]
    assert newcomer_settings(airflow, launcher) == (["AIRFLOW_HOME", "AIRFLOW__API__PORT"], ["SCARF_NO_ANALYTICS"])


def test_lines_naming_the_tool_are_told_from_core_calls_and_plain_python() -> None:
    from bench.code_size.count import code_line_numbers, line_kinds

    source = (
        "from dagster import asset\nimport dagster_dbt as dd\nfrom core.export import export_table\n\n\n"
        "@asset\ndef files(con):\n    rows = export_table(con)\n    total = rows + 1\n    return dd.x(total)\n"
    )
    kinds = line_kinds(source, ("dagster", "dagster_dbt"), code_line_numbers(source))
    # tool: the two tool imports, @asset, dd.x; core: its import and the call; other: def, total
    assert kinds == {"tool": 4, "core": 2, "other": 2}


def test_lineage_declared_by_hand_is_counted_per_dependency() -> None:
    from bench.code_size.count import READS, WRITES, code_line_numbers, lineage_declarations

    source = (
        "from airflow.sdk import Asset, task\n"
        "RAW = Asset(name='raw', uri='x://raw')\n"
        "@task(inlets=[RAW, *MORE], outlets=[\n    RAW,\n])\ndef t():\n    pass\n"
        "op.outlets = [RAW]\nprint(op.outlets)\n"
    )
    # inlets: two items written; outlets= and op.outlets = ...: one each; Asset(...), reading op.outlets
    # and the import declare nothing
    assert lineage_declarations(source, code_line_numbers(source)) == {READS: 2, WRITES: 2}


def test_the_true_lineage_read_from_a_run_equals_the_one_built_from_the_core(
    scripts_output: Path, sample_input: GeneratedData
) -> None:
    from bench.lineage.graph import observed_lineage, tables_read_by_the_quality_report, true_lineage
    from core.export import QUALITY_REPORT_TABLES
    from core.settings import dbt_target_dir
    from core.warehouse import warehouse_path

    manifest = dbt_target_dir(scripts_output) / "manifest.json"
    warehouse = warehouse_path(scripts_output)
    assert tables_read_by_the_quality_report(warehouse) == set(QUALITY_REPORT_TABLES)
    observed = observed_lineage(sample_input.customers_path.parent, scripts_output, warehouse, manifest)
    assert observed == true_lineage(manifest)


def test_what_dbt_ran_is_counted_by_kind_against_what_the_project_declares(tmp_path: Path) -> None:
    """A mode that skips dbt's unit tests shows it: the count comes from the run's own records."""
    import json

    from bench.runtime.render import dbt_nodes_run
    from core.settings import dbt_target_dir

    target = dbt_target_dir(tmp_path)
    target.mkdir(parents=True)
    nodes = {"model.p.a": "model", "model.p.b": "model", "test.p.t1": "test", "test.p.t2": "test"}
    manifest = {
        "nodes": {uid: {"resource_type": kind} for uid, kind in nodes.items()},
        "unit_tests": {"unit_test.p.a.u": {}},
    }
    (target / "manifest.json").write_text(json.dumps(manifest))
    assert dbt_nodes_run(tmp_path) is None  # no run_results.json: nothing to say
    ran = ["model.p.a", "model.p.b", "test.p.t1"]
    (target / "run_results.json").write_text(json.dumps({"results": [{"unique_id": uid} for uid in ran]}))
    assert dbt_nodes_run(tmp_path) == "2 of 2 models, 1 of 2 tests, 0 of 1 unit tests"


def test_a_step_tests_outcome_is_pytests_closing_line_and_a_failures_first_error() -> None:
    """Log noise after pytest's closing line (a temporary server stopping) is not what pytest said."""
    failed = (
        "E       RuntimeError: no context\n1 failed, 1 passed in 66.14s (0:01:06)\n--- Logging error ---\nArguments: ()"
    )
    assert (
        outcome(failed, passed=False) == "1 failed, 1 passed in 66.14s (0:01:06); first error: RuntimeError: no context"
    )
    assert outcome("===== 2 passed, 1 warning in 0.90s =====\n", passed=True) == "2 passed, 1 warning in 0.90s"
    assert outcome("Fatal Python error: Segmentation fault", passed=False) == "Fatal Python error: Segmentation fault"


def test_a_step_test_is_the_median_of_its_repeats_and_passes_only_when_every_repeat_did(tmp_path: Path) -> None:
    repeats = [Repeat(3.0, True, "2 passed", tmp_path / "1"), Repeat(1.0, False, "1 failed", tmp_path / "2")]
    repeats.append(Repeat(2.0, True, "2 passed", tmp_path / "3"))
    result = step_test("scripts", DIRECT, step_module("scripts", DIRECT), repeats)
    assert (result.seconds, result.seconds_samples, result.passed) == (2.0, [3.0, 1.0, 2.0], False)
    assert (result.summary, result.log) == ("1 failed", str(tmp_path / "2"))


def test_plain_scripts_has_one_step_test_for_both_ways() -> None:
    assert step_module("scripts", DIRECT) == step_module("scripts", HELPER)
    assert step_module("dagster", DIRECT).name == "step_dagster_direct.py" and step_module("dagster", DIRECT).is_file()
