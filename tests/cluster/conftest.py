"""A two-force store built from the bundled sample, and one Dask cluster shared by a module.

The second force, "durham", is the Cleveland sample with its Crime IDs altered (so the ingest
does not skip its files as already stored) and every third row left out, so its results differ
from Cleveland's and a force's results written under the other's name would be caught.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import SAMPLE_ZIP

FORCES = ("cleveland", "durham")


def renamed_copy(source: Path, target: Path, force: str) -> Path:
    """The sample's files under `force`'s name, Crime IDs altered, every third row left out."""
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(target, "w") as copy:
        for name in archive.namelist():
            rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8"))))
            kept = [rows[0]] + [
                [force[0] + row[0][1:] if row[0] else "", *row[1:]]
                for i, row in enumerate(rows[1:])
                if i % 3
            ]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(kept)
            copy.writestr(name.replace("cleveland", force), buffer.getvalue())
    return target


@pytest.fixture(scope="module")
def two_forces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("two-forces")
    durham = renamed_copy(SAMPLE_ZIP, folder / "durham.zip", "durham")
    store = Store.open(folder / "store", create=True)
    ingest([SAMPLE_ZIP, durham], store)
    assert sorted(Store.open(store.root).forces) == list(FORCES)
    return store.root


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A running two-worker cluster of processes (one thread each), as `--scheduler` reaches it."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster:
        yield str(cluster.scheduler_address)
