"""What of a public report may leave the analysts' screens, and in what form.

Public and partner outputs show reports only as counts in square cells of at least
`PUBLIC_CELL_M` metres, and only cells with at least `MIN_PUBLIC_REPORTS` reports (a small count
can point at one person). Snapping is deterministic, floor to a multiple of the cell size in the
area's projected CRS, the same alignment as the hotspot grid: random jitter would be undone by
averaging repeated releases.

`scrub` removes from free text what identifies someone directly (phone numbers, e-mail
addresses, vehicle registrations) before an analyst sees it in lists. It is a safety net, not an
anonymiser: free text is never public.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike, NDArray

PUBLIC_CELL_M = 250.0
MIN_PUBLIC_REPORTS = 5

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

PHONE = "[phone]"
EMAIL = "[email]"
VEHICLE = "[vehicle]"


def snap(x: ArrayLike, y: ArrayLike, cell: float = PUBLIC_CELL_M) -> tuple[IntArray, IntArray]:
    """Column and row of the `cell`-metre cell holding each projected point: floor(x / cell),
    floor(y / cell). `x`, `y` in metres of the area's projected CRS; every coordinate must be
    finite (drop unlocated reports first)."""
    if not cell > 0:
        raise ValueError(f"cell size must be positive metres, not {cell!r}")
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in shape: {xs.shape} against {ys.shape}")
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        raise ValueError("cannot snap a missing or infinite coordinate: drop unlocated reports")
    return np.floor(xs / cell).astype(np.int64), np.floor(ys / cell).astype(np.int64)


def cell_centres(
    i: ArrayLike, j: ArrayLike, cell: float = PUBLIC_CELL_M
) -> tuple[FloatArray, FloatArray]:
    """Projected x, y (metres) of the centres of cells (i, j): what a public output shows in
    place of the points."""
    ii = np.asarray(i, dtype=np.float64)
    jj = np.asarray(j, dtype=np.float64)
    return (ii + 0.5) * cell, (jj + 0.5) * cell


# --- Free text ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")

# One digit of a phone number, after at most one separator and brackets: "0113-496", "(0113) 496".
_DIGIT = r"(?:[ .\-\u00a0]?\)?[ .\-\u00a0]?\(?\d)"
_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:"
    # International: +44 7700 900123, +44 (0)113 496 0000, 0033 1 23 45 67 89.
    rf"(?:\+|\b00)[ \u00a0]?[1-9](?:[ .\-\u00a0]?\(0\))?{_DIGIT}{{6,13}}"
    # UK national: a trunk 0 and 9 or 10 more digits (07700 900123, (0113) 496 0000).
    rf"|\(?0{_DIGIT}{{9,10}}"
    r")"
    r"(?!\d)"
)

# UK registrations (DVLA formats). The current one (since 2001) is distinctive enough to match in
# any case; the older ones only in capitals, as plates are written, so that roads ("the A19"),
# buses ("bus 36") and words are left alone.
_CURRENT = r"[A-Za-z]{2}\d{2} ?[A-Za-z]{3}"  # AB12 CDE
_PREFIX = r"[A-Z]\d{1,3} ?[A-Z]{3}"  # A123 BCD (1983-2001)
_SUFFIX = r"[A-Z]{3} ?\d{1,3} ?[A-Z]"  # ABC 123D (1963-1983)
_DATELESS = r"[A-HJ-PR-Y]{3} ?\d{1,4}|\d{1,4} ?[A-HJ-PR-Y]{3}"  # ABC 123, 123 ABC (to 1963)
_VEHICLE = re.compile(rf"\b(?:{_CURRENT}|{_PREFIX}|{_SUFFIX}|{_DATELESS})\b")
# Capitalised words and acronyms that look like the letters of an old plate.
_NOT_PLATE_LETTERS = frozenset(
    {
        "AND", "ARE", "BUS", "CAR", "FOR", "GOT", "HAD", "HAS", "HER", "HIM", "HIS", "NHS",
        "NOT", "NOW", "OUT", "SHE", "THE", "VAN", "WAS", "WHO", "YOU", "AGE", "APP", "ONE",
        "TWO", "SIX", "TEN", "MPH", "KMH", "AGO", "DAY", "PER", "WAY", "OLD", "YRS",
    }
)  # fmt: skip


def _phone(match: re.Match[str]) -> str:
    return PHONE


def _vehicle(match: re.Match[str]) -> str:
    found = match.group(0)
    letters = "".join(ch for ch in found if ch.isalpha()).upper()
    digits = "".join(ch for ch in found if ch.isdigit())
    # Old plates: their letter group alone is an everyday capitalised word ("NHS 111", "THE 36").
    if len(letters) == 3 and letters in _NOT_PLATE_LETTERS:
        return found
    if len(letters) == 4 and letters[1:] in _NOT_PLATE_LETTERS and found[0].isupper():
        return found
    if not digits:  # pragma: no cover - every pattern holds a digit
        return found
    return VEHICLE


def scrub(text: str) -> str:
    """`text` with phone numbers, e-mail addresses and UK vehicle registrations replaced by
    "[phone]", "[email]" and "[vehicle]". Emergency and police numbers (999, 101, 112), times,
    dates, house numbers and road names are kept."""
    if not text:
        return text
    text = _EMAIL.sub(EMAIL, text)
    text = _PHONE.sub(_phone, text)
    return _VEHICLE.sub(_vehicle, text)
