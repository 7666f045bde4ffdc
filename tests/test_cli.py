"""The ``lc-pipeline`` command: generate, run, and one clear line on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import EXIT_BAD_INPUT, exit_code, main
from core.errors import PipelineInputError, QualityCheckFailed, WarehouseInUse


def test_generate_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", "--customers", "100", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "customers.csv").is_file() and (tmp_path / "accounts.csv").is_file()
    assert "wrote 100 customers" in capsys.readouterr().out


def test_missing_column_exits_non_zero_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "customers.csv").write_text("CustomerID,Name\n1,Ann\n")
    (tmp_path / "accounts.csv").write_text("AccountID,CustomerID,Balance,AccountType\n")
    code = main(["run", "--impl", "scripts", "--input", str(tmp_path), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == EXIT_BAD_INPUT == 3
    assert err == [f"lc-pipeline: error: {tmp_path / 'customers.csv'}: missing required column HasLoan"]
    assert not (tmp_path / "out" / "account_summary.csv").exists()


def test_a_usage_error_exits_2_before_anything_runs(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["run", "--impl", "cron"])
    assert stopped.value.code == 2
    assert "invalid choice: 'cron'" in capsys.readouterr().err


def test_each_kind_of_failure_has_its_own_exit_status() -> None:
    codes = {
        "bad input": exit_code(PipelineInputError("accounts.csv: record 7: ...")),
        "check failed": exit_code(QualityCheckFailed("accounts_reconcile")),
        "option value": exit_code(ValueError("unknown engine 'oracle'")),
        "run failed": exit_code(WarehouseInUse("warehouse.duckdb is in use")),
    }
    assert codes == {"bad input": 3, "check failed": 4, "option value": 2, "run failed": 1}


def test_version_names_the_package_and_the_tools(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lc-pipeline ")
    assert {line.split()[0] for line in lines[1:]} >= {"dagster", "apache-airflow", "prefect", "dbt-core"}
