"""A street finder for the public report map, built from the incident store's snap points.

data.police.uk publishes every crime at an anonymised snap point named after the street it is on
or near ("On or near Albert Road"), with its longitude and latitude (Police.uk, "About the data":
location anonymisation). The points are public, and together they name most streets of a force's
area: enough for a person to find their street on a map that has no base tiles.

A `Gazetteer` holds one entry per (street name, district), placed at that name's busiest snap
point in that district (a real point on the street, where the average of its points might fall in
a field or a river), and answers prefix searches ("alb rd" finds "Albert Road"). Snap points named
after a kind of place ("On or near Nightclub", "... Supermarket": `hotspots.places`) are not
streets and are left out. Districts come from the LSOA names of the report area's GeoJSON
("Hartlepool 009A" is in "Hartlepool"), so the same street name in two towns is two entries.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
import shapely
from numpy.typing import NDArray
from shapely.geometry import shape

from streetlight.geo.crs import FloatArray
from streetlight.hotspots.places import place_kind

COLUMNS = ("location", "lon", "lat", "lsoa_code")
DEFAULT_LIMIT = 8
# A tap further than this from every snap point names no street: data.police.uk moves each crime
# to a snap point that is usually within a street's length of it, and a wrong name misleads more
# than none.
NEAREST_M = 150.0
# Metres per degree of latitude, and of longitude at the equator (WGS84, to 0.5%: enough to tell
# the nearest of a few snap points within a town).
_M_PER_DEGREE_LAT = 111_132.0
_M_PER_DEGREE_LON = 111_320.0
# (code, name) property pairs of LSOA boundaries: 2011 and 2021 (ONS).
LSOA_PROPERTIES = (("LSOA11CD", "LSOA11NM"), ("LSOA21CD", "LSOA21NM"))
# What people type for words data.police.uk spells out ("Albert Rd"). Only abbreviations that do
# not already start their word: "Ave", "Cres" or "Dr" find "Avenue", "Crescent", "Drive" anyway.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "bldgs": ("buildings",),
    "blvd": ("boulevard",),
    "cotts": ("cottages",),
    "ct": ("court",),
    "ctr": ("centre",),
    "gdn": ("garden",),
    "gdns": ("gardens",),
    "grn": ("green",),
    "gt": ("great",),
    "hts": ("heights",),
    "hwy": ("highway",),
    "ln": ("lane",),
    "lwr": ("lower",),
    "mdw": ("meadow",),
    "mt": ("mount",),
    "nth": ("north",),
    "pde": ("parade",),
    "pk": ("park",),
    "rd": ("road",),
    "sth": ("south",),
    "stn": ("station",),
    "tce": ("terrace",),
    "upr": ("upper",),
    "vw": ("view",),
    "wk": ("walk",),
    "wy": ("way",),
    "yd": ("yard",),
}
_PREFIX = "On or near "
# An LSOA name is its local authority's name and a code: "Hartlepool 009A", "Leeds 111F".
_LSOA_SUFFIX = re.compile(r"\s+\d{3}[A-Z]{1,2}$")
_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
# data.police.uk capitalises after an apostrophe: "St Joan'S Grove".
_CAPITAL_S = re.compile(r"(?<=\w)'S\b")
_WORD = re.compile(r"[^\W_]+")
# Sorts after every letter and digit: `word + _LAST` bounds the words that start with `word`.
_LAST = "\U0010ffff"

Within = Callable[[FloatArray, FloatArray], NDArray[np.bool_]]


@dataclass(frozen=True)
class GazetteerEntry:
    """One street of one district. `lon`, `lat`: WGS84 degrees of its busiest snap point;
    `incidents`: how many incidents the store holds at its snap points; `district`: "" when the
    report area names none for the street's LSOA."""

    name: str
    district: str
    lon: float
    lat: float
    incidents: int

    @property
    def label(self) -> str:
        """The name and district as the page shows them, "Albert Road, Middlesbrough" (the name
        alone when there is no district)."""
        return f"{self.name}, {self.district}" if self.district else self.name


def normalise(text: str) -> tuple[str, ...]:
    """The words of `text` as searched: case and accents folded ("Élan" -> "elan"), apostrophes
    dropped ("St John's" -> "st", "johns"), split at anything that is not a letter or digit."""
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(_WORD.findall(plain.casefold()))


def _starts(word: str, typed: str) -> bool:
    """`word` (of a name) starts with `typed` (a query word) or with what it abbreviates."""
    return word.startswith(typed) or any(word.startswith(a) for a in ABBREVIATIONS.get(typed, ()))


def _leads(query: Sequence[str], words: Sequence[str]) -> bool:
    """The name starts with the query: its first words start with the query's, in order."""
    return len(query) <= len(words) and all(map(_starts, words, query))


def district_of(lsoa_name: str) -> str:
    """The district an LSOA name belongs to: the name without its trailing code
    ("Hartlepool 009A" -> "Hartlepool"; a name without a code is kept whole)."""
    return _LSOA_SUFFIX.sub("", lsoa_name.strip())


def _named(feature: object) -> list[tuple[str, str]]:
    """(code, district) pairs a GeoJSON feature's properties give."""
    properties = feature.get("properties") if isinstance(feature, Mapping) else None
    if not isinstance(properties, Mapping):
        return []
    pairs = []
    for code_key, name_key in LSOA_PROPERTIES:
        code, name = properties.get(code_key), properties.get(name_key)
        if isinstance(code, str) and code and isinstance(name, str) and district_of(name):
            pairs.append((code, district_of(name)))
    return pairs


def lsoa_districts(features: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """LSOA code -> district, from GeoJSON features with `LSOA11CD`/`LSOA11NM` (or the 2021
    `LSOA21CD`/`LSOA21NM`) properties; features without them are skipped."""
    return {code: district for feature in features for code, district in _named(feature)}


def fill_districts(
    districts: Mapping[str, str], features: Iterable[Mapping[str, Any]], incidents: pl.DataFrame
) -> dict[str, str]:
    """`districts` and, for each LSOA code of `incidents` it does not name, the district of the
    named polygons of `features` that hold most of that code's snap points.

    data.police.uk gives each crime the 2021 LSOA code since 2022, while a force's boundary file
    may still hold the 2011 LSOAs: a split LSOA's new codes are then found by where their points
    lie. Codes whose points lie in no named polygon stay unnamed. Nothing passed in is modified.
    """
    filled = dict(districts)
    polygons, names = [], []
    for feature in features:
        pairs = _named(feature)
        geometry = feature.get("geometry") if pairs else None
        if isinstance(geometry, Mapping) and geometry.get("type") in ("Polygon", "MultiPolygon"):
            polygons.append(shapely.make_valid(shape(geometry)))
            names.append(pairs[0][1])
    if not polygons:
        return filled
    unknown = (
        incidents.lazy()
        .select(pl.col("lsoa_code").cast(pl.String), pl.col("lon"), pl.col("lat"))
        .drop_nulls()
        .filter(~pl.col("lsoa_code").is_in(list(filled)))
        .unique()
        .collect()
    )
    if not unknown.height:
        return filled
    points = shapely.points(unknown["lon"].to_numpy(), unknown["lat"].to_numpy())
    hit, polygon = shapely.STRtree(polygons).query(points, predicate="intersects")
    codes = unknown["lsoa_code"].to_list()
    votes: dict[str, Counter[str]] = {}
    # A point on a shared edge counts once, for the first polygon it touches.
    seen: set[int] = set()
    for i, j in zip(hit.tolist(), polygon.tolist(), strict=True):
        if i not in seen:
            seen.add(i)
            votes.setdefault(codes[i], Counter())[names[j]] += 1
    for code, counts in votes.items():
        # Most points, then the first name in order: the same answer on every run.
        filled[code] = min(counts, key=lambda name: (-counts[name], name))
    return filled


def _street_name(location: str) -> str:
    return _CAPITAL_S.sub("'s", location.removeprefix(_PREFIX).strip())


@dataclass(frozen=True)
class _Index:
    """Each entry's normalised words, and the sorted vocabulary of every word with the entries it
    appears in: the words a query word starts are one range of it, found by bisection."""

    words: tuple[tuple[str, ...], ...]
    vocabulary: tuple[str, ...]
    postings: tuple[frozenset[int], ...]

    @classmethod
    def of(cls, entries: Sequence[GazetteerEntry]) -> _Index:
        where: dict[str, set[int]] = {}
        words = tuple(normalise(entry.name) for entry in entries)
        for i, each in enumerate(words):
            for word in each:
                where.setdefault(word, set()).add(i)
        vocabulary = tuple(sorted(where))
        return cls(words, vocabulary, tuple(frozenset(where[w]) for w in vocabulary))

    def _prefixed(self, prefix: str) -> set[int]:
        lo = bisect_left(self.vocabulary, prefix)
        hi = bisect_left(self.vocabulary, prefix + _LAST, lo)
        found: set[int] = set()
        for posting in self.postings[lo:hi]:
            found |= posting
        return found

    def having(self, typed: str) -> set[int]:
        """The entries with a word that starts with `typed` or with what it abbreviates."""
        found = self._prefixed(typed)
        for full in ABBREVIATIONS.get(typed, ()):
            found |= self._prefixed(full)
        return found


@dataclass(frozen=True)
class _Points:
    """Every snap point of the streets, as arrays: `entry` is the index of its street in the
    gazetteer's `entries`."""

    lon: FloatArray
    lat: FloatArray
    entry: NDArray[np.intp]
    # Each street's busiest point and its incidents, in the order of `entries`.
    street_lon: FloatArray
    street_lat: FloatArray
    street_incidents: NDArray[np.int64]

    @classmethod
    def of(
        cls, entries: Sequence[GazetteerEntry], points: Iterable[tuple[str, str, float, float]]
    ) -> _Points:
        at = {(e.name, e.district): i for i, e in enumerate(entries)}
        rows = [(lon, lat, at[name, district]) for name, district, lon, lat in points]
        rows += [(e.lon, e.lat, i) for i, e in enumerate(entries)]  # each street's busiest point
        lon, lat, entry = zip(*rows, strict=True) if rows else ((), (), ())
        return cls(
            np.asarray(lon, dtype=np.float64),
            np.asarray(lat, dtype=np.float64),
            np.asarray(entry, dtype=np.intp),
            np.asarray([e.lon for e in entries], dtype=np.float64),
            np.asarray([e.lat for e in entries], dtype=np.float64),
            np.asarray([e.incidents for e in entries], dtype=np.int64),
        )


@dataclass(frozen=True)
class Gazetteer:
    """Streets to search by name. Build with `Gazetteer.from_incidents`, or `Gazetteer.of` from
    entries (`Gazetteer.of(())` is empty); `entries` are sorted by name, then district."""

    entries: tuple[GazetteerEntry, ...]
    _index: _Index = field(repr=False, compare=False)
    _points: _Points = field(repr=False, compare=False)

    @classmethod
    def of(
        cls,
        entries: Iterable[GazetteerEntry],
        points: Iterable[tuple[str, str, float, float]] = (),
    ) -> Gazetteer:
        """`points`: every snap point as (name, district, lon, lat), for `nearest`; without
        them each street is its busiest point alone."""
        ordered = tuple(sorted(entries, key=lambda e: (e.name, e.district, e.lon, e.lat)))
        return cls(ordered, _Index.of(ordered), _Points.of(ordered, points))

    @classmethod
    def from_incidents(
        cls,
        incidents: pl.DataFrame,
        districts: Mapping[str, str] | None = None,
        *,
        within: Within | None = None,
    ) -> Gazetteer:
        """The streets of `incidents` (columns `location`, `lon`, `lat`, `lsoa_code`; others are
        ignored).

        `districts` maps LSOA codes to district names (`lsoa_districts`, `fill_districts`); an
        LSOA it does not name gives the district "". `within(lon, lat)` (arrays of degrees)
        keeps only the snap points it is True for: the report area's. Rows without a location
        or coordinates, and snap points named after a kind of place, are left out. Nothing
        passed in is modified.
        """
        missing = [c for c in COLUMNS if c not in incidents.columns]
        if missing:
            raise ValueError(f"the incidents have no column {', '.join(missing)}")
        points = (
            incidents.lazy()
            .select(
                pl.col("location").cast(pl.String),
                pl.col("lon").cast(pl.Float64),
                pl.col("lat").cast(pl.Float64),
                pl.col("lsoa_code").cast(pl.String),
            )
            .drop_nulls(["location", "lon", "lat"])
            .filter(pl.col("lon").is_finite() & pl.col("lat").is_finite())
            .group_by(COLUMNS)
            .agg(pl.len().alias("incidents"))
            .collect()
        )
        # Names and kinds are worked out once per distinct location, not once per point.
        names = {
            location: _street_name(location)
            for location in points["location"].unique().to_list()
            if place_kind(location) is None and _street_name(location)
        }
        points = points.filter(pl.col("location").is_in(list(names)))
        if within is not None and points.height:
            keep = within(points["lon"].to_numpy(), points["lat"].to_numpy())
            points = points.filter(pl.Series(np.asarray(keep, dtype=bool)))
        points = points.with_columns(
            pl.col("location").replace_strict(names, return_dtype=pl.String).alias("name"),
            pl.col("lsoa_code")
            .replace_strict(dict(districts or {}), default="", return_dtype=pl.String)
            .fill_null("")
            .alias("district"),
        )
        # A snap point beside an LSOA boundary can come with either LSOA's code: one point.
        per_point = points.group_by("name", "district", "lon", "lat").agg(pl.sum("incidents"))
        streets = (
            per_point.sort(
                ["name", "district", "incidents", "lon", "lat"],
                descending=[False, False, True, False, False],
            )
            .group_by("name", "district", maintain_order=True)
            .agg(pl.first("lon"), pl.first("lat"), pl.sum("incidents"))
        )
        return cls.of(
            (
                GazetteerEntry(name, district, float(lon), float(lat), int(count))
                for name, district, lon, lat, count in streets.select(
                    "name", "district", "lon", "lat", "incidents"
                ).iter_rows()
            ),
            per_point.select("name", "district", "lon", "lat").iter_rows(),
        )

    def __len__(self) -> int:
        return len(self.entries)

    def in_box(
        self, west: float, south: float, east: float, north: float, limit: int = DEFAULT_LIMIT
    ) -> list[GazetteerEntry]:
        """At most `limit` streets whose busiest snap point lies in the box (WGS84 degrees),
        the busiest first: the names the report map writes on the part of the area shown."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        points = self._points
        inside = (
            (points.street_lon >= west)
            & (points.street_lon <= east)
            & (points.street_lat >= south)
            & (points.street_lat <= north)
        )
        found = np.flatnonzero(inside)
        busiest = found[np.argsort(-points.street_incidents[found], kind="stable")][:limit]
        return [self.entries[int(i)] for i in busiest]

    def nearest(self, lon: float, lat: float, within_m: float = NEAREST_M) -> GazetteerEntry | None:
        """The street of the snap point nearest (lon, lat), WGS84 degrees; None when none is
        within `within_m` metres. What the report map says after a tap on a bare map."""
        points = self._points
        if not len(points.entry):
            return None
        east = (points.lon - lon) * _M_PER_DEGREE_LON * np.cos(np.radians(lat))
        north = (points.lat - lat) * _M_PER_DEGREE_LAT
        squared = east * east + north * north
        best = int(np.argmin(squared))
        if squared[best] > within_m * within_m:
            return None
        return self.entries[int(points.entry[best])]

    def search(self, query: str, limit: int = DEFAULT_LIMIT) -> list[GazetteerEntry]:
        """At most `limit` entries with, for every word of `query`, a word of the name that
        starts with it or with what it abbreviates (`ABBREVIATIONS`); case and accents are
        ignored, so "alb rd" finds "Albert Road". Names that start with the query (word by word,
        in order) come first, then streets with more incidents (the busier of two streets of
        the same name is the likelier one), then by name and district."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        typed = normalise(query)
        found: set[int] | None = None
        # The longest words first: their sets are the smallest, so the intersection is quick.
        for word in sorted(set(typed), key=len, reverse=True):
            hits = self._index.having(word)
            found = hits if found is None else found & hits
            if not found:
                return []
        words = self._index.words

        def rank(i: int) -> tuple[bool, int, str, str]:
            entry = self.entries[i]
            return (not _leads(typed, words[i]), -entry.incidents, entry.name, entry.district)

        return [self.entries[i] for i in sorted(found or (), key=rank)[:limit]]


# What ends a street's name in a typed place ("... by Albert Road"): the word and what people
# write for it. `suggest` looks for the words before and including one of these.
STREET_SUFFIXES = frozenset(
    {
        *("road", "rd", "street", "st", "lane", "ln", "avenue", "ave", "av", "way", "wy"),
        *("close", "cl", "drive", "dr", "park", "pk", "square", "sq", "crescent", "cres"),
        *("terrace", "tce", "grove", "place", "pl", "gardens", "gdns", "walk", "court", "ct"),
    }
)
# Words that come before a street's name but are not part of it ("the underpass *by* Albert
# Road"): a run of words never holds one.
_NOT_NAMES = frozenset(
    {
        *("by", "near", "on", "at", "of", "in", "off", "to", "and", "from", "behind", "outside"),
        *("opposite", "under", "beside", "next", "corner", "junction", "end", "top", "bottom"),
    }
)
# A street's name before its suffix: at most this many words ("Upper Albert Park Road").
_NAME_WORDS = 3


def street_runs(words: Sequence[str]) -> list[list[str]]:
    """The runs of `words` that may name a street, one list per street suffix in the order they
    come: the words before and including the suffix, longest first, at most `_NAME_WORDS` before
    it and none of them a word like "by" or "near" (a suffix alone is no name)."""
    runs = []
    first = 0  # the first word after the last little word
    for end, word in enumerate(words):
        if word in STREET_SUFFIXES:
            starts = range(max(first, end - _NAME_WORDS), end)
            named = [" ".join(words[start : end + 1]) for start in starts]
            if named:
                runs.append(named)
        if word in _NOT_NAMES:
            first = end + 1
    return runs


def suggest(gazetteer: Gazetteer, text: str, limit: int = 3) -> list[GazetteerEntry]:
    """At most `limit` streets a typed place (`text`, "the underpass by Albert Road") may be on.

    The gazetteer's answers for the whole text if it has any. Otherwise, for each street suffix
    of the text ("road", "rd", ...: `STREET_SUFFIXES`), the answers for the longest run of words
    ending with it that has any (`street_runs`); the runs' best answers come first, in the order
    the runs come in the text ("Albert Road and Linthorpe Road" suggests both), then their
    second best, and so on, each street once."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    whole_text = gazetteer.search(text, limit)
    if whole_text:
        return whole_text
    answers = []
    for runs in street_runs(normalise(text)):
        hits = next((found for run in runs if (found := gazetteer.search(run, limit))), [])
        answers.append(hits)
    suggested: list[GazetteerEntry] = []
    for rank in range(limit):
        for hits in answers:
            if rank < len(hits) and hits[rank] not in suggested:
                suggested.append(hits[rank])
    return suggested[:limit]
