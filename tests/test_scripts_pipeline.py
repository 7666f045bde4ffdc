"""End to end: the plain-scripts pipeline on generated data follows every rule of docs/pipeline-rules.md."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from core.generate import GeneratedData
from core.layout import ACCOUNT_REASONS, CUSTOMER_REASONS, OUTPUT_TABLES, QUALITY_REPORT, output_files
from core.outputs import parquet_schema, read_rows
from testkit.against_oracle import files_checked, oracle_differences
from testkit.faults import FAULTS, assert_recovered, partial_files, stale_output
from testkit.rules_oracle import expected_outputs


@pytest.fixture(scope="module")
def expected(sample_input: GeneratedData) -> dict[str, list[tuple]]:
    return expected_outputs(sample_input.customers_path.parent)


@pytest.mark.parametrize("table", [t.table for t in OUTPUT_TABLES])
def test_outputs_equal_the_rules_oracle(scripts_output: Path, expected: dict, table: str) -> None:
    _, rows = read_rows(scripts_output, table)
    assert rows, f"{table} is empty: the sample should exercise it"
    assert Counter(rows) == Counter(expected[table])


def test_every_quarantine_reason_appears(expected: dict) -> None:
    assert {row[1] for row in expected["customers_quarantine"]} == set(CUSTOMER_REASONS)
    assert {row[1] for row in expected["accounts_quarantine"]} == set(ACCOUNT_REASONS)


def test_csv_and_parquet_hold_the_same_rows(scripts_output: Path) -> None:
    for table in ("account_summary", "customer_profile"):
        _, parquet_rows = read_rows(scripts_output, table, "parquet")
        _, csv_rows = read_rows(scripts_output, table, "csv")
        as_text = Counter(tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in row) for row in parquet_rows)
        assert Counter(csv_rows) == as_text


def test_output_types_follow_the_rules_page(scripts_output: Path) -> None:
    assert parquet_schema(scripts_output, "account_summary") == {
        "account_id": "string",
        "customer_id": "int64",
        "customer_name": "string",
        "has_loan": "bool",
        "balance": "decimal128(18, 2)",
        "interest_rate": "decimal128(6, 4)",
        "annual_interest": "decimal128(18, 2)",
        "new_balance": "decimal128(18, 2)",
    }
    profile = parquet_schema(scripts_output, "customer_profile")
    assert list(profile) == [
        "customer_id",
        "customer_name",
        "has_loan",
        "savings_accounts",
        "checking_accounts",
        "total_balance",
        "savings_balance",
        "annual_interest",
    ]
    assert profile["customer_id"] == "int64" and profile["savings_accounts"] == "int64"


def test_quality_report_reconciles_each_file(scripts_output: Path, sample_input: GeneratedData) -> None:
    report = json.loads((scripts_output / QUALITY_REPORT).read_text())
    customers = report["files"]["customers.csv"]
    accounts = report["files"]["accounts.csv"]
    assert customers["rows_read"] == sample_input.customer_rows
    assert accounts["rows_read"] == sample_input.account_rows
    for counts in (customers, accounts):
        assert counts["rows_read"] == counts["clean"] + counts["quarantined"]
        assert counts["quarantined"] == sum(counts["quarantined_by_reason"].values())
    assert report["all_checks_passed"] and all(check["passed"] for check in report["checks"])


def test_every_output_file_is_written(scripts_output: Path) -> None:
    for path in output_files(scripts_output):
        assert path.is_file() and path.stat().st_size > 0, path
    assert not list(scripts_output.glob(".*.partial"))


def test_rerun_is_idempotent(sample_input: GeneratedData, scripts_output: Path, tmp_path: Path) -> None:
    """A second run into the same folder replaces, never appends: byte-identical files."""
    from impl_scripts.pipeline import run

    input_dir = sample_input.customers_path.parent
    run(input_dir, tmp_path)
    first = {p.name: p.read_bytes() for p in output_files(tmp_path)}
    run(input_dir, tmp_path)
    assert {p.name: p.read_bytes() for p in output_files(tmp_path)} == first
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.customers").fetchall()[0][0] == sample_input.customer_rows


def test_second_writer_gets_a_clear_error(sample_input: GeneratedData, tmp_path: Path) -> None:
    """While another process holds the warehouse, a run stops with one line and corrupts nothing."""
    import subprocess
    import sys

    from core.errors import WarehouseInUse
    from impl_scripts.pipeline import run

    warehouse = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(WarehouseInUse, match="in use by another process"):
            run(sample_input.customers_path.parent, tmp_path)
    finally:
        holder.kill()
        holder.wait()
    run(sample_input.customers_path.parent, tmp_path)  # and the next run recovers
    assert (tmp_path / "account_summary.csv").is_file()


# --- faults: plain scripts have no retries, so the run fails and the next one recovers ------------


def test_a_fault_leaves_nothing_half_written_and_the_next_run_recovers(
    scripts_output: Path,
    small_input: Path,
    scripts_reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """New input over an earlier run's folder; each injected fault stops the run with a clear error
    while the earlier tables and files stay whole; the next run replaces everything, nothing stale."""
    from core.faults import FAULT_ENV, InjectedFault
    from impl_scripts.pipeline import run

    output_dir = stale_output(scripts_output, tmp_path / "output")
    stale_rows = _raw_rows(output_dir, "accounts")
    stale_summary = (output_dir / "account_summary.csv").read_bytes()
    monkeypatch.setenv(FAULT_ENV, ",".join(FAULTS))

    with pytest.raises(InjectedFault, match="ingest_accounts: failure injected by LC_FAIL_ONCE"):
        run(small_input, output_dir)
    assert _raw_rows(output_dir, "accounts") == stale_rows  # the old table, whole; no __loading left
    assert _tables(output_dir, "raw") == ["accounts", "customers"]

    with pytest.raises(InjectedFault, match="export_account_summary: failure injected"):
        run(small_input, output_dir)
    assert (output_dir / "account_summary.csv").read_bytes() == stale_summary
    assert partial_files(output_dir) == []

    run(small_input, output_dir)
    assert_recovered(output_dir, scripts_reference)


def test_an_unknown_fault_step_stops_the_run_naming_the_steps(
    small_input: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.errors import PipelineInputError
    from core.faults import FAULT_ENV
    from impl_scripts.pipeline import run

    monkeypatch.setenv(FAULT_ENV, "ingest_everything")
    with pytest.raises(PipelineInputError, match="unknown step ingest_everything; steps are ingest_customers"):
        run(small_input, tmp_path)
    assert not list(tmp_path.glob("*.csv"))


def _raw_rows(output_dir: Path, table: str) -> int:
    with duckdb.connect(str(output_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(f"SELECT count(*) FROM raw.{table}").fetchall()[0][0]


def _tables(output_dir: Path, schema: str) -> list[str]:
    with duckdb.connect(str(output_dir / "warehouse.duckdb"), read_only=True) as con:
        return sorted(
            row[0]
            for row in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = ?", [schema]
            ).fetchall()
        )


def test_all_seven_files_equal_the_oracle_and_a_change_is_caught(
    scripts_output: Path, sample_input: GeneratedData, tmp_path: Path
) -> None:
    """The harness's check of scripts against the oracle (testkit.against_oracle) on every file, and
    that it sees a changed CSV cell, a changed Parquet type and a changed report count."""
    input_dir = sample_input.customers_path.parent
    assert files_checked() == 7
    assert oracle_differences(input_dir, scripts_output) == []

    changed = tmp_path / "changed"
    shutil.copytree(scripts_output, changed)
    csv_path = changed / "account_summary.csv"
    lines = csv_path.read_text().splitlines()
    lines[1] = lines[1].replace(",true,", ",false,") if ",true," in lines[1] else lines[1].replace(",false,", ",true,")
    csv_path.write_text("\n".join(lines) + "\n")
    duckdb.sql(
        f"COPY (SELECT * REPLACE (CAST(balance AS DOUBLE) AS balance) FROM '{changed / 'account_summary.parquet'}') "
        f"TO '{changed / 'account_summary.parquet'}' (FORMAT parquet)"
    )
    report = json.loads((changed / QUALITY_REPORT).read_text())
    report["outputs"]["customer_profile"] += 1
    (changed / QUALITY_REPORT).write_text(json.dumps(report))
    found = {difference["file"] for difference in oracle_differences(input_dir, changed)}
    assert found == {"account_summary.csv", "account_summary.parquet", QUALITY_REPORT}
