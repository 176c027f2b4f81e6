"""A unit mapping file: where each canonical column of the extract is in a force's own files.

A records-management system exports its own headers and words ("CrimeRef", "Ex-partner"); the
mapping says, table by table, which file holds the table, which header holds each canonical
column (`streetlight.unit.extract.TABLES`) and, optionally, which force word stands for which
canonical value. `mappings/unit-example.toml` is a documented example:

    [unit]
    name = "..."                 # shown in outputs
    timezone = "Europe/London"   # local date-times in the extract are in this zone; stored UTC
    crs = "EPSG:27700"           # of x/y (needed when offences map x and y)
    codes = "path.csv"           # optional offence-code list, relative to the mapping file
    datetime_format = "%Y-%m-%d %H:%M"   # optional, default ISO 8601
    date_format = "%Y-%m-%d"             # optional, default ISO 8601
    synthetic = true             # optional: invented people (streetlight.unit.synthetic)

    [offences]
    file = "offences.csv"        # member name inside the folder/zip
    [offences.columns]           # canonical name = force column header
    offence_ref = "CrimeRef"
    [offences.values.relationship]   # optional per column: force word = canonical value
    "Partner" = "partner"

`[offences]`, `[people]` and `[links]` are required; `[arrests]`, `[bail]` and `[orders]` are
optional. Every problem names the mapping file and the key, never a row's value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pyproj import CRS
from pyproj.exceptions import CRSError

from streetlight.tomlfile import read_toml
from streetlight.unit.errors import ExtractMappingError
from streetlight.unit.extract import (
    OFFENCE_CODES,
    OUTCOMES,
    TABLES,
    Kind,
    OffenceCode,
    Table,
    read_offence_codes,
)

REQUIRED_TABLES = ("offences", "people", "links")
_UNIT_KEYS = ("name", "timezone", "crs", "codes", "datetime_format", "date_format", "synthetic")
_TABLE_KEYS = ("file", "columns", "values")
# Words a yes/no column may hold, any case (`Kind.BOOL`).
BOOL_WORDS: dict[str, bool] = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
}
# A date-time every format must write and read back on the same day (a format without the day,
# month or year fails).
_PROBE = datetime(2031, 12, 29, 23, 58, 57)


@dataclass(frozen=True)
class TableMapping:
    """One extract table: its file, the header of each mapped canonical column, and for some
    columns the force's words for canonical values ("" for none)."""

    table: Table
    file: str
    columns: Mapping[str, str]
    values: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class UnitMapping:
    """A parsed, checked mapping file (`load_mapping`)."""

    path: Path
    name: str
    timezone: str
    crs: str  # "" when no x/y are mapped
    codes_path: Path
    codes: Mapping[str, OffenceCode]
    datetime_format: str | None
    date_format: str | None
    tables: Mapping[str, TableMapping]
    # The extract is invented (not real people), so that what is made of it can say so.
    synthetic: bool = False

    def canonical_text(self) -> str:
        """Everything that decides how rows are read, as one text: part of an import's digest,
        so the same files read through a changed mapping are imported again."""
        content = {
            "timezone": self.timezone,
            "crs": self.crs,
            "datetime_format": self.datetime_format,
            "date_format": self.date_format,
            "codes": hashlib.sha256(self.codes_path.read_bytes()).hexdigest(),
            "tables": {
                name: {"file": t.file, "columns": dict(t.columns), "values": _plain(t.values)}
                for name, t in self.tables.items()
            },
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    return {column: dict(words) for column, words in values.items()}


def load_mapping(path: str | Path) -> UnitMapping:
    """Read and check a unit mapping file (format in the module docstring)."""
    p = Path(path)
    data = read_toml(p, "unit mapping file", ExtractMappingError)
    known_tables = [t.name for t in TABLES]
    unknown = [key for key in data if key != "unit" and key not in known_tables]
    if unknown:
        raise ExtractMappingError(
            f"{p}: [{unknown[0]}] is not a table of the extract "
            f"(known: unit, {', '.join(known_tables)})"
        )
    unit = _table(data, "unit", p, required=True)
    _only(unit, _UNIT_KEYS, "[unit]", p)
    name = _text(unit, "name", "[unit]", p)
    timezone = _text(unit, "timezone", "[unit]", p)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExtractMappingError(
            f"{p}: [unit] timezone {timezone!r} is not an IANA time zone (e.g. Europe/London)"
        ) from None
    datetime_format = _format(unit, "datetime_format", p)
    date_format = _format(unit, "date_format", p)
    codes_path, codes = _codes(unit, p)
    synthetic = unit.get("synthetic", False)
    if not isinstance(synthetic, bool):
        raise ExtractMappingError(f"{p}: [unit] synthetic must be true or false")
    tables: dict[str, TableMapping] = {}
    for table in TABLES:
        raw = _table(data, table.name, p, required=table.name in REQUIRED_TABLES)
        if raw is not None:
            tables[table.name] = _table_mapping(table, raw, p)
    offences = tables["offences"].columns
    if ("x" in offences) != ("y" in offences):
        raise ExtractMappingError(f"{p}: [offences.columns] maps one of x and y: map both or none")
    crs = _crs(unit, p, needed="x" in offences)
    return UnitMapping(
        path=p,
        name=name,
        timezone=timezone,
        crs=crs,
        codes_path=codes_path,
        codes=codes,
        datetime_format=datetime_format,
        date_format=date_format,
        tables=tables,
        synthetic=synthetic,
    )


def _table(data: Mapping[str, Any], key: str, p: Path, *, required: bool) -> Any:
    if key not in data:
        if required:
            raise ExtractMappingError(f"{p}: needs a [{key}] table")
        return None
    if not isinstance(data[key], dict):
        raise ExtractMappingError(f"{p}: '{key}' must be a table ([{key}])")
    return data[key]


def _only(table: Mapping[str, Any], known: tuple[str, ...], where: str, p: Path) -> None:
    for key in table:
        if key not in known:
            raise ExtractMappingError(
                f"{p}: {where} '{key}' is not a key Streetlight knows (known: {', '.join(known)})"
            )


def _text(table: Mapping[str, Any], key: str, where: str, p: Path) -> str:
    if key not in table:
        raise ExtractMappingError(f"{p}: {where} needs '{key}'")
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise ExtractMappingError(f"{p}: {where} '{key}' must be a non-empty string")
    return value.strip()


def _format(unit: Mapping[str, Any], key: str, p: Path) -> str | None:
    if key not in unit:
        return None
    fmt = _text(unit, key, "[unit]", p)
    try:
        ok = datetime.strptime(_PROBE.strftime(fmt), fmt).date() == _PROBE.date()
    except ValueError:
        ok = False
    if not ok:
        what = "a date-time" if key == "datetime_format" else "a date"
        raise ExtractMappingError(
            f"{p}: [unit] {key} {fmt!r} does not read back the day of {what} it writes "
            "(strftime codes such as %d/%m/%Y %H:%M)"
        )
    return fmt


def _codes(unit: Mapping[str, Any], p: Path) -> tuple[Path, dict[str, OffenceCode]]:
    path = OFFENCE_CODES
    if "codes" in unit:
        path = (p.parent / _text(unit, "codes", "[unit]", p)).resolve()
    try:
        codes = read_offence_codes(path)
    except FileNotFoundError:
        raise ExtractMappingError(f"{p}: [unit] codes: {path}: no such file") from None
    except (KeyError, AttributeError, UnicodeDecodeError):
        raise ExtractMappingError(
            f"{p}: [unit] codes: {path}: not a UTF-8 CSV with the columns code,offence,"
            "subgroup,vawg"
        ) from None
    if not codes:
        raise ExtractMappingError(f"{p}: [unit] codes: {path}: no offence codes in it")
    return path, codes


def _crs(unit: Mapping[str, Any], p: Path, *, needed: bool) -> str:
    if "crs" not in unit:
        if needed:
            raise ExtractMappingError(
                f"{p}: [unit] needs 'crs' (the CRS of the offences' x and y, e.g. EPSG:27700)"
            )
        return ""
    text = _text(unit, "crs", "[unit]", p)
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise ExtractMappingError(f"{p}: [unit] crs {text!r} is not a CRS pyproj knows") from None
    units = {axis.unit_name for axis in crs.axis_info}
    if not crs.is_projected or not units <= {"metre", "meter"}:
        raise ExtractMappingError(
            f"{p}: [unit] crs {text!r} is not a projected CRS in metres (x/y are metres, "
            "e.g. EPSG:27700)"
        )
    return text


def _table_mapping(table: Table, raw: Mapping[str, Any], p: Path) -> TableMapping:
    where = f"[{table.name}]"
    _only(raw, _TABLE_KEYS, where, p)
    file = _text(raw, "file", where, p)
    columns_raw = _table(raw, "columns", p, required=False)
    if columns_raw is None:
        raise ExtractMappingError(f"{p}: {where} needs a [{table.name}.columns] table")
    known = [c.name for c in table.columns]
    columns: dict[str, str] = {}
    for key in columns_raw:
        if key not in known:
            raise ExtractMappingError(
                f"{p}: [{table.name}.columns] '{key}' is not a column of {table.name} "
                f"(known: {', '.join(known)})"
            )
        columns[key] = _text(columns_raw, key, f"[{table.name}.columns]", p)
    for column in table.columns:
        if column.required and column.name not in columns:
            raise ExtractMappingError(f"{p}: [{table.name}.columns] needs '{column.name}'")
    values: dict[str, dict[str, str]] = {}
    for key, words in (raw.get("values") or {}).items():
        where = f"[{table.name}.values.{key}]"
        if key not in columns:
            raise ExtractMappingError(
                f"{p}: {where}: '{key}' is not a mapped column of [{table.name}.columns]"
            )
        if not isinstance(words, dict):
            raise ExtractMappingError(f"{p}: {where} must be a table of force word = value")
        values[key] = {}
        for word, value in words.items():
            if not isinstance(value, str):
                raise ExtractMappingError(f"{p}: {where} '{word}' must be a string")
            _check_value(table, key, word, value, where, p)
            values[key][word.strip()] = value.strip()
    return TableMapping(table, file, columns, values)


def _check_value(table: Table, key: str, word: str, value: str, where: str, p: Path) -> None:
    """A canonical value the column can take ("" stands for no value)."""
    if not value.strip():
        return
    column = table.column(key)
    allowed: tuple[str, ...] = ()
    if column.kind is Kind.CHOICE:
        allowed = column.choices
    elif column.kind is Kind.BOOL:
        allowed = tuple(BOOL_WORDS)
    elif table.name == "arrests" and key == "outcome":
        allowed = OUTCOMES
    if allowed and value.strip().casefold() not in {a.casefold() for a in allowed}:
        raise ExtractMappingError(
            f"{p}: {where} '{word}' = {value!r} is not a value of {key} "
            f"(one of: {', '.join(allowed)})"
        )
