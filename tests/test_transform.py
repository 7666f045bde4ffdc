"""What failed in a dbt invocation, as dbt recorded it in run_results.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.transform import failed_nodes


def test_failed_nodes_are_read_from_run_results(tmp_path: Path) -> None:
    results = [
        {"unique_id": "model.lc_pipeline.stg_customers", "status": "success"},
        {"unique_id": "model.lc_pipeline.account_summary", "status": "error"},
        {"unique_id": "test.lc_pipeline.unique_customer_profile_customer_id.7f0a4c3a1f", "status": "fail"},
        {"unique_id": "test.lc_pipeline.assert_customers_reconcile", "status": "pass"},
        {"unique_id": "unit_test.lc_pipeline.int_savings_accounts.interest_rate_by_tier", "status": "fail"},
        {"unique_id": "model.lc_pipeline.customer_profile", "status": "skipped"},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    assert failed_nodes(tmp_path) == [
        "account_summary (error)",
        "unique_customer_profile_customer_id (fail)",
        "interest_rate_by_tier (fail)",
    ]


def test_no_run_results_means_nothing_known_to_have_failed(tmp_path: Path) -> None:
    assert failed_nodes(tmp_path) == []


def test_failed_nodes_in_run_results_raise_as_bad_input_naming_them(tmp_path: Path) -> None:
    from core.errors import PipelineInputError
    from core.transform import raise_for_failed_nodes

    raise_for_failed_nodes(tmp_path, ["build"])  # no run_results.json: nothing known to have failed
    results = [
        {"unique_id": "model.lc.stg_customers", "status": "success"},
        {"unique_id": "test.lc.assert_x.abc", "status": "fail"},
    ]
    (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    with pytest.raises(PipelineInputError, match=r"^dbt build failed: assert_x \(fail\)$"):
        raise_for_failed_nodes(tmp_path, ["build"])
