"""The street finder's gazetteer: entries from a hand-made frame of snap points, districts from
LSOA names, and searches checked against a brute-force reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

from streetlight.reports.gazetteer import (
    ABBREVIATIONS,
    Gazetteer,
    GazetteerEntry,
    district_of,
    fill_districts,
    lsoa_districts,
    normalise,
    street_runs,
    suggest,
)

MIDDLESBROUGH, STOCKTON, NEW = "E01012000", "E01012500", "E01035189"
DISTRICTS = {MIDDLESBROUGH: "Middlesbrough", STOCKTON: "Stockton-on-Tees"}
# Albert Road in Middlesbrough: three snap points, the middle one the busiest.
ALBERT = [(-1.2360, 54.5740), (-1.2349, 54.5752), (-1.2330, 54.5770)]


def _rows(
    location: str | None, point: tuple[float, float] | None, lsoa: str | None, n: int
) -> list[dict[str, Any]]:
    lon, lat = point if point is not None else (None, None)
    return [{"location": location, "lon": lon, "lat": lat, "lsoa_code": lsoa}] * n


def incidents() -> pl.DataFrame:
    rows: list[dict[str, Any]] = [
        *_rows("On or near Albert Road", ALBERT[0], MIDDLESBROUGH, 3),
        *_rows("On or near Albert Road", ALBERT[1], MIDDLESBROUGH, 5),
        *_rows("On or near Albert Road", ALBERT[2], MIDDLESBROUGH, 4),
        # The same name in another town: another entry.
        *_rows("On or near Albert Road", (-1.3170, 54.5650), STOCKTON, 2),
        *_rows("On or near Albany Street", (-1.3100, 54.5600), STOCKTON, 1),
        *_rows("On or near St Joan'S Grove", (-1.2200, 54.6900), MIDDLESBROUGH, 1),
        *_rows("On or near Élan Close", (-1.2500, 54.5500), "E01099999", 1),  # no district
        # Kinds of place, not streets.
        *_rows("On or near Nightclub", (-1.2340, 54.5760), MIDDLESBROUGH, 9),
        *_rows("On or near Supermarket", (-1.2300, 54.5700), MIDDLESBROUGH, 9),
        *_rows("On or near Parking Area", (-1.2310, 54.5710), MIDDLESBROUGH, 9),
        *_rows("On or near The Cleveland Shopping Centre", (-1.2340, 54.5770), MIDDLESBROUGH, 9),
        # No location, no point.
        *_rows(None, (-1.2300, 54.5700), MIDDLESBROUGH, 2),
        *_rows("On or near Linthorpe Road", None, MIDDLESBROUGH, 2),
    ]
    schema = {"location": pl.String, "lon": pl.Float64, "lat": pl.Float64, "lsoa_code": pl.String}
    extra = pl.Series("category", ["Violence and sexual offences"] * len(rows))
    return pl.DataFrame(rows, schema=schema).with_columns(extra)


@pytest.fixture
def gazetteer() -> Gazetteer:
    return Gazetteer.from_incidents(incidents(), DISTRICTS)


def test_one_entry_per_street_and_district_at_its_busiest_snap_point(
    gazetteer: Gazetteer,
) -> None:
    assert gazetteer.entries == (
        GazetteerEntry("Albany Street", "Stockton-on-Tees", -1.3100, 54.5600, 1),
        GazetteerEntry("Albert Road", "Middlesbrough", *ALBERT[1], 12),
        GazetteerEntry("Albert Road", "Stockton-on-Tees", -1.3170, 54.5650, 2),
        GazetteerEntry("St Joan's Grove", "Middlesbrough", -1.2200, 54.6900, 1),
        GazetteerEntry("Élan Close", "", -1.2500, 54.5500, 1),
    )
    assert gazetteer.entries[1].label == "Albert Road, Middlesbrough"
    assert gazetteer.entries[-1].label == "Élan Close"
    assert len(gazetteer) == 5


def test_the_input_is_not_modified_and_row_order_does_not_matter() -> None:
    frame = incidents()
    before = frame.clone()
    built = Gazetteer.from_incidents(frame, DISTRICTS)
    assert frame.equals(before)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=7)
    assert Gazetteer.from_incidents(shuffled, DISTRICTS).entries == built.entries


def test_a_snap_point_given_two_lsoa_codes_of_one_district_counts_as_one_point() -> None:
    frame = pl.DataFrame(
        _rows("On or near Borough Road", (-1.2300, 54.5700), MIDDLESBROUGH, 2)
        + _rows("On or near Borough Road", (-1.2300, 54.5700), "E01012001", 2)
        + _rows("On or near Borough Road", (-1.2200, 54.5700), MIDDLESBROUGH, 3)
    )
    districts = {**DISTRICTS, "E01012001": "Middlesbrough"}
    [entry] = Gazetteer.from_incidents(frame, districts).entries
    assert (entry.lon, entry.lat, entry.incidents) == (-1.2300, 54.5700, 7)


def test_only_points_within_are_kept() -> None:
    def east_of_minus_1_25(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return lon > -1.25

    kept = Gazetteer.from_incidents(incidents(), DISTRICTS, within=east_of_minus_1_25)
    assert [e.label for e in kept.entries] == [
        "Albert Road, Middlesbrough",
        "St Joan's Grove, Middlesbrough",
    ]
    nothing = Gazetteer.from_incidents(incidents(), within=lambda lon, lat: lon > 0)
    assert nothing.entries == () and nothing.search("albert") == []


def test_without_districts_the_same_name_is_one_entry() -> None:
    albert = [e for e in Gazetteer.from_incidents(incidents()).entries if e.name == "Albert Road"]
    assert albert == [GazetteerEntry("Albert Road", "", *ALBERT[1], 14)]


def test_missing_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="lsoa_code"):
        Gazetteer.from_incidents(incidents().drop("lsoa_code"))


# --- Districts ---------------------------------------------------------------------------------


def _feature(properties: dict[str, str], west: float = 0.0) -> dict[str, Any]:
    ring = [[west, 0.0], [west + 1, 0.0], [west + 1, 1.0], [west, 1.0], [west, 0.0]]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_districts_from_lsoa_names() -> None:
    assert district_of("Hartlepool 009A") == "Hartlepool"
    assert district_of("Redcar and Cleveland 024D") == "Redcar and Cleveland"
    assert district_of("Middlesbrough") == "Middlesbrough"
    features = [
        _feature({"LSOA11CD": "E01011949", "LSOA11NM": "Hartlepool 009A"}),
        _feature({"LSOA21CD": "E01035189", "LSOA21NM": "Middlesbrough 017F"}),
        _feature({"name": "Middlesbrough town centre"}),
        {"type": "Feature", "properties": None, "geometry": None},
    ]
    assert lsoa_districts(features) == {"E01011949": "Hartlepool", "E01035189": "Middlesbrough"}


def test_codes_the_area_does_not_name_take_the_district_they_lie_in() -> None:
    features = [
        _feature({"LSOA11CD": "A", "LSOA11NM": "Hartlepool 001A"}, west=0.0),
        _feature({"LSOA11CD": "B", "LSOA11NM": "Middlesbrough 001A"}, west=1.0),
        _feature({"name": "no LSOA"}, west=2.0),
    ]
    frame = pl.DataFrame(
        {
            "location": ["On or near A Road"] * 6,
            # NEW: two points in Middlesbrough, one in Hartlepool; "C": in no named polygon.
            "lsoa_code": [NEW, NEW, NEW, "A", "C", None],
            "lon": [1.5, 1.6, 0.5, 0.5, 2.5, 0.5],
            "lat": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
        }
    )
    named = lsoa_districts(features)
    assert fill_districts(named, features, frame) == {
        "A": "Hartlepool",
        "B": "Middlesbrough",
        NEW: "Middlesbrough",
    }
    assert named == {"A": "Hartlepool", "B": "Middlesbrough"}  # not modified
    assert fill_districts({}, [], frame) == {}


# --- Searching ---------------------------------------------------------------------------------


def _labels(found: list[GazetteerEntry]) -> list[str]:
    return [e.label for e in found]


def test_every_word_of_the_query_starts_a_word_of_the_name(gazetteer: Gazetteer) -> None:
    assert _labels(gazetteer.search("alb rd")) == [
        "Albert Road, Middlesbrough",
        "Albert Road, Stockton-on-Tees",
    ]
    assert _labels(gazetteer.search("ROAD alb")) == _labels(gazetteer.search("alb rd"))
    assert _labels(gazetteer.search("st joans")) == ["St Joan's Grove, Middlesbrough"]
    assert _labels(gazetteer.search("joan's")) == ["St Joan's Grove, Middlesbrough"]
    assert _labels(gazetteer.search("elan")) == ["Élan Close"]
    assert _labels(gazetteer.search("ÉLAN cl")) == ["Élan Close"]
    assert gazetteer.search("bert") == []  # a prefix of a word, not any part of it
    assert gazetteer.search("albert lane") == []
    assert gazetteer.search("  ") == [] and gazetteer.search("!?") == []


def test_names_that_start_with_the_query_come_first_then_the_busiest(
    gazetteer: Gazetteer,
) -> None:
    # All three start with "al": the busiest first.
    assert _labels(gazetteer.search("al")) == [
        "Albert Road, Middlesbrough",  # 12 incidents
        "Albert Road, Stockton-on-Tees",  # 2
        "Albany Street, Stockton-on-Tees",  # 1
    ]
    found = Gazetteer.of(
        [
            GazetteerEntry("Park Road", "", 0.0, 0.0, 50),
            GazetteerEntry("Road Lane", "", 0.0, 0.0, 1),
            GazetteerEntry("Roads End", "", 0.0, 0.0, 2),
        ]
    ).search("road")
    assert [e.name for e in found] == ["Roads End", "Road Lane", "Park Road"]
    assert len(gazetteer.search("a", limit=2)) == 2
    with pytest.raises(ValueError, match="limit"):
        gazetteer.search("albert", limit=0)


def test_normalise() -> None:
    assert normalise("St. John\u2019s  Road") == ("st", "johns", "road")
    assert normalise("Stockton-on-Tees") == ("stockton", "on", "tees")
    assert normalise("ÉGLISE Crèche") == ("eglise", "creche")


# --- Brute force -------------------------------------------------------------------------------

FIRST = ["Albert", "Albany", "Abbey", "Acklam", "Linthorpe", "Lindsay", "Marton", "Saint", "Élan"]
LAST = ["Road", "Street", "Lane", "Court", "Gardens", "Terrace", "Park", "Way", "Close", "Green"]
DISTRICT_NAMES = ["Middlesbrough", "Stockton-on-Tees", "Hartlepool", ""]


def _reference(
    entries: tuple[GazetteerEntry, ...], words: list[tuple[str, ...]], query: str
) -> list[GazetteerEntry]:
    """The definition, entry by entry (`words`: each entry's normalised name), with no index."""
    typed = normalise(query)

    def starts(word: str, part: str) -> bool:
        return any(word.startswith(p) for p in (part, *ABBREVIATIONS.get(part, ())))

    found = []
    for entry, name in zip(entries, words, strict=True):
        if typed and all(any(starts(w, t) for w in name) for t in typed):
            leads = len(typed) <= len(name) and all(
                starts(w, t) for w, t in zip(name, typed, strict=False)
            )
            found.append((not leads, -entry.incidents, entry.name, entry.district, entry))
    return [row[-1] for row in sorted(found, key=lambda row: row[:4])]


def test_search_agrees_with_a_brute_force_reference() -> None:
    rng = np.random.default_rng(20240601)
    rows = []
    for _ in range(600):
        words = [*rng.choice(FIRST, size=rng.integers(1, 3)), rng.choice(LAST)]
        rows += _rows(
            "On or near " + " ".join(words),
            (round(float(rng.uniform(-1.3, -1.2)), 4), round(float(rng.uniform(54.5, 54.6)), 4)),
            str(rng.choice(["M", "S", "H", "X"])),
            int(rng.integers(1, 4)),
        )
    districts = {"M": DISTRICT_NAMES[0], "S": DISTRICT_NAMES[1], "H": DISTRICT_NAMES[2]}
    gazetteer = Gazetteer.from_incidents(pl.DataFrame(rows), districts)
    assert len(gazetteer) > 100
    vocabulary = [w.lower() for w in FIRST + LAST] + list(ABBREVIATIONS)
    queries = ["a", "al rd", "saint st", "elan", "ÉL", "gdns", "ct ab", "zzz", "lin ter", "park"]
    for _ in range(300):
        typed = rng.choice(vocabulary, size=rng.integers(1, 4))
        queries.append(" ".join(w[: rng.integers(1, len(w) + 1)] for w in typed))
    words = [normalise(e.name) for e in gazetteer.entries]
    for query in queries:
        expected = _reference(gazetteer.entries, words, query)
        for limit in (1, 8, 1000):
            assert gazetteer.search(query, limit) == expected[:limit], (query, limit)
    assert any(len(_reference(gazetteer.entries, words, q)) > 8 for q in queries)


def test_street_runs_end_with_a_suffix_and_hold_no_little_word() -> None:
    assert street_runs(normalise("the underpass by Albert Road")) == [["albert road"]]
    assert street_runs(normalise("Bus stop, upper Albert Park Rd")) == [
        ["stop upper albert park", "upper albert park", "albert park"],
        ["upper albert park rd", "albert park rd", "park rd"],
    ]
    assert street_runs(normalise("road by the park")) == [["the park"]]
    assert street_runs(normalise("Road")) == []
    assert street_runs(normalise("near the shops")) == []


def test_suggest_the_whole_text_first(gazetteer: Gazetteer) -> None:
    albert = gazetteer.search("albert road")
    assert suggest(gazetteer, "Albert Rd") == albert[:3]
    assert suggest(gazetteer, "alb", limit=1) == albert[:1]
    with pytest.raises(ValueError, match="limit"):
        suggest(gazetteer, "albert", limit=0)


def test_suggest_the_streets_named_in_a_longer_text(gazetteer: Gazetteer) -> None:
    middlesbrough, stockton = gazetteer.search("albert road")
    albany = gazetteer.search("albany street")[0]
    joan = gazetteer.search("joan")[0]
    assert suggest(gazetteer, "the underpass by Albert Road") == [middlesbrough, stockton]
    assert suggest(gazetteer, "the underpass by Albert Road", limit=1) == [middlesbrough]
    # The longest run with an answer: "the underpass by" and "underpass by" find nothing.
    assert suggest(gazetteer, "Dark alley off St Joan's Grove") == [joan]
    # Each street of the text: the best of each first.
    assert suggest(gazetteer, "corner of Albany St and Albert Rd") == [
        albany,
        middlesbrough,
        stockton,
    ]
    assert suggest(gazetteer, "Albert Rd and Albert Road, by the shops") == [
        middlesbrough,
        stockton,
    ]
    assert suggest(gazetteer, "the underpass by the station") == []
    assert suggest(gazetteer, "Linthorpe Road") == []  # no such street in the gazetteer
    assert suggest(gazetteer, "") == []
    assert suggest(Gazetteer.of(()), "the underpass by Albert Road") == []
