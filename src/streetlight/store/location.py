"""Where a store lives: a local folder (`Path`) or a bucket's prefix (`StoreURL`, `s3://...`).

A URL must stay text from the command line to the workers: `Path("s3://bucket/store")` collapses
the double slash to `s3:/bucket/store`, and `.absolute()` would then prefix the current folder.
So a location is parsed once, at the edge (`store_location`), and the two kinds are told apart
by type everywhere after. Both join a relative path with `/` and print as the user wrote them, so
code that only builds file names from the manifest (the readers) serves both alike.

Imports nothing heavy: `streetlight info` reads it before anything else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from streetlight.errors import StoreError

DEFAULT_STORE = "streetlight-data"
# Object stores the store is read from directly (see store/bucket.py). gs:// and az:// are
# refused by name rather than read with untested credentials.
SUPPORTED_SCHEMES = ("s3",)


class UnsupportedStoreURLError(StoreError):
    """A `--store` URL of a scheme Streetlight cannot read (only s3:// is built)."""


@dataclass(frozen=True)
class StoreURL:
    """A store in object storage: `s3://bucket/prefix`, without a trailing slash."""

    url: str

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0]

    @property
    def bucket(self) -> str:
        return self.url.split("://", 1)[1].split("/", 1)[0]

    @property
    def key(self) -> str:
        """The prefix inside the bucket ("" for the bucket's top)."""
        rest = self.url.split("://", 1)[1]
        return rest.split("/", 1)[1] if "/" in rest else ""

    def __truediv__(self, relative: str) -> StoreURL:
        return StoreURL(f"{self.url}/{relative.lstrip('/')}")

    def __str__(self) -> str:
        return self.url


Location: TypeAlias = Path | StoreURL


def store_location(value: str | Location) -> Location:
    """A `--store` value as a location: text with `scheme://` is a URL, anything else a folder."""
    if not isinstance(value, str):
        return value
    if "://" not in value:
        return Path(value)
    scheme, rest = value.split("://", 1)
    if scheme.lower() not in SUPPORTED_SCHEMES:
        raise UnsupportedStoreURLError(
            f"{value}: a store can be read directly only from s3:// (and S3-compatible servers); "
            "mount other object storage as a file system (docs/cluster.md)"
        )
    bucket = rest.split("/", 1)[0]
    if not bucket:
        raise UnsupportedStoreURLError(f"{value}: no bucket named (use s3://BUCKET/PREFIX)")
    return StoreURL(f"{scheme.lower()}://{rest.rstrip('/')}")


def default_store_location() -> Location:
    """`$STREETLIGHT_STORE` (a folder or a URL), else `./streetlight-data` (DESIGN.md's contract)."""
    return store_location(os.environ.get("STREETLIGHT_STORE", DEFAULT_STORE))


def absolute(location: Location) -> Location:
    """A location that means the same on another machine: a folder made absolute (workers run
    elsewhere, in another folder), a URL as it is."""
    return location.absolute() if isinstance(location, Path) else location


__all__ = [
    "DEFAULT_STORE",
    "Location",
    "StoreURL",
    "UnsupportedStoreURLError",
    "absolute",
    "default_store_location",
    "store_location",
]
