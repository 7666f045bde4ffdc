"""Files appear whole or not at all, and an export reports the rows it wrote."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from core.export import export_table
from core.files import atomic_write, partial_path
from core.layout import OutputTable


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    final = tmp_path / "report.json"
    final.write_text("old")
    with atomic_write(final) as temporary:
        temporary.write_text("new")
        assert final.read_text() == "old"  # readers see the old file until the write is complete
    assert final.read_text() == "new"
    assert not partial_path(final).exists()


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(tmp_path: Path) -> None:
    final = tmp_path / "report.json"
    final.write_text("old")
    with pytest.raises(RuntimeError), atomic_write(final) as temporary:
        temporary.write_text("half")
        raise RuntimeError("disk full")
    assert final.read_text() == "old"
    assert list(tmp_path.iterdir()) == [final]


def test_export_writes_every_format_and_counts_the_rows(tmp_path: Path) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE marts AS SELECT 4 - range AS id FROM range(4)")
    exported = export_table(con, OutputTable("marts", "id", ("csv", "parquet")), tmp_path)
    assert exported.rows == 4
    assert exported.files == [tmp_path / "marts.csv", tmp_path / "marts.parquet"]
    assert (tmp_path / "marts.csv").read_text().split() == ["id", "1", "2", "3", "4"]
