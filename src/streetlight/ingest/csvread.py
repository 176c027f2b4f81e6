"""Read delimited-text files into string columns, keeping every row they cannot split.

Everything arrives as text: typing is the format adapter's job, so a bad value becomes a quarantined
row with a reason rather than a parse failure of the whole file. Rows with the wrong number of fields
(a truncated last line, a stray delimiter) are captured with their raw text and row number.

Reading is two steps so that an ingest of many files runs fast: `sniff` (per file, on any thread)
decodes, finds the header and proves from the bytes whether every line is one whole record; then
`read_sniffed` parses all such files of one layout in a single call of polars' CSV reader, much
cheaper than one call per file. Other files take the careful path already in `sniff`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
from numpy.typing import NDArray

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
    # Columns proven to have no value with leading or trailing whitespace, and columns proven to
    # have no empty value: `text` need not trim the first, nor look for empty values in the second
    # (trimming every value of every column was a large part of ingest time).
    trimmed: frozenset[str] = frozenset()
    filled: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.label = self.label or self.source

    def text(self, name: str) -> pl.Expr:
        """Column `name` trimmed, with empty values as null: how every format reads a field."""
        return text(pl.col(name), trim=name not in self.trimmed, empty=name not in self.filled)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.unsplittable)


def text(column: pl.Expr, *, trim: bool = True, empty: bool = True) -> pl.Expr:
    """A text column trimmed, with empty values as null.

    `trim=False` and `empty=False` say that no value has whitespace at either end, or that no
    value is empty: the work they skip would change nothing.
    """
    if trim:
        column = column.str.strip_chars()
    if trim or empty:
        column = pl.when(column.str.len_bytes() > 0).then(column)
    return column


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
    if data.isascii():  # the usual case, and several times faster to prove than UTF-8
        return data, None
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


def _whole_lines(utf8: bytes, width: int, delim: str) -> tuple[int, list[bool], list[bool]] | None:
    """Whether polars' fast parser can read `utf8`: the bytes prove every line is a whole record.

    With no quote character anywhere, a file in which every line has (fields - 1) delimiters
    has no short, long or blank lines and no fields spanning lines, so record k is line k + 1.
    data.police.uk files are like this; anything else returns None and takes the careful path.
    Returns the number of data rows and, per column, whether some value may need trimming and
    whether some value is empty.
    """
    if b'"' in utf8:
        return None
    buffer = np.frombuffer(utf8, dtype=np.uint8)
    has_cr = b"\r" in utf8
    if has_cr:  # only as part of CRLF line ends
        cr = np.flatnonzero(buffer == ord("\r"))
        if cr[-1] == len(buffer) - 1 or not (buffer[cr + 1] == ord("\n")).all():
            return None
    # Every field boundary (delimiter or line end) in order; field k of the file ends at bound k.
    is_bound = buffer == ord("\n")
    newlines = int(np.count_nonzero(is_bound))
    is_bound |= buffer == ord(delim)
    bounds = np.flatnonzero(is_bound)
    terminated = utf8.endswith(b"\n")
    lines = newlines + (0 if terminated else 1)
    if len(bounds) - newlines != (width - 1) * lines:
        return None
    # The right number in all, and each line's last boundary its line end: the right number on
    # every line (short and long lines cannot cancel out).
    if np.count_nonzero(buffer[bounds[width - 1 :: width]] == ord("\n")) != newlines:
        return None
    if not terminated:
        bounds = np.append(bounds, len(buffer))
    return lines - 1, *_field_edges(buffer, bounds, width, has_cr)


def _field_edges(
    buffer: NDArray[np.uint8], bounds: NDArray[np.intp], width: int, has_cr: bool
) -> tuple[list[bool], list[bool]]:
    """Per column: whether some data field may start or end with whitespace; whether one is empty.

    `bounds` holds the position of the delimiter or line end after each field, the header's
    included, `width` fields a line. A field is suspect when its first or last byte is ASCII
    whitespace, a control byte or any non-ASCII byte (which may begin or end a Unicode space such
    as U+00A0): a cheap test that never misses a value `str.strip_chars` would change.
    """
    starts = bounds[width - 1 : -1] + 1  # each data field's first byte
    last = bounds[width:] - 1  # and its last, before a CR of a CRLF line end
    if has_cr:
        last -= buffer[last] == ord("\r")
    filled = last >= starts
    first_byte = np.take(buffer, starts, mode="clip")
    last_byte = buffer[last]
    # Bytes 0x21-0x7e (printable ASCII, no space) map to 0-93 below; all others to 94 and up.
    odd = (first_byte - np.uint8(0x21)) >= np.uint8(94)
    odd |= (last_byte - np.uint8(0x21)) >= np.uint8(94)
    odd &= filled
    # Field k is in column k % width (strided views: much faster than reducing a 2-d grid).
    padded = [bool(odd[j::width].any()) for j in range(width)]
    has_empty = [not filled[j::width].all() for j in range(width)]
    return padded, has_empty


@dataclass
class Sniffed:
    """A file checked by `sniff`: read already (`table`), or left for `read_sniffed` to parse."""

    source: str
    label: str
    table: RawTable | None
    # The rest is for files left to parse: UTF-8 bytes without a BOM, the layout, the data rows.
    utf8: bytes = b""
    header: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    delim: str = ","
    rows: int = 0
    trimmed: frozenset[str] = frozenset()
    filled: frozenset[str] = frozenset()
    notes: list[str] = field(default_factory=list)


def sniff(data: bytes, source: str, label: str = "") -> Sniffed:
    """Decode `data`, find its header and delimiter, and choose how to parse it.

    Raises `NotCSVError` for binary files and files whose first line is not a delimited header.
    Files with quotes, ragged lines or stray carriage returns are parsed here, carefully; the
    rest are left for `read_sniffed`. Releases the GIL for most of its work.
    """
    utf8, encoding_note = to_utf8(data, source)
    notes = [encoding_note] if encoding_note else []
    if not utf8 or utf8.isspace():  # as `not utf8.strip()`, without copying the file
        empty = RawTable(
            source,
            [],
            pl.DataFrame({ROW_COLUMN: []}, schema={ROW_COLUMN: pl.Int64}),
            notes=[*notes, "empty file: no header, no rows"],
            label=label,
        )
        return Sniffed(source, label, empty)
    end = utf8.find(b"\n")
    first_line = utf8[: end if end >= 0 else len(utf8)].rstrip(b"\r").decode("utf-8")
    header, delim = _split_header(first_line)
    if len(header) < 2:
        raise NotCSVError(source, f"first line is not a delimited header: {first_line[:80]!r}")
    if delim != ",":
        notes.append(f"delimiter is {delim!r}, not a comma")
    names = _unique(header)
    simple = _whole_lines(utf8, len(names), delim)
    if simple is None:
        return Sniffed(
            source, label, _read_carefully(utf8, source, label, header, names, delim, notes)
        )
    rows, padded, has_empty = simple
    trimmed = frozenset(name for name, p in zip(names, padded, strict=True) if not p)
    filled = frozenset(name for name, e in zip(names, has_empty, strict=True) if not e)
    return Sniffed(source, label, None, utf8, header, names, delim, rows, trimmed, filled, notes)


def read_sniffed(files: Sequence[Sniffed]) -> list[RawTable]:
    """The tables of sniffed files, in order; one parse for all the files of one layout."""
    layouts: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for i, f in enumerate(files):
        if f.table is None:
            layouts.setdefault((tuple(f.names), f.delim), []).append(i)
    parsed: dict[int, RawTable] = {}
    for members in layouts.values():
        frames = _read_fast([files[i] for i in members])
        for i, frame in zip(members, frames, strict=True):
            f = files[i]
            if frame is None:  # polars disagreed with the byte checks: read it carefully
                parsed[i] = _read_carefully(
                    f.utf8, f.source, f.label, f.header, f.names, f.delim, f.notes
                )
            else:
                parsed[i] = RawTable(
                    f.source, f.header, frame, [], f.notes, f.label, f.trimmed, f.filled
                )
    return [f.table if f.table is not None else parsed[i] for i, f in enumerate(files)]


def read_delimited(data: bytes, source: str, label: str = "") -> RawTable:
    """Parse `data` as CSV with a header line; every data row ends up in `frame` or `unsplittable`.

    The delimiter is the one that splits the header best; when it is not a comma a note says so.
    """
    return read_sniffed([sniff(data, source, label)])[0]


def _read_fast(files: Sequence[Sniffed]) -> list[pl.DataFrame | None]:
    """Files of one layout proven by `_whole_lines`, parsed by polars in one call if it agrees.

    Each file's frame is a slice of the whole (no copy). A file polars fails on, or reads to
    another number of rows than the bytes show, gets None.
    """
    first = files[0]
    schema = dict.fromkeys(first.names, pl.String())

    def parse(sources: list[bytes]) -> pl.DataFrame:
        return pl.read_csv(
            sources,
            has_header=False,
            skip_rows=1,
            schema=schema,
            separator=first.delim,
            empty_string_is_null=False,
            quote_char=None,
        )

    try:
        whole: pl.DataFrame | None = parse([f.utf8 for f in files])
    except pl.exceptions.PolarsError:
        whole = None
    if whole is None or whole.height != sum(f.rows for f in files):
        if len(files) == 1:
            return [None]
        return [frame for f in files for frame in _read_fast([f])]
    counts = np.array([f.rows for f in files], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    # Record numbers restart in each file: 2 for the first data line (the header is 1).
    record = np.arange(whole.height, dtype=np.int64) - np.repeat(starts, counts) + 2
    whole = whole.with_columns(pl.Series(ROW_COLUMN, record, dtype=pl.Int64))
    return [whole.slice(start, count) for start, count in zip(starts, counts, strict=True)]


def _read_carefully(
    utf8: bytes,
    source: str,
    label: str,
    header: list[str],
    names: list[str],
    delim: str,
    notes: list[str],
) -> RawTable:
    """Any delimited text, quotes and ragged lines included, with pyarrow's CSV reader."""
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
    careful = pl.from_arrow(table)
    assert isinstance(careful, pl.DataFrame)
    careful = careful.with_columns(pl.Series(ROW_COLUMN, rows, dtype=pl.Int64))
    return RawTable(source, header, careful, bad, notes, label)
