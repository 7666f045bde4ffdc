"""An independent, deliberately naive reading of ``docs/pipeline-rules.md`` in plain Python.

It shares no code with ``core`` or the dbt project: it parses the CSVs with the ``csv`` module, applies
each rule in the order the rules page lists them, and computes interest with ``decimal``. Tests compare
the pipeline's output files with what this oracle expects, row for row.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

WHITESPACE = " \t\r\n"
POSITIVE_INTEGER = re.compile(r"[0-9]{1,18}")
BALANCE = re.compile(r"[+-]?[0-9]{1,15}(\.[0-9]{1,2})?")
TRUE_WORDS = {"yes", "y", "true", "1"}
BOOLEAN_WORDS = TRUE_WORDS | {"no", "n", "false", "0"}
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# The csv module refuses fields over 128 KiB; the rules have no such limit, so neither does the oracle.
csv.field_size_limit(sys.maxsize)


def _records(path: Path, required: list[str]) -> list[tuple[int, list[str], int]]:
    """(source_row, required raw values, field count) per data record; the header's width last."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.reader(handle) if row]
    header, data = rows[0], rows[1:]
    norm = [h.strip(WHITESPACE).replace(" ", "").replace("_", "").lower() for h in header]
    positions = [norm.index(name.replace("_", "")) for name in required]
    out = []
    for number, fields in enumerate(data, start=1):
        values = [fields[p] if p < len(fields) else "" for p in positions]
        out.append((number, values, len(fields) - len(header)))
    return out


def _positive_int(text: str) -> int | None:
    if POSITIVE_INTEGER.fullmatch(text) and int(text) > 0:
        return int(text)
    return None


def _customers_file(input_dir: Path) -> Path:
    """customers.csv, or the assignment's Customer.csv when that is the one present (rules page)."""
    assignment = input_dir / "Customer.csv"
    return (
        assignment
        if assignment.exists() and not (input_dir / "customers.csv").exists()
        else input_dir / "customers.csv"
    )


def expected_outputs(input_dir: Path) -> dict[str, list[tuple]]:
    """Every output table as a list of tuples of Python values, in the column order of the rules page."""
    customers_q, customers = [], {}
    seen_ids: set[int] = set()
    for row, raw, width_diff in _records(_customers_file(input_dir), ["customer_id", "name", "has_loan"]):
        cid_text, name, loan = (v.strip(WHITESPACE) for v in raw)
        cid = _positive_int(cid_text)
        reason = None
        if width_diff != 0:
            reason = "malformed_row"
        elif cid_text == "":
            reason = "missing_customer_id"
        elif cid is None:
            reason = "invalid_customer_id"
        elif cid in seen_ids:
            reason = "duplicate_customer_id"
        if cid is not None and width_diff == 0:
            seen_ids.add(cid)
        if reason is None and name == "":
            reason = "missing_name"
        if reason is None and loan.translate(ASCII_LOWER) not in BOOLEAN_WORDS:
            reason = "invalid_has_loan"
        if reason:
            customers_q.append((row, reason, *raw))
        else:
            customers[cid] = (" ".join(re.split(r"[ \t\r\n]+", name)), loan.translate(ASCII_LOWER) in TRUE_WORDS)

    accounts_q, accounts = [], []
    seen_accounts: set[str] = set()
    for row, raw, width_diff in _records(
        input_dir / "accounts.csv", ["account_id", "customer_id", "balance", "account_type"]
    ):
        aid, cid_text, bal_text, kind = (v.strip(WHITESPACE) for v in raw)
        aid = aid.translate(ASCII_UPPER)
        kind = kind.translate(ASCII_LOWER)
        cid = _positive_int(cid_text)
        reason = None
        if width_diff != 0:
            reason = "malformed_row"
        elif aid == "":
            reason = "missing_account_id"
        elif aid in seen_accounts:
            reason = "duplicate_account_id"
        if width_diff == 0 and aid != "":
            seen_accounts.add(aid)
        if reason is None:
            if cid is None:
                reason = "invalid_customer_id"
            elif cid not in customers:
                reason = "unknown_customer"
            elif bal_text == "":
                reason = "missing_balance"
            elif not BALANCE.fullmatch(bal_text):
                reason = "invalid_balance"
            elif Decimal(bal_text) < 0:
                reason = "negative_balance"
            elif kind not in ("savings", "checking"):
                reason = "invalid_account_type"
        if reason:
            accounts_q.append((row, reason, *raw))
        else:
            accounts.append((aid, cid, Decimal(bal_text).quantize(Decimal("0.01")), kind))

    summary = []
    for aid, cid, balance, kind in accounts:
        if kind != "savings":
            continue
        name, loan = customers[cid]
        base = Decimal("0.0100") if balance < 10000 else Decimal("0.0150") if balance < 20000 else Decimal("0.0200")
        rate = base + (Decimal("0.0050") if loan else Decimal("0"))
        interest = (balance * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # balance >= 0
        summary.append((aid, cid, name, loan, balance, rate, interest, balance + interest))

    profile = []
    counts: Counter = Counter()
    totals: dict[tuple, Decimal] = {}
    for aid, cid, balance, kind in accounts:
        counts[(cid, kind)] += 1
        totals[(cid, "total")] = totals.get((cid, "total"), Decimal("0.00")) + balance
        if kind == "savings":
            totals[(cid, "savings")] = totals.get((cid, "savings"), Decimal("0.00")) + balance
    for row in summary:
        totals[(row[1], "interest")] = totals.get((row[1], "interest"), Decimal("0.00")) + row[6]
    for cid, (name, loan) in customers.items():
        profile.append(
            (
                cid,
                name,
                loan,
                counts[(cid, "savings")],
                counts[(cid, "checking")],
                totals.get((cid, "total"), Decimal("0.00")),
                totals.get((cid, "savings"), Decimal("0.00")),
                totals.get((cid, "interest"), Decimal("0.00")),
            )
        )
    return {
        "account_summary": summary,
        "customer_profile": profile,
        "customers_quarantine": customers_q,
        "accounts_quarantine": accounts_q,
    }


# The Parquet column types the rules page states for the two marts (Arrow's names, as patterns: the
# page fixes the scale of a customer's sums, 2, not the precision the engine widens them to).
EXPECTED_PARQUET_TYPES: dict[str, dict[str, str]] = {
    "account_summary": {
        "account_id": "string",
        "customer_id": "int64",
        "customer_name": "string",
        "has_loan": "bool",
        "balance": r"decimal128\(18, 2\)",
        "interest_rate": r"decimal128\(6, 4\)",
        "annual_interest": r"decimal128\(18, 2\)",
        "new_balance": r"decimal128\(18, 2\)",
    },
    "customer_profile": {
        "customer_id": "int64",
        "customer_name": "string",
        "has_loan": "bool",
        "savings_accounts": "int64",
        "checking_accounts": "int64",
        "total_balance": r"decimal128\([0-9]+, 2\)",
        "savings_balance": r"decimal128\([0-9]+, 2\)",
        "annual_interest": r"decimal128\([0-9]+, 2\)",
    },
}


def expected_file_counts(input_dir: Path) -> list[dict[str, object]]:
    """What the quality report counts for each input file, customers then accounts: records read,
    clean, quarantined, and quarantined per reason (reasons that occur)."""
    outputs = expected_outputs(input_dir)
    counts = []
    for path, required, quarantine in (
        (_customers_file(input_dir), ["customer_id", "name", "has_loan"], "customers_quarantine"),
        (input_dir / "accounts.csv", ["account_id", "customer_id", "balance", "account_type"], "accounts_quarantine"),
    ):
        read, rejected = len(_records(path, required)), outputs[quarantine]
        counts.append(
            {
                "rows_read": read,
                "clean": read - len(rejected),
                "quarantined": len(rejected),
                "quarantined_by_reason": dict(Counter(row[1] for row in rejected)),
            }
        )
    return counts
