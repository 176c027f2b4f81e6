"""Reading an extract's rows: formats, clocks and each table's rules, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from streetlight.unit.errors import ExtractError
from streetlight.unit.mapping import load_mapping
from streetlight.unit.reading import add_months, naive_parser, open_extract, read_table
from tests.unit.extracts import Rows, base, write_extract


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("%d/%m/%Y %H:%M", "05/07/2025 07:10"),
        ("%d/%m/%Y %H:%M", "5/7/2025 7:10"),
        ("%Y%m%d %H%M%S", "20250705 071059"),
        ("%d/%m/%Y", "31/12/1999"),
        ("%d %b %Y %H:%M", "05 Jul 2025 07:10"),  # not a fast format: strptime itself
    ],
)
def test_the_fast_parser_reads_what_strptime_reads(fmt: str, text: str) -> None:
    assert naive_parser(fmt)(text) == datetime.strptime(text, fmt)


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("%d/%m/%Y %H:%M", "31/02/2025 07:10"), ("%d/%m/%Y", "2025-07-05"), ("%d/%m/%Y", "")],
)
def test_the_fast_parser_refuses_what_strptime_refuses(fmt: str, text: str) -> None:
    with pytest.raises(ValueError):
        datetime.strptime(text, fmt)
    with pytest.raises(ValueError):
        naive_parser(fmt)(text)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 7, 5), 3, date(2025, 10, 5)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 4, 30), 9, date(2026, 1, 30)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def _read(tmp_path: Path, tables: Rows, table: str) -> tuple[list[dict[str, object]], list[str]]:
    mapping = load_mapping(write_extract(tmp_path / "extract", tables))
    extract = open_extract(tmp_path / "extract", mapping)
    read = read_table(f"{table}.csv", extract.files[f"{table}.csv"], mapping, mapping.tables[table])
    rows = [row.values for row in read.rows]
    return rows, [f"{p.row}:{p.field}:{p.reason}" for p in read.problems]


def test_local_times_become_utc_across_the_clock_changes(tmp_path: Path) -> None:
    tables = base()
    first, second = tables["offences"]
    first["occurred_from"], first["occurred_to"] = "2025-01-15T12:00", ""  # GMT
    first["reported_at"] = "2025-10-26T01:30"  # the repeated hour: the first (BST) is taken
    second["occurred_from"] = "2025-07-14T22:40+02:00"  # an instant with its offset: as it is
    second["reported_at"] = "2025-07-14T21:05Z"
    rows, problems = _read(tmp_path, tables, "offences")
    assert problems == []
    assert rows[0]["occurred_from"] == datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert rows[0]["reported_at"] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)
    assert rows[1]["occurred_from"] == datetime(2025, 7, 14, 20, 40, tzinfo=UTC)
    assert rows[1]["reported_at"] == datetime(2025, 7, 14, 21, 5, tzinfo=UTC)


def test_the_offence_code_gives_the_subgroup_and_the_vawg_default(tmp_path: Path) -> None:
    rows, problems = _read(tmp_path, base(), "offences")
    assert problems == []
    assert (rows[0]["subgroup"], rows[0]["vawg"]) == ("Stalking and harassment", True)
    # 105A is not VAWG by default; the row says it is.
    assert (rows[1]["subgroup"], rows[1]["vawg"]) == ("Violence without injury", True)
    assert rows[1]["x"] is None and rows[0]["x"] == 449210.0


def test_a_short_row_reads_as_empty_fields_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    write_extract(tmp_path / "extract", base())
    path = tmp_path / "extract" / "links.csv"
    path.write_text(path.read_text() + "\nP2,O2\n\n", encoding="utf-8")
    rows, problems = _read_existing(tmp_path, "links")
    assert len(rows) == 4 and problems == ["7:role:missing_field"]


def _read_existing(tmp_path: Path, table: str) -> tuple[list[dict[str, object]], list[str]]:
    mapping = load_mapping(tmp_path / "extract.toml")
    extract = open_extract(tmp_path / "extract", mapping)
    read = read_table(f"{table}.csv", extract.files[f"{table}.csv"], mapping, mapping.tables[table])
    rows = [row.values for row in read.rows]
    return rows, [f"{p.row}:{p.field}:{p.reason}" for p in read.problems]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"links\.csv: empty file: expected a header line"),
        (b"person_ref,offence_ref,rol\nP1,O1,suspect\n", r"no column 'role' \(for role\) as"),
        (b"person_ref,offence_ref,role\n\xff\xfe,O1,suspect\n", r"not UTF-8 text \(byte 28\)"),
    ],
)
def test_a_table_that_cannot_be_read_names_its_file(
    tmp_path: Path, content: bytes, message: str
) -> None:
    write_extract(tmp_path / "extract", base())
    (tmp_path / "extract" / "links.csv").write_bytes(content)
    with pytest.raises(ExtractError, match=message):
        _read_existing(tmp_path, "links")


def test_an_extract_that_is_not_there_or_not_whole(tmp_path: Path) -> None:
    mapping = load_mapping(write_extract(tmp_path / "extract", base()))
    with pytest.raises(ExtractError, match=r"nowhere: no such file or folder"):
        open_extract(tmp_path / "nowhere", mapping)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ExtractError, match=r"junk\.zip: not a folder nor a readable zip"):
        open_extract(tmp_path / "junk.zip", mapping)
    (tmp_path / "extract" / "orders.csv").unlink()
    with pytest.raises(
        ExtractError, match=r"extract: no file orders\.csv \(the mapping's \[orders\]"
    ):
        open_extract(tmp_path / "extract", mapping)


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("Europe/London", (date(2025, 3, 30), date(2025, 10, 26))),
        ("Australia/Lord_Howe", (date(2025, 4, 6), date(2025, 10, 5))),  # half-hour changes
        ("America/St_Johns", (date(2025, 3, 9), date(2025, 11, 2))),  # a -03:30 zone
    ],
)
def test_each_day_s_offset_converts_as_each_time_alone_would(
    zone: str, days: tuple[date, ...]
) -> None:
    """The reader works out a day's offset once (an hour's on the days the clocks change); on
    those days and the days either side it must give what converting each time on its own
    gives, and refuse the same times."""
    from zoneinfo import ZoneInfo

    from streetlight.unit.reading import _BadFieldError, _datetime_reader, _to_utc

    tz = ZoneInfo(zone)
    read = _datetime_reader(None, tz)
    refused = 0
    for day in days:
        start = datetime(day.year, day.month, day.day) - timedelta(days=1)
        for step in range(0, 3 * 24 * 60, 5):
            local = start + timedelta(minutes=step)
            try:
                expected: object = _to_utc(local, tz)
            except _BadFieldError:
                expected = "refused"
                refused += 1
            try:
                got: object = read(local.isoformat())
            except _BadFieldError:
                got = "refused"
            assert got == expected, local
    assert refused > 0  # the spring's skipped times were among them
