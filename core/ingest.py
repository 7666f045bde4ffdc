"""Load the input CSVs into raw DuckDB tables: text unchanged, every record kept, nothing half-written.

Each raw table holds every data record of its file, in file order, as text exactly as written:
``source_row`` (the 1-based record number among the data rows), ``source_file``, ``field_count``
(how many fields the record had: the dbt staging models quarantine a record whose count differs
from the header's as ``malformed_row``), the required columns under their snake_case names, then
any extra columns of the file. A field that a short record lacks is NULL.

Why two readers: DuckDB's CSV reader is fast and streams from disk, so it does the bulk. In strict
mode it rejects ragged records into a rejects table, but it numbers them by physical line, it skips
blank lines, and after an unterminated quote it can drop the rest of the file without a word. So the
fast path is trusted only when the file's shape proves it exact (every physical line after the
header is one record); any other file is read again by Python's ``csv`` module, which is exact
(record numbers, quoted newlines, blank lines) but slower. Both paths give the same table.
"""

from __future__ import annotations

import csv
import logging
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.errors import PipelineInputError
from core.faults import fail_once
from core.layout import FIELD_COUNT, HEADER_FIELD_COUNT, RAW_SCHEMA, SOURCE_FILE, SOURCE_ROW, InputFile
from core.paths import require_inside

log = logging.getLogger(__name__)

# Python's csv module refuses fields over 128 KiB by default; a long field is data, not an error.
csv.field_size_limit(sys.maxsize)

_WHITESPACE = " \t\r\n"
_BATCH_ROWS = 100_000
_RAGGED = ("MISSING COLUMNS", "TOO MANY COLUMNS")


@dataclass(frozen=True)
class Header:
    """A file's header row, matched against the required columns of its :class:`InputFile`."""

    path: Path
    fields: list[str]
    positions: dict[str, int]  # snake_case column -> position in the record
    extras: dict[str, int]  # raw-table name of an extra column -> position
    physical_lines: int  # lines the header record spans (a quoted header may span more than one)

    @property
    def columns(self) -> dict[str, int]:
        """Every raw-table column of the file, required ones first, with its position."""
        return {**self.positions, **self.extras}


@dataclass(frozen=True)
class LoadResult:
    """What one ingestion wrote, for logs and orchestrator metadata (never the rows themselves)."""

    file: str
    table: str
    rows: int
    malformed_rows: int
    columns: list[str]
    reader: str  # "duckdb" or "python": which path produced the table


def _normalise_header(name: str) -> str:
    stripped = name.strip(_WHITESPACE).replace(" ", "").replace("_", "")
    return stripped.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _first_bad_utf8_line(path: Path) -> int:
    """The 1-based physical line holding the first byte sequence that is not UTF-8."""
    decoder_state = b""
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                (decoder_state + line).decode("utf-8")
                decoder_state = b""
            except UnicodeDecodeError:
                return line_number
    return 1


def _unicode_error(path: Path) -> PipelineInputError:
    line = _first_bad_utf8_line(path)
    return PipelineInputError(f"{path}: line {line}: the file is not valid UTF-8")


def _require_readable(path: Path) -> None:
    if not path.exists():
        raise PipelineInputError(f"{path}: input file not found")
    if not path.is_file():
        raise PipelineInputError(f"{path}: input path is not a file")
    try:
        with path.open("rb"):
            pass
    except OSError as error:
        raise PipelineInputError(f"{path}: cannot read the input file ({error.strerror})") from error


def _raw_column_name(header: str, taken: set[str]) -> str:
    base = header.strip(_WHITESPACE) or "column"
    name, suffix = base, 2
    while name.lower() in taken:
        name, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(name.lower())
    return name


def read_header(path: Path, spec: InputFile) -> Header:
    """Read and match the header row; stop with a message naming the file and the column if it is wrong."""
    _require_readable(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            fields = next(reader, None)
            header_lines = reader.line_num
    except UnicodeDecodeError as error:
        raise _unicode_error(path) from error
    except csv.Error as error:
        raise PipelineInputError(f"{path}: line 1: the header row is not valid CSV ({error})") from error
    if not fields:
        raise PipelineInputError(f"{path}: the file has no header row")

    normalised = [_normalise_header(field) for field in fields]
    positions: dict[str, int] = {}
    for column, spelling in spec.columns.items():
        matches = [i for i, name in enumerate(normalised) if name == _normalise_header(spelling)]
        if not matches:
            raise PipelineInputError(f"{path}: missing required column {spelling}")
        if len(matches) > 1:
            found = ", ".join(repr(fields[i]) for i in matches)
            raise PipelineInputError(
                f"{path}: required column {spelling} is matched by {len(matches)} headers ({found})"
            )
        positions[column] = matches[0]

    taken = {*positions, SOURCE_ROW, SOURCE_FILE, FIELD_COUNT, HEADER_FIELD_COUNT}
    extras = {_raw_column_name(field, taken): i for i, field in enumerate(fields) if i not in positions.values()}
    return Header(path, fields, positions, extras, header_lines)


def input_path(input_dir: Path, spec: InputFile) -> Path:
    """The file of ``input_dir`` that holds ``spec``: its name, or one of the other exact names it is
    accepted under (``Customer.csv``); two of them at once is an error naming both."""
    present = [input_dir / name for name in spec.accepted_names if (input_dir / name).exists()]
    if len(present) > 1:
        names = " and ".join(path.name for path in present)
        raise PipelineInputError(f"{input_dir}: both {names} are present; keep one of them")
    return present[0] if present else input_dir / spec.name


def check_inputs(input_dir: Path, specs: tuple[InputFile, ...]) -> dict[str, Header]:
    """Check every input file before anything is written, so a bad one leaves the warehouse untouched."""
    headers = {}
    for spec in specs:
        path = input_path(input_dir, spec)
        require_inside(path, input_dir, "input file")  # a symlink out of the folder is refused
        headers[spec.name] = read_header(path, spec)
    return headers


def _count_physical_lines(path: Path) -> int:
    lines, last_byte = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            lines += chunk.count(b"\n")
            last_byte = chunk[-1:]
    return lines + (0 if last_byte == b"\n" else 1)


def _insert_records(
    con: duckdb.DuckDBPyConnection, table: str, header: Header, records: list[tuple[int, list[str]]]
) -> None:
    """Append records to ``table``, each field under its raw-table column by position (absent: NULL).

    The columns travel as bound list parameters, unnested side by side: DuckDB scanning a Python
    object instead (an Arrow table) imports pandas first, a second or more of every run.
    """
    columns: list[list] = [
        [number for number, _ in records],
        [header.path.name] * len(records),
        [len(fields) for _, fields in records],
        [len(header.fields)] * len(records),
    ]
    for position in header.columns.values():
        columns.append([fields[position] if position < len(fields) else None for _, fields in records])
    types = ["BIGINT", "VARCHAR", "INTEGER", "INTEGER"] + ["VARCHAR"] * len(header.columns)
    unnested = ", ".join(f"unnest(${i + 1}::{kind}[])" for i, kind in enumerate(types))
    con.execute(f"INSERT INTO {table} SELECT {unnested}", columns)


def _python_records(header: Header) -> Iterator[list[tuple[int, list[str]]]]:
    """Yield the data records in batches with their record numbers, or stop at the first broken one."""
    path = header.path
    record_number = 0
    batch: list[tuple[int, list[str]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            next(reader, None)
            try:
                for fields in reader:
                    if not fields:  # a completely empty line is not a record
                        continue
                    record_number += 1
                    batch.append((record_number, fields))
                    if len(batch) >= _BATCH_ROWS:
                        yield batch
                        batch = []
            except csv.Error as error:
                raise PipelineInputError(
                    f"{path}: row {record_number + 1} (line {reader.line_num}): quoting breaks RFC 4180 ({error})"
                ) from error
    except UnicodeDecodeError as error:
        raise _unicode_error(path) from error
    yield batch


def _create_empty(con: duckdb.DuckDBPyConnection, table: str, header: Header) -> None:
    columns = ", ".join(f"{_quote_identifier(name)} VARCHAR" for name in header.columns)
    con.execute(
        f"CREATE OR REPLACE TABLE {table} ({SOURCE_ROW} BIGINT, {SOURCE_FILE} VARCHAR, "
        f"{FIELD_COUNT} INTEGER, {HEADER_FIELD_COUNT} INTEGER, {columns})"
    )


def _load_with_python(con: duckdb.DuckDBPyConnection, table: str, header: Header) -> None:
    _create_empty(con, table, header)
    for records in _python_records(header):
        if records:
            _insert_records(con, table, header, records)


class _NotExact(Exception):
    """The fast path cannot prove its result exact for this file; the Python reader takes over."""


def _load_with_duckdb(con: duckdb.DuckDBPyConnection, table: str, header: Header) -> None:
    """Strict DuckDB read straight into ``table``; ragged records come back from the rejects table.

    The accepted records are written once, in file order, and numbered afterwards in place (one
    column updated), rather than copied to a second table to number them.
    """
    width = len(header.fields)
    read_columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    rejects_scan, rejects = "lc_rejects_scan", "lc_rejects_errors"
    named = ", ".join(f"c{position} AS {_quote_identifier(name)}" for name, position in header.columns.items())
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {table} AS
            SELECT NULL::BIGINT AS {SOURCE_ROW}, $file AS {SOURCE_FILE}, {width}::INTEGER AS {FIELD_COUNT},
                   {width}::INTEGER AS {HEADER_FIELD_COUNT}, {named}
            FROM read_csv(
                $path, columns = {read_columns}, header = true, auto_detect = false,
                delim = ',', quote = '"', escape = '"', strict_mode = true, null_padding = false,
                nullstr = '\x00', parallel = false, ignore_errors = true, store_rejects = true,
                rejects_scan = '{rejects_scan}', rejects_table = '{rejects}', max_line_size = 100000000
            )
            """,
            {"path": str(header.path), "file": header.path.name},
        )
    except (duckdb.InvalidInputException, duckdb.ConversionException) as error:
        raise _NotExact(str(error)) from error

    error_types = dict(con.execute(f"SELECT error_type, min(line) FROM {rejects} GROUP BY error_type").fetchall())
    if "INVALID ENCODING" in error_types:
        line = min(_first_bad_utf8_line(header.path), error_types["INVALID ENCODING"])
        raise PipelineInputError(f"{header.path}: line {line}: the file is not valid UTF-8")
    if set(error_types) - set(_RAGGED):
        raise _NotExact(f"rejects of types {sorted(error_types)}")

    ragged_lines = con.execute(
        f"SELECT line, any_value(csv_line) FROM {rejects} GROUP BY line ORDER BY line"
    ).fetchall()
    accepted_rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    multiline = " OR ".join(
        f"contains({_quote_identifier(name)}, chr(10)) OR contains({_quote_identifier(name)}, chr(13))"
        for name in header.columns
    )
    has_multiline = con.execute(f"SELECT count(*) FROM {table} WHERE {multiline}").fetchall()[0][0]
    records = accepted_rows + len(ragged_lines)
    if has_multiline or records + header.physical_lines != _count_physical_lines(header.path):
        raise _NotExact("records span lines, blank lines, or records went missing")

    # Every line after the header is exactly one record, so a line number gives the record number.
    ragged: list[tuple[int, list[str]]] = []
    for line, text in ragged_lines:
        fields = next(csv.reader([text.strip("\r\n")], strict=True), [])
        ragged.append((line - header.physical_lines, fields))

    # The k-th accepted row is record k + j, where j counts the ragged records before it; the i-th
    # ragged record, numbered r, has r - i accepted rows before it.
    accepted_before = [number - i for i, (number, _) in enumerate(ragged, start=1)]
    if not ragged:
        con.execute(f"UPDATE {table} SET {SOURCE_ROW} = rowid + 1")
    else:
        con.execute(
            f"""
            UPDATE {table} SET {SOURCE_ROW} = numbered.record
            FROM (
                WITH ordinals AS (SELECT rowid AS row_id, rowid + 1 AS ordinal FROM {table}),
                shifts AS (SELECT unnest($before::BIGINT[]) AS accepted_before,
                                  unnest($so_far::BIGINT[]) AS ragged_so_far),
                shift AS (SELECT accepted_before, max(ragged_so_far) AS ragged_so_far FROM shifts GROUP BY 1)
                SELECT row_id, ordinal + coalesce(shift.ragged_so_far, 0) AS record
                FROM ordinals ASOF LEFT JOIN shift ON ordinals.ordinal > shift.accepted_before
            ) AS numbered
            WHERE {table}.rowid = numbered.row_id
            """,
            {"before": accepted_before, "so_far": list(range(1, len(ragged) + 1))},
        )
        _insert_records(con, table, header, ragged)


def ingest_file(con: duckdb.DuckDBPyConnection, header: Header, spec: InputFile) -> LoadResult:
    """Load one checked file into ``raw.<table>``, replacing the old table only once the new one is whole."""
    final = f"{RAW_SCHEMA}.{spec.raw_table}"
    loading = f"{RAW_SCHEMA}.{spec.raw_table}__loading"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    started = time.perf_counter()
    reader = "duckdb"
    try:
        try:
            _load_with_duckdb(con, loading, header)
        except _NotExact:
            reader = "python"
            _load_with_python(con, loading, header)
        fail_once(f"ingest_{spec.raw_table}", con)  # loaded, not yet swapped in: the worst moment
    except BaseException:
        con.execute(f"DROP TABLE IF EXISTS {loading}")
        raise
    finally:
        for temp in ("lc_rejects_errors", "lc_rejects_scan"):
            con.execute(f"DROP TABLE IF EXISTS {temp}")

    con.execute("BEGIN TRANSACTION")
    con.execute(f"DROP TABLE IF EXISTS {final}")
    con.execute(f"ALTER TABLE {loading} RENAME TO {spec.raw_table}")
    con.execute("COMMIT")
    rows, malformed = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE {FIELD_COUNT} <> {HEADER_FIELD_COUNT}) FROM {final}"
    ).fetchall()[0]
    log.info(
        "loaded %s into %s: %s records (%s malformed) with the %s reader in %.1f s",
        header.path.name,
        final,
        f"{rows:,}",
        f"{malformed:,}",
        reader,
        time.perf_counter() - started,
    )
    return LoadResult(header.path.name, final, rows, malformed, list(header.columns), reader)
