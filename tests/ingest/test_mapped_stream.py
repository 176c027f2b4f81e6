"""A mapped force export streamed in batches ends exactly as the whole-input path ends: the same
stored rows and net counts, quarantine, withdrawn and re-counted stored incidents and report,
with an incident's records, reversals and re-issues in different batches and processes; and a
kill or Ctrl-C at any moment leaves the store as it was."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streetlight.ingest import ingest, mapped_stream
from streetlight.ingest.mapped_stream import chunked_median
from streetlight.ingest.mapping import MappedFormat, load_mapping, running_nets
from streetlight.ingest.report import IngestReport
from streetlight.store import Store
from tests.conftest import REPO, SHARED_DATA, ST_LOUIS_EXCERPT, ST_LOUIS_MAPPING
from tests.ingest.test_streaming import _children, _running, _wait_for

ST_LOUIS = SHARED_DATA / "force-exports" / "st-louis-2015_2019.zip"
EVERY_FILE = 1  # bytes: each file a batch of its own
_HEADER = (
    "Complaint,CodedMonth,DateOccur,Count,Crime,Description,ILEADSAddress,ILEADSStreet,"
    "XCoord,YCoord"
)


def _row(complaint: str, month: str, count: int, crime: str = "41000") -> str:
    return (
        f"{complaint},{month},05/01/2019 10:00,{count},{crime},OFFENCE {crime},100,MAIN ST,"
        "886931.9,1017291"
    )


def _format(tmp: Path, keep: str) -> MappedFormat:
    """The St. Louis mapping, with the first or the last record of a complaint winning."""
    text = ST_LOUIS_MAPPING.read_text().replace('keep = "last"', f'keep = "{keep}"')
    path = tmp / f"st-louis-{keep}.toml"
    path.write_text(text)
    return MappedFormat(load_mapping(path))


def _state(store: Store) -> tuple[pl.DataFrame, ...]:
    """Everything an ingest leaves: rows in stored order, net counts, quarantine, partitions."""
    keys = store.keys(store.forces).sort("force", "incident_id")
    # Stored rows moved to the quarantine name the ingest that moved them: each store's own.
    detail = pl.col("detail").str.replace(r"\(\d{8}T\d{6}-[0-9a-f]{8}\)$", "(ingest)")
    quarantine = (
        store.quarantine().drop("ingest_id").with_columns(detail).sort("source", "row", "reason")
    )
    partitions = pl.DataFrame(
        [(p.force, p.month, p.rows, str(p.categories), p.without_location)
         for p in store.manifest.partitions],
        schema=["force", "month", "rows", "categories", "without_location"],
        orient="row",
    )  # fmt: skip
    return store.incidents(), keys, quarantine, partitions


def _summary(report: IngestReport) -> tuple[object, ...]:
    # The whole path lists the files it skips before those it reads; the streamed path, all in
    # the input's order: the same entries.
    files = [(f.name, f.status, f.rows_read, f.accepted, f.quarantined) for f in report.files]
    return sorted(files), dict(report.reasons), report.notes


def _assert_same(whole: Store, streamed: Store) -> None:
    for a, b in zip(_state(whole), _state(streamed), strict=True):
        assert a.equals(b)
    assert not (streamed.root / ".staging").exists()
    on_disk = {p.relative_to(streamed.root).as_posix() for p in streamed.root.rglob("*.parquet")}
    assert on_disk == streamed.manifest.referenced_paths()


def _both(
    tmp: Path, batches: list[list[Path]], fmt: MappedFormat, batch_bytes: int, workers: int = 1
) -> tuple[Store, Store]:
    """Each group of files ingested in turn, whole into one store, streamed into another; each
    ingest's report the same."""
    whole = Store.open(tmp / "whole", create=True)
    streamed = Store.open(tmp / "streamed", create=True)
    for files in batches:
        a = ingest(files, whole, fmt, whole=True)
        b = ingest(files, streamed, fmt, batch_bytes=batch_bytes, workers=workers)
        assert _summary(a) == _summary(b)
    return whole, streamed


@pytest.mark.skipif(not ST_LOUIS.exists(), reason=f"full real data not found at {SHARED_DATA}")
def test_the_st_louis_export_streamed_ends_as_read_whole(tmp_path: Path) -> None:
    # 2 MB batches: about twenty, on this process and a worker.
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    whole, streamed = _both(tmp_path, [[ST_LOUIS]], fmt, batch_bytes=2_000_000, workers=2)
    _assert_same(whole, streamed)
    assert streamed.forces["st-louis"].crs == whole.forces["st-louis"].crs == "EPSG:32615"
    # Again: nothing new either way.
    report = ingest([ST_LOUIS], streamed, fmt, batch_bytes=2_000_000)
    assert report.accepted == report.quarantined == 0
    _assert_same(whole, streamed)


def test_the_excerpt_a_file_a_batch_on_workers_ends_as_read_whole(tmp_path: Path) -> None:
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    whole, streamed = _both(tmp_path, [[ST_LOUIS_EXCERPT]], fmt, EVERY_FILE, workers=2)
    _assert_same(whole, streamed)
    q = streamed.quarantine()
    assert {"reversal_row", "superseded", "reversed"} <= set(q["reason"].to_list())


@pytest.mark.parametrize("keep", ["first", "last"])
@pytest.mark.parametrize("resolve_rows", [1, 400_000])
def test_records_of_one_incident_across_batches_and_an_earlier_ingest(
    tmp_path: Path, keep: str, resolve_rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A complaint's records, re-issues and reversals spread over files (a batch each, more than
    enough to start a worker), some of them stored by an earlier ingest; the rules resolved
    for all incidents at once, or a part of them at a time."""
    monkeypatch.setattr(mapped_stream, "_RESOLVE_ROWS", resolve_rows)
    folder = tmp_path / "in"
    folder.mkdir()

    def month(name: str, rows: list[str]) -> Path:
        path = folder / f"{name}.csv"
        path.write_text("\n".join([_HEADER, *rows]) + "\n")
        return path

    earlier = [
        month("m1", [_row("19-1", "2019-01", 1), _row("19-2", "2019-01", 1, "13000")]),
        month("m2", [_row("19-2", "2019-02", 1, "42000"), _row("19-3", "2019-02", 1)]),
    ]
    later = [
        # A reversal of a record older than the data, then that complaint's record.
        month("m3", [_row("13-9", "2019-03", -1), _row("19-4", "2019-03", 1)]),
        month("m4", [_row("13-9", "2019-04", 1, "10000"), _row("19-1", "2019-04", -1)]),
        month("m5", [_row("19-2", "2019-05", -1, "13000"), _row("19-4", "2019-05", 1, "13000")]),
        month("m6", [_row("19-3", "2019-06", 1, "61000"), _row("19-5", "2019-06", 1)]),
        month("m7", [_row("19-4", "2019-07", -1), _row("19-5", "2019-07", -1)]),
        month("m8", [_row("19-6", "2019-08", 1), _row("19-3", "2019-08", -1, "41000")]),
    ]
    fmt = _format(tmp_path, keep)
    whole, streamed = _both(tmp_path, [earlier, later], fmt, EVERY_FILE, workers=2)
    _assert_same(whole, streamed)
    reasons = set(streamed.quarantine()["reason"].to_list())
    assert {"reversal_row", "reversed"} <= reasons
    assert ("superseded" if keep == "last" else "duplicate_incident_id") in reasons
    nets = dict(streamed.keys(["st-louis"]).select("incident_id", "_net").iter_rows())
    assert "19-1" not in nets  # stored in m1, withdrawn by m4's reversal
    assert nets["19-2"] == 1  # two records stored, one reversed later


def test_repeated_bytes_and_a_second_ingest_add_nothing(tmp_path: Path) -> None:
    """A file with the bytes of one in an earlier batch is skipped as the whole path skips it,
    and ingesting the same files again adds nothing."""
    folder = tmp_path / "in"
    (folder / "copy").mkdir(parents=True)
    may = "\n".join([_HEADER, _row("19-1", "2019-05", 1), _row("19-2", "2019-05", 1)]) + "\n"
    (folder / "may.csv").write_text(may)
    (folder / "june.csv").write_text("\n".join([_HEADER, _row("19-1", "2019-06", -1)]) + "\n")
    (folder / "copy" / "other.csv").write_text(may)
    files = [folder / "may.csv", folder / "june.csv", folder / "copy" / "other.csv"]
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    whole, streamed = _both(tmp_path, [files], fmt, EVERY_FILE)
    _assert_same(whole, streamed)
    statuses = [f.status for f in ingest(files[:1], streamed, fmt).files]
    assert statuses == ["already in store"]
    again = ingest(files, streamed, fmt, batch_bytes=EVERY_FILE)
    assert [f.status for f in again.files] == ["already in store"] * 3
    assert streamed.incidents()["incident_id"].to_list() == ["19-2"]
    assert len(streamed.manifest.ingests) == 1


# An export's rows: (file, complaint, count, offence code, CodedMonth), in file order.
_ROWS = st.lists(
    st.tuples(
        st.integers(0, 4),
        st.integers(1, 4),
        st.sampled_from([1, 1, -1]),
        st.sampled_from(["41000", "13000"]),
        st.sampled_from(["2019-01", "2019-02", "2019-03"]),
    ),
    min_size=1,
    max_size=24,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=_ROWS,
    keep=st.sampled_from(["first", "last"]),
    split=st.integers(0, 5),
    batch_bytes=st.sampled_from([EVERY_FILE, 300, 1 << 20]),
    resolve_rows=st.sampled_from([1, 5, 400_000]),
)
def test_any_export_in_any_batches_ends_as_read_whole(
    rows: list[tuple[int, int, int, str, str]],
    keep: str,
    split: int,
    batch_bytes: int,
    resolve_rows: int,
) -> None:
    # Files before `split` are ingested first (stored nets for the rest); `order` values out of
    # file order put a complaint's first record in a later batch than its reversal.
    with (
        tempfile.TemporaryDirectory() as name,
        mock.patch.object(mapped_stream, "_RESOLVE_ROWS", resolve_rows),
    ):
        tmp = Path(name)
        folder = tmp / "in"
        folder.mkdir()
        paths = []
        for f in range(5):
            lines = [_row(f"19-{c}", m, n, code) for i, c, n, code, m in rows if i == f]
            if lines:
                paths.append(folder / f"f{f}.csv")
                paths[-1].write_text("\n".join([_HEADER, *lines]) + "\n")
        groups = [g for g in (paths[:split], paths[split:]) if g]
        whole, streamed = _both(tmp, groups, _format(tmp, keep), batch_bytes)
        _assert_same(whole, streamed)


def _start(sources: list[Path], root: Path, how: int) -> subprocess.Popen[bytes]:
    """The ingest in a process of its own: kill -9 hits it in 1 MB batches (about 37, on this
    process and a worker); Ctrl-C, the command line as a user runs it."""
    if how == signal.SIGINT:
        command = ["-m", "streetlight", "ingest", *map(str, sources), "--store", str(root)]
        command += ["--mapping", str(ST_LOUIS_MAPPING)]
    else:
        code = (
            "import sys\n"
            "from streetlight.ingest import ingest\n"
            "from streetlight.ingest.mapping import MappedFormat, load_mapping\n"
            "from streetlight.store import Store\n"
            f"fmt = MappedFormat(load_mapping({str(ST_LOUIS_MAPPING)!r}))\n"
            "ingest(sys.argv[2:], Store.open(sys.argv[1]), fmt, batch_bytes=1_000_000)\n"
        )
        command = ["-c", code, str(root), *map(str, sources)]
    return subprocess.Popen(
        [sys.executable, *command],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def _staged(root: Path, what: str, before: set[Path]) -> bool:
    """Whether the running ingest has staged a file of the kind: rows checked (pass 1), or a
    part per force-month (pass 3; published parts keep their staged names: not `before`)."""
    if what == "rows":
        return any(root.glob(".staging/*/b*-rows.parquet"))
    return bool(set(root.glob("incidents/*/*/part-*-b*.parquet")) - before)


@pytest.mark.skipif(not ST_LOUIS.exists(), reason=f"full real data not found at {SHARED_DATA}")
@pytest.mark.parametrize(
    ("what", "how"), [("rows", signal.SIGKILL), ("parts", signal.SIGKILL), ("parts", signal.SIGINT)]
)
def test_a_kill_or_ctrl_c_mid_ingest_leaves_the_store_as_it_was(
    tmp_path: Path, what: str, how: int
) -> None:
    """Kill -9 (the ingest and its worker) or Ctrl-C in the first pass or the last, on a store
    that holds St. Louis incidents the export re-issues and reverses."""
    root = tmp_path / "store"
    store = Store.open(root, create=True)
    fmt = MappedFormat(load_mapping(ST_LOUIS_MAPPING))
    ingest([ST_LOUIS_EXCERPT], store, fmt)
    manifest = (root / "manifest.json").read_bytes()
    before = _state(store)

    published = set(root.rglob("*.parquet"))
    proc = _start([ST_LOUIS], root, how)
    caught = _wait_for(lambda: _staged(root, what, published), proc)
    workers = _children(proc.pid)
    os.killpg(proc.pid, how)
    _, err = proc.communicate(timeout=120)
    assert caught
    if how == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip() == b"interrupted: nothing was written"
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)  # no orphan left running
    assert (root / "manifest.json").read_bytes() == manifest
    reopened = Store.open(root)
    for a, b in zip(before, _state(reopened), strict=True):
        assert a.equals(b)

    ingest([ST_LOUIS], reopened, fmt, batch_bytes=1_000_000)  # then runs in full
    reference = Store.open(tmp_path / "reference", create=True)
    ingest([ST_LOUIS_EXCERPT], reference, fmt, whole=True)
    ingest([ST_LOUIS], reference, fmt, whole=True)
    _assert_same(reference, reopened)


@settings(max_examples=200, deadline=None)
@given(
    incidents=st.lists(
        st.tuples(st.integers(0, 3), st.lists(st.sampled_from([1, 1, -1, 2, -2]), min_size=1)),
        min_size=1,
        max_size=8,
    )
)
def testrunning_nets_match_a_record_by_record_reference(
    incidents: list[tuple[int, list[int]]],
) -> None:
    # The vectorised running net (`mapping.running_nets`) against the rule as written: each
    # record adds its count to the net, which never goes below zero.
    rows, expected = [], []
    for start, counts in incidents:
        net = start
        for i, n in enumerate(counts):
            net = max(net + n, 0)
            rows.append((i == 0, i == len(counts) - 1, n, start))
            expected.append(net)
    finals = [e for e, (_, last, _, _) in zip(expected, rows, strict=True) if last]
    frame = pl.DataFrame(
        rows, schema=["_first", "_last", "_count", "_from"], orient="row"
    ).with_columns(pl.col("_count", "_from").cast(pl.Int64))
    got = running_nets(frame)
    assert got["_now"].to_list() == expected
    assert got.filter("_last")["_net"].to_list() == finals


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.floats(-180, 180), st.sampled_from([-90.2, -90.2, 0.0, 1e-300])),
        min_size=1,
        max_size=60,
    ),
    cuts=st.lists(st.integers(0, 60), max_size=4),
)
def test_thechunked_median_is_numpys(values: list[float], cuts: list[int]) -> None:
    # A new force's CRS is chosen from the median of its points, read a file at a time.
    data = np.array(values)
    edges = [0, *sorted(min(c, len(values)) for c in cuts), len(values)]
    chunks = [data[a:b] for a, b in itertools.pairwise(edges)]
    assert chunked_median(lambda: iter(chunks)) == float(np.median(data))
