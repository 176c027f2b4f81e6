"""The incident store: queries, idempotent re-ingest, atomic commits, the writer lock."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from streetlight.errors import StoreError
from streetlight.ingest import ingest
from streetlight.ingest import stage as stage_module
from streetlight.store import INCIDENT_SCHEMA, Store
from streetlight.store import partition as partition_module
from streetlight.store import store as store_module
from streetlight.store.manifest import Manifest, save_manifest
from tests.conftest import REPO, SAMPLE_ZIP


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(tmp_path_factory.mktemp("sample") / "store", create=True)
    ingest([SAMPLE_ZIP], store)
    return store


def test_incidents_filters_by_force_category_and_months(sample_store: Store) -> None:
    got = sample_store.incidents(
        force="Cleveland Police", categories=["Robbery"], start="2024-03", end="2024-05"
    )
    assert got.schema == INCIDENT_SCHEMA
    assert set(got["category"]) == {"Robbery"}
    assert set(got["month"]) == {dt.date(2024, 3, 1), dt.date(2024, 4, 1), dt.date(2024, 5, 1)}
    everything = sample_store.incidents()
    expected = everything.filter(
        (pl.col("category") == "Robbery")
        & pl.col("month").is_between(dt.date(2024, 3, 1), dt.date(2024, 5, 1))
    )
    assert got.height == expected.height > 0


def test_rows_reads_the_keyed_incidents_from_their_partitions(sample_store: Store) -> None:
    keys = sample_store.keys(["cleveland"]).gather([0, 5_000, 20_000])
    assert keys.columns == ["force", "incident_id", "month", "source", "_net"]
    got = sample_store.rows(keys).sort("incident_id")
    expected = (
        sample_store.incidents()
        .join(keys, on=["force", "incident_id"], how="semi")
        .sort("incident_id")
    )
    assert got.height == 3 and got.equals(expected)
    assert sample_store.rows(keys.clear()).height == 0


def test_x_y_are_british_national_grid_metres(sample_store: Store) -> None:
    row = sample_store.incidents(start="2024-01", end="2024-01").drop_nulls("x").row(0, named=True)
    assert sample_store.forces["cleveland"].crs == "EPSG:27700"
    assert 430_000 < row["x"] < 480_000 and 505_000 < row["y"] < 540_000


def test_unknown_force_is_a_clear_error(sample_store: Store) -> None:
    with pytest.raises(StoreError, match="no force 'kent' in the store"):
        sample_store.incidents(force="kent")


def test_missing_store_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="streetlight ingest"):
        Store.open(tmp_path / "none")


def test_reingest_is_a_no_op(store: Store) -> None:
    first = ingest([SAMPLE_ZIP], store)
    files = sorted(p.relative_to(store.root) for p in store.root.rglob("*.parquet"))
    version = store.manifest.version
    again = ingest([SAMPLE_ZIP], store)
    assert first.accepted > 0
    assert (again.rows_read, again.accepted, again.quarantined) == (0, 0, 0)
    assert {f.status for f in again.files} == {"already in store"}
    assert store.manifest.version == version
    assert sorted(p.relative_to(store.root) for p in store.root.rglob("*.parquet")) == files


def test_one_file_per_force_month_however_many_ingests(store: Store, tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(SAMPLE_ZIP) as archive:
        data = archive.read("2024-01/2024-01-cleveland-street.csv").decode().splitlines()
    for i, part in enumerate((data[1:100], data[100:200])):
        path = tmp_path / f"part{i}" / "2024-01-cleveland-street.csv"
        path.parent.mkdir()
        path.write_text("\n".join([data[0], *part]) + "\n")
        ingest([path], store)
    assert [p.month for p in store.manifest.partitions] == ["2024-01"]
    assert len(list((store.root / "incidents").rglob("*.parquet"))) == 1
    assert store.incidents().height == 199


def test_a_failed_commit_leaves_the_store_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = partition_module.write_parquet

    def failing(frame: pl.DataFrame, path: Path, row_group_size: int | None = None) -> None:
        calls["n"] += 1
        if calls["n"] == 10:
            raise OSError("disk full")
        real(frame, path, row_group_size)

    # Staged files (a streaming ingest) and partition files (a whole one) alike.
    for module in (partition_module, store_module, stage_module):
        monkeypatch.setattr(module, "write_parquet", failing)
    with pytest.raises(OSError, match="disk full"):
        ingest([SAMPLE_ZIP], store)
    assert Store.open(store.root).manifest.version == 0
    assert not list(store.root.rglob("*.parquet"))
    for module in (partition_module, store_module, stage_module):
        monkeypatch.setattr(module, "write_parquet", real)
    report = ingest([SAMPLE_ZIP], store)  # and the same ingest then works in full
    assert report.accepted == store.incidents().height > 0


def test_ctrl_c_during_commit_leaves_the_store_as_it_was(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(root: Path, manifest: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module, "save_manifest", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest([SAMPLE_ZIP], store)
    assert Store.open(store.root).manifest.version == 0
    assert not list(store.root.rglob("*.parquet"))


def test_files_left_by_a_killed_writer_are_removed_by_the_next(store: Store) -> None:
    stray = store.root / "incidents" / "force=cleveland" / "month=2024-01" / "part-dead.parquet"
    stray.parent.mkdir(parents=True)
    pl.DataFrame(schema=INCIDENT_SCHEMA).write_parquet(stray)
    ingest([SAMPLE_ZIP], store)
    assert not stray.exists()


def test_a_second_writer_is_refused_while_one_writes(store: Store) -> None:
    with store.writer(), pytest.raises(StoreError, match="another process is writing"):
        ingest([SAMPLE_ZIP], Store.open(store.root))


def test_sigint_to_a_real_ingest_never_leaves_a_partial_store(tmp_path: Path) -> None:
    """Interrupt a real `streetlight ingest` process at several moments: each time the store is
    either untouched or complete, never in between."""

    def start(root: Path) -> subprocess.Popen[bytes]:
        """Start an ingest and return once it has begun: imports done, the store created.

        Start-up takes seconds and the ingest a fraction of one, so the moments to interrupt
        are counted from here, not from the start of the process.
        """
        proc = subprocess.Popen(
            [sys.executable, "-m", "streetlight", "ingest", str(SAMPLE_ZIP), "--store", str(root)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        deadline = time.perf_counter() + 120
        while not (root / "manifest.json").exists() and proc.poll() is None:
            if time.perf_counter() > deadline:
                proc.kill()
                raise TimeoutError("the ingest did not start")
            time.sleep(0.001)
        return proc

    timing = start(tmp_path / "timing")
    began = time.perf_counter()
    timing.communicate(timeout=120)
    duration = time.perf_counter() - began
    outcomes = set()
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95):
        root = tmp_path / f"store-{fraction}"
        proc = start(root)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        if not (root / "manifest.json").exists():
            outcomes.add("not started")
            continue
        store = Store.open(root)
        rows = store.incidents().height
        if store.manifest.version == 0:
            assert rows == 0
            assert not list(root.rglob("*.parquet"))
            if proc.returncode == 130:  # caught by the CLI: one line, no traceback
                assert err.strip() == b"interrupted: nothing was written"
                outcomes.add("interrupted")
        else:  # the signal came after the commit (the process may have been exiting)
            assert rows == sum(s.accepted for s in store.manifest.sources) == 73_683
            outcomes.add("completed")
    assert "interrupted" in outcomes


def test_an_interrupt_after_the_manifest_rename_keeps_the_commit(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def renamed_then_interrupted(root: Path, manifest: Manifest) -> None:
        save_manifest(root, manifest)
        raise KeyboardInterrupt  # e.g. Ctrl-C while the folder is being synced

    monkeypatch.setattr(store_module, "save_manifest", renamed_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest([SAMPLE_ZIP], store)
    reopened = Store.open(store.root)
    assert reopened.manifest.version == 1
    assert reopened.incidents().height == sum(s.accepted for s in reopened.manifest.sources) > 0
