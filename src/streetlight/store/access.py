"""Finding a store and reading its manifest, with nothing heavier than `json` imported.

`streetlight info` answers from the manifest alone; keeping this path free of polars and numpy
(about a second of imports on this machine) is most of what keeps it under two seconds on a
national store. `Store.open` uses the same reading and errors. A store in a bucket is read
through `bucket.py`, which loads pyarrow's S3 client only then.
"""

from __future__ import annotations

import os
from pathlib import Path

from streetlight.errors import StoreError
from streetlight.store.bucket import read_object
from streetlight.store.location import DEFAULT_STORE, Location, StoreURL
from streetlight.store.manifest import MANIFEST_NAME, Manifest, load_manifest, parse_manifest

__all__ = [
    "DEFAULT_STORE",
    "StoreDamagedError",
    "StoreNotFoundError",
    "default_store_path",
    "read_manifest",
]


class StoreNotFoundError(StoreError):
    """No incident store at the path (or the path is a file): the message says how to make one."""


class StoreDamagedError(StoreError):
    """The store's manifest cannot be read."""


def default_store_path() -> Path:
    """`$STREETLIGHT_STORE`, else `./streetlight-data` (the CLI contract in DESIGN.md), as a
    folder: for the data folder of the operational database and the unit's files. A command
    that reads incidents takes a URL too (`location.default_store_location`)."""
    return Path(os.environ.get("STREETLIGHT_STORE", DEFAULT_STORE))


def read_manifest(root: Location) -> Manifest:
    """The manifest of the store at `root`; errors that say what is wrong and how to fix it."""
    if isinstance(root, StoreURL):
        return _bucket_manifest(root)
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.exists():
        raise StoreNotFoundError(
            f"{root}: no incident store here (run `streetlight ingest SOURCE --store {root}`)"
        )
    try:
        return load_manifest(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreDamagedError(f"{manifest_path}: cannot read the store manifest ({exc})") from exc


def _bucket_manifest(root: StoreURL) -> Manifest:
    url = root / MANIFEST_NAME
    try:
        text = read_object(url).decode("utf-8")
    except FileNotFoundError:
        raise StoreNotFoundError(
            f"{root}: no incident store here (no {url}, or no bucket {root.bucket!r}); build the "
            "store in a folder with `streetlight ingest`, then copy it to the bucket, manifest "
            "last (docs/cluster.md)"
        ) from None
    try:
        return parse_manifest(text, str(url))
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreDamagedError(f"{url}: cannot read the store manifest ({exc})") from exc
