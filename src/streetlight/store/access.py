"""Finding a store and reading its manifest, with nothing heavier than `json` imported.

`streetlight info` answers from the manifest alone; keeping this path free of polars and numpy
(about a second of imports on this machine) is most of what keeps it under two seconds on a
national store. `Store.open` uses the same reading and errors.
"""

from __future__ import annotations

import os
from pathlib import Path

from streetlight.errors import StoreError
from streetlight.store.manifest import MANIFEST_NAME, Manifest, load_manifest

DEFAULT_STORE = "streetlight-data"


class StoreNotFoundError(StoreError):
    """No incident store at the path (or the path is a file): the message says how to make one."""


class StoreDamagedError(StoreError):
    """The store's manifest cannot be read."""


def default_store_path() -> Path:
    """`$STREETLIGHT_STORE`, else `./streetlight-data` (the CLI contract in DESIGN.md)."""
    return Path(os.environ.get("STREETLIGHT_STORE", DEFAULT_STORE))


def read_manifest(root: Path) -> Manifest:
    """The manifest of the store at `root`; errors that say what is wrong and how to fix it."""
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.exists():
        raise StoreNotFoundError(
            f"{root}: no incident store here (run `streetlight ingest SOURCE --store {root}`)"
        )
    try:
        return load_manifest(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreDamagedError(f"{manifest_path}: cannot read the store manifest ({exc})") from exc
