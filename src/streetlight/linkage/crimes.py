"""The crime table linkage works on, read from a CSV through a small mapping (TOML).

Plain columns (numpy arrays), one row a crime: id, planar x/y in metres, the window within which
the crime happened (`t_from` to `t_to`, minute resolution, local time as written: a burglary
discovered on return home is known only between leaving and coming back), categorical
modus-operandi columns as integer codes (-1 = unknown) and numeric ones (NaN = unknown).

A row that cannot be used (no id, a repeated id, a coordinate or date-time that does not parse, a
window ending before it starts) is quarantined with its file, row and field, as the rest of
Streetlight does with bad rows; a file or mapping that cannot be used at all raises.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from streetlight.errors import IngestError
from streetlight.tomlfile import read_toml

# What to do with a window whose end is before its start: refuse the row, or read it as the
# reversed window (what crimelinkage's own copy of its example data holds for such rows).
REVERSED_WINDOW = frozenset({"quarantine", "swap"})
# "24:00" is the end of a day (ISO 8601), as some systems write a window's end.
END_OF_DAY = frozenset({"2400", "24:00", "24:00:00"})


class LinkageMappingError(IngestError):
    """A linkage mapping file is missing, malformed, or names a column the file does not have."""


class LinkageFileError(IngestError):
    """A crime or offender file that cannot be read at all (missing, not text, no header)."""


@dataclass(frozen=True)
class CrimeColumns:
    """Which header holds each canonical column (`[crimes]` of a mapping)."""

    id: str
    x: str
    y: str
    date_from: str
    date_to: str | None = None
    time_from: str | None = None
    time_to: str | None = None
    date_format: str = "%Y-%m-%d"
    time_format: str = "%H:%M"
    categorical: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    missing: frozenset[str] = frozenset({""})
    reversed_window: str = "quarantine"


@dataclass(frozen=True)
class OffenderColumns:
    """Which header holds the offender and the crime of each row (`[offenders]` of a mapping)."""

    offender: str
    crime: str


@dataclass(frozen=True)
class LinkageMapping:
    crimes: CrimeColumns
    offenders: OffenderColumns


@dataclass(frozen=True)
class BadRow:
    """A quarantined row: file, row number (the header is row 1), field and reason."""

    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, {self.field}: {self.reason}"


@dataclass(frozen=True)
class CrimeTable:
    """Crimes as columns; row `k` of every array is the same crime.

    `t_from`/`t_to` are `datetime64[m]` (t_to >= t_from); `x`/`y` metres; `categorical[name]` is an
    int32 code into `levels[name]` (-1 = unknown); `numeric[name]` float64 (NaN = unknown).
    """

    ids: npt.NDArray[np.str_]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    t_from: npt.NDArray[np.datetime64]
    t_to: npt.NDArray[np.datetime64]
    categorical: Mapping[str, npt.NDArray[np.int32]] = field(default_factory=dict)
    levels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    numeric: Mapping[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    quarantined: tuple[BadRow, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def index(self, ids: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Row of each crime id, -1 for ids not in the table."""
        wanted = np.asarray(ids, dtype=np.str_)
        if not len(self.ids):
            return np.full(len(wanted), -1, dtype=np.intp)
        order = np.argsort(self.ids)
        pos = np.searchsorted(self.ids, wanted, sorter=order).clip(0, len(order) - 1)
        rows = order[pos]
        return np.where(self.ids[rows] == wanted, rows, -1).astype(np.intp)

    def take(self, rows: npt.ArrayLike) -> CrimeTable:
        """Some of the crimes (an index array or a boolean mask), in that order; same levels, so
        codes keep their meaning. Quarantined rows stay with the table they were read into."""
        k = np.asarray(rows)
        return CrimeTable(
            ids=self.ids[k],
            x=self.x[k],
            y=self.y[k],
            t_from=self.t_from[k],
            t_to=self.t_to[k],
            categorical={name: v[k] for name, v in self.categorical.items()},
            levels=dict(self.levels),
            numeric={name: v[k] for name, v in self.numeric.items()},
        )


@dataclass(frozen=True)
class Offenders:
    """(offender, crime) rows, duplicates removed: which offenders a solved crime is attributed
    to. Crimes need not be in the crime table: they still say who co-offended."""

    offender: npt.NDArray[np.str_]
    crime: npt.NDArray[np.str_]


def _text(table: dict[str, Any], key: str, path: Path, *, required: bool = True) -> str | None:
    value = table.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise LinkageMappingError(f"{path}: {key} must name a column (a non-empty string)")
    return value


def _names(table: dict[str, Any], key: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LinkageMappingError(f"{path}: {key} must be a list of column names")
    return tuple(value)


def read_mapping(path: Path) -> LinkageMapping:
    """The mapping in `path` (see `mappings/linkage-crimelinkage.toml`)."""
    doc = read_toml(path, "linkage mapping", LinkageMappingError)
    crimes, offenders = doc.get("crimes"), doc.get("offenders")
    if not isinstance(crimes, dict) or not isinstance(offenders, dict):
        raise LinkageMappingError(f"{path}: needs a [crimes] and an [offenders] table")
    known = {f for f in CrimeColumns.__dataclass_fields__}
    if unknown := sorted(set(crimes) - known):
        raise LinkageMappingError(f"{path}: [crimes] has unknown keys {unknown}")
    missing = _names(crimes, "missing", path) if "missing" in crimes else ("",)
    columns = CrimeColumns(
        id=str(_text(crimes, "id", path)),
        x=str(_text(crimes, "x", path)),
        y=str(_text(crimes, "y", path)),
        date_from=str(_text(crimes, "date_from", path)),
        date_to=_text(crimes, "date_to", path, required=False),
        time_from=_text(crimes, "time_from", path, required=False),
        time_to=_text(crimes, "time_to", path, required=False),
        date_format=str(crimes.get("date_format", "%Y-%m-%d")),
        time_format=str(crimes.get("time_format", "%H:%M")),
        categorical=_names(crimes, "categorical", path),
        numeric=_names(crimes, "numeric", path),
        missing=frozenset(missing),
        reversed_window=str(crimes.get("reversed_window", "quarantine")),
    )
    if columns.reversed_window not in REVERSED_WINDOW:
        raise LinkageMappingError(
            f"{path}: reversed_window must be one of {sorted(REVERSED_WINDOW)},"
            f" not {columns.reversed_window!r}"
        )
    if (columns.time_to is None) != (columns.time_from is None) and columns.date_to is not None:
        raise LinkageMappingError(f"{path}: give both time_from and time_to, or neither")
    return LinkageMapping(
        columns,
        OffenderColumns(
            str(_text(offenders, "offender", path)), str(_text(offenders, "crime", path))
        ),
    )


def _rows(path: Path) -> tuple[dict[str, int], list[list[str]]]:
    """Header positions (by lower-cased, stripped name) and the data rows."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except FileNotFoundError as exc:
        raise LinkageFileError(f"{path}: not found") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise LinkageFileError(f"{path}: not readable CSV text ({exc})") from exc
    if not rows:
        raise LinkageFileError(f"{path}: empty (no header line)")
    return {h.strip().lower(): k for k, h in enumerate(rows[0])}, rows[1:]


def _position(header: dict[str, int], name: str, path: Path) -> int:
    try:
        return header[name.strip().lower()]
    except KeyError:
        raise LinkageMappingError(
            f"{path}: the mapping names column {name!r}, which the header does not have"
        ) from None


class _RowError(Exception):
    """A row's problem, turned into a `BadRow` by the reader (private control flow)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _when(row: list[str], date: int, time: int | None, cols: CrimeColumns, name: str) -> datetime:
    text = row[date].strip()
    fmt = cols.date_format
    next_day = False
    if time is not None:
        clock = row[time].strip()
        if clock in END_OF_DAY:
            clock, next_day = clock.replace("24", "00", 1), True
        text, fmt = f"{text} {clock}", f"{fmt} {cols.time_format}"
    try:
        when = datetime.strptime(text, fmt)
    except ValueError:
        raise _RowError(name, f"{text!r} is not a date-time like {fmt!r}") from None
    return when + timedelta(days=1) if next_day else when


def read_crimes(path: Path, mapping: LinkageMapping) -> CrimeTable:
    """The crimes in the CSV at `path`, columns as `mapping` declares; bad rows quarantined."""
    cols = mapping.crimes
    header, rows = _rows(path)
    at = {
        name: _position(header, column, path)
        for name, column in [
            ("id", cols.id),
            ("x", cols.x),
            ("y", cols.y),
            ("date_from", cols.date_from),
            ("date_to", cols.date_to),
            ("time_from", cols.time_from),
            ("time_to", cols.time_to),
        ]
        if column is not None
    }
    cat_at = {c: _position(header, c, path) for c in cols.categorical}
    num_at = {c: _position(header, c, path) for c in cols.numeric}
    width = max([*at.values(), *cat_at.values(), *num_at.values()]) + 1

    ids: list[str] = []
    xs: list[float] = []
    ys: list[float] = []
    starts: list[datetime] = []
    ends: list[datetime] = []
    cats: dict[str, list[str | None]] = {c: [] for c in cols.categorical}
    nums: dict[str, list[float]] = {c: [] for c in cols.numeric}
    seen: set[str] = set()
    bad: list[BadRow] = []
    for number, row in enumerate(rows, start=2):
        if not any(v.strip() for v in row):
            continue
        try:
            if len(row) < width:
                raise _RowError("(row)", f"{len(row)} fields, the header has {len(header)}")
            crime = row[at["id"]].strip()
            if crime in cols.missing:
                raise _RowError(cols.id, "no crime id")
            if crime in seen:
                raise _RowError(cols.id, f"{crime!r} appears on an earlier row")
            xy = []
            for key, column in [("x", cols.x), ("y", cols.y)]:
                try:
                    value = float(row[at[key]])
                except ValueError:
                    raise _RowError(column, f"{row[at[key]]!r} is not a number") from None
                if not np.isfinite(value):
                    raise _RowError(column, f"{row[at[key]]!r} is not a finite number")
                xy.append(value)
            start = _when(row, at["date_from"], at.get("time_from"), cols, cols.date_from)
            end = start
            if cols.date_to is not None:
                end = _when(row, at["date_to"], at.get("time_to"), cols, cols.date_to)
                if end < start and cols.reversed_window == "swap":
                    start, end = end, start
                elif end < start:
                    raise _RowError(
                        cols.date_to, f"the window ends ({end}) before it starts ({start})"
                    )
            numbers = {}
            for column, k in num_at.items():
                text = row[k].strip()
                try:
                    numbers[column] = np.nan if text in cols.missing else float(text)
                except ValueError:
                    raise _RowError(column, f"{text!r} is not a number") from None
        except _RowError as exc:
            bad.append(BadRow(str(path), number, exc.field, exc.reason))
            continue
        seen.add(crime)
        ids.append(crime)
        xs.append(xy[0])
        ys.append(xy[1])
        starts.append(start)
        ends.append(end)
        for column, k in cat_at.items():
            text = row[k].strip()
            cats[column].append(None if text in cols.missing else text)
        for column, value in numbers.items():
            nums[column].append(value)

    codes: dict[str, npt.NDArray[np.int32]] = {}
    levels: dict[str, tuple[str, ...]] = {}
    for column, values in cats.items():
        levels[column] = tuple(sorted({v for v in values if v is not None}))
        lookup = {v: k for k, v in enumerate(levels[column])}
        codes[column] = np.array([-1 if v is None else lookup[v] for v in values], dtype=np.int32)
    return CrimeTable(
        ids=np.array(ids, dtype=np.str_),
        x=np.array(xs, dtype=np.float64),
        y=np.array(ys, dtype=np.float64),
        t_from=np.array(starts, dtype="datetime64[m]"),
        t_to=np.array(ends, dtype="datetime64[m]"),
        categorical=codes,
        levels=levels,
        numeric={c: np.array(v, dtype=np.float64) for c, v in nums.items()},
        quarantined=tuple(bad),
    )


def read_offenders(path: Path, mapping: LinkageMapping) -> Offenders:
    """The (offender, crime) rows of the CSV at `path`; a row missing either is left out (it links
    nothing), repeated rows are kept once."""
    cols = mapping.offenders
    header, rows = _rows(path)
    who, what = _position(header, cols.offender, path), _position(header, cols.crime, path)
    missing = mapping.crimes.missing
    pairs = {
        (row[who].strip(), row[what].strip())
        for row in rows
        if len(row) > max(who, what)
        and row[who].strip() not in missing
        and row[what].strip() not in missing
    }
    ordered = sorted(pairs)
    return Offenders(
        offender=np.array([o for o, _ in ordered], dtype=np.str_),
        crime=np.array([c for _, c in ordered], dtype=np.str_),
    )
