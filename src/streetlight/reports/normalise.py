"""Report fields as they are stored and compared: free text in one form, and where a report is
as a key for spotting duplicates (its 250 m public cell when pinned, else its typed place).

Pure functions, shared by taking reports in (`submission`) and moderating them (`moderation`), so
both judge "the same place" alike.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

import numpy as np

from streetlight.geo.crs import WGS84, choose_crs, transform
from streetlight.reports.privacy import PUBLIC_CELL_M, snap

_NEWLINES = re.compile(r"\r\n|\r|\u2028|\u2029|\x85")
_SPACES = re.compile(r"[ \t\u00a0]+")
_NOT_WORD = re.compile(r"[\W_]+")


def clean_text(text: str, *, one_line: bool = False) -> str:
    """Text as stored: NFC, newlines as "\\n" (spaces when `one_line`), runs of spaces and tabs
    as one space, trimmed. `ValueError` for control or invisible formatting characters (they
    could hide or reorder what an analyst reads)."""
    text = unicodedata.normalize("NFC", _NEWLINES.sub("\n", text))
    for ch in text:
        if ch == "\n":
            continue
        if ch != "\t" and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise ValueError(f"character U+{ord(ch):04X} is not allowed")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    if one_line:
        return " ".join(line for line in lines if line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def normalised_place(place: str) -> str:
    """A typed place compared for duplicates: case, accents kept, punctuation and spacing not."""
    return " ".join(_NOT_WORD.sub(" ", place.casefold()).split())


def place_key(place: str) -> str:
    """Where an unlocated report is, for duplicate checks: its typed place, normalised."""
    return "place:" + normalised_place(place)


def cell_key(lon: float, lat: float, crs: str) -> str:
    """Where a pinned report is, for duplicate checks: its 250 m public cell in the projected
    `crs` (the same snapping as the public exports, so "nearby" means one cell)."""
    x, y = transform(WGS84, crs, np.array([lon]), np.array([lat]))
    i, j = snap(x, y, PUBLIC_CELL_M)
    return f"{crs}:{int(i[0])}:{int(j[0])}"


def point_crs(lon: float, lat: float) -> str:
    """The projected CRS a point's own position calls for (British National Grid in Great
    Britain, as the report area's), for when no area is at hand."""
    return choose_crs(np.array([lon]), np.array([lat]))


def utc_date(now: datetime) -> date:
    """The UTC day of an aware `now`: reports keep days, never times. A naive datetime is a
    `ValueError` (its day would depend on the server's time zone)."""
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return now.astimezone(UTC).date()
