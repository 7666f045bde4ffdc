"""The dbt project on Spark gives the same answers as on DuckDB (``--engine spark``, docs/spark.md).

One Spark session for the whole test session (a JVM start costs tens of seconds on 2 cores), and
one Spark run of the scripts pipeline on the sample data with extra rows that aim at the places
where DuckDB and Spark SQL differ (regular expressions, Unicode line separators, casts, rounding,
decimals at the edges), compared with a DuckDB run on the same input: every output file, rows as
multisets of business columns, Parquet types, and the quality report. A run of each orchestrator
on Spark costs a JVM of its own (Dagster's dbt process, Airflow's runner) or a Prefect server and
another dbt build, a minute or two each on 2 cores, so those run only with
``LC_SPARK_ORCHESTRATORS=1``; the harness's engines section (``make bench``, in CI) runs every
implementation on Spark and compares its outputs with DuckDB's.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.engine import resolve_engine
from core.generate import GeneratedData
from core.implementations import load_run
from core.layout import INPUT_FILES, OUTPUT_TABLES, QUALITY_REPORT
from core.outputs import output_differences, read_rows
from core.spark import SparkLayout, spark_tables, start_session
from testkit.environments import implementation_param
from testkit.prerequisites import require
from testkit.rules_oracle import expected_outputs


@pytest.fixture(autouse=True)
def _java() -> None:
    require(shutil.which("java") is not None, "Spark needs a Java runtime (java on PATH)")


REPO = Path(__file__).resolve().parent.parent

# Rows appended to the generated sample (ids far above the generator's). Each aims at a difference
# between the engines: Java's `$` matches before a final U+2028/U+0085 where RE2's full match does
# not; Spark's trim/upper/lower are Unicode-aware; round() must be half away from zero on both.
EDGE_CUSTOMERS = [
    '900001,"Lee, Ann",yes',
    '900002,"two\nlines",y',
    '900003,"  Di \t Do ",n',
    "900004,\u00a0Ann\u00a0,yes",
    "900005,Z\u00fc\u00df,TRUE",
    "900006\u2028,Separator Id,yes",
    "900007,Name Ends\u2028,yes",
    "900008,  Spaced   Out  ,yes",
    "0900009,Leading Zero,no",
    "900010,Short",
    "900011,Next Line,\u0085yes",
    "900012,\tTabbed\t,N",
    "999999999999999999,Max Id,no",
    "1234567890123456789,Too Long,no",
]
EDGE_ACCOUNTS = [
    "E1,900001,999999999999999.99,savings",
    "E2,900001,9999.995,savings",
    "E3,900008,+12,savings",
    "E4,900008,-0.00,checking",
    "E5,900008,5.00\u2028,savings",
    "e\u00e41,900008,1.00,savings",
    "E\u00c41,900008,1.00,savings",
    "E\u00e41,900008,1.00,checking",
    "E6,900005,10000.00,savings",
    "E7,900005,19999.99,savings",
    "E8,900005,20000,savings",
    "E9,0900009,0.50,savings",
    "E10,900005,1.50,savings",
    "E11,900005,1.00",
    '"E,12",900005,"7.50",Savings',
    "E13,900006,1.00,savings",
    "E14,900004,0.30,savings",
    "E15,900012,9999.99,SAVINGS",
    "E16,900011,1.00,checking",
    "E17,999999999999999999,0,savings",
]


def _append_rows(source: Path, target: Path, rows: list[str]) -> None:
    """Copy one input file and append CSV records to it, in the file's own line ending."""
    data = source.read_bytes()
    newline = b"\r\n" if b"\r\n" in data[:4096] else b"\n"
    if not data.endswith(newline):
        data += newline
    target.write_bytes(data + b"".join(row.encode("utf-8") + newline for row in rows))


@pytest.fixture(scope="session")
def spark_input(sample_input: GeneratedData, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 2,000-customer sample (every quarantine reason, malformed rows too) plus the edge rows."""
    folder = tmp_path_factory.mktemp("spark_input")
    source = sample_input.customers_path.parent
    for spec, rows in zip(INPUT_FILES, (EDGE_CUSTOMERS, EDGE_ACCOUNTS)):
        _append_rows(source / spec.name, folder / spec.name, rows)
    return folder


@pytest.fixture(scope="session")
def spark_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One local Spark session for the test session: its metastore in a temporary folder."""
    session = start_session(SparkLayout(tmp_path_factory.mktemp("spark_session")))
    yield session
    session.stop()


@pytest.fixture(scope="session")
def duckdb_on_spark_input(spark_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from impl_scripts.pipeline import run

    output_dir = tmp_path_factory.mktemp("duckdb_on_spark_input")
    run(spark_input, output_dir, engine="duckdb")
    return output_dir


@pytest.fixture(scope="session")
def spark_output(spark_session: object, spark_input: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from impl_scripts.pipeline import run

    output_dir = tmp_path_factory.mktemp("spark_output")
    run(spark_input, output_dir, engine="spark")
    return output_dir


def test_spark_outputs_equal_duckdb(duckdb_on_spark_input: Path, spark_output: Path) -> None:
    """Every output file: the same rows (as multisets), the same Parquet types, the same report."""
    differences = output_differences(duckdb_on_spark_input, spark_output)
    assert not differences, json.dumps(differences, indent=2, ensure_ascii=False)


def test_spark_outputs_follow_the_rules_oracle(spark_input: Path, spark_output: Path) -> None:
    """And independently of DuckDB: the rules oracle's reading of docs/pipeline-rules.md, edge rows included."""
    expected = expected_outputs(spark_input)
    for table in OUTPUT_TABLES:
        rows = read_rows(spark_output, table.table)[1]
        assert Counter(rows) == Counter(expected[table.table]), table.table


def test_spark_run_covers_the_rules(spark_output: Path) -> None:
    """The comparison above is only as good as its data: every quarantine reason and check is there."""
    report = json.loads((spark_output / QUALITY_REPORT).read_text())
    for counts in report["files"].values():
        assert counts["rows_read"] == counts["clean"] + counts["quarantined"]
        assert all(counts["quarantined_by_reason"].values()), counts["quarantined_by_reason"]
    assert report["all_checks_passed"] and len(report["checks"]) == 7
    columns, rows = read_rows(spark_output, "customers_quarantine")
    reason_of = {row[columns.index("customer_id")]: row[columns.index("reason")] for row in rows}
    # A U+2028 after an id makes it invalid on both engines (Java's `$` alone would accept it).
    assert reason_of["900006\u2028"] == "invalid_customer_id"
    assert reason_of["900011"] == "invalid_has_loan"  # U+0085 is not whitespace
    columns, rows = read_rows(spark_output, "account_summary")
    by_id = {row[columns.index("account_id")]: row for row in rows}
    # 0.50 x 1.00% = 0.005: half away from zero gives 0.01.
    assert str(by_id["E9"][columns.index("annual_interest")]) == "0.01"
    # ASCII-only upper-casing: eä1 becomes Eä1 (a different id from EÄ1), never EÄ1.
    assert "E\u00e41" in by_id and "E\u00c41" in by_id


def test_spark_keeps_its_files_in_the_output_folder(spark_output: Path) -> None:
    """Raw Parquet, Spark's tables and its settings under <output>/spark; nothing in the repository."""
    layout = SparkLayout(spark_output)
    assert all(layout.raw_file(spec).exists() for spec in INPUT_FILES)
    assert {"account_summary", "customer_profile", "stg_customers"} <= set(spark_tables(layout))
    assert (layout.conf_dir / "spark-defaults.conf").exists()
    for stray in ("derby.log", "metastore_db", "spark-warehouse"):
        assert not (REPO / stray).exists(), f"Spark wrote {stray} into the repository"
        assert not (REPO / "dbt" / stray).exists(), f"Spark wrote {stray} into dbt/"


def test_engine_choice() -> None:
    assert resolve_engine(None) in ("duckdb", "spark")
    assert resolve_engine("Spark") == "spark"
    with pytest.raises(ValueError, match="unknown engine 'oracle'"):
        resolve_engine("oracle")


@pytest.mark.skipif(
    os.environ.get("LC_SPARK_ORCHESTRATORS") != "1",
    reason="another JVM or server and dbt build (a minute or two each on 2 cores): set LC_SPARK_ORCHESTRATORS=1",
)
@pytest.mark.parametrize("implementation", [implementation_param(name) for name in ("dagster", "airflow", "prefect")])
def test_orchestrator_on_spark_equals_scripts(
    implementation: str, small_input: Path, scripts_reference: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Every orchestrator runs dbt on Spark through the same core calls (``core.engine.RunEngine``)."""
    output_dir = tmp_path_factory.mktemp(f"{implementation}_spark")
    load_run(implementation)(small_input, output_dir, engine="spark")
    differences = output_differences(scripts_reference, output_dir)
    assert not differences, json.dumps(differences, indent=2, ensure_ascii=False)
    assert spark_tables(SparkLayout(output_dir))
