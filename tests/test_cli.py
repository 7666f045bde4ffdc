"""The ``lc-pipeline`` command: generate, run, and one clear line on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import EXIT_BAD_INPUT, LOGS_DIRNAME, exit_code, main
from core.errors import OutputFolderBusy, PipelineInputError, QualityCheckFailed, UsageError, WarehouseInUse
from core.implementations import requirement_names


def test_generate_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", "--customers", "100", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "customers.csv").is_file() and (tmp_path / "accounts.csv").is_file()
    assert "wrote 100 customers" in capsys.readouterr().out


def test_missing_column_exits_non_zero_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "customers.csv").write_text("CustomerID,Name\n1,Ann\n")
    (tmp_path / "accounts.csv").write_text("AccountID,CustomerID,Balance,AccountType\n")
    error = f"lc-pipeline: error: {tmp_path / 'customers.csv'}: missing required column HasLoan"
    run = ["run", "--impl", "scripts", "--input", str(tmp_path), "--output", str(tmp_path / "out")]
    assert main(run) == EXIT_BAD_INPUT == 3
    assert capsys.readouterr().err.strip().splitlines()[-1] == error
    assert main([*run, "--quiet"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip().splitlines() == [error]
    assert not (tmp_path / "out" / "account_summary.csv").exists()
    for log_file in (tmp_path / "out" / LOGS_DIRNAME).iterdir():  # one per run, each ending with the same line
        assert log_file.read_text(encoding="utf-8").splitlines()[-1].endswith(f" ERROR lc_pipeline.error: {error}")


def test_run_shows_each_step_with_its_time_and_logs_everything_to_a_file(
    small_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    output = tmp_path / "out"
    assert main(["run", "--impl", "scripts", "--input", str(small_input), "--output", str(output)]) == 0
    shown = capsys.readouterr()
    terminal = [line.split(" ", 1)[1] for line in shown.err.splitlines()]  # without the HH:MM:SS stamp
    for step in ("check inputs", "ingest customers.csv", "ingest accounts.csv", "dbt build", "export"):
        assert f"start {step}" in terminal
        assert any(line.startswith(f"done {step} (") for line in terminal), step
    assert any(line.startswith("built model customer_profile (") for line in terminal)
    assert not any("Running with dbt" in line for line in terminal), "dbt's own chatter at the default level"
    assert "scripts: pipeline finished" in shown.out

    (log_file,) = (output / LOGS_DIRNAME).iterdir()
    assert str(log_file) in shown.err
    logged = log_file.read_text(encoding="utf-8")
    assert "start ingest customers.csv" in logged and "Running with dbt" in logged


@pytest.mark.parametrize("flag", ["--quiet", "--verbose"])
def test_quiet_shows_only_the_summary_and_verbose_the_tools_own_logs(
    flag: str, small_input: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run = ["run", flag, "--impl", "scripts", "--input", str(small_input), "--output", str(tmp_path)]
    assert main(run) == 0
    shown = capsys.readouterr()
    assert "scripts: pipeline finished" in shown.out
    if flag == "--quiet":
        assert shown.err == ""
    else:
        assert "dbt: Running with dbt" in shown.err and "start dbt build" in shown.err


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
        "path": exit_code(UsageError("--output out: is a file, not a folder")),
        "folder busy": exit_code(OutputFolderBusy("out: output folder in use by a scripts run")),
    }
    assert codes == {"bad input": 3, "check failed": 4, "option value": 2, "run failed": 1, "path": 2, "folder busy": 5}


def test_version_names_the_package_and_the_tools(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("lc-pipeline ")
    # The core's dependencies, then the orchestrators installed in this environment (.venv: Dagster alone).
    names = {line.split()[0] for line in lines[1:]}
    assert names >= {"dbt-core", "dbt-duckdb", *requirement_names("dagster")}
    assert not names & {*requirement_names("airflow"), *requirement_names("prefect")} - set(requirement_names())
