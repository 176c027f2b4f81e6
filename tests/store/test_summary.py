"""What `streetlight info` reports: the manifest's counts, equal to counting every row, and
stores written before the manifest kept counts still summarised the same."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from streetlight.errors import StoreError
from streetlight.ingest import ingest
from streetlight.store import Store
from streetlight.store.manifest import MANIFEST_NAME
from streetlight.store.summary import StoreSummary, summarise
from tests.conftest import Writer, sample_lines


@pytest.fixture
def filled(store: Store, write: Writer) -> Store:
    """Two months of the sample, one with rows quarantined for two reasons, in two ingests."""
    lines = sample_lines("2024-01")
    bad_month = lines[1].replace(",2024-01,", ",2024-13,", 1)
    no_type = ",".join("" if i == 9 else v for i, v in enumerate(lines[2].split(",")))
    ingest(
        [write("a/2024-01-cleveland-street.csv", "\n".join([*lines, bad_month, no_type]))], store
    )
    ingest([write("b/2024-02-cleveland-street.csv", "\n".join(sample_lines("2024-02")))], store)
    return store


def counted_from_rows(store: Store) -> StoreSummary:
    """The summary as counting every stored row gives it: the reference."""
    rows = store.incidents()
    quarantine = store.quarantine()
    assert rows.height > 0 and quarantine.height == 2
    cats = rows.group_by("category").len().sort(["len", "category"], descending=[True, False])
    reasons = quarantine.group_by("reason").len().sort(["len", "reason"])
    (force,) = summarise(store).forces
    return StoreSummary(
        path=str(store.root),
        version=store.manifest.version,
        ingests=2,
        sources=2,
        forces=(
            type(force)(
                slug="cleveland",
                name="Cleveland Police",
                crs="EPSG:27700",
                incidents=rows.height,
                without_location=rows["x"].null_count(),
                first_month="2024-01",
                last_month="2024-02",
                months_with_data=2,
                gaps=(),
                categories=tuple((str(c), int(n)) for c, n in cats.iter_rows()),
            ),
        ),
        quarantined=2,
        quarantine_reasons=tuple((str(r), int(n)) for r, n in reasons.iter_rows()),
    )


def test_the_summary_equals_counting_every_row(filled: Store) -> None:
    assert summarise(filled) == counted_from_rows(filled)


def test_the_summary_reads_no_partition_file(filled: Store) -> None:
    expected = summarise(filled)
    for path in (filled.root / "incidents").rglob("*.parquet"):
        path.write_bytes(b"not parquet")  # any read would now fail
    for path in (filled.root / "quarantine").rglob("*.parquet"):
        path.write_bytes(b"not parquet")
    assert summarise(Store.open(filled.root)) == expected


def strip_counts(root: Path) -> None:
    """Rewrite the manifest as stores written before the counts were kept have it."""
    path = root / MANIFEST_NAME
    data = json.loads(path.read_text())
    for part in data["partitions"]:
        del part["categories"], part["without_location"]
    for q in data["quarantine"]:
        del q["reasons"]
    data["format_version"] = 1
    path.write_text(json.dumps(data))


def test_a_store_from_before_the_counts_is_summarised_from_its_files(filled: Store) -> None:
    expected = summarise(filled)
    strip_counts(filled.root)
    old = Store.open(filled.root)
    assert {p.categories for p in old.manifest.partitions if p.categories} == set()
    assert summarise(old) == expected


def test_a_later_ingest_into_an_old_store_counts_its_new_files(
    filled: Store, write: Writer
) -> None:
    strip_counts(filled.root)
    old = Store.open(filled.root)
    ingest([write("c/2024-03-cleveland-street.csv", "\n".join(sample_lines("2024-03")))], old)
    counted = {p.month: p.categories is not None for p in old.manifest.partitions}
    assert counted == {"2024-01": False, "2024-02": False, "2024-03": True}
    (force,) = summarise(old).forces
    assert force.incidents == old.incidents().height
    assert dict(force.categories) == dict(old.incidents().group_by("category").len().iter_rows())


def test_a_store_format_this_version_does_not_know_is_refused(filled: Store) -> None:
    path = filled.root / MANIFEST_NAME
    path.write_text(path.read_text().replace('"format_version": 2', '"format_version": 3'))
    with pytest.raises(StoreError, match="store format 3 is not supported"):
        Store.open(filled.root)


def test_fields_a_newer_version_adds_are_ignored(filled: Store) -> None:
    path = filled.root / MANIFEST_NAME
    data = json.loads(path.read_text())
    data["partitions"][0]["row_groups"] = [1, 2]
    data["quarantine"][0]["something_new"] = True
    path.write_text(json.dumps(data))
    assert Store.open(filled.root).incidents().height == filled.incidents().height


def test_partition_counts_match_the_file(filled: Store) -> None:
    for part in filled.manifest.partitions:
        frame = pl.read_parquet(filled.root / part.path)
        assert part.rows == frame.height
        assert part.without_location == frame["x"].null_count()
        assert part.categories == dict(frame.group_by("category").len().iter_rows())


def test_a_category_query_skips_partitions_the_counts_show_without_it(
    store: Store, write: Writer
) -> None:
    header, *rows = sample_lines("2024-01")
    robbery = [row for row in rows if ",Robbery," in row]
    ingest([write("a/2024-01-cleveland-street.csv", "\n".join([header, *robbery]))], store)
    ingest([write("b/2024-02-cleveland-street.csv", "\n".join(sample_lines("2024-02")))], store)
    january = next(p for p in store.manifest.partitions if p.month == "2024-01")
    assert january.categories == {"Robbery": len(robbery)}
    expected = store.incidents(categories="Public order")
    (store.root / january.path).write_bytes(b"not parquet")  # any read would now fail
    got = store.incidents(force="cleveland", categories=["Public order"], end="2024-02")
    assert got.equals(expected) and got.height > 0
