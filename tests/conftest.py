"""Shared fixtures: the bundled real sample, and fresh stores in temporary folders."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from streetlight.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ZIP = REPO / "data" / "sample" / "cleveland-2023-12_2025-11.zip"
ST_LOUIS_EXCERPT = REPO / "tests" / "data" / "st-louis-excerpt.zip"
ST_LOUIS_MAPPING = REPO / "mappings" / "st-louis.toml"
# The full real data sets, present beside the repository on development and CI machines.
SHARED_DATA = REPO.parent / "shared" / "data"


def sample_member(month: str = "2024-01") -> bytes:
    """One real data.police.uk street file from the bundled sample."""
    with zipfile.ZipFile(SAMPLE_ZIP) as archive:
        return archive.read(f"{month}/{month}-cleveland-street.csv")


def sample_lines(month: str = "2024-01") -> list[str]:
    return sample_member(month).decode("utf-8").splitlines()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "store", create=True)


Writer = Callable[[str, bytes | str], Path]


@pytest.fixture
def write(tmp_path: Path) -> Writer:
    """Write bytes or text to a file under tmp_path/in and return its path."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write
