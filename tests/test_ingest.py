"""Ingestion edge cases: every record kept as written, numbered by record, or a clear error."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core.errors import PipelineInputError
from core.ingest import check_inputs, ingest_file, read_header
from core.layout import ACCOUNTS, CUSTOMERS, INPUT_FILES

HEADER = b"CustomerID,Name,HasLoan"


def load(tmp_path: Path, content: bytes) -> tuple[list[tuple], str]:
    """Ingest ``content`` as customers.csv; return the raw rows (by source_row) and the reader used."""
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    with duckdb.connect() as con:
        result = ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
        rows = con.execute(
            "SELECT source_row, field_count, customer_id, name, has_loan FROM raw.customers ORDER BY source_row"
        ).fetchall()
    assert result.rows == len(rows)
    return rows, result.reader


def test_plain_file(tmp_path: Path) -> None:
    rows, reader = load(tmp_path, HEADER + b"\n1,Ann,yes\n2, Bob ,no\n")
    assert rows == [(1, 3, "1", "Ann", "yes"), (2, 3, "2", " Bob ", "no")]
    assert reader == "duckdb"


def test_bom_and_crlf(tmp_path: Path) -> None:
    rows, _ = load(tmp_path, b"\xef\xbb\xbf" + HEADER + b"\r\n1,Ann,yes\r\n2,Bob,no\r\n")
    assert rows == [(1, 3, "1", "Ann", "yes"), (2, 3, "2", "Bob", "no")]


def test_quoted_commas_and_doubled_quotes(tmp_path: Path) -> None:
    rows, _ = load(tmp_path, HEADER + b'\n1,"Lee, Ann",yes\n2,"Bo ""B"" Li",no\n')
    assert [r[3] for r in rows] == ["Lee, Ann", 'Bo "B" Li']


def test_ragged_rows_are_kept_and_numbered_by_record(tmp_path: Path) -> None:
    rows, reader = load(tmp_path, HEADER + b"\n1,Ann,yes\n2,Short\n3,Long,yes,x,y\n4,Ok,no\n5,Trailing,no,\n")
    assert reader == "duckdb"
    assert rows == [
        (1, 3, "1", "Ann", "yes"),
        (2, 2, "2", "Short", None),
        (3, 5, "3", "Long", "yes"),
        (4, 3, "4", "Ok", "no"),
        (5, 4, "5", "Trailing", "no"),
    ]


def test_blank_lines_are_not_records_and_quoted_newlines_are_kept(tmp_path: Path) -> None:
    rows, reader = load(tmp_path, HEADER + b'\n1,Ann,yes\n\n2,"two\nlines",no\n3,Short\n4,Ok,1\n')
    assert reader == "python"
    assert rows == [
        (1, 3, "1", "Ann", "yes"),
        (2, 3, "2", "two\nlines", "no"),
        (3, 2, "3", "Short", None),
        (4, 3, "4", "Ok", "1"),
    ]


def test_both_readers_agree(tmp_path: Path) -> None:
    body = b'1,"Lee, Ann",yes\n2,Short\n3,Long,yes,x\n 4 ,\t Ok ,no\n'
    fast, fast_reader = load(tmp_path, HEADER + b"\n" + body)
    exact, exact_reader = load(tmp_path, HEADER + b"\n\n" + body)  # a blank line forces the exact reader
    assert (fast_reader, exact_reader) == ("duckdb", "python")
    assert fast == exact


def test_mixed_line_endings(tmp_path: Path) -> None:
    rows, _ = load(tmp_path, HEADER + b"\r\n1,Ann,yes\n2,Bob,no\r\n")
    assert [r[:3] for r in rows] == [(1, 3, "1"), (2, 3, "2")]


def test_header_only_is_valid_and_empty(tmp_path: Path) -> None:
    rows, _ = load(tmp_path, HEADER + b"\n")
    assert rows == []


@pytest.mark.parametrize(
    "header",
    [b"customer_id,name,has_loan", b"CUSTOMER ID, Name ,Has_Loan", b"HasLoan,Name,CustomerID"],
)
def test_header_variants_match(tmp_path: Path, header: bytes) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(header + b"\n")
    assert set(read_header(path, CUSTOMERS).positions) == {"customer_id", "name", "has_loan"}


def test_reordered_and_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(b"Note,HasLoan,Name,CustomerID\nhi,yes,Ann,1\n")
    with duckdb.connect() as con:
        ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
        assert con.execute("SELECT customer_id, name, has_loan, Note FROM raw.customers").fetchall() == [
            ("1", "Ann", "yes", "hi")
        ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"CustomerID,Name\n1,Ann\n", "missing required column HasLoan"),
        (b"CustomerID,customer_id,Name,HasLoan\n", "CustomerID is matched by 2 headers"),
        (b"", "has no header row"),
        (HEADER + b"\n1,Ann,yes\n2,B\xffb,no\n", "line 3: the file is not valid UTF-8"),
        (HEADER + b'\n1,Ann,yes\n2,"Bob"x,no\n', "row 2 (line 3): quoting breaks RFC 4180"),
        (HEADER + b'\n1,Ann,yes\n2,"Bob,no\n3,Cy,no\n', "quoting breaks RFC 4180"),
    ],
)
def test_bad_files_stop_with_a_message_naming_file_and_place(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes(content)
    with pytest.raises(PipelineInputError, match="customers.csv") as error, duckdb.connect() as con:
        ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
    assert message in str(error.value)


def test_missing_file_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_bytes(HEADER + b"\n1,Ann,yes\n")
    with pytest.raises(PipelineInputError, match=r"accounts\.csv: input file not found"):
        check_inputs(tmp_path, INPUT_FILES)


def test_failed_load_keeps_the_previous_table(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    with duckdb.connect() as con:
        path.write_bytes(HEADER + b"\n1,Ann,yes\n")
        ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
        path.write_bytes(HEADER + b'\n1,Ann,yes\n2,"Bob"x,no\n')
        with pytest.raises(PipelineInputError):
            ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
        assert con.execute("SELECT count(*) FROM raw.customers").fetchall() == [(1,)]
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert tables == {"customers"}


def test_accounts_file(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_bytes(b'AccountID,CustomerID,Balance,AccountType\nA1,1,"1,234.56",savings\n')
    with duckdb.connect() as con:
        ingest_file(con, read_header(path, ACCOUNTS), ACCOUNTS)
        assert con.execute("SELECT balance FROM raw.accounts").fetchall() == [("1,234.56",)]


def test_a_symlink_out_of_the_input_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.csv").write_bytes(HEADER + b"\n1,Ann,yes\n")
    input_dir = tmp_path / "input"
    input_dir.mkdir()
    (input_dir / "customers.csv").symlink_to(outside / "secret.csv")
    (input_dir / "accounts.csv").write_bytes(b"AccountID,CustomerID,Balance,AccountType\n")
    with pytest.raises(
        PipelineInputError, match=r"customers\.csv: input file resolves to .*secret\.csv, outside the chosen folder"
    ):
        check_inputs(input_dir, INPUT_FILES)


def test_hostile_paths_and_headers_reach_sql_only_as_parameters_or_quoted_names(tmp_path: Path) -> None:
    """A folder named like an injection and a header that closes a quoted name are data, not SQL."""
    folder = tmp_path / "it's'; DROP TABLE raw.customers; --"
    folder.mkdir()
    path = folder / "customers.csv"
    path.write_bytes(HEADER + b',"x""; DROP TABLE raw.customers; --"\n1,Ann,yes,boom\n')
    with duckdb.connect() as con:
        loaded = ingest_file(con, read_header(path, CUSTOMERS), CUSTOMERS)
        assert loaded.columns[-1] == 'x"; DROP TABLE raw.customers; --'
        assert con.execute(
            f'SELECT name, "{loaded.columns[-1].replace(chr(34), chr(34) * 2)}" FROM raw.customers'
        ).fetchall() == [("Ann", "boom")]


def test_the_assignment_file_name_is_read_as_customers_csv(tmp_path: Path) -> None:
    from core.ingest import input_path

    assert input_path(tmp_path, CUSTOMERS) == tmp_path / "customers.csv"  # none: the error names this one
    (tmp_path / "Customer.csv").write_text("CustomerID,Name,HasLoan\n")
    assert input_path(tmp_path, CUSTOMERS) == tmp_path / "Customer.csv"
    assert input_path(tmp_path, ACCOUNTS) == tmp_path / "accounts.csv"  # no other name for accounts
    (tmp_path / "customers.csv").write_text("CustomerID,Name,HasLoan\n")
    with pytest.raises(PipelineInputError, match="both customers.csv and Customer.csv are present"):
        input_path(tmp_path, CUSTOMERS)
