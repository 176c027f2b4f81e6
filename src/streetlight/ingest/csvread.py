"""Read one delimited-text file into string columns, keeping every row it cannot split.

Everything arrives as text: typing is the format adapter's job, so a bad value becomes a quarantined
row with a reason rather than a parse failure of the whole file. Rows with the wrong number of fields
(a truncated last line, a stray delimiter) are captured with their raw text and row number.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from streetlight.errors import NotCSVError

ROW_COLUMN = "_row"
_DELIMITERS = (",", ";", "\t", "|")
_BINARY_SNIFF = 8192


@dataclass
class RawTable:
    """A file's rows as text, before any format rules."""

    source: str
    header: list[str]
    # One String column per header name, plus `_row` (Int64): the CSV record number, header = 1.
    frame: pl.DataFrame
    # Rows that could not be split into the header's fields: (row, detail, raw text).
    unsplittable: list[tuple[int, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # How rows name their file in the `source` column (short); `source` is for messages (full).
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.source

    def text(self, name: str) -> pl.Expr:
        """Column `name` trimmed, with empty values as null: how every format reads a field."""
        col = pl.col(name).str.strip_chars()
        return pl.when(col == "").then(None).otherwise(col)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.unsplittable)


def decode(data: bytes, source: str) -> tuple[str, str | None]:
    """Bytes to text: UTF-8 (with or without BOM), else Windows-1252, else Latin-1.

    Real exports mix encodings (the St. Louis files carry Windows-1252 bytes in business names);
    reading them as Windows-1252 keeps every character instead of dropping rows.
    """
    utf8, note = to_utf8(data, source)
    return utf8.decode("utf-8"), note


def to_utf8(data: bytes, source: str) -> tuple[bytes, str | None]:
    """UTF-8 bytes without a BOM, and a note when the input had to be transcoded (see `decode`).

    Valid UTF-8, the usual case, is returned as it is: no copy, no decode.
    """
    if b"\x00" in data[:_BINARY_SNIFF]:
        raise NotCSVError(source, "binary file (NUL bytes), not delimited text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        data.decode("utf-8")  # validation only; C speed
        return data, None
    except UnicodeDecodeError as exc:
        where = f"byte {exc.start}"
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.encode("utf-8"), f"not valid UTF-8 (first bad {where}); read as {encoding}"
    raise NotCSVError(source, "undecodable text")  # pragma: no cover - latin-1 decodes anything


def _split_header(line: str) -> tuple[list[str], str]:
    """The header's fields and the delimiter that splits it into the most fields."""
    best: tuple[list[str], str] = ([line], ",")
    for delim in _DELIMITERS:
        fields = next(csv.reader([line], delimiter=delim))
        if len(fields) > len(best[0]):
            best = (fields, delim)
    return [f.strip() for f in best[0]], best[1]


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = name or "column"
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.append(base if n == 0 else f"{base}_{n + 1}")
    return out


def _whole_lines(utf8: bytes, names: list[str], delim: str) -> pl.DataFrame | None:
    """Polars' fast parser, when the bytes prove that every line is exactly one whole record.

    With no quote character anywhere, a file in which the delimiters number (fields - 1) per line
    has no short, long or blank lines and no fields spanning lines, so record k is line k + 1.
    data.police.uk files are like this; anything else returns None and takes the careful path.
    """
    if b'"' in utf8:
        return None
    buffer = np.frombuffer(utf8, dtype=np.uint8)
    newline = buffer == ord("\n")
    if b"\r" in utf8:  # only as part of CRLF line ends
        cr = np.flatnonzero(buffer == ord("\r"))
        if cr[-1] == len(buffer) - 1 or not newline[cr + 1].all():
            return None
    lines = int(np.count_nonzero(newline)) + (0 if utf8.endswith(b"\n") else 1)
    if np.count_nonzero(buffer == ord(delim)) != (len(names) - 1) * lines:
        return None
    try:
        frame = pl.read_csv(
            utf8,
            has_header=False,
            skip_rows=1,
            new_columns=names,
            separator=delim,
            infer_schema=False,
            empty_string_is_null=False,
            quote_char=None,
        )
    except pl.exceptions.PolarsError:
        return None
    if frame.height != lines - 1 or frame.width != len(names):
        return None
    frame = frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias(ROW_COLUMN))
    return frame


def read_delimited(data: bytes, source: str, label: str = "") -> RawTable:
    """Parse `data` as CSV with a header line; every data row ends up in `frame` or `unsplittable`.

    The delimiter is the one that splits the header best; when it is not a comma a note says so.
    """
    utf8, encoding_note = to_utf8(data, source)
    notes = [encoding_note] if encoding_note else []
    if not utf8.strip():
        return RawTable(
            source,
            [],
            pl.DataFrame({ROW_COLUMN: []}, schema={ROW_COLUMN: pl.Int64}),
            notes=[*notes, "empty file: no header, no rows"],
            label=label,
        )
    first_line = utf8.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8")
    header, delim = _split_header(first_line)
    if len(header) < 2:
        raise NotCSVError(source, f"first line is not a delimited header: {first_line[:80]!r}")
    if delim != ",":
        notes.append(f"delimiter is {delim!r}, not a comma")
    names = _unique(header)
    simple = _whole_lines(utf8, names, delim)
    if simple is not None:
        return RawTable(source, header, simple, [], notes, label)
    bad: list[tuple[int, str, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> Literal["skip"]:
        number = int(row.number) if row.number is not None else -1
        if row.text.strip() == "":
            bad.append((number, "blank line", row.text))
        else:
            detail = f"expected {row.expected_columns} fields, found {row.actual_columns}"
            bad.append((number, detail, row.text))
        return "skip"

    table = pacsv.read_csv(
        io.BytesIO(utf8),
        read_options=pacsv.ReadOptions(use_threads=False, column_names=names, skip_rows=1),
        parse_options=pacsv.ParseOptions(
            delimiter=delim,
            newlines_in_values=True,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        ),
    )
    total = table.num_rows + len(bad)
    rows = np.arange(2, total + 2, dtype=np.int64)
    if bad:
        rows = np.setdiff1d(rows, np.array([n for n, _, _ in bad], dtype=np.int64))[
            : table.num_rows
        ]
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.Series(ROW_COLUMN, rows, dtype=pl.Int64))
    return RawTable(source, header, frame, bad, notes, label)
