"""The generator: deterministic, messy in the ways the rules page expects, about two accounts each."""

from __future__ import annotations

import csv
from pathlib import Path

from core.generate import generate
from testkit.rules_oracle import expected_outputs


def test_same_seed_and_size_give_identical_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 3_000, seed=11)
    second = generate(tmp_path / "b", 3_000, seed=11)
    assert first.customers_path.read_bytes() == second.customers_path.read_bytes()
    assert first.accounts_path.read_bytes() == second.accounts_path.read_bytes()


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 500, seed=1)
    second = generate(tmp_path / "b", 500, seed=2)
    assert first.accounts_path.read_bytes() != second.accounts_path.read_bytes()


def test_row_counts_and_accounts_per_customer(tmp_path: Path) -> None:
    data = generate(tmp_path, 20_000, seed=3)
    with data.customers_path.open(newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) - 1 == data.customer_rows == 20_000
    with data.accounts_path.open(newline="") as handle:
        assert sum(1 for _ in csv.reader(handle)) - 1 == data.account_rows
    assert 1.9 < data.account_rows / data.customer_rows < 2.2


def test_dirty_rate_controls_the_quarantine_share(tmp_path: Path) -> None:
    data = generate(tmp_path / "dirty", 5_000, seed=5, dirty_rate=0.03)
    expected = expected_outputs(data.customers_path.parent)
    share = len(expected["customers_quarantine"]) / data.customer_rows
    assert 0.02 < share < 0.04
    clean = generate(tmp_path / "clean", 2_000, seed=5, dirty_rate=0.0)
    assert expected_outputs(clean.customers_path.parent)["customers_quarantine"] == []


def test_messy_but_valid_values_appear(tmp_path: Path) -> None:
    data = generate(tmp_path, 5_000, seed=9)
    customers = data.customers_path.read_text(encoding="utf-8")
    accounts = data.accounts_path.read_text(encoding="utf-8")
    assert '"' in customers and ", " in customers  # quoted names with commas
    assert '""' in customers  # doubled quotes inside a quoted name
    assert "\n00" in customers  # leading zeros
    assert ",Y\n" in customers and ",TRUE\n" in customers and ",0\n" in customers
    assert "acc0" in accounts and " SAVINGS " in accounts and ",+" in accounts


def test_progress_is_reported_per_chunk(tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    generate(tmp_path, 600_000, seed=1, dirty_rate=0.0, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(250_000, 600_000), (500_000, 600_000), (600_000, 600_000)]
