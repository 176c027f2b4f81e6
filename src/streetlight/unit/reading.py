"""Reading an extract's tables into canonical rows, and quarantining the rows that cannot be.

Pure apart from reading the files: no database here. Each table's rows are read through the
mapping (force headers and words to canonical ones), each field by its kind, then each row by the
rules of its table (an offence reported before it occurred, bail longer than its authority may
set, ...). A row that fails becomes a `Problem`: file, row number (the header is row 1, as a
spreadsheet shows it), the force's column header and a reason code from `REASONS`. Problems never
carry the row's values (personal data): those stay with the row, for the quarantine table only.

References between tables (a link to a person) are checked by the importer, which also knows the
people and offences already in the database.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import NamedTuple, cast
from zoneinfo import ZoneInfo

from streetlight.db.enums import BAIL_MONTHS, ORDER_MAX_DAYS, BailAuthority, BailKind, OrderKind
from streetlight.unit.errors import ExtractError
from streetlight.unit.extract import OUTCOMES, Column, Kind, Table
from streetlight.unit.mapping import BOOL_WORDS, TableMapping, UnitMapping

# Why a row was quarantined: the code stored and counted, and what it means.
REASONS: dict[str, str] = {
    "missing_field": "a required field is empty",
    "unparsable_date": "not a date or date-time in the mapping's format",
    "nonexistent_time": "a local time that did not exist (the clocks went forward)",
    "unparsable_number": "not a finite number",
    "not_in_vocabulary": "not a value this field can take (the mapping's values table may "
    "translate it)",
    "too_long": "longer than the database keeps for this field",
    "unknown_offence_code": "not in the offence-code list",
    "half_location": "x without y, or y without x",
    "ends_before_start": "ends before it starts",
    "reported_before_occurred": "reported before it occurred",
    "bail_beyond_authority": "a bail period longer than its authority may set (inspector 3 "
    "months, superintendent 6, ACC or commander 9, beyond that a magistrates' court)",
    "rui_with_bail_terms": "release under investigation with an expiry, authority or conditions",
    "order_beyond_limit": "longer than an order of its kind may run (DVPN 48 hours, DVPO 28 days)",
    "duplicate_ref": "its reference (a link: person, offence and role) is in an earlier row",
    "unknown_person": "no person with this reference in the extract or the database",
    "unknown_offence": "no offence with this reference in the extract or the database",
    "extra_fields": "more fields than the header has",
}

# The longest text each column keeps (the database's column lengths).
TEXT_LIMITS: dict[str, int] = {
    "offence_ref": 64,
    "person_ref": 64,
    "arrest_ref": 64,
    "bail_ref": 64,
    "order_ref": 64,
    "protected_person_ref": 64,
    "ho_code": 16,
    "category": 80,
    "surname": 120,
    "forenames": 120,
    "ethnicity": 32,
}


@dataclass(frozen=True)
class Problem:
    """A quarantined row: where it is, which field, why. No value from the row."""

    table: str
    file: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: row {self.row}, {self.field}: {self.reason}"


class Row(NamedTuple):
    """A row that read well: its number in the file, its canonical values, and the raw fields
    (kept in case a later check quarantines it)."""

    number: int
    values: dict[str, object]
    raw: list[str]


@dataclass
class ReadTable:
    """One table being read: `rows` yields the good rows in file order, once, as the importer
    consumes them (so that a database can store one while the next is read); the quarantined
    ones gather in `problems`, their raw fields in `quarantined` (`quarantined[i]` goes with
    `problems[i]`), and `read` counts data rows. All three are complete once `rows` is spent.
    `indexes`: each mapped canonical column's position in the file."""

    mapping: TableMapping
    indexes: dict[str, int]
    rows: Iterator[Row] = field(default_factory=lambda: iter(()))
    problems: list[Problem] = field(default_factory=list)
    quarantined: list[list[str]] = field(default_factory=list)
    read: int = 0

    @property
    def name(self) -> str:
        return self.mapping.table.name

    def quarantine(self, number: int, raw: list[str], column: str, reason: str) -> None:
        """Quarantine a row for `reason`, naming the force's header for canonical `column`."""
        header = self.mapping.columns.get(column, column)
        self.problems.append(Problem(self.name, self.mapping.file, number, header, reason))
        self.quarantined.append(raw)

    def raw_values(self, raw: list[str]) -> dict[str, str]:
        """A row's mapped fields by the force's headers: what the quarantine keeps (columns the
        mapping does not use are not copied)."""
        return {
            self.mapping.columns[name]: raw[index] if index < len(raw) else ""
            for name, index in self.indexes.items()
        }


# --- The extract's files ----------------------------------------------------------------------


@dataclass(frozen=True)
class Extract:
    """The bytes of the tables a mapping names, from a folder or a zip, and their digest."""

    source: Path
    files: Mapping[str, bytes]  # by mapping file name

    def digest(self, mapping: UnitMapping) -> str:
        """SHA-256 of the mapping's canonical text and each table's name and bytes: the same
        extract read the same way has the same digest."""
        h = hashlib.sha256(mapping.canonical_text().encode("utf-8"))
        for name in sorted(self.files):
            h.update(b"\x00" + name.encode("utf-8") + b"\x00")
            h.update(hashlib.sha256(self.files[name]).digest())
        return h.hexdigest()


def open_extract(source: Path, mapping: UnitMapping) -> Extract:
    """The files `mapping` names, from folder or zip `source`. A member may also be found by
    its base name alone when exactly one member of the zip has it (a zip of a folder)."""
    wanted = [t.file for t in mapping.tables.values()]
    if source.is_dir():
        files: dict[str, bytes] = {}
        for name in wanted:
            path = source / name
            if not path.is_file():
                raise ExtractError(
                    str(source), f"no file {name} (the mapping's {_of(mapping, name)})"
                )
            files[name] = path.read_bytes()
        return Extract(source, files)
    if not source.exists():
        raise ExtractError(str(source), "no such file or folder")
    try:
        with zipfile.ZipFile(source) as archive:
            members = [n for n in archive.namelist() if not n.endswith("/")]
            files = {}
            for name in wanted:
                member = _member(members, name)
                if member is None:
                    raise ExtractError(
                        str(source), f"no member {name} (the mapping's {_of(mapping, name)})"
                    )
                files[name] = archive.read(member)
    except zipfile.BadZipFile:
        raise ExtractError(str(source), "not a folder nor a readable zip archive") from None
    return Extract(source, files)


def _of(mapping: UnitMapping, name: str) -> str:
    tables = [t.table.name for t in mapping.tables.values() if t.file == name]
    return " and ".join(f"[{t}] file" for t in tables)


def _member(members: list[str], name: str) -> str | None:
    if name in members:
        return name
    same = [m for m in members if PurePosixPath(m).name == PurePosixPath(name).name]
    return same[0] if len(same) == 1 else None


# --- Fields -----------------------------------------------------------------------------------


class _BadFieldError(Exception):
    """A field that cannot be read (control flow inside this module only)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Reader = Callable[[str], object]

_FAST = {"Y": r"(\d{4})", "m": r"(\d{1,2})", "d": r"(\d{1,2})", "H": r"(\d{1,2})"}
_FAST |= {"M": r"(\d{1,2})", "S": r"(\d{1,2})"}


def naive_parser(fmt: str | None) -> Callable[[str], datetime]:
    """A parser of date-times in `fmt` (ISO 8601 when None) giving what `strptime` gives.

    Formats of only %Y %m %d %H %M %S and literal characters are matched with a regular
    expression, several times faster than `strptime` (which re-reads its format on every call):
    an extract holds three date-times per offence.
    """
    if fmt is None:
        return datetime.fromisoformat
    pattern, order, i = "", [], 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code not in _FAST or code in order:
                return lambda text: datetime.strptime(text, fmt)
            pattern += _FAST[code]
            order.append(code)
            i += 2
        else:
            pattern += r"\s+" if char.isspace() else re.escape(char)
            i += 1
    if not {"Y", "m", "d"} <= set(order):
        return lambda text: datetime.strptime(text, fmt)
    regex = re.compile(pattern)

    def parse(text: str) -> datetime:
        match = regex.fullmatch(text)
        if match is None:
            raise ValueError("does not match the format")
        parts = dict(zip(order, map(int, match.groups()), strict=True))
        return datetime(
            parts["Y"], parts["m"], parts["d"], parts.get("H", 0), parts.get("M", 0),
            parts.get("S", 0),
        )  # fmt: skip

    return parse


def _text_reader(limit: int | None) -> Reader:
    def read(text: str) -> object:
        if limit is not None and len(text) > limit:
            raise _BadFieldError("too_long")
        return text

    return read


def _bool(text: str) -> object:
    value = BOOL_WORDS.get(text.casefold())
    if value is None:
        raise _BadFieldError("not_in_vocabulary")
    return value


def _float(text: str) -> object:
    try:
        value = float(text)
    except ValueError:
        raise _BadFieldError("unparsable_number") from None
    if not math.isfinite(value):
        raise _BadFieldError("unparsable_number")
    return value


def _vocabulary(choices: tuple[str, ...]) -> Reader:
    lookup = {c.casefold(): c for c in choices}

    def read(text: str) -> object:
        value = lookup.get(text.casefold())
        if value is None:
            raise _BadFieldError("not_in_vocabulary")
        return value

    return read


def _date_reader(fmt: str | None) -> Reader:
    parse = naive_parser(fmt)

    def read(text: str) -> object:
        try:
            if fmt is None:
                return date.fromisoformat(text)
            return parse(text).date()
        except ValueError:
            raise _BadFieldError("unparsable_date") from None

    return read


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive wall-clock time in `zone` as aware UTC: the earlier instant in the autumn's
    repeated hour (fold 0); `_BadFieldError` for a time in the spring's skipped hour."""
    instant = local.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local:
        raise _BadFieldError("nonexistent_time")
    return instant


def _span_offset(start: datetime, span: timedelta, zone: ZoneInfo) -> timedelta | None:
    """The UTC offset of every wall-clock time in `span` from `start` (naive), or None when the
    span holds a change of the clocks (its two ends, in either fold, disagree: no zone changes
    its clocks twice in a day and back)."""
    last = start + span - timedelta(microseconds=1)
    offsets = {
        moment.replace(tzinfo=zone, fold=fold).utcoffset()
        for moment in (start, last)
        for fold in (0, 1)
    }
    return offsets.pop() if len(offsets) == 1 else None


_DAY, _HOUR = timedelta(days=1), timedelta(hours=1)


def _datetime_reader(fmt: str | None, zone: ZoneInfo) -> Reader:
    """Local wall-clock times in `zone` (or instants, where they carry an offset) as aware UTC.
    In the autumn's repeated hour the earlier instant is taken (fold 0); a time in the spring's
    skipped hour never happened and is refused.

    Each day's offset is worked out once (an extract's times fall on far fewer days than it has
    rows); on the two days a year whose clocks change, each hour's, and the hour of the change
    is converted time by time."""
    parse = naive_parser(fmt)
    days: dict[tuple[int, int, int], timedelta | None] = {}
    hours: dict[tuple[int, int, int, int], timedelta | None] = {}

    def read(text: str) -> object:
        try:
            parsed = parse(text)
        except ValueError:
            raise _BadFieldError("unparsable_date") from None
        if parsed.tzinfo is not None:
            return parsed.astimezone(UTC)
        day = (parsed.year, parsed.month, parsed.day)
        try:
            offset = days[day]
        except KeyError:
            offset = days[day] = _span_offset(datetime(*day), _DAY, zone)
        if offset is None:
            hour = (*day, parsed.hour)
            try:
                offset = hours[hour]
            except KeyError:
                offset = hours[hour] = _span_offset(datetime(*hour), _HOUR, zone)
            if offset is None:
                return _to_utc(parsed, zone)
        return (parsed - offset).replace(tzinfo=UTC)

    return read


class _Field(NamedTuple):
    """How one column is read (a tuple: the hot loop unpacks it)."""

    name: str
    position: int
    required: bool
    read: Reader
    words: Mapping[str, str]  # force word -> canonical value, as written
    folded: Mapping[str, str]  # the same, by casefolded word


def _reader(table: Table, column: Column, mapping: UnitMapping, zone: ZoneInfo) -> Reader:
    if table.name == "arrests" and column.name == "outcome":
        return _vocabulary(OUTCOMES)
    match column.kind:
        case Kind.TEXT:
            return _text_reader(TEXT_LIMITS.get(column.name))
        case Kind.BOOL:
            return _bool
        case Kind.DATE:
            return _date_reader(mapping.date_format)
        case Kind.DATETIME:
            return _datetime_reader(mapping.datetime_format, zone)
        case Kind.FLOAT:
            return _float
        case Kind.CHOICE:
            return _vocabulary(column.choices)
    raise AssertionError(column.kind)  # pragma: no cover - every kind is handled above


# --- Tables -----------------------------------------------------------------------------------


def _csv_rows(name: str, data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(name, f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ExtractError(name, "empty file: expected a header line") from None
    except csv.Error as exc:
        raise ExtractError(name, f"not CSV ({exc})") from None
    return header, reader


def read_table(name: str, data: bytes, mapping: UnitMapping, table: TableMapping) -> ReadTable:
    """One table, ready to be read row by row (`ReadTable.rows`); `name`: the file, for
    messages. A file that cannot be read at all, or lacks a column the mapping names, raises
    `ExtractError` here, before any row is read.

    In order, a row is quarantined for: more fields than the header; a reference (a link's
    person, offence and role) already in an earlier row, whatever became of that row; the first
    field that cannot be read; the first of its table's rules it breaks.
    """
    header, reader = _csv_rows(name, data)
    # The first of several columns with one header is the one read.
    lookup = {h.strip().casefold(): i for i, h in reversed(list(enumerate(header)))}
    missing = [
        f"{force!r} (for {canonical})"
        for canonical, force in table.columns.items()
        if force.strip().casefold() not in lookup
    ]
    if missing:
        raise ExtractError(
            name,
            f"no column {', '.join(missing)} as {mapping.path} [{table.table.name}.columns] "
            f"expects (header: {', '.join(h.strip() for h in header)})",
        )
    indexes = {c: lookup[force.strip().casefold()] for c, force in table.columns.items()}
    result = ReadTable(table, indexes)
    result.rows = _rows(name, reader, len(header), mapping, result)
    return result


def _rows(
    name: str, reader: Iterator[list[str]], width: int, mapping: UnitMapping, result: ReadTable
) -> Iterator[Row]:
    table = result.mapping
    zone = ZoneInfo(mapping.timezone)
    fields = [
        _Field(
            column.name,
            result.indexes[column.name],
            column.required,
            _reader(table.table, column, mapping, zone),
            table.values.get(column.name, {}),
            {w.casefold(): v for w, v in table.values.get(column.name, {}).items()},
        )
        for column in table.table.columns
        if column.name in result.indexes
    ]
    by_name = {f.name: f for f in fields}
    keys = [by_name[k] for k in _keys(table.table)]
    absent = [c.name for c in table.table.columns if c.name not in result.indexes]
    check = _ROW_CHECKS.get(table.table.name)
    quarantine = result.quarantine
    seen: set[object] = set()
    number = 1
    try:
        for raw in reader:
            number += 1
            if not raw:
                continue  # a blank line
            result.read += 1
            if len(raw) != width:
                if len(raw) > width and any(v.strip() for v in raw[width:]):
                    quarantine(number, raw, "(row)", "extra_fields")
                    continue
                raw = (raw + [""] * width)[:width]  # a short row's missing fields are empty
            # One key field: its text; a link's: a tuple of the person, offence and role.
            if len(keys) == 1:
                key: object = _word(keys[0], raw)
                complete = bool(key)
            else:
                key = tuple([_word(f, raw).casefold() for f in keys])
                complete = all(key)
            if complete:
                if key in seen:
                    quarantine(number, raw, keys[0].name, "duplicate_ref")
                    continue
                seen.add(key)
            values: dict[str, object] = dict.fromkeys(absent)
            bad = _read_fields(fields, raw, values)
            if bad is None and check is not None:
                bad = check(values, mapping)
            if bad is not None:
                quarantine(number, raw, bad[0], bad[1])
                continue
            yield Row(number, values, raw)
    except csv.Error as exc:
        raise ExtractError(name, f"row {number}: not CSV ({exc})") from None


def _keys(table: Table) -> tuple[str, ...]:
    return (table.key,) if table.key else ("person_ref", "offence_ref", "role")


def _word(f: _Field, raw: list[str]) -> str:
    """Field `f` of `raw` (as wide as the header), trimmed, and translated when the mapping has
    a word for it."""
    text = raw[f.position].strip()
    if f.words:
        word = f.words.get(text)
        if word is None:
            word = f.folded.get(text.casefold())
        if word is not None:
            return word
    return text


def _read_fields(
    fields: list[_Field], raw: list[str], values: dict[str, object]
) -> tuple[str, str] | None:
    """Fill `values` from `raw` (as wide as the header); the first field that cannot be read,
    and why, else None. (The hot loop of an import: `_word` is written out here.)"""
    for name, position, required, read, words, folded in fields:
        text = raw[position].strip()
        if words:
            word = words.get(text)
            if word is None:
                word = folded.get(text.casefold())
            if word is not None:
                text = word
        if not text:
            if required:
                return name, "missing_field"
            values[name] = None
            continue
        try:
            values[name] = read(text)
        except _BadFieldError as bad:
            return name, bad.reason
    return None


# --- Each table's rules -----------------------------------------------------------------------

RowCheck = Callable[[dict[str, object], UnitMapping], tuple[str, str] | None]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _offence(values: dict[str, object], mapping: UnitMapping) -> tuple[str, str] | None:
    code = mapping.codes.get(str(values["ho_code"]))
    if code is None:
        return "ho_code", "unknown_offence_code"
    values["subgroup"] = code.subgroup
    if values["vawg"] is None:
        values["vawg"] = code.vawg
    # Required, so read: a datetime.
    start = cast(datetime, values["occurred_from"])
    end = values["occurred_to"]
    if isinstance(end, datetime) and end < start:
        return "occurred_to", "ends_before_start"
    if cast(datetime, values["reported_at"]) < start:
        return "reported_at", "reported_before_occurred"
    if (values["x"] is None) != (values["y"] is None):
        return ("y" if values["y"] is None else "x"), "half_location"
    return None


def _person(values: dict[str, object], mapping: UnitMapping) -> tuple[str, str] | None:
    if values["sex"] is None:
        values["sex"] = "unknown"
    return None


def _arrest(values: dict[str, object], mapping: UnitMapping) -> tuple[str, str] | None:
    arrested = cast(datetime, values["arrested_at"])
    for name in ("charged_at", "outcome_at"):
        when = values[name]
        if isinstance(when, datetime) and when < arrested:
            return name, "ends_before_start"
    return None


def _bail(values: dict[str, object], mapping: UnitMapping) -> tuple[str, str] | None:
    starts, expires, authority = (
        cast(date, values["starts"]),
        values["expires"],
        values["authority"],
    )
    if values["kind"] == BailKind.RELEASED_UNDER_INVESTIGATION:
        for name in ("expires", "authority", "conditions"):
            if values[name] is not None:
                return name, "rui_with_bail_terms"
        return None
    if expires is None:
        return "expires", "missing_field"
    if authority is None:
        return "authority", "missing_field"
    if cast(date, expires) < starts:
        return "expires", "ends_before_start"
    months = BAIL_MONTHS[BailAuthority(str(authority))]
    # "A period of three months beginning with" the day bail starts: answering bail on the
    # same day of the third month is read as within it, as forces record it.
    if months is not None and cast(date, expires) > add_months(starts, months):
        return "expires", "bail_beyond_authority"
    return None


def _order(values: dict[str, object], mapping: UnitMapping) -> tuple[str, str] | None:
    starts, expires = cast(date, values["starts"]), values["expires"]
    if isinstance(expires, date):
        if expires < starts:
            return "expires", "ends_before_start"
        limit = ORDER_MAX_DAYS.get(OrderKind(str(values["kind"])))
        if limit is not None and expires > starts + timedelta(days=limit):
            return "expires", "order_beyond_limit"
    return None


_ROW_CHECKS: dict[str, RowCheck] = {
    "offences": _offence,
    "people": _person,
    "arrests": _arrest,
    "bail": _bail,
    "orders": _order,
}
