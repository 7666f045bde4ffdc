"""The landing folder's contract, shared by the three deployments' file-arrival triggers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from core.landing import LANDING_ENV, landing_dir, ready_folders, run_key, run_output_dir


def test_a_folder_is_ready_once_it_holds_every_input_file_and_is_not_a_dot_folder(
    small_input: Path, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    assert ready_folders(landing) == []  # not there yet
    for name in ("b", "a", ".being_copied"):
        shutil.copytree(small_input, landing / name)
    (landing / "half").mkdir()
    shutil.copy(small_input / "customers.csv", landing / "half")
    (landing / "stray.csv").write_text("x\n")
    assert ready_folders(landing) == [landing / "a", landing / "b"]


def test_the_run_key_changes_with_the_files_and_keeps_to_safe_characters(small_input: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch 1 (é)"
    shutil.copytree(small_input, folder)
    before = run_key(folder)
    assert before == run_key(folder)
    assert before.startswith("batch_1____-")
    assert set(before) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    accounts = folder / "accounts.csv"
    os.utime(accounts, ns=(accounts.stat().st_atime_ns, accounts.stat().st_mtime_ns + 1_000_000_000))
    assert run_key(folder) != before


def test_landing_and_run_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(LANDING_ENV, raising=False)
    assert landing_dir(tmp_path) == tmp_path / "landing"
    monkeypatch.setenv(LANDING_ENV, str(tmp_path / "elsewhere"))
    assert landing_dir(tmp_path / "out") == tmp_path / "elsewhere"
    assert run_output_dir(tmp_path, tmp_path / "landing" / "b1") == tmp_path / "runs" / "b1"
