"""Mapping options for exports as forces publish them: no id column, one crime type, and the
date and the hour in separate columns (`mappings/example-no-id.toml`,
`mappings/example-date-hour.toml`)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from streetlight.errors import MappingError
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store
from tests.conftest import Writer

MAPPINGS = Path(__file__).parents[2] / "mappings"
NO_ID = MAPPINGS / "example-no-id.toml"
DATE_HOUR = MAPPINGS / "example-date-hour.toml"

_NO_ID_HEADER = "date,longitude,latitude,loc_cat,district"


def _ingest(store: Store, write: Writer, mapping: Path, name: str, lines: list[str]) -> None:
    path = write(name, "\n".join(lines) + "\n")
    ingest([path], store, MappedFormat(load_mapping(mapping)))


def _reasons(store: Store) -> dict[int, tuple[str, str | None]]:
    q = store.quarantine()
    return {r: (reason, fld) for r, reason, fld in q.select("row", "reason", "field").iter_rows()}


def test_a_derived_id_is_the_documented_hash(store: Store, write: Writer) -> None:
    rows = ["2019-05-01 22:15,-77.0312,38.8997,STREET,3", "2019-05-02 01:05,-77.01,38.91,,3"]
    _ingest(store, write, NO_ID, "assaults.csv", [_NO_ID_HEADER, *rows])
    got = store.incidents().sort("source")
    message = "\x1f".join(["2019-05-01 22:15", "-77.0312", "38.8997", "STREET"]).encode()
    assert got["incident_id"][0] == "d:" + hashlib.blake2b(message, digest_size=16).hexdigest()
    empty_last = "\x1f".join(["2019-05-02 01:05", "-77.01", "38.91", ""]).encode()
    assert got["incident_id"][1] == "d:" + hashlib.blake2b(empty_last, digest_size=16).hexdigest()
    assert got["category"].to_list() == ["Aggravated assault"] * 2
    assert got["location"].to_list() == ["STREET", None]
    # 22:15 on 1 May in New York (EDT, UTC-4).
    assert got["occurred_at"][0].isoformat() == "2019-05-02T02:15:00+00:00"


def test_identical_rows_are_duplicates_and_ids_are_stable(store: Store, write: Writer) -> None:
    rows = [
        "2019-05-01 22:15,-77.0312,38.8997,STREET,3",
        "2019-05-01 22:15,-77.0312,38.8997,STREET,3",
        "2019-05-01 22:15,-77.0312,38.8997,RESIDENCE,3",
        "2019-05-01 22:15,-77.0312,38.8997,STREET,4",  # district is not in the id: a duplicate
    ]
    _ingest(store, write, NO_ID, "may.csv", [_NO_ID_HEADER, *rows])
    assert store.incidents()["source"].sort().to_list() == ["may.csv:2", "may.csv:4"]
    q = store.quarantine().sort("row")
    assert q["reason"].to_list() == ["duplicate_incident_id"] * 2
    assert q["row"].to_list() == [3, 5]
    assert q["detail"].to_list() == ["incident id first seen at may.csv:2"] * 2
    # The export again with one row more, another day: the ids are the same, so only that row
    # is new and the rest are already in the store.
    ids = store.incidents()["incident_id"].to_list()
    new = "2019-05-03 09:00,-77.02,38.90,STREET,1"
    _ingest(store, write, NO_ID, "may-again.csv", [_NO_ID_HEADER, *rows, new])
    assert store.incidents().filter(pl.col("incident_id").is_in(ids)).height == 2
    assert store.incidents().filter(source="may-again.csv:6").height == 1
    again = store.quarantine().filter(source="may-again.csv")
    assert set(again["reason"]) == {"duplicate_incident_id"} and again.height == 4


def test_bad_rows_of_an_export_without_ids_name_the_field(store: Store, write: Writer) -> None:
    rows = [
        "2019-05-01 22:15,-77.0312,38.8997,STREET,3",
        ",,,,3",  # nothing to derive an id from
        "2019-13-01 22:15,-77.0312,38.8997,STREET,3",
        "2019-05-01 22:15,-77.0312,north,STREET,3",
    ]
    _ingest(store, write, NO_ID, "may.csv", [_NO_ID_HEADER, *rows])
    assert _reasons(store) == {
        3: ("missing_incident_id", "date+longitude+latitude+loc_cat"),
        4: ("bad_datetime", "date"),
        5: ("bad_coordinate", "latitude"),
    }
    assert store.incidents().height == 1


_DATE_HOUR_HEADER = "incidentnum,occurrencedate,occurrencehour,offense,x,y"


def _dh(num: str, date: str, hour: str) -> str:
    return f"{num},{date},{hour},BURGLARY,-77.0312,38.8997"


def test_a_date_and_an_hour_compose_the_local_time(store: Store, write: Writer) -> None:
    rows = [
        _dh("14-1", "2014/03/02 05:00:00+00", "8"),  # local midnight in UTC (EST, UTC-5)
        _dh("14-2", "2014/07/02 04:00:00+00", "23"),  # local midnight in UTC (EDT, UTC-4)
        _dh("14-3", "2014/07/02 00:00:00+00", "0"),  # the UTC midnight of the local day
        _dh("14-4", "2014/07/02", "08"),  # a plain date
    ]
    _ingest(store, write, DATE_HOUR, "2014.csv", [_DATE_HOUR_HEADER, *rows])
    got = dict(store.incidents().select("incident_id", "occurred_at").iter_rows())
    assert {k: v.isoformat() for k, v in got.items()} == {
        "14-1": "2014-03-02T13:00:00+00:00",
        "14-2": "2014-07-03T03:00:00+00:00",
        "14-3": "2014-07-02T04:00:00+00:00",
        "14-4": "2014-07-02T12:00:00+00:00",
    }
    assert store.incidents().filter(incident_id="14-2")["month"][0].isoformat() == "2014-07-01"


def test_bad_dates_and_hours_are_quarantined_naming_the_column(store: Store, write: Writer) -> None:
    rows = [
        _dh("14-1", "2014/03/02 05:00:00+00", "8"),
        _dh("14-2", "2014/03/02 05:00:00+00", ""),
        _dh("14-3", "2014/03/02 05:00:00+00", "24"),
        _dh("14-4", "2014/03/02 05:00:00+00", "8pm"),
        _dh("14-5", "2014/02/30 05:00:00+00", "8"),
        _dh("14-6", "", "8"),
        _dh("14-7", "2014/03/09 05:00:00+00", "2"),  # clocks went forward at 02:00
    ]
    _ingest(store, write, DATE_HOUR, "2014.csv", [_DATE_HOUR_HEADER, *rows])
    assert _reasons(store) == {
        3: ("missing_datetime", "occurrencehour"),
        4: ("bad_datetime", "occurrencehour"),
        5: ("bad_datetime", "occurrencehour"),
        6: ("bad_datetime", "occurrencedate"),
        7: ("missing_datetime", "occurrencedate"),
        8: ("bad_datetime", "occurrencedate"),
    }
    details = dict(store.quarantine().select("row", "detail").iter_rows())
    assert details[5] == "'8pm' is not an hour from 0 to 23"
    assert details[8] == (
        "'2014/03/09 05:00:00+00' hour 2 does not exist in America/New_York (clocks went forward)"
    )


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('category = { from = ["a"] }', r"'category': only incident_id can be \{from"),
        ('incident_id = { value = "1" }', r"'incident_id' cannot be a constant"),
        ('category = { date = "a", hour = "b" }', r"'category': only occurred_at can be \{date"),
        ("category = { value = 3 }", r"'category' must be a column name, \{join = \[\.\.\.\]\}, "),
        ("incident_id = { from = [] }", r"'incident_id': \{from = \[\.\.\.\]\} needs a non-empty"),
        ('location = { join = "a" }', r"'location': \{join = \[\.\.\.\]\} needs a non-empty"),
    ],
)
def test_option_misuse_names_the_file_and_key(tmp_path: Path, entry: str, message: str) -> None:
    text = NO_ID.read_text()
    key = entry.split(" ")[0]
    lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
    at = lines.index("[columns]") + 1
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join([*lines[:at], entry, *lines[at:]]) + "\n")
    with pytest.raises(MappingError, match=r"bad\.toml: \[columns\] " + message):
        load_mapping(bad)
