"""The St. Louis export through `mappings/st-louis.toml`, on a real excerpt of its files."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetlight.errors import MappingError, UnknownLayoutError
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store
from streetlight.store.schema import INCIDENT_SCHEMA
from tests.conftest import ST_LOUIS_EXCERPT, ST_LOUIS_MAPPING, Writer, st_louis_monthly_files


@pytest.fixture
def st_louis(store: Store) -> Store:
    ingest([ST_LOUIS_EXCERPT], store, MappedFormat(load_mapping(ST_LOUIS_MAPPING)))
    return store


def history(store: Store, complaint: str) -> pl.DataFrame:
    q = store.quarantine().filter(pl.col("raw").str.contains(f'"incident_id":"{complaint}"'))
    return q.sort("source", "row")


def test_every_row_is_accepted_or_quarantined(store: Store) -> None:
    report = ingest([ST_LOUIS_EXCERPT], store, MappedFormat(load_mapping(ST_LOUIS_MAPPING)))
    assert report.rows_read == report.accepted + report.quarantined
    assert report.accepted == store.incidents().height
    assert report.quarantined == store.quarantine().height
    assert [s.name.endswith("LICENSE.txt") for s in report.skipped] == [True]


def test_reissued_complaint_keeps_the_last_record(st_louis: Store) -> None:
    # 18-001764: possession (January 2018), re-coded as heroin sale in March 2018 with a reversal.
    row = st_louis.incidents().filter(pl.col("incident_id") == "18-001764")
    assert row.height == 1
    assert row["subcategory"][0] == "DRUGS-SALE/HEROIN"
    assert row["category"][0] == "Drug abuse violations"
    reasons = history(st_louis, "18-001764")["reason"].to_list()
    assert sorted(reasons) == ["reversal_row", "superseded"]


def test_several_offences_of_one_complaint_last_wins(st_louis: Store) -> None:
    row = st_louis.incidents().filter(pl.col("incident_id") == "18-030029")
    assert row.height == 1
    assert row["subcategory"][0].startswith("ASSAULT, ADULT")
    assert history(st_louis, "18-030029")["reason"].to_list() == ["superseded", "superseded"]


def test_zero_zero_means_no_location(st_louis: Store) -> None:
    # 17-032719 was re-issued in August 2017 with XCoord = YCoord = 0.
    row = st_louis.incidents().filter(pl.col("incident_id") == "17-032719")
    assert row["lon"][0] is None and row["x"][0] is None
    located = st_louis.incidents().drop_nulls("x")
    assert located.height > 0


def test_complaints_that_net_to_zero_are_removed(st_louis: Store) -> None:
    q = st_louis.quarantine()
    reversed_ids = {json.loads(r)["incident_id"] for r in q.filter(reason="reversed")["raw"]}
    assert reversed_ids
    stored = set(st_louis.incidents()["incident_id"].to_list())
    assert not reversed_ids & stored


def test_monthly_ingests_end_as_one_ingest_of_every_month(st_louis: Store, tmp_path: Path) -> None:
    # A force ingests each month's export as it comes: a reversal or re-issue in a later month
    # must act on the incident stored from an earlier one, as it does inside one ingest.
    monthly = Store.open(tmp_path / "monthly-store", create=True)
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    for path in st_louis_monthly_files(ST_LOUIS_EXCERPT, tmp_path / "monthly"):
        ingest([path], monthly, fmt)
    columns = [c for c in INCIDENT_SCHEMA.names() if c != "source"]
    ours = monthly.incidents().select(columns).sort("incident_id")
    once = st_louis.incidents().select(columns).sort("incident_id")
    assert ours.equals(once)
    # Nothing lost, nothing twice: every row read is stored or quarantined, exactly once, the
    # incidents later months withdrew or replaced included.
    stored = monthly.incidents().select(
        pl.col("source").str.replace(r":\d+$", ""),
        pl.col("source").str.extract(r":(\d+)$").cast(pl.Int64).alias("row"),
    )
    places = pl.concat([stored, monthly.quarantine().select("source", "row")])
    assert not places.is_duplicated().any()
    assert places.height == sum(s.rows_read for s in monthly.manifest.sources)
    # The excerpt's later months re-issue complaints stored from earlier ones, with reversals.
    replaced = monthly.quarantine().filter(pl.col("detail").str.contains("later record of"))
    assert replaced.height > 0


def test_times_are_utc_from_local_and_projected_to_utm(st_louis: Store) -> None:
    row = st_louis.incidents().filter(pl.col("incident_id") == "18-030029").row(0, named=True)
    # DateOccur 06/30/2018 23:40 in St. Louis (CDT, UTC-5).
    assert row["occurred_at"].isoformat() == "2018-07-01T04:40:00+00:00"
    assert row["month"].isoformat() == "2018-06-01"  # the local month
    assert st_louis.forces["st-louis"].crs == "EPSG:32615"
    assert 38.5 < row["lat"] < 38.8 and -90.4 < row["lon"] < -90.1
    assert 700_000 < row["x"] < 760_000 and 4_260_000 < row["y"] < 4_300_000


def test_header_spellings_bom_and_cp1252(st_louis: Store) -> None:
    sources = st_louis.incidents()["source"].str.replace(r":\d+$", "").unique().to_list()
    assert any(s.endswith("2017/may2017.csv") for s in sources)  # "X-Coord", "Date Occur", CRLF
    assert any(s.endswith("2017/january2017.csv") for s in sources)  # BOM, Windows-1252
    january = [s for s in st_louis.manifest.sources if s.name.endswith("january2017.csv")]
    assert january[0].rows_read == january[0].accepted + january[0].quarantined > 0


def test_mapping_errors_name_the_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nname = "X"\nforce = "x"\n[columns]\nincident_id = "Id"\n')
    with pytest.raises(MappingError, match=r"bad\.toml: \[columns\] needs 'occurred_at'"):
        load_mapping(bad)
    bad.write_text("[source\n")
    with pytest.raises(MappingError, match=r"bad\.toml: not valid TOML"):
        load_mapping(bad)
    with pytest.raises(MappingError, match="mapping file not found"):
        load_mapping(tmp_path / "missing.toml")


def test_export_without_a_mapped_column_is_an_unknown_layout(store: Store, write: Writer) -> None:
    path = write("export.csv", "Complaint,DateOccur\n1,01/01/2019 10:00\n")
    with pytest.raises(UnknownLayoutError, match=r"'XCoord' \(for x\), 'YCoord' \(for y\)"):
        ingest([path], store, MappedFormat(load_mapping(ST_LOUIS_MAPPING)))
    assert store.incidents().height == 0


def test_bad_values_are_quarantined(store: Store, write: Writer) -> None:
    header = "Complaint,CodedMonth,DateOccur,Count,Crime,Description,ILEADSAddress,ILEADSStreet,XCoord,YCoord"
    rows = [
        "19-1,2019-05,05/01/2019 10:00,1,41000,AGG ASSAULT,100,MAIN ST,886931.9,1017291",
        "19-2,2019-05,31/31/2019 10:00,1,41000,AGG ASSAULT,100,MAIN ST,886931.9,1017291",
        "19-3,2019-05,03/10/2019 02:30,1,41000,AGG ASSAULT,100,MAIN ST,886931.9,1017291",
        "19-4,2019-05,05/01/2019 10:00,1,abc,AGG ASSAULT,100,MAIN ST,886931.9,1017291",
        "19-5,2019-05,05/01/2019 10:00,1,41000,AGG ASSAULT,100,MAIN ST,88693.9,1017291",
        ",2019-05,05/01/2019 10:00,1,41000,AGG ASSAULT,100,MAIN ST,886931.9,1017291",
    ]
    path = write("may2019.csv", "\n".join([header, *rows]) + "\n")
    report = ingest([path], store, MappedFormat(load_mapping(ST_LOUIS_MAPPING)))
    got = dict(store.quarantine().select("row", "reason").iter_rows())
    assert got == {
        3: "bad_datetime",  # no 31st month
        4: "bad_datetime",  # 02:30 did not exist on 10 March 2019 (clocks went forward)
        5: "bad_category_code",
        6: "outside_crs_area",  # a digit lost: 240 km west of St. Louis
        7: "missing_incident_id",
    }
    assert report.accepted == 1


_HEADER = "Complaint,CodedMonth,DateOccur,Count,Crime,Description,ILEADSAddress,ILEADSStreet,XCoord,YCoord"


def _row(complaint: str, month: str, count: int, crime: str = "41000") -> str:
    return f"{complaint},{month},05/01/2019 10:00,{count},{crime},OFFENCE {crime},100,MAIN ST,886931.9,1017291"


def _ingest_months(store: Store, write: Writer, months: dict[str, list[str]]) -> None:
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    for name, rows in months.items():
        ingest([write(f"{name}.csv", "\n".join([_HEADER, *rows]) + "\n")], store, fmt)


def test_a_later_reversal_withdraws_a_stored_incident(store: Store, write: Writer) -> None:
    _ingest_months(
        store,
        write,
        {
            "may2019": [_row("19-1", "2019-05", 1), _row("19-2", "2019-05", 1)],
            "june2019": [_row("19-1", "2019-06", -1), _row("18-9", "2019-06", -1)],
        },
    )
    assert store.incidents()["incident_id"].to_list() == ["19-2"]
    q = store.quarantine()
    withdrawn = q.filter(reason="reversed")
    assert withdrawn.select("source", "row").rows() == [("may2019.csv", 2)]
    assert withdrawn["detail"][0].startswith("a later reversal nets the records of 19-1 to 0")
    # The reversal rows themselves, the one of a complaint never stored included.
    assert q.filter(reason="reversal_row").select("source", "row").rows() == [
        ("june2019.csv", 2),
        ("june2019.csv", 3),
    ]


def test_net_counts_carry_from_one_ingest_to_the_next(store: Store, write: Writer) -> None:
    # Two offences under one complaint count twice: the first reversal leaves it stored with a
    # net of one, the second withdraws it, as one ingest of all three months would.
    months = {
        "may2019": [_row("19-1", "2019-05", 1, "41000"), _row("19-1", "2019-05", 1, "42000")],
        "june2019": [_row("19-1", "2019-06", -1, "41000")],
        "july2019": [_row("19-1", "2019-07", -1, "42000")],
    }
    _ingest_months(store, write, dict(list(months.items())[:2]))
    stored = store.incidents()
    assert stored["incident_id"].to_list() == ["19-1"]
    assert stored["source"].to_list() == ["may2019.csv:3"]  # the last record, kept
    assert store.keys(["st-louis"])["_net"].to_list() == [1]
    assert stored.schema == INCIDENT_SCHEMA  # the net count stays inside the store
    _ingest_months(store, write, {"july2019": months["july2019"]})
    assert store.incidents().height == 0
    assert store.quarantine().filter(reason="reversed")["row"].to_list() == [3]


def test_a_reissue_with_its_reversal_replaces_the_stored_record(
    store: Store, write: Writer
) -> None:
    _ingest_months(
        store,
        write,
        {
            "may2019": [_row("19-1", "2019-05", 1, "41000")],
            "june2019": [_row("19-1", "2019-06", 1, "13000"), _row("19-1", "2019-06", -1, "41000")],
        },
    )
    row = store.incidents()
    assert row["source"].to_list() == ["june2019.csv:2"]
    assert row["subcategory"].to_list() == ["OFFENCE 13000"]
    assert store.keys(["st-louis"])["_net"].to_list() == [1]


def test_stores_written_before_net_counts_read_as_one_each(store: Store, write: Writer) -> None:
    _ingest_months(store, write, {"may2019": [_row("19-1", "2019-05", 1)]})
    (part,) = store.manifest.partitions
    path = store.root / part.path
    pl.read_parquet(path).drop("_net").write_parquet(path)  # as an older version wrote it
    assert store.keys(["st-louis"])["_net"].to_list() == [1]
    _ingest_months(store, write, {"june2019": [_row("19-1", "2019-06", -1)]})
    assert store.incidents().height == 0


# A month's rows: (complaint, count, offence code).
_Rows = list[tuple[int, int, str]]
_MONTH_ROWS = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from([1, 1, -1]), st.sampled_from(["41000", "13000"])),
    max_size=5,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months=st.lists(_MONTH_ROWS, min_size=1, max_size=4))
def test_any_history_ends_the_same_month_by_month_as_at_once(months: list[_Rows]) -> None:
    # Random re-issues and reversals, including reversals of records older than the data.
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "exports"
        folder.mkdir()
        paths = []
        for i, rows in enumerate(months, start=1):
            lines = [_row(f"19-{c}", f"2019-0{i}", n, code) for c, n, code in rows]
            paths.append(folder / f"m{i}.csv")
            paths[-1].write_text("\n".join([_HEADER, *lines]) + "\n")
        fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
        once = Store.open(Path(tmp) / "once", create=True)
        ingest([folder], once, fmt)
        monthly = Store.open(Path(tmp) / "monthly", create=True)
        for path in paths:
            ingest([path], monthly, fmt)
        for store in (once, monthly):  # every row read, stored or quarantined, once
            stored = store.incidents().select(
                pl.col("source").str.replace(r":\d+$", ""),
                pl.col("source").str.extract(r":(\d+)$").cast(pl.Int64).alias("row"),
            )
            places = pl.concat([stored, store.quarantine().select("source", "row")])
            assert not places.is_duplicated().any()
            assert places.height == sum(len(rows) for rows in months)
        ours = monthly.incidents().sort("incident_id")
        assert ours.equals(once.incidents().sort("incident_id"))
        nets = [s.keys(["st-louis"]).sort("incident_id")["_net"] for s in (once, monthly)]
        assert nets[0].equals(nets[1])
        assert (nets[0] > 0).all()


def test_a_reversal_of_a_record_older_than_the_data_takes_nothing_back(
    store: Store, write: Writer
) -> None:
    # As St. Louis's first months do: complaint 13-063198 re-coded in April 2015, its reversal
    # of the 2013 record first. The re-coded record is the incident.
    _ingest_months(
        store,
        write,
        {"april2015": [_row("13-1", "2015-04", -1, "42014"), _row("13-1", "2015-04", 1, "10000")]},
    )
    assert store.incidents()["subcategory"].to_list() == ["OFFENCE 10000"]
    (detail,) = store.quarantine().filter(reason="reversal_row")["detail"].to_list()
    assert detail == "count -1 reverses an earlier record of 13-1 that is not in the data"
