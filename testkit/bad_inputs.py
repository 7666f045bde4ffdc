"""A corpus of bad and awkward inputs, built by code, each with the outcome docs/pipeline-rules.md demands.

A case is a pair of files (or a missing one) and either the error the run must stop with (naming
the file and the place) or, for a run that must succeed, the quarantine reason expected for chosen
records (``None`` = clean). Full outputs of succeeding cases are also compared with the rules oracle.

:func:`judge` runs one case through one implementation and says whether it was handled as
specified; the tests assert it and the harness counts it for the report's reliability table.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from core.errors import PipelineInputError
from core.layout import OUTPUT_TABLES, WAREHOUSE_FILE, output_files
from core.outputs import read_rows
from testkit.folders import fresh_folder
from testkit.rules_oracle import expected_outputs

CUSTOMERS_HEADER = b"CustomerID,Name,HasLoan\n"
ACCOUNTS_HEADER = b"AccountID,CustomerID,Balance,AccountType\n"
GOOD_CUSTOMERS = CUSTOMERS_HEADER + b"1,Ann,yes\n2,Bob,no\n"
GOOD_ACCOUNTS = ACCOUNTS_HEADER + b"A1,1,100.00,savings\nA2,2,50.00,checking\n"


@dataclass(frozen=True)
class Case:
    name: str
    customers: bytes | None  # None: the file is missing
    accounts: bytes | None
    error: str | None = None  # a fragment the one-line error must contain (with the file name)
    error_file: str | None = None
    customers_expect: dict[int, str | None] = field(default_factory=dict)  # source_row -> reason
    accounts_expect: dict[int, str | None] = field(default_factory=dict)
    customers_file: str = "customers.csv"  # the name the customers file is written under
    other_files: dict[str, bytes] = field(default_factory=dict)  # more files in the input folder

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        files = {self.customers_file: self.customers, "accounts.csv": self.accounts, **self.other_files}
        for name, content in files.items():
            if content is not None:
                (folder / name).write_bytes(content)
        return folder


def _customers(*rows: bytes) -> bytes:
    return CUSTOMERS_HEADER + b"".join(row + b"\n" for row in rows)


def _accounts(*rows: bytes) -> bytes:
    return ACCOUNTS_HEADER + b"".join(row + b"\n" for row in rows)


CASES: list[Case] = [
    # Whole-file problems: stop with an error naming the file, nothing written.
    Case("missing_file", GOOD_CUSTOMERS, None, error="input file not found", error_file="accounts.csv"),
    Case("empty_file", b"", GOOD_ACCOUNTS, error="has no header row", error_file="customers.csv"),
    Case(
        "missing_column",
        GOOD_CUSTOMERS,
        b"AccountID,CustomerID,AccountType\nA1,1,savings\n",
        error="missing required column Balance",
        error_file="accounts.csv",
    ),
    Case(
        "column_matched_twice",
        b"CustomerID,Customer_ID,Name,HasLoan\n1,1,Ann,yes\n",
        GOOD_ACCOUNTS,
        error="CustomerID is matched by 2 headers",
        error_file="customers.csv",
    ),
    Case(
        "non_utf8",
        _customers(b"1,Ann,yes", b"2,B\xe9b,no"),
        GOOD_ACCOUNTS,
        error="line 3: the file is not valid UTF-8",
        error_file="customers.csv",
    ),
    Case(
        "text_after_closing_quote",
        GOOD_CUSTOMERS,
        _accounts(b'A1,1,"100"x,savings'),
        error="row 1 (line 2): quoting breaks RFC 4180",
        error_file="accounts.csv",
    ),
    Case(
        "unterminated_quote",
        _customers(b"1,Ann,yes", b'2,"Bob,no', b"3,Cy,no"),
        GOOD_ACCOUNTS,
        error="quoting breaks RFC 4180",
        error_file="customers.csv",
    ),
    # Awkward but valid files.
    Case("header_only", CUSTOMERS_HEADER, ACCOUNTS_HEADER),
    Case(
        "extra_column",
        b"CustomerID,Name,HasLoan,Note\n1,Ann,yes,vip\n",
        b"Branch,AccountID,CustomerID,Balance,AccountType\nX,A1,1,5.00,savings\n",
        customers_expect={1: None},
        accounts_expect={1: None},
    ),
    Case(
        "header_other_case_and_order",
        b"has_loan, name ,CUSTOMER ID\nyes,Ann,1\n",
        b"account type,BALANCE,customer_id,account_id\nSavings,10.00,1,a1\n",
        customers_expect={1: None},
        accounts_expect={1: None},
    ),
    Case(
        "bom_and_crlf",
        b"\xef\xbb\xbf" + GOOD_CUSTOMERS.replace(b"\n", b"\r\n"),
        b"\xef\xbb\xbf" + GOOD_ACCOUNTS.replace(b"\n", b"\r\n"),
        customers_expect={1: None, 2: None},
        accounts_expect={1: None, 2: None},
    ),
    Case(
        "blank_lines_are_not_rows",
        CUSTOMERS_HEADER + b"1,Ann,yes\n\n2,Bob,no\n\n",
        GOOD_ACCOUNTS,
        customers_expect={1: None, 2: None},
    ),
    Case(
        "ragged_rows",
        _customers(b"1,Ann,yes", b"2,Bob", b"3,Cy,no,extra", b"4,Di,no,"),
        _accounts(b"A1,1,1.00", b"A2,1,1.00,savings,x", b"A3,1,1.00,savings"),
        customers_expect={1: None, 2: "malformed_row", 3: "malformed_row", 4: "malformed_row"},
        accounts_expect={1: "malformed_row", 2: "malformed_row", 3: None},
    ),
    Case(
        "quoted_commas_quotes_and_newlines",
        _customers(b'1,"Lee, Ann",yes', b'2,"Bo ""B"" Li",no', b'3,"two\nlines",y', b'4,"  Di \t Do ",n'),
        _accounts(b'"A,1",1,"7.50",savings'),
        customers_expect={1: None, 2: None, 3: None, 4: None},
        accounts_expect={1: None},
    ),
    Case(
        "very_long_field",
        _customers(b"1," + b"N" * 1_000_000 + b",yes"),
        _accounts(b"A1,1,1.00,savings"),
        customers_expect={1: None},
        accounts_expect={1: None},
    ),
    Case(
        "customer_reasons",
        _customers(
            b"1,Ann,yes",
            b",Bob,no",
            b"x1,Cy,no",
            b"01,Dup,no",
            b"5,  ,yes",
            b"6,Ed,maybe",
            b"0,Zero,no",
            b"1234567890123456789,Long,no",
            b"999999999999999999,Max,no",
        ),
        ACCOUNTS_HEADER,
        customers_expect={
            1: None,
            2: "missing_customer_id",
            3: "invalid_customer_id",
            4: "duplicate_customer_id",
            5: "missing_name",
            6: "invalid_has_loan",
            7: "invalid_customer_id",
            8: "invalid_customer_id",
            9: None,
        },
    ),
    Case(
        "account_reasons",
        GOOD_CUSTOMERS,
        _accounts(
            b"A1,1,1.00,savings",
            b" ,1,1.00,savings",
            b"a1,2,1.00,savings",
            b"A3,x,1.00,savings",
            b"A4,99,1.00,savings",
            b"A5,1, ,savings",
            b"A6,1,1.005,savings",
            b"A7,1,-0.01,savings",
            b"A8,1,1.00,loan",
            b"A9,,1.00,checking",
        ),
        accounts_expect={
            1: None,
            2: "missing_account_id",
            3: "duplicate_account_id",
            4: "invalid_customer_id",
            5: "unknown_customer",
            6: "missing_balance",
            7: "invalid_balance",
            8: "negative_balance",
            9: "invalid_account_type",
            10: "invalid_customer_id",
        },
    ),
    Case(
        "balances_and_ids_at_the_edges",
        _customers(b"007,Bond,yes", b"8,Eight,no"),
        _accounts(
            b"B1,7,999999999999999.99,savings",
            b"B2,7,1000000000000000,savings",
            b'B3,7,"1,234.56",savings',
            b"B4,007,+12,savings",
            b"B5,8,-0.00,checking",
            b"B6,8,12.,savings",
            b"B7,8,.5,savings",
            b"B8,8,1e5,savings",
            b"B9,8,0,savings",
            b"B10,8,9999.995,savings",
            b"B11,8,20000,savings",
            b"B12,8,19999.99,savings",
        ),
        customers_expect={1: None, 2: None},
        accounts_expect={
            1: None,
            2: "invalid_balance",
            3: "invalid_balance",
            4: None,
            5: None,
            6: "invalid_balance",
            7: "invalid_balance",
            8: "invalid_balance",
            9: None,
            10: "invalid_balance",
            11: None,
            12: None,
        },
    ),
    Case(
        "duplicate_after_malformed_keeps_the_id",
        _customers(b"1,Ann", b"1,Ann,yes"),
        _accounts(b"A1,1,1.00", b"a1,1,2.00,checking"),
        customers_expect={1: "malformed_row", 2: None},
        accounts_expect={1: "malformed_row", 2: None},
    ),
    Case(
        "unicode_is_not_whitespace_or_ascii",
        _customers("1,\u00a0Ann\u00a0,yes".encode(), "2,Z\u00fc\u00df,TRUE".encode()),
        # The Kelvin sign K lower-cases to k under Unicode rules, not under ASCII ones.
        _accounts(
            "\u00e41,1,1.00,savings".encode(), "\u00c41,2,1.00,Savings".encode(), "A3,2,1.00,CHEC\u212aING".encode()
        ),
        customers_expect={1: None, 2: None},
        accounts_expect={1: None, 2: None, 3: "invalid_account_type"},
    ),
    # File names: the assignment's Customer.csv is read as customers.csv; both at once is refused.
    Case(
        "assignment_file_name",
        _customers(b"1,Ann,yes", b"2,Bob,no"),
        GOOD_ACCOUNTS,
        customers_file="Customer.csv",
        customers_expect={1: None, 2: None},
        accounts_expect={1: None, 2: None},
    ),
    Case(
        "both_customer_file_names",
        GOOD_CUSTOMERS,
        GOOD_ACCOUNTS,
        other_files={"Customer.csv": GOOD_CUSTOMERS},
        error="both customers.csv and Customer.csv are present",
        error_file="customers.csv",
    ),
]


# A small subset for the orchestrators in the default suite and the harness's quick mode: one file
# that stops the run mid-ingestion with the core's one-line error, one awkward file that must pass.
QUICK_CASES = ("text_after_closing_quote", "header_only")
# One case per way a case can travel through an orchestrator: a file missing, a header refused, a
# record stopping ingestion mid-file, an empty table through dbt, rows quarantined at ingestion and
# by each dbt rule, the assignment's file name. The other cases take these same paths through the
# shared core and dbt project, which plain scripts runs with the whole corpus.
ORCHESTRATOR_CASES = (
    "missing_file",
    "missing_column",
    *QUICK_CASES,
    "ragged_rows",
    "customer_reasons",
    "account_reasons",
    "assignment_file_name",
)


@dataclass(frozen=True)
class Outcome:
    """What one case did: handled as specified or not (and why), and rows lost or double-counted."""

    case: str
    handled: bool
    problem: str | None = None
    rows_lost: int = 0  # rows the rules oracle expects in an output that are missing from it
    rows_extra: int = 0  # rows in an output the oracle does not expect (stale or counted twice)


def _reasons(output_dir: Path, table: str) -> dict[int, str]:
    _, rows = read_rows(output_dir, table)
    return {row[0]: row[1] for row in rows}


def compare_with_oracle(input_dir: Path, output_dir: Path) -> tuple[int, int, list[str]]:
    """Rows missing from and extra in each output table, against the rules oracle on the same input."""
    expected, lost, extra, tables = expected_outputs(input_dir), 0, 0, []
    for table in OUTPUT_TABLES:
        want, got = Counter(expected[table.table]), Counter(read_rows(output_dir, table.table)[1])
        missing, unexpected = sum((want - got).values()), sum((got - want).values())
        if missing or unexpected:
            tables.append(f"{table.table}: {missing} missing, {unexpected} unexpected")
        lost, extra = lost + missing, extra + unexpected
    return lost, extra, tables


def judge(case: Case, run: Callable[[Path, Path], object], folder: Path) -> Outcome:
    """Run ``case`` with ``run(input_dir, output_dir)`` under ``folder`` (emptied first); compare with what it demands."""
    input_dir, output_dir = case.write(fresh_folder(folder) / "input"), folder / "output"
    try:
        run(input_dir, output_dir)
    except PipelineInputError as error:
        message = str(error)
        if not case.error:
            return Outcome(case.name, False, f"stopped, but should have run: {message}")
        if case.error_file not in message or case.error not in message or "\n" in message.strip():
            return Outcome(case.name, False, f"unclear message: {message!r}")
        written = [path.name for path in output_files(output_dir) if path.exists()]
        return Outcome(case.name, not written, f"wrote {written} before stopping" if written else None)
    if case.error:
        return Outcome(case.name, False, f"ran, but should have stopped with {case.error!r}")

    wrong = [
        f"{file} row {row}: {got.get(row)!r}, expected {reason!r}"
        for file, expect, got in (
            ("customers", case.customers_expect, _reasons(output_dir, "customers_quarantine")),
            ("accounts", case.accounts_expect, _reasons(output_dir, "accounts_quarantine")),
        )
        for row, reason in expect.items()
        if got.get(row) != reason
    ]
    lost, extra, tables = compare_with_oracle(input_dir, output_dir)
    problems = wrong + tables
    return Outcome(case.name, not problems, "; ".join(problems) or None, lost, extra)


def assert_stops_before_writing(run: Callable[[Path, Path], object], folder: Path) -> Path:
    """The ``missing_column`` case through ``run``: exactly the core's one-line error, naming the file,
    and neither a warehouse nor any output file. Returns the output folder, for the tool's own records."""
    case = next(case for case in CASES if case.name == "missing_column")
    input_dir, output_dir = case.write(folder / "input"), folder / "output"
    with pytest.raises(PipelineInputError) as raised:
        run(input_dir, output_dir)
    assert type(raised.value) is PipelineInputError
    assert str(raised.value) == f"{input_dir / str(case.error_file)}: {case.error}"
    assert not (output_dir / WAREHOUSE_FILE).exists()
    assert not any(path.exists() for path in output_files(output_dir))
    return output_dir
