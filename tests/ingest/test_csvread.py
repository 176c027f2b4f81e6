"""Reading delimited text: encodings, delimiters, and rows that cannot be split."""

from __future__ import annotations

import polars as pl
import pytest

from streetlight.errors import NotCSVError
from streetlight.ingest.csvread import RawTable, decode, read_delimited
from tests.conftest import sample_member


def test_row_numbers_are_csv_records_with_the_header_as_row_1() -> None:
    raw = read_delimited(b'a,b,c\n1,2,3\n4,5\n"x\ny",7,8\n9,9,9,9\n10,11,12\n13,1', "t.csv")
    assert raw.frame["_row"].to_list() == [2, 4, 6]
    assert raw.frame["a"].to_list() == ["1", "x\ny", "10"]
    assert [(n, t) for n, _, t in raw.unsplittable] == [(3, "4,5"), (5, "9,9,9,9"), (7, "13,1")]
    assert raw.rows_read == 6


def test_utf8_bom_is_removed_from_the_header() -> None:
    raw = read_delimited("\ufeffComplaint,Count\r\n1,1\r\n".encode(), "t.csv")
    assert raw.header == ["Complaint", "Count"]
    assert raw.frame["Count"].to_list() == ["1"]
    assert raw.notes == []


def test_windows_1252_falls_back_with_a_note() -> None:
    text, note = decode("name\nBOMBER O\u2019BRIEN\u2019S\n".encode("cp1252"), "t.csv")
    assert "O\u2019BRIEN\u2019S" in text
    assert note is not None and "read as cp1252" in note


def test_bytes_undefined_in_cp1252_fall_back_to_latin1() -> None:
    text, note = decode(b"name\nA\x81B\n", "t.csv")
    assert text == "name\nA\x81B\n"
    assert note is not None and "latin-1" in note


@pytest.mark.parametrize("delim", [";", "\t", "|"])
def test_delimiter_is_sniffed_from_the_header(delim: str) -> None:
    data = f"a{delim}b{delim}c\n1{delim}2{delim}3\n".encode()
    raw = read_delimited(data, "t.csv")
    assert raw.header == ["a", "b", "c"]
    assert raw.frame.row(0)[:3] == ("1", "2", "3")
    assert any(repr(delim) in n for n in raw.notes)


def test_binary_and_headerless_files_are_not_csv() -> None:
    with pytest.raises(NotCSVError, match="binary"):
        read_delimited(b"PK\x03\x04\x00\x00", "x.csv")
    with pytest.raises(NotCSVError, match="not a delimited header"):
        read_delimited(b"just one line of prose\n", "x.csv")


def test_duplicate_header_names_are_kept_apart() -> None:
    raw = read_delimited(b"a,a,b\n1,2,3\n", "t.csv")
    assert raw.frame.columns[:3] == ["a", "a_2", "b"]


def values(raw: RawTable) -> pl.DataFrame:
    """The values as formats see them: trimmed, empty as null."""
    return raw.frame.select(
        *(raw.text(c).alias(c) for c in raw.frame.columns if c != "_row"), "_row"
    )


@pytest.mark.parametrize("month", ["2024-01", "2025-06"])
def test_fast_and_careful_paths_agree_on_real_files(month: str) -> None:
    data = sample_member(month)
    fast = read_delimited(data, "t.csv")
    careful = read_delimited(
        data + b'"', "t.csv"
    )  # a stray quote at the end forces the careful path
    assert careful.unsplittable and careful.unsplittable[0][0] == fast.frame.height + 2
    assert values(fast).equals(values(careful))
    assert fast.header == careful.header


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\r\n1,2\r\n3,4\r\n",  # CRLF
        b"a,b\n1,2\n3,4",  # no final newline
        b"a,b\n1,2\n\n3,4\n",  # a blank line
        b"a,b\n1\n3,4,5\n",  # short and long lines that cancel out
        b"a,b\n1,2\r3,4\n",  # a bare CR
    ],
)
def test_fast_path_only_when_it_is_exact(data: bytes) -> None:
    raw = read_delimited(data, "t.csv")
    # A lone quote on a last line of its own forces the careful path and adds one bad row.
    reference = read_delimited(data + (b"" if data.endswith(b"\n") else b"\n") + b'"', "t.csv")
    assert values(raw).equals(values(reference))
    assert raw.unsplittable == reference.unsplittable[:-1]
