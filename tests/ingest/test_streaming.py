"""Streaming ingest: batches of bounded size on worker processes end as one batch would, the
rules that span files hold across batches, and a kill at any moment leaves the store as it was.

A byte budget of 1 makes every file its own batch, so these small inputs cross many batch
boundaries (and, past a few batches, run on the worker pool).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from streetlight.errors import NotCSVError
from streetlight.ingest import ingest
from streetlight.ingest.plan import plan_batches
from streetlight.ingest.seen import SeenKeys
from streetlight.ingest.sources import expand_sources
from streetlight.store import Store
from tests.conftest import REPO, SAMPLE_ZIP, Writer, sample_lines, sample_member

EVERY_FILE = 1  # bytes: each file a batch of its own


def _contents(store: Store) -> tuple[pl.DataFrame, pl.DataFrame]:
    incidents = store.incidents().sort("force", "month", "source")
    quarantine = store.quarantine().drop("ingest_id").sort("source", "row")
    return incidents, quarantine


def _assert_counts_kept(store: Store) -> None:
    """The manifest's summary counts (what `streetlight info` reads instead of the files) are
    there for every file a streamed ingest published, and true."""
    for p in store.manifest.partitions:
        frame = pl.read_parquet(store.root / p.path)
        assert p.categories is not None and p.without_location is not None, p.path
        assert p.categories == dict(frame.group_by("category").len().iter_rows()), p.path
        assert p.without_location == frame["x"].null_count()
    for q in store.manifest.quarantine:
        frame = pl.read_parquet(store.root / q.path)
        assert q.reasons == dict(frame.group_by("reason").len().iter_rows())


def test_tiny_batches_on_workers_store_what_one_batch_stores(tmp_path: Path) -> None:
    one = Store.open(tmp_path / "one", create=True)
    many = Store.open(tmp_path / "many", create=True)
    whole = ingest([SAMPLE_ZIP], one, batch_bytes=1 << 40)
    batched = ingest([SAMPLE_ZIP], many, batch_bytes=EVERY_FILE, workers=2)
    assert (batched.rows_read, batched.accepted, batched.quarantined) == (
        whole.rows_read,
        whole.accepted,
        whole.quarantined,
    )
    assert [(f.name, f.status, f.accepted) for f in batched.files] == [
        (f.name, f.status, f.accepted) for f in whole.files
    ]
    for a, b in zip(_contents(one), _contents(many), strict=True):
        assert a.equals(b)
    assert [(p.force, p.month, p.rows) for p in one.manifest.partitions] == [
        (p.force, p.month, p.rows) for p in many.manifest.partitions
    ]
    assert not (many.root / ".staging").exists()  # staged files gone once published
    _assert_counts_kept(many)


def _with_force(lines: list[str], force: str) -> list[str]:
    """Sample lines as another force's file would have them (same Crime IDs)."""
    name = f"{force.title()} Police"
    out = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        fields[2] = fields[3] = name
        out.append(",".join(fields))
    return out


def test_duplicate_ids_across_batches_keep_the_first(store: Store, write: Writer) -> None:
    lines = sample_lines("2024-01")[:6]
    later = sample_lines("2024-02")[:4]
    files = [
        write("2024-01/2024-01-cleveland-street.csv", "\n".join(lines)),
        # Another month's file repeating two of January's crimes, two batches later.
        write("2024-02/2024-02-cleveland-street.csv", "\n".join([*later, lines[2], lines[4]])),
        # The same ids in another force are other incidents: kept.
        write("2024-03/2024-03-durham-street.csv", "\n".join(_with_force(lines, "durham"))),
    ]
    assert len(plan_batches(expand_sources(files)[0], EVERY_FILE)) == 3
    report = ingest(files, store, batch_bytes=EVERY_FILE)
    assert (report.accepted, report.quarantined) == (5 + 3 + 5, 2)
    q = store.quarantine().sort("row")
    assert q["reason"].to_list() == ["duplicate_incident_id"] * 2
    assert q["source"].to_list() == ["2024-02-cleveland-street.csv"] * 2
    assert q["row"].to_list() == [5, 6]
    assert q["detail"][0] == "incident id first seen at 2024-01-cleveland-street.csv:3"
    assert [f.quarantined for f in report.files] == [0, 2, 0]
    assert store.incidents().height == 13
    _assert_counts_kept(store)  # January's part rewritten without the duplicates


def test_duplicate_ids_against_the_store_in_a_later_batch(store: Store, write: Writer) -> None:
    lines = sample_lines("2024-01")[:5]
    ingest([write("a/2024-01-cleveland-street.csv", "\n".join(lines))], store)
    files = [
        write("b/2024-02-cleveland-street.csv", "\n".join(sample_lines("2024-02")[:3])),
        write("b/2024-03-cleveland-street.csv", "\n".join([lines[0], lines[3]])),
    ]
    report = ingest(files, store, batch_bytes=EVERY_FILE)
    assert (report.accepted, report.quarantined) == (2, 1)
    detail = store.quarantine()["detail"][0]
    assert detail == "incident id already in the store from 2024-01-cleveland-street.csv:4"
    _assert_counts_kept(store)


def test_a_file_with_the_bytes_of_one_in_an_earlier_batch_is_skipped(
    store: Store, write: Writer
) -> None:
    data = sample_member("2024-01")
    files = [
        write("a/2024-01-cleveland-street.csv", data),
        write("b/2024-02-cleveland-street.csv", sample_member("2024-02")),
        write("c/copy.csv", data),  # another name, same bytes
    ]
    report = ingest(files, store, batch_bytes=EVERY_FILE)
    assert [f.status for f in report.files] == [
        "ingested",
        "ingested",
        f"same bytes as {files[0]}",
    ]
    assert report.quarantined == 0
    assert len(store.manifest.sources) == 2


def test_files_of_one_name_in_a_batch_are_told_apart(store: Store, write: Writer) -> None:
    january = sample_lines("2024-01")
    ingest([write("a/2024-01-cleveland-street.csv", "\n".join(january[:5]))], store)
    february = sample_lines("2024-02")
    files = [
        write("b/2024-02-cleveland-street.csv", "\n".join(february[:4])),
        # The same name (so the same batch), other rows, one of them a stored crime.
        write(
            "c/2024-02-cleveland-street.csv", "\n".join([february[0], *february[4:7], january[1]])
        ),
        # A copy of another file under its name: the two share a batch (the copy is skipped).
        write("d/2024-03-cleveland-street.csv", "\n".join(sample_lines("2024-03")[:3])),
        write("e/2024-04-cleveland-street.csv", "\n".join(sample_lines("2024-04")[:3])),
        write("f/2024-03-cleveland-street.csv", "\n".join(sample_lines("2024-03")[:3])),
    ]
    report = ingest(files, store, batch_bytes=EVERY_FILE)
    assert [(f.status, f.accepted, f.quarantined) for f in report.files] == [
        ("ingested", 3, 0),
        ("ingested", 3, 1),
        ("ingested", 2, 0),
        (f"same bytes as {files[2]}", 0, 0),
        ("ingested", 2, 0),
    ]
    assert store.incidents().height == 4 + 3 + 3 + 2 + 2
    assert store.quarantine()["source"].to_list() == ["2024-02-cleveland-street.csv"]


def test_an_unreadable_file_in_a_worker_stops_the_ingest_cleanly(
    store: Store, tmp_path: Path
) -> None:
    folder = _national(tmp_path / "archive", copies=1)
    # The second batch: always a worker's (the first is this process's own).
    (folder / "2023-12" / "2023-12-zzz-street.csv").write_bytes(b"\x00\x01binary")
    with pytest.raises(NotCSVError, match=r"2023-12-zzz-street\.csv: binary file"):
        ingest([folder], store, batch_bytes=EVERY_FILE)
    assert store.manifest.version == Store.open(store.root).manifest.version == 0
    assert not list(store.root.rglob("*.parquet"))


def test_seen_keys_find_exactly_the_hashes_added() -> None:
    rng = np.random.default_rng(7)
    seen = SeenKeys()
    batches = [
        rng.integers(0, 2**63, size=n, dtype=np.int64).astype(np.uint64) for n in (5, 300, 7)
    ]
    for batch in batches:
        seen.add(batch)
    everything = np.concatenate(batches)
    assert len(seen) == len(everything)
    others = rng.integers(0, 2**63, size=1000, dtype=np.int64).astype(np.uint64)
    assert seen.seen(everything).all()
    assert not seen.seen(others).any()
    assert seen.seen(np.array([everything[3], others[0]], dtype=np.uint64)).tolist() == [
        True,
        False,
    ]


def _national(folder: Path, copies: int) -> Path:
    """The sample's files under several force names (other ids and bytes): many batches."""
    for k in range(copies):
        force = f"force{k:02d}"
        with zipfile.ZipFile(SAMPLE_ZIP) as archive:
            for name in archive.namelist():
                if not name.endswith(".csv"):
                    continue
                month = Path(name).name[:7]
                text = archive.read(name).decode()
                path = folder / month / f"{month}-{force}-street.csv"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text.replace("Cleveland Police", f"Force{k:02d} Police"))
    return folder


def _start(sources: list[Path], root: Path) -> subprocess.Popen[bytes]:
    code = (
        "import sys\n"
        "from streetlight.ingest import ingest\n"
        "from streetlight.store import Store\n"
        "ingest(sys.argv[2:], Store.open(sys.argv[1], create=True), batch_bytes=200_000)\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(root), *map(str, sources)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the kill takes its workers too
    )


def _wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[bytes], timeout: float = 120
) -> bool:
    """Whether `condition` came true while `proc` ran (polled every 2 ms)."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if condition():
            return True
        if time.monotonic() > deadline:
            break
        time.sleep(0.002)
    return False


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if int(text[text.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie (an orphan's exit is reaped by init,
    which in a container may never do it)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


@pytest.mark.parametrize(("staged", "group"), [(1, True), (90, True), (1, False)])
def test_kill_9_mid_ingest_leaves_the_store_as_it_was(
    tmp_path: Path, staged: int, group: bool
) -> None:
    """Kill the ingest and its worker once `staged` of its 96 force-month files are written:
    early, and close to the commit; or the ingest alone, and its worker then ends by itself."""
    root = tmp_path / "store"
    store = Store.open(root, create=True)
    ingest([SAMPLE_ZIP], store)  # a store with something in it, to keep as it was
    manifest = (root / "manifest.json").read_bytes()
    before = _contents(store)
    archive = _national(tmp_path / "archive", copies=4)

    def written() -> bool:
        return len(list(root.glob("incidents/force=force*/*/part-*.parquet"))) >= staged

    proc = _start([archive], root)
    caught = _wait_for(written, proc)
    workers = _children(proc.pid)
    if group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        proc.kill()
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers)  # no orphan left running
    reopened = Store.open(root)
    if (root / "manifest.json").read_bytes() == manifest:
        for a, b in zip(before, _contents(reopened), strict=True):
            assert a.equals(b)
    else:  # the kill came after the commit: then the whole ingest is there
        assert reopened.incidents().height == 73_683 * 5
    assert staged > 1 or caught  # the first staged file comes long before the commit

    report = ingest([archive], reopened)  # the same ingest then runs in full
    if caught:
        assert (report.accepted, report.quarantined) == (73_683 * 4, 0)
    assert reopened.incidents().height == 73_683 * 5
    assert not (root / ".staging").exists()
    referenced = reopened.manifest.referenced_paths()
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.parquet")}
    assert on_disk == referenced  # nothing stale left behind


def test_ctrl_c_stops_the_ingest_and_its_worker_cleanly(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group: the worker ignores it, the ingest stops, clears
    its staged files and says so in one line."""
    root = tmp_path / "store"
    archive = _national(tmp_path / "archive", copies=4)  # about 5 batches: a worker starts
    proc = subprocess.Popen(
        [sys.executable, "-m", "streetlight", "ingest", str(archive), "--store", str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    caught = _wait_for(lambda: any(root.glob("incidents/*/*/part-*.parquet")), proc)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert caught
    assert proc.returncode == 130
    assert err.strip() == b"interrupted: nothing was written"
    assert Store.open(root).manifest.version == 0
    assert not list(root.rglob("*.parquet"))
