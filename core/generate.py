"""Generate messy ``customers.csv`` and ``accounts.csv`` files, deterministic for a seed and a size.

Rows are built a column at a time with pyarrow compute (no Python loop per row), in chunks of
customers so that memory stays flat and large sizes report progress. Each chunk draws from its own
random stream seeded by ``(seed, chunk number)``, so the same seed and size give byte-identical files.

About ``dirty_rate`` of the rows break one rule each (every quarantine reason of docs/pipeline-rules.md
appears); the other rows are messy but valid: padding whitespace, mixed case, ``Y``/``true``/``0``,
leading zeros, quoted names with commas and quotes, and about two accounts per customer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.files import atomic_write
from core.layout import ACCOUNT_REASONS, ACCOUNTS, CUSTOMER_REASONS, CUSTOMERS, INPUT_FILES
from core.settings import SAMPLE_INPUT_DIR

# The default input of every implementation when none is given: a generated sample.
SAMPLE_CUSTOMERS = 10_000
SAMPLE_SEED = 42

CHUNK_CUSTOMERS = 250_000
PROGRESS_FROM = 500_000

FIRST_NAMES = [
    "Ann",
    "Bob",
    "Carla",
    "Dmitri",
    "Eve",
    "Farah",
    "Günter",
    "Hana",
    "Ian",
    "Jo",
    "Kwame",
    "Li",
    "María",
    "Noor",
    "Olu",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
]
LAST_NAMES = [
    "Smith",
    "O'Brien",
    "Nguyen",
    "García",
    "Müller",
    "Okafor",
    "Kowalski",
    "Chen",
    "Haddad",
    "Silva",
    "Ivanova",
    "Patel",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Berg",
]
HAS_LOAN_TOKENS = ["yes", "no", "Y", "N", "true", "false", "1", "0", "Yes", "NO", "TRUE", "False", " yes ", "n", "y"]
ACCOUNT_TYPE_TOKENS = ["savings", "savings", "Savings", " SAVINGS ", "checking", "Checking", "CHECKING ", "checking"]
ACCOUNTS_PER_CUSTOMER = np.array([0, 1, 2, 3, 4])
ACCOUNTS_PER_CUSTOMER_P = np.array([0.10, 0.25, 0.30, 0.20, 0.15])  # mean 2.05

CUSTOMER_HEADER = ",".join(CUSTOMERS.columns.values())
ACCOUNT_HEADER = ",".join(ACCOUNTS.columns.values())

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GeneratedData:
    """Where the files went and how many data rows each holds."""

    customers_path: Path
    accounts_path: Path
    customer_rows: int
    account_rows: int


def _strings(values: np.ndarray | list) -> pa.Array:
    return pc.cast(pa.array(values), pa.string())


def _pick(rng: np.random.Generator, vocabulary: list[str], size: int) -> pa.Array:
    return pc.take(pa.array(vocabulary, pa.string()), pa.array(rng.integers(0, len(vocabulary), size)))


def _where(mask: np.ndarray, replacement: pa.Array | str, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), replacement, values)


def _join(*fields: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*fields, ",")


def _messy_id(rng: np.random.Generator, ids: np.ndarray) -> pa.Array:
    """Integer ids as text, some with leading zeros or padding whitespace (all still valid)."""
    text = _strings(ids)
    roll = rng.random(len(ids))
    text = _where(roll < 0.04, pc.binary_join_element_wise("00", text, ""), text)
    return _where((roll >= 0.04) & (roll < 0.08), pc.binary_join_element_wise(" ", text, "\t"), text)


def _names(rng: np.random.Generator, size: int) -> pa.Array:
    """Valid names as CSV fields: quoted ``Last, First``, doubled quotes, extra inner whitespace."""
    first, last = _pick(rng, FIRST_NAMES, size), _pick(rng, LAST_NAMES, size)
    plain = pc.binary_join_element_wise(first, last, " ")
    roll = rng.random(size)
    names = _where(roll < 0.05, pc.binary_join_element_wise('"', last, ", ", first, '"', ""), plain)
    names = _where((roll >= 0.05) & (roll < 0.07), pc.binary_join_element_wise(first, last, "   "), names)
    names = _where((roll >= 0.07) & (roll < 0.09), pc.binary_join_element_wise("  ", plain, " "), names)
    quoted_nickname = pc.binary_join_element_wise('"', first, ' ""Jr"" ', last, '"', "")
    return _where((roll >= 0.09) & (roll < 0.10), quoted_nickname, names)


def _dirty_reasons(rng: np.random.Generator, size: int, reasons: tuple[str, ...], rate: float) -> np.ndarray:
    """Per row: -1 for a row kept valid, else the index of the one reason it is made to break."""
    broken = rng.random(size) < rate
    return np.where(broken, rng.integers(0, len(reasons), size), -1)


def _customer_lines(rng: np.random.Generator, first_id: int, size: int, dirty_rate: float) -> pa.Array:
    ids = np.arange(first_id, first_id + size, dtype=np.int64)
    id_field = _messy_id(rng, ids)
    name = _names(rng, size)
    has_loan = _pick(rng, HAS_LOAN_TOKENS, size)
    reason = _dirty_reasons(rng, size, CUSTOMER_REASONS, dirty_rate)
    broken = {r: reason == CUSTOMER_REASONS.index(r) for r in CUSTOMER_REASONS}

    id_field = _where(broken["missing_customer_id"], _pick(rng, ["", "  "], size), id_field)
    invalid_ids = ["abc", "-5", "0", "12.5", "1234567890123456789", "#7", "000"]
    id_field = _where(broken["invalid_customer_id"], _pick(rng, invalid_ids, size), id_field)
    id_field = _where(broken["duplicate_customer_id"], _strings(np.maximum(ids - 1, 1)), id_field)
    name = _where(broken["missing_name"], _pick(rng, ["", "   "], size), name)
    has_loan = _where(broken["invalid_has_loan"], _pick(rng, ["maybe", "2", "", "yess", "ja"], size), has_loan)

    lines = _join(id_field, name, has_loan)
    short = _join(id_field, name)
    long = _join(id_field, name, has_loan, "extra")
    malformed = broken["malformed_row"]
    return _where(malformed, pc.if_else(pa.array(rng.random(size) < 0.5), short, long), lines)


def _balances(rng: np.random.Generator, size: int) -> pa.Array:
    """Balances in every interest tier (boundaries included), written in several valid spellings."""
    tier = rng.integers(0, 3, size)
    low, high = np.array([0, 1_000_000, 2_000_000]), np.array([1_000_000, 2_000_000, 6_000_000])
    cents = rng.integers(low[tier], high[tier])
    boundary = rng.random(size) < 0.01
    cents = np.where(boundary, rng.choice([1_000_000, 2_000_000, 999_999, 0], size), cents)
    text = pc.binary_join_element_wise(
        _strings(cents // 100), pc.utf8_lpad(_strings(cents % 100), width=2, padding="0"), "."
    )
    roll = rng.random(size)
    text = _where(roll < 0.03, pc.binary_join_element_wise("+", text, ""), text)
    text = _where((roll >= 0.03) & (roll < 0.06), pc.binary_join_element_wise(" ", text, " "), text)
    whole = (cents % 100 == 0) & (roll >= 0.06) & (roll < 0.5)
    return _where(whole, _strings(cents // 100), text)


def _account_lines(
    rng: np.random.Generator,
    owner_ids: np.ndarray,
    first_account: int,
    total_customers: int,
    dirty_rate: float,
) -> pa.Array:
    size = len(owner_ids)
    numbers = _strings(np.arange(first_account, first_account + size, dtype=np.int64))
    account_id = pc.binary_join_element_wise("ACC", pc.utf8_lpad(numbers, width=9, padding="0"), "")
    roll = rng.random(size)
    account_id = _where(roll < 0.10, pc.utf8_lower(account_id), account_id)
    account_id = _where((roll >= 0.10) & (roll < 0.13), pc.binary_join_element_wise(" ", account_id, " "), account_id)
    customer_id = _messy_id(rng, owner_ids)
    balance = _balances(rng, size)
    account_type = _pick(rng, ACCOUNT_TYPE_TOKENS, size)

    reason = _dirty_reasons(rng, size, ACCOUNT_REASONS, dirty_rate)
    broken = {r: reason == ACCOUNT_REASONS.index(r) for r in ACCOUNT_REASONS}
    account_id = _where(broken["missing_account_id"], _pick(rng, ["", " "], size), account_id)
    previous = pc.binary_join_element_wise(
        "acc",
        pc.utf8_lpad(_strings(np.maximum(np.arange(first_account, first_account + size) - 1, 1)), width=9, padding="0"),
        "",
    )
    account_id = _where(broken["duplicate_account_id"], previous, account_id)
    customer_id = _where(broken["invalid_customer_id"], _pick(rng, ["", "x12", "0", "-3", "4.0"], size), customer_id)
    unknown = _strings(total_customers + 1_000 + rng.integers(0, 1_000_000, size))
    customer_id = _where(broken["unknown_customer"], unknown, customer_id)
    balance = _where(broken["missing_balance"], _pick(rng, ["", "  "], size), balance)
    invalid_balances = ['"1,234.56"', "12.345", "abc", "1e5", "$100", "12.", ".5"]
    balance = _where(broken["invalid_balance"], _pick(rng, invalid_balances, size), balance)
    balance = _where(broken["negative_balance"], _pick(rng, ["-12.50", "-0.01", "-20000"], size), balance)
    account_type = _where(
        broken["invalid_account_type"], _pick(rng, ["loan", "credit", "", "savings account"], size), account_type
    )

    lines = _join(account_id, customer_id, balance, account_type)
    short = _join(account_id, customer_id, balance)
    long = _join(account_id, customer_id, balance, account_type, "")
    malformed = broken["malformed_row"]
    return _where(malformed, pc.if_else(pa.array(rng.random(size) < 0.5), short, long), lines)


def _write_lines(handle, lines: pa.Array) -> None:
    if len(lines):
        handle.write(("\n".join(lines.to_pylist()) + "\n").encode("utf-8"))


def _print_progress(done: int, total: int) -> None:
    print(f"generated {done:,} of {total:,} customers", file=sys.stderr, flush=True)


def generate(
    out_dir: Path,
    customers: int,
    seed: int = 42,
    dirty_rate: float = 0.03,
    progress: Progress | None = None,
) -> GeneratedData:
    """Write both input files into ``out_dir``; files appear under their names only once complete."""
    if customers < 0:
        raise ValueError("the number of customers cannot be negative")
    if not 0.0 <= dirty_rate <= 1.0:
        raise ValueError("the dirty rate is a fraction between 0 and 1")
    if progress is None and customers >= PROGRESS_FROM:
        progress = _print_progress
    out_dir.mkdir(parents=True, exist_ok=True)
    customers_path, accounts_path = out_dir / CUSTOMERS.name, out_dir / ACCOUNTS.name
    account_rows = 0
    with (
        atomic_write(customers_path) as customers_partial,
        atomic_write(accounts_path) as accounts_partial,
        customers_partial.open("wb") as customer_file,
        accounts_partial.open("wb") as account_file,
    ):
        customer_file.write((CUSTOMER_HEADER + "\n").encode())
        account_file.write((ACCOUNT_HEADER + "\n").encode())
        for chunk, first in enumerate(range(0, customers, CHUNK_CUSTOMERS)):
            size = min(CHUNK_CUSTOMERS, customers - first)
            rng = np.random.default_rng([seed, chunk])
            _write_lines(customer_file, _customer_lines(rng, first + 1, size, dirty_rate))
            per_customer = rng.choice(ACCOUNTS_PER_CUSTOMER, size=size, p=ACCOUNTS_PER_CUSTOMER_P)
            owners = np.repeat(np.arange(first + 1, first + size + 1, dtype=np.int64), per_customer)
            _write_lines(account_file, _account_lines(rng, owners, account_rows + 1, customers, dirty_rate))
            account_rows += len(owners)
            if progress:
                progress(first + size, customers)
    return GeneratedData(customers_path, accounts_path, customers, account_rows)


def sample_input(folder: Path = SAMPLE_INPUT_DIR) -> Path:
    """The sample input folder, generated the first time it is needed (same seed, same bytes)."""
    if not all((folder / spec.name).is_file() for spec in INPUT_FILES):
        generate(folder, SAMPLE_CUSTOMERS, seed=SAMPLE_SEED)
    return folder
