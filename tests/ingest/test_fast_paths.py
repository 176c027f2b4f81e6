"""The shortcuts that make ingest fast give exactly what the plain way gives.

Each test compares a fast path with a brute-force reference: trimming skipped only where the bytes
prove it changes nothing, several files parsed in one call, ids hashed in one pass, partitions and
dropped rows taken as slices.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streetlight.errors import NotZipError
from streetlight.ingest import ingest
from streetlight.ingest.batch import MAX_CUTS as _MAX_CUTS
from streetlight.ingest.batch import without_rows as _without_rows
from streetlight.ingest.checks import row_hashes
from streetlight.ingest.csvread import RawTable, read_delimited, read_sniffed, sniff
from streetlight.ingest.sources import expand_sources
from streetlight.store import Store
from streetlight.store.store import _by_partition
from tests.conftest import Writer, sample_lines


def values(raw: RawTable) -> pl.DataFrame:
    """The values as formats see them: trimmed, empty as null."""
    return raw.frame.select(
        *(raw.text(c).alias(c) for c in raw.frame.columns if c != "_row"), "_row"
    )


def careful(data: bytes) -> RawTable:
    """The same file through the careful path: a lone quote on a last line of its own forces
    it, and adds one unsplittable row."""
    return read_delimited(data + (b"" if data.endswith(b"\n") else b"\n") + b'"', "t.csv")


# Cells mixing the whitespace `str.strip_chars` removes (ASCII and Unicode) with other text.
cell = st.text(
    alphabet=st.sampled_from(
        ["a", "Z", "1", "-", " ", "\t", "\x0b", "\x0c", "\xa0", "\u3000", "é"]
    ),
    max_size=4,
)
table = st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(table, st.sampled_from(["\n", "\r\n"]), st.booleans(), st.sampled_from([",", ";"]))
def test_trimming_is_skipped_only_where_it_changes_nothing(
    rows: list[list[str]], eol: str, terminated: bool, delim: str
) -> None:
    data = eol.join(delim.join(r) for r in [["a", "b", "c"], *rows])
    raw = read_delimited((data + (eol if terminated else "")).encode(), "t.csv")
    assert raw.frame.height == len(rows) and not raw.unsplittable  # the fast path
    for name in raw.trimmed:
        assert raw.frame[name].equals(raw.frame[name].str.strip_chars())
    for name in raw.filled:
        assert (raw.frame[name].str.len_bytes() > 0).all()
    assert values(raw).equals(values(careful(data.encode())))


def test_real_padding_is_found_per_column() -> None:
    lines = sample_lines()
    row = lines[1].split(",")
    row[6] = "On or near "  # as data.police.uk writes some locations
    data = "\n".join([lines[0], ",".join(row), *lines[2:10]]).encode()
    raw = read_delimited(data, "t.csv")
    assert "Location" not in raw.trimmed and "Crime ID" in raw.trimmed
    assert "Context" not in raw.filled and "Month" in raw.filled
    assert values(raw)["Location"][0] == "On or near"


def test_files_of_one_layout_parse_together_as_each_alone() -> None:
    head = sample_lines()[0]
    body = sample_lines()[1:6]
    files = [
        ("a.csv", "\n".join([head, *body]) + "\n"),
        ("b.csv", "\n".join([head, *body[:2]])),  # no final newline
        ("c.csv", head + "\n"),  # header only
        ("d.csv", "x;y\n1;2\n"),  # another layout
        ("e.csv", "\n".join([head, body[0], '"quoted",' + body[1]])),  # the careful path
        ("f.csv", "\n".join([head, *body[3:]]) + "\n"),
    ]
    together = read_sniffed([sniff(text.encode(), name, name) for name, text in files])
    for (name, text), raw in zip(files, together, strict=True):
        alone = read_delimited(text.encode(), name, name)
        assert raw.source == name
        assert raw.frame.equals(alone.frame)
        assert raw.unsplittable == alone.unsplittable
        assert (raw.trimmed, raw.filled, raw.notes) == (alone.trimmed, alone.filled, alone.notes)
    assert together[5].frame["_row"].to_list() == [2, 3]


def reference_hashes(frame: pl.DataFrame, columns: list[str], prefix: str) -> list[str]:
    """The id definition, one row at a time."""
    seen: dict[str, int] = {}
    out = []
    for row in frame.select(columns).iter_rows():
        key = "\x1f".join(v or "" for v in row)
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.blake2b(f"{key}\x1e{seen[key]}".encode(), digest_size=16).hexdigest()
        out.append(prefix + digest)
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "é", "", None]), st.sampled_from(["x", None])))
)
def test_row_hashes_follow_the_id_definition(rows: list[tuple[str | None, str | None]]) -> None:
    frame = pl.DataFrame(rows, schema={"p": pl.String, "q": pl.String}, orient="row")
    got = row_hashes(frame, ["p", "q"], "h:").to_list()
    assert got == reference_hashes(frame, ["p", "q"], "h:")


def test_row_hashes_are_the_ids_already_in_stores() -> None:
    # Values computed by the first implementation: stores made with it must dedupe against new
    # ingests, so these may never change.
    frame = pl.DataFrame(
        {
            "a": ["cleveland", "cleveland", "cleveland", None],
            "b": ["On or near X", "On or near X", "Café", ""],
        }
    )
    assert row_hashes(frame, ["a", "b"], "h:").to_list() == [
        "h:044c2e89c12108db75915438f4965586",
        "h:17ee41c2af54337e9bb5fd3aa296cc0f",
        "h:92498c30889a8d5c2bdba226d78885c2",
        "h:9c551276ebd9de42a59486ad563d7932",
    ]


def test_repeated_rows_are_counted_across_the_files_of_a_batch(store: Store, write: Writer) -> None:
    head = sample_lines()[0]
    row = sample_lines()[1].split(",")
    row[0] = ""
    asb = ",".join(row)
    first = write("a/2024-01-cleveland-street.csv", "\n".join([head, asb, asb]) + "\n")
    second = write("b/2024-01-cleveland-street.csv", "\n".join([head, asb]) + "\n")
    ingest([first, second], store)
    one = Store.open(store.root.parent / "one", create=True)
    ingest([write("c/2024-01-cleveland-street.csv", "\n".join([head, asb, asb, asb]))], one)
    ids = store.incidents()["incident_id"].to_list()
    assert len(set(ids)) == 3
    assert sorted(ids) == sorted(one.incidents()["incident_id"].to_list())


def test_partitions_are_the_same_rows_however_they_are_ordered() -> None:
    rng = np.random.default_rng(1)
    frame = pl.DataFrame(
        {
            "force": rng.choice(["a", "b"], 200),
            "month": rng.choice(np.array(["2024-01-01", "2024-02-01"], dtype="datetime64[D]"), 200),
            "v": np.arange(200),
        }
    )
    assert _by_partition(frame.clear()) == {}
    for case in (frame, frame.sort("force", "month", maintain_order=True)):
        parts = _by_partition(case)
        expected = case.partition_by(["force", "month"], as_dict=True)
        assert len(parts) == len(expected)
        for (force, month), part in expected.items():
            assert parts[(str(force), f"{month:%Y-%m}")].equals(part)


@pytest.mark.parametrize("cut", [0, 3, _MAX_CUTS + 1])
def test_rows_are_dropped_as_by_a_filter(cut: int) -> None:
    frame = pl.DataFrame({"v": np.arange(1000)})
    rows = np.random.default_rng(cut).choice(1000, cut, replace=False).astype(np.uint32)
    rows = np.concatenate([rows, rows[:1]])  # a position given twice is dropped once
    expected = frame.filter(~pl.col("v").is_in(rows.tolist()))
    assert _without_rows(frame, rows).equals(expected)


def test_a_member_whose_crc_does_not_match_is_refused(store: Store, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-01/2024-01-cleveland-street.csv", "\n".join(sample_lines()[:20]))
    data = bytearray(buffer.getvalue())
    entry = data.find(b"PK\x01\x02")  # the central directory's record of the member
    data[entry + 16] ^= 0x01  # one bit of its CRC-32
    path = tmp_path / "bad-crc.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(NotZipError, match=r"bad-crc\.zip!2024-01/2024-01-cleveland-street\.csv"):
        ingest([path], store)


def test_a_member_inflates_to_what_zipfile_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.zip"
    text = "\n".join(sample_lines()[:50]).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-01/2024-01-cleveland-street.csv", text)
        archive.writestr("2024-02/2024-02-cleveland-street.csv", b"")
    files, _ = expand_sources([path])
    with zipfile.ZipFile(path) as archive:
        assert [f.read_bytes() for f in files] == [archive.read(f.member or "") for f in files]
    assert files[0].read_bytes() == text


# Offsets in a central directory record: CRC-32, compressed size, uncompressed size.
@pytest.mark.parametrize(("field", "change"), [(16, 1), (20, -4), (24, 1), (24, -1)])
def test_a_member_whose_entry_does_not_match_its_data_is_refused(
    store: Store, tmp_path: Path, field: int, change: int
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("2024-01/2024-01-cleveland-street.csv", "\n".join(sample_lines()[:20]))
    data = bytearray(buffer.getvalue())
    entry = data.find(b"PK\x01\x02")
    value = int.from_bytes(data[entry + field : entry + field + 4], "little")
    value = value ^ change if field == 16 else value + change
    data[entry + field : entry + field + 4] = value.to_bytes(4, "little")
    path = tmp_path / "bad-entry.zip"
    path.write_bytes(bytes(data))
    with pytest.raises(NotZipError, match=r"bad-entry\.zip!2024-01/2024-01-cleveland-street\.csv"):
        ingest([path], store)
