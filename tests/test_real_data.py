"""Done means: every row of the real Cleveland, City of London and St. Louis data is in the store
or in the quarantine with a reason, and ingesting them again adds nothing.

These read the full data sets kept beside the repository (`../shared/data`), which development and
CI machines have; a clone elsewhere has only the bundled sample and excerpt, and skips them.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store
from streetlight.store.schema import INCIDENT_SCHEMA
from tests.conftest import SHARED_DATA, ST_LOUIS_MAPPING, st_louis_monthly_files

CLEVELAND = SHARED_DATA / "police-uk" / "cleveland-2023-01_2025-11.zip"
CITY = SHARED_DATA / "police-uk" / "city-of-london-2017-01_2025-12.zip"
ST_LOUIS = SHARED_DATA / "force-exports" / "st-louis-2015_2019.zip"

pytestmark = pytest.mark.skipif(
    not CLEVELAND.exists(), reason=f"full real data not found at {SHARED_DATA}"
)


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, dict[str, int]]:
    store = Store.open(tmp_path_factory.mktemp("real") / "store", create=True)
    read = {
        "cleveland": ingest([CLEVELAND], store).rows_read,
        "city-of-london": ingest([CITY], store).rows_read,
        "st-louis": ingest(
            [ST_LOUIS], store, MappedFormat(load_mapping(ST_LOUIS_MAPPING))
        ).rows_read,
    }
    return store, read


def test_every_row_is_accounted_for(real_store: tuple[Store, dict[str, int]]) -> None:
    store, read = real_store
    assert read == {"cleveland": 269_438, "city-of-london": 74_161, "st-louis": 246_291}
    by_force = dict(store.incidents(columns=["force"]).group_by("force").len().iter_rows())
    q = store.quarantine().with_columns(
        force=pl.when(pl.col("source").str.contains("cleveland"))
        .then(pl.lit("cleveland"))
        .when(pl.col("source").str.contains("city-of-london"))
        .then(pl.lit("city-of-london"))
        .otherwise(pl.lit("st-louis"))
    )
    quarantined = dict(q.group_by("force").len().iter_rows())
    for force, n in read.items():
        assert by_force[force] + quarantined.get(force, 0) == n, force
    assert q["reason"].null_count() == 0 and q["raw"].null_count() == 0
    # Per source file too, as recorded in the manifest.
    for source in store.manifest.sources:
        assert source.rows_read == source.accepted + source.quarantined, source.name


def test_known_data_quirks_are_named(real_store: tuple[Store, dict[str, int]]) -> None:
    store, _ = real_store
    reasons = dict(store.quarantine().group_by("reason").len().iter_rows())
    assert reasons["duplicate_incident_id"] == 1 + 871  # Cleveland 1, City of London 871
    assert reasons["reversal_row"] == 3_140  # every Count = -1 row of St. Louis
    summary = store.manifest.forces
    assert summary["st-louis"].crs == "EPSG:32615"
    assert {p.month for p in store.manifest.partitions if p.force == "city-of-london"}.isdisjoint(
        {"2022-06"}
    )


def test_reingest_of_everything_adds_nothing(
    real_store: tuple[Store, dict[str, int]], tmp_path: Path
) -> None:
    store, _ = real_store
    before = (store.manifest.version, store.incidents(columns=["force"]).height)
    for source, fmt in (
        (CLEVELAND, None),
        (CITY, None),
        (ST_LOUIS, MappedFormat(load_mapping(ST_LOUIS_MAPPING))),
    ):
        assert ingest([source], store, fmt).accepted == 0
    assert (store.manifest.version, store.incidents(columns=["force"]).height) == before


def test_st_louis_month_by_month_ends_as_one_ingest(
    real_store: tuple[Store, dict[str, int]], tmp_path: Path
) -> None:
    # How a force would feed its own exports: each month's file as it comes, oldest first.
    store, _ = real_store
    monthly = Store.open(tmp_path / "monthly", create=True)
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    for path in st_louis_monthly_files(ST_LOUIS, tmp_path / "files"):
        ingest([path], monthly, fmt)
    columns = [c for c in INCIDENT_SCHEMA.names() if c != "source"]
    ours = monthly.incidents().select(columns).sort("incident_id")
    once = store.incidents(force="st-louis").select(columns).sort("incident_id")
    assert ours.height == 231_499
    assert ours.equals(once)
