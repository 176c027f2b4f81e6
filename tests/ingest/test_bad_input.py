"""Bad input from the issue's list: each gives a clear error or quarantined rows with reasons,
never a traceback and never a half-written store. Files are real sample files, damaged as noted."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import polars as pl
import pytest

from streetlight.errors import NotCSVError, NotZipError, SourceNotFoundError, UnknownLayoutError
from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import Writer, sample_lines, sample_member

HEADER = sample_lines()[0]


def reasons(store: Store) -> dict[str, int]:
    q = store.quarantine().group_by("reason").len()
    return {str(r): int(n) for r, n in q.iter_rows()}


def assert_unchanged(store: Store) -> None:
    fresh = Store.open(store.root)
    assert fresh.manifest.version == 0
    assert fresh.incidents().height == 0
    assert not list(store.root.rglob("*.parquet"))


def test_empty_file_is_read_with_a_note(store: Store, write: Writer) -> None:
    report = ingest([write("2024-01-cleveland-street.csv", b"")], store)
    assert report.rows_read == 0
    assert report.files[0].status == "empty"
    assert any("empty file" in note for _, note in report.notes)


def test_header_only_adds_no_rows(store: Store, write: Writer) -> None:
    report = ingest([write("2024-01-cleveland-street.csv", HEADER + "\n")], store)
    assert (report.rows_read, report.accepted, report.quarantined) == (0, 0, 0)
    assert store.incidents().height == 0


def test_truncated_last_line_is_quarantined_with_its_text(store: Store, write: Writer) -> None:
    data = sample_member()
    cut = data[: data.rstrip(b"\n").rfind(b",") - 30]  # the last row loses its final fields
    lines = cut.decode().splitlines()
    report = ingest([write("2024-01-cleveland-street.csv", cut)], store)
    assert report.rows_read == len(lines) - 1
    q = store.quarantine()
    assert q.height == 1
    assert q["reason"][0] == "wrong_field_count"
    assert q["row"][0] == len(lines)
    assert q["raw"][0] == lines[-1]
    assert "expected 12 fields" in q["detail"][0]


def test_wrong_delimiter_is_detected_and_noted(store: Store, write: Writer) -> None:
    rows = list(csv.reader(sample_lines()[:50]))
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\n").writerows(rows)
    semi = buffer.getvalue()
    expected = len(rows) - 1
    report = ingest([write("2024-01-cleveland-street.csv", semi)], store)
    assert report.accepted == expected
    assert any("delimiter is ';'" in note for _, note in report.notes)


def test_a_row_with_another_delimiter_is_quarantined(store: Store, write: Writer) -> None:
    lines = sample_lines()[:20]
    lines[5] = lines[5].replace(",", ";")
    report = ingest([write("2024-01-cleveland-street.csv", "\n".join(lines) + "\n")], store)
    assert report.quarantined == 1
    q = store.quarantine()
    assert (q["row"][0], q["reason"][0]) == (6, "wrong_field_count")


def test_latin1_bytes_are_decoded_not_lost(store: Store, write: Writer) -> None:
    lines = sample_lines()[:10]
    lines[3] = lines[3].replace("On or near", "On or near Café")
    data = ("\n".join(lines) + "\n").encode("latin-1")
    report = ingest([write("2024-01-cleveland-street.csv", data)], store)
    assert report.accepted == 9
    assert "Café" in " ".join(store.incidents()["location"].to_list())
    assert any("not valid UTF-8" in note for _, note in report.notes)


def test_missing_required_column_names_the_file_and_column(store: Store, write: Writer) -> None:
    lines = [
        ",".join(f for i, f in enumerate(line.split(",")) if i != 5) for line in sample_lines()
    ]
    path = write("2024-01-cleveland-street.csv", "\n".join(lines[:5]))
    with pytest.raises(UnknownLayoutError) as exc:
        ingest([path], store)
    assert str(path) in str(exc.value)
    assert "'Latitude'" in str(exc.value)
    assert_unchanged(store)


def test_extra_columns_are_ignored_and_noted(store: Store, write: Writer) -> None:
    lines = sample_lines()[:10]
    data = "\n".join([lines[0] + ",Officer note", *(line + ",x" for line in lines[1:])])
    report = ingest([write("2024-01-cleveland-street.csv", data)], store)
    assert report.accepted == 9
    assert any("extra column(s) ignored: Officer note" in note for _, note in report.notes)


def _with_coords(line: str, lon: str, lat: str) -> str:
    fields = line.split(",")
    fields[4], fields[5] = lon, lat
    return ",".join(fields)


def test_coordinates_out_of_range_swapped_or_outside_are_quarantined(
    store: Store, write: Writer
) -> None:
    lines = sample_lines()[:8]
    lines[1] = _with_coords(lines[1], "-1.2", "95.0")  # latitude beyond the pole
    lines[2] = _with_coords(lines[2], "54.73", "-1.26")  # swapped
    lines[3] = _with_coords(lines[3], "2.35", "48.85")  # Paris: valid, but not Great Britain
    lines[4] = _with_coords(lines[4], "abc", "54.7")  # not a number
    lines[5] = _with_coords(lines[5], "-1.2", "")  # half a location
    lines[6] = _with_coords(lines[6], "", "")  # no location: normal in data.police.uk
    report = ingest([write("2024-01-cleveland-street.csv", "\n".join(lines))], store)
    assert reasons(store) == {
        "coordinates_out_of_range": 1,
        "coordinates_swapped": 1,
        "outside_crs_area": 1,
        "bad_coordinate": 1,
        "missing_coordinate": 1,
    }
    assert report.accepted == 2
    located = store.incidents()
    assert located["x"].null_count() == 1  # the row without a location is kept, unplaced
    q = store.quarantine().sort("row")
    assert q["row"].to_list() == [2, 3, 4, 5, 6]
    assert json.loads(q["raw"][1])["Longitude"] == "54.73"
    assert q["field"][0] == "Longitude/Latitude"


def test_bad_month_is_quarantined_with_the_value(store: Store, write: Writer) -> None:
    lines = sample_lines()[:6]
    for i, bad in enumerate(["2024-13", "01/2024", "", "2024-1"], start=1):
        fields = lines[i].split(",")
        fields[1] = bad
        lines[i] = ",".join(fields)
    report = ingest([write("2024-01-cleveland-street.csv", "\n".join(lines))], store)
    assert (report.accepted, report.quarantined) == (1, 4)
    q = store.quarantine().sort("row")
    assert set(q["reason"]) == {"bad_month"}
    assert "'2024-13' is not a month in YYYY-MM form" in q["detail"][0]


def test_duplicated_crime_ids_keep_the_first(store: Store, write: Writer) -> None:
    lines = sample_lines()[:5]
    lines.append(lines[2])  # the same crime listed twice
    report = ingest([write("2024-01-cleveland-street.csv", "\n".join(lines))], store)
    assert (report.accepted, report.quarantined) == (4, 1)
    q = store.quarantine()
    assert (q["row"][0], q["reason"][0]) == (6, "duplicate_incident_id")
    assert q["detail"][0].endswith("2024-01-cleveland-street.csv:3")


def test_duplicate_against_the_store_is_quarantined(store: Store, write: Writer) -> None:
    lines = sample_lines()[:5]
    ingest([write("a/2024-01-cleveland-street.csv", "\n".join(lines))], store)
    # A different file (other bytes) repeating one stored crime.
    report = ingest(
        [write("b/2024-01-cleveland-street.csv", "\n".join([lines[0], lines[1]]))], store
    )
    assert (report.accepted, report.quarantined) == (0, 1)
    assert store.incidents().height == 4
    assert "already in the store" in store.quarantine()["detail"][0]


def test_zip_with_junk_entries_and_nested_folders(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("police/2024-01/2024-01-cleveland-street.csv", sample_member("2024-01"))
        archive.writestr(
            "police/deeper/2024-02/2024-02-cleveland-street.csv", sample_member("2024-02")
        )
        archive.writestr("__MACOSX/police/._2024-01-cleveland-street.csv", b"\x00\x05junk")
        archive.writestr("police/.DS_Store", b"\x00\x00")
        archive.writestr("police/README.txt", "not data")
    report = ingest([path], store)
    read = len(sample_lines("2024-01")) + len(sample_lines("2024-02")) - 2
    assert report.rows_read == read == report.accepted
    assert sorted(s.reason for s in report.skipped) == [
        "hidden file",
        "macOS resource fork",
        "not a data file",
    ]


def test_path_that_does_not_exist(store: Store, tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match=r"nowhere\.zip: no such file"):
        ingest([tmp_path / "nowhere.zip"], store)
    assert_unchanged(store)


def test_not_a_zip(store: Store, write: Writer) -> None:
    with pytest.raises(NotZipError, match=r"fake\.zip: not a readable zip"):
        ingest([write("fake.zip", sample_member())], store)
    assert_unchanged(store)


def test_binary_file_is_not_csv(store: Store, write: Writer) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
    with pytest.raises(NotCSVError, match=r"photo\.csv: binary file"):
        ingest([write("photo.csv", png)], store)
    assert_unchanged(store)


def test_unknown_layout(store: Store, write: Writer) -> None:
    with pytest.raises(UnknownLayoutError, match=r"not a data\.police\.uk street file"):
        ingest([write("other.csv", "name,age,town\nAnn,34,Leeds\n")], store)
    assert_unchanged(store)


def test_one_unreadable_file_means_nothing_is_written(store: Store, write: Writer) -> None:
    good = write("2024-01-cleveland-street.csv", sample_member())
    bad = write("2024-02-cleveland-street.csv", "name,age\nAnn,34\n")
    with pytest.raises(UnknownLayoutError):
        ingest([good, bad], store)
    assert_unchanged(store)


def test_blank_lines_are_accounted_for(store: Store, write: Writer) -> None:
    lines = sample_lines()[:4]
    data = "\n".join([lines[0], lines[1], "", lines[2], lines[3]]) + "\n"
    report = ingest([write("2024-01-cleveland-street.csv", data)], store)
    assert (report.rows_read, report.accepted, report.quarantined) == (4, 3, 1)
    assert store.quarantine()["reason"].to_list() == ["blank_row"]
    assert store.incidents().sort("source")["source"].str.extract(r":(\d+)$").to_list() == [
        "2",
        "4",
        "5",
    ]


def test_rows_without_crime_id_get_stable_distinct_ids(store: Store, write: Writer) -> None:
    asb = [line for line in sample_lines() if line.startswith(",")]
    lines = [sample_lines()[0]]
    if not asb:  # the bundled sample carries no ASB: make one real row id-less
        row = sample_lines()[1].split(",")
        row[0] = ""
        asb = [",".join(row)]
    lines += [asb[0], asb[0]]  # two identical reports are two events
    ingest([write("2024-01-cleveland-street.csv", "\n".join(lines))], store)
    ids = store.incidents()["incident_id"].to_list()
    assert len(set(ids)) == 2
    assert all(i.startswith("h:") for i in ids)
    other = Store.open(store.root.parent / "other", create=True)
    ingest([write("copy/2024-01-cleveland-street.csv", "\n".join(lines) + "\n")], other)
    assert sorted(other.incidents()["incident_id"].to_list()) == sorted(ids)
    assert pl.Series(ids).str.len_chars().to_list() == [34, 34]


def test_per_file_counts_with_an_empty_file_in_the_batch(store: Store, write: Writer) -> None:
    empty = write("a/2024-01-cleveland-street.csv", b"")
    lines = sample_lines("2024-02")[:30]
    lines[4] = lines[4].replace("2024-02", "2024-99")
    real = write("b/2024-02-cleveland-street.csv", "\n".join(lines) + "\n")
    report = ingest([empty, real], store)
    by_name = {f.name: f for f in report.files}
    assert by_name[str(empty)].status == "empty"
    assert (by_name[str(real)].rows_read, by_name[str(real)].accepted) == (29, 28)
    assert by_name[str(real)].quarantined == 1
    recorded = {s.name: (s.rows_read, s.accepted, s.quarantined) for s in store.manifest.sources}
    assert recorded == {str(empty): (0, 0, 0), str(real): (29, 28, 1)}
    # Rows name their file by its own name; the manifest keeps the path given.
    assert store.quarantine()["source"].to_list() == ["2024-02-cleveland-street.csv"]


def test_damaged_zip_member_names_the_member(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-01/2024-01-cleveland-street.csv", sample_member("2024-01"))
    data = bytearray(path.read_bytes())
    data[200] ^= 0xFF  # flip bits inside the compressed stream
    path.write_bytes(bytes(data))
    with pytest.raises(NotZipError, match=r"damaged\.zip!2024-01/2024-01-cleveland-street\.csv"):
        ingest([path], store)
    assert_unchanged(store)
