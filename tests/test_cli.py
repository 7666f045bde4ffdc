"""The ``lc-pipeline`` command: generate, run, and one clear line on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.cli import main


def test_generate_writes_both_files(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["generate", "--customers", "100", "--seed", "3", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "customers.csv").is_file() and (tmp_path / "accounts.csv").is_file()
    assert "wrote 100 customers" in capsys.readouterr().out


def test_missing_column_exits_non_zero_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "customers.csv").write_text("CustomerID,Name\n1,Ann\n")
    (tmp_path / "accounts.csv").write_text("AccountID,CustomerID,Balance,AccountType\n")
    code = main(["run", "--impl", "scripts", "--input", str(tmp_path), "--output", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err == [f"lc-pipeline: error: {tmp_path / 'customers.csv'}: missing required column HasLoan"]
    assert not (tmp_path / "out" / "account_summary.csv").exists()
