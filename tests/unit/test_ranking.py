"""The harm rankings on a handful of allegations worked out by hand: exact scores, their
decomposition offence by offence, the window's edges, nothing after `as_of`, victims counted
once, replaceable weights and the errors a bad weights file gives."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from streetlight.unit.errors import RankingError, WeightsError
from streetlight.unit.extract import read_offence_codes
from streetlight.unit.harm import SUBGROUP_HARM
from streetlight.unit.ranking import RFGV_PARTS, Ranking
from streetlight.unit.ranking_weights import RFGV_WEIGHTS, read_harm_weights, read_rfgv_weights
from streetlight.unit.synthetic import SyntheticConfig, SyntheticForce, generate

AS_OF = date(2025, 10, 28)  # London is on GMT: local times are UTC
RAPE, HARASSMENT, SEXUAL_ASSAULT, COERCION = 2555.0, 10.0, 182.25, 10.0

# (offence, code, vawg, reported at (London), relationship, suspect, victims)
Row = tuple[str, str, bool | None, str, str, str, list[str]]
ROWS: list[Row] = [
    ("O1", "19C", None, "2025-10-28 23:59:59", "stranger", "A", ["V1"]),  # last second in
    ("O2", "8L", None, "2024-10-29 00:00:00", "partner", "A", ["V1"]),  # first second in
    ("O3", "20A", None, "2024-10-28 23:59:59", "partner", "A", ["V2"]),  # a second too old
    ("O4", "8N", False, "2025-06-01 10:00:00", "partner", "A", ["V2"]),  # not VAWG
    ("O5", "19C", None, "2025-10-29 00:00:00", "partner", "A", ["V2"]),  # after as_of
    ("O6", "20A", None, "2025-05-01 12:00:00", "stranger", "B", ["V3", "V4"]),
    ("O7", "8U", None, "2025-09-01 09:00:00", "partner", "B", ["V3"]),
    ("O8", "88E", None, "2025-03-01 18:00:00", "stranger", "C", ["V5"]),
    ("O9", "20A", None, "2025-02-01 18:00:00", "stranger", "D", ["V6"]),
]


def _frames(rows: Sequence[Row]) -> tuple[pl.DataFrame, pl.DataFrame]:
    offences = pl.DataFrame(
        {
            "offence_ref": [r[0] for r in rows],
            "ho_code": [r[1] for r in rows],
            "vawg": [r[2] for r in rows],
            "reported_at": [datetime.fromisoformat(r[3]) for r in rows],
            "relationship": [r[4] for r in rows],
        },
        schema_overrides={"vawg": pl.Boolean},
    )
    links = pl.DataFrame(
        [(r[5], r[0], "suspect") for r in rows]
        + [(v, r[0], "victim") for r in rows for v in r[6]]
        + [("W", "O1", "witness")],
        schema=["person_ref", "offence_ref", "role"],
        orient="row",
    )
    return offences, links


OFFENCES, LINKS = _frames(ROWS)


def _table(r: Ranking) -> list[tuple[int, str, float, int, int, str]]:
    return [(p.rank, p.person, p.score, p.allegations, p.victims, p.top_offence) for p in r.top(10)]


def test_v100_sums_cchi_days_of_vawg_allegations_in_the_365_days() -> None:
    r = Ranking(method="v100").fit(OFFENCES, LINKS, as_of=AS_OF)
    assert _table(r) == [
        (1, "A", RAPE + HARASSMENT, 2, 1, "O1"),
        (2, "B", SEXUAL_ASSAULT + COERCION, 2, 2, "O6"),  # V3 is counted once
        (3, "C", SEXUAL_ASSAULT, 1, 1, "O8"),  # ties with D: C's allegation is the more recent
        (4, "D", SEXUAL_ASSAULT, 1, 1, "O9"),
    ]
    parts = r.contributions("A")
    assert [(c.offence_ref, c.subgroup, c.weight, c.contribution) for c in parts] == [
        ("O2", "Stalking and harassment", 10.0, 10.0),
        ("O1", "Rape offences", 2555.0, 2555.0),
    ]
    assert sum(c.contribution for c in parts) == r.top(1)[0].score
    assert parts[1].reported_at == datetime(2025, 10, 28, 23, 59, 59, tzinfo=UTC)
    assert r.explain("A") == (
        "Rank 1 of 4 by v100 as of 2025-10-28. 2 VAWG allegation(s) as suspect reported in the "
        "365 days to 2025-10-28, against 1 victim(s): O2 (2024-10-29, Stalking and harassment, "
        "10) + O1 (2025-10-28, Rape offences, 2,555) = 2,565 CCHI days."
    )
    assert r.explain("W").startswith("Not ranked by v100 as of 2025-10-28: no VAWG allegation")


def test_the_window_moves_with_as_of_and_sees_nothing_later() -> None:
    # A day later O2 has aged out and O5 is in.
    later = Ranking(method="v100").fit(OFFENCES, LINKS, as_of=date(2025, 10, 29))
    assert [c.offence_ref for c in later.contributions("A")] == ["O1", "O5"]
    # An instant: the 365 days of 24 hours up to and including it.
    instant = datetime(2025, 10, 28, 23, 59, 58, tzinfo=UTC)
    before = Ranking(method="v100").fit(OFFENCES, LINKS, as_of=instant)
    assert [c.offence_ref for c in before.contributions("A")] == ["O3", "O2"]
    assert Ranking().fit(OFFENCES, LINKS, as_of=datetime(2023, 1, 1, tzinfo=UTC)).top(5) == ()
    # The same instants given as UTC in the frame: the same ranking.
    utc = OFFENCES.with_columns(
        pl.col("reported_at").dt.replace_time_zone("Europe/London").dt.convert_time_zone("UTC")
    )
    same = Ranking(method="v100").fit(utc, LINKS, as_of=AS_OF)
    assert same.scores_.equals(Ranking(method="v100").fit(OFFENCES, LINKS, as_of=AS_OF).scores_)
    with pytest.raises(RankingError, match="naive"):
        Ranking().fit(OFFENCES, LINKS, as_of=datetime(2025, 10, 28))


def test_rows_in_any_order_rank_the_same() -> None:
    a = Ranking(method="v100").fit(OFFENCES, LINKS, as_of=AS_OF)
    b = Ranking(method="v100").fit(
        OFFENCES.sample(fraction=1.0, shuffle=True, seed=3),
        LINKS.sample(fraction=1.0, shuffle=True, seed=4),
        as_of=AS_OF,
    )
    assert a.scores_.equals(b.scores_) and a.contributions_.equals(b.contributions_)


def test_count_and_recent() -> None:
    count = Ranking(method="count").fit(OFFENCES, LINKS, as_of=AS_OF)
    # A and B both have 2: A's latest allegation is the more recent.
    assert _table(count) == [
        (1, "A", 2.0, 2, 1, "O1"),
        (2, "B", 2.0, 2, 2, "O7"),
        (3, "C", 1.0, 1, 1, "O8"),
        (4, "D", 1.0, 1, 1, "O9"),
    ]
    as_of = datetime(2025, 10, 1, 8, 0, tzinfo=UTC)  # B's O7 (09:00 BST): 30 days before

    def left(reported: datetime) -> float:
        return 365 - (as_of - reported).total_seconds() / 86400

    recent = Ranking(method="recent").fit(OFFENCES, LINKS, as_of=as_of)
    top = recent.top(10)
    assert [p.person for p in top] == ["B", "C", "D", "A"]
    assert [p.score for p in top] == pytest.approx(
        [
            335.0,
            left(datetime(2025, 3, 1, 18, tzinfo=UTC)),
            left(datetime(2025, 2, 1, 18, tzinfo=UTC)),
            # A's O4 is not VAWG and O1 is not yet reported: O2 is A's latest.
            left(datetime(2024, 10, 29, tzinfo=UTC)),
        ],
        abs=1e-9,
    )
    assert [(c.offence_ref, c.contribution) for c in recent.contributions("B")] == [
        ("O6", 0.0),
        ("O7", 335.0),
    ]
    assert "score 365 - 30.00 = 335.00" in recent.explain("B")


RFGV_TOML = """
window_days = 1095
[eligibility]
min_records = 2
min_victims = 2
[recency]
bands = [{ within_days = 365, points = 1.0 }, { within_days = 30, points = 4.0 }]
[frequency]
points_per_record = 1.0
[gravity]
points_per_cchi_day = 0.25
[victims]
points_per_victim = 2.0
"""

DOMESTIC_ROWS: list[Row] = [
    ("R1", "8N", None, "2023-01-10 10:00:00", "partner", "E", ["W1"]),
    ("R2", "105A", None, "2025-01-01 10:00:00", "ex_partner", "E", ["W1", "W2"]),
    ("R3", "8L", None, "2025-10-20 12:00:00", "family", "E", ["W2"]),  # 8 whole days old
    ("R4", "19C", None, "2025-10-21 12:00:00", "stranger", "E", ["W3"]),  # not domestic
    ("R5", "8N", None, "2022-10-29 12:00:00", "partner", "E", ["W4"]),  # before the 1,095 days
    ("R6", "8N", None, "2025-01-01 10:00:00", "partner", "F", ["W5"]),  # F: one victim
    ("R7", "8N", None, "2025-02-01 10:00:00", "partner", "F", ["W5"]),
    ("R8", "8N", None, "2025-02-01 10:00:00", "partner", "G", ["W6", "W7"]),  # G: one record
]


def test_rfgv_scores_eligible_serial_perpetrators_part_by_part(tmp_path: Path) -> None:
    weights = tmp_path / "rfgv.toml"
    weights.write_text(RFGV_TOML, encoding="utf-8")
    offences, links = _frames(DOMESTIC_ROWS)
    r = Ranking(method="rfgv", rfgv=read_rfgv_weights(weights)).fit(offences, links, as_of=AS_OF)
    assert _table(r) == [(1, "E", 94.25 + 5.5 + 7.5, 3, 2, "R1")]
    parts = r.contributions("E")
    assert [(c.offence_ref, c.weight, dict(c.parts), c.contribution) for c in parts] == [
        ("R1", 365.0, {"recency": 0.0, "frequency": 1.0, "gravity": 91.25, "victims": 2.0}, 94.25),
        ("R2", 10.0, {"recency": 0.0, "frequency": 1.0, "gravity": 2.5, "victims": 2.0}, 5.5),
        ("R3", 10.0, {"recency": 4.0, "frequency": 1.0, "gravity": 2.5, "victims": 0.0}, 7.5),
    ]
    text = r.explain("E")
    assert "Recency: the latest, R3 (2025-10-20), 4 points; frequency: 3 x 1 = 3;" in text
    assert "gravity: 385 CCHI days x 0.25 = 96.25; victims: 2 x 2 = 4; total 107.25." in text
    assert r.explain("F").startswith("Not ranked by rfgv as of 2025-10-28: fewer than 2")
    # With the shipped weights: the same records, MATAC's eligibility, other points.
    shipped = Ranking(method="rfgv").fit(offences, links, as_of=AS_OF)
    (e,) = shipped.top(5)
    assert e.score == pytest.approx(3 * 1.0 + 385 * 0.01 + 2 * 2.0 + 4.0)


def test_weights_are_replaceable(tmp_path: Path) -> None:
    custom = tmp_path / "harm.csv"
    text = SUBGROUP_HARM.read_text(encoding="utf-8")
    custom.write_text(text.replace("Rape offences,17,1825,2555,", "Rape offences,17,1825,1000,"))
    r = Ranking(harm=read_harm_weights(custom)).fit(OFFENCES, LINKS, as_of=AS_OF)
    assert r.top(1)[0].score == 1000.0 + HARASSMENT
    assert read_rfgv_weights() == read_rfgv_weights(RFGV_WEIGHTS)


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_bad_harm_table_names_file_row_and_field(tmp_path: Path) -> None:
    with SUBGROUP_HARM.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    bad = tmp_path / "bad.csv"
    _write_rows(bad, [rows[0], {**rows[1], "median_days": "lots"}])
    with pytest.raises(WeightsError, match=rf"^{bad}: row 3, median_days: not a number$"):
        read_harm_weights(bad)
    _write_rows(bad, [{k: v for k, v in row.items() if k != "median_days"} for row in rows])
    with pytest.raises(WeightsError, match=r"row 1: no column median_days$"):
        read_harm_weights(bad)
    _write_rows(bad, [rows[0], {**rows[2], "median_days": "-1"}])
    with pytest.raises(WeightsError, match=r"row 3, median_days: not a number of days >= 0$"):
        read_harm_weights(bad)
    with pytest.raises(WeightsError, match="no such file"):
        read_harm_weights(tmp_path / "none.csv")
    # A table without a subgroup the allegations need: refused, not weighed as 0.
    _write_rows(bad, [row for row in rows if row["prc_subgroup"] != "Rape offences"])
    with pytest.raises(WeightsError, match=rf"^{bad}: no row for subgroup 'Rape offences'"):
        Ranking(harm=read_harm_weights(bad)).fit(OFFENCES, LINKS, as_of=AS_OF)


def test_a_bad_rfgv_file_names_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "rfgv.toml"
    cases = {
        RFGV_TOML.replace("[gravity]\npoints_per_cchi_day = 0.25\n", ""): r"\[gravity\] is missing",
        RFGV_TOML.replace("points = 4.0", 'points = "many"'): r"recency\.bands\[1\]\.points",
        RFGV_TOML.replace("min_victims = 2", "min_victims = 1.5"): r"eligibility\.min_victims",
        RFGV_TOML.replace("window_days = 1095", "window_days = 0"): r"window_days: needs a whole",
        "window_days = ": "not valid TOML",
    }
    for text, message in cases.items():
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(WeightsError, match=rf"^{bad}: .*{message}"):
            read_rfgv_weights(bad)


def test_an_unknown_method_or_an_unfitted_ranking_is_refused() -> None:
    with pytest.raises(RankingError, match="'v200' is not one of v100, rfgv, count, recent"):
        Ranking(method="v200").fit(OFFENCES, LINKS, as_of=AS_OF)
    with pytest.raises(RankingError, match="not fitted"):
        Ranking().top(3)
    with pytest.raises(RankingError, match="unknown time zone 'Mars/Olympus'"):
        Ranking(zone="Mars/Olympus").fit(OFFENCES, LINKS, as_of=AS_OF)
    with pytest.raises(RankingError, match=r"^offences: no column relationship"):
        Ranking(method="rfgv").fit(OFFENCES.drop("relationship"), LINKS, as_of=AS_OF)


# --- against a brute-force reference, on a small synthetic force (people who are not real) ------


@pytest.fixture(scope="module")
def force() -> SyntheticForce:
    return generate(SyntheticConfig(perpetrators_per_year=400.0, years=2), 11)


def _reference_v100(force: SyntheticForce, as_of: date) -> dict[str, tuple[float, int, int]]:
    """Per suspect: summed CCHI days, allegations and distinct victims, by plain loops."""
    zone = ZoneInfo("Europe/London")
    start = datetime.combine(as_of - timedelta(days=364), datetime.min.time(), zone)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), zone)
    codes, harm = read_offence_codes(), read_harm_weights()
    victims: dict[str, set[str]] = {}
    for row in force.links.filter(pl.col("role") == "victim").iter_rows(named=True):
        victims.setdefault(row["offence_ref"], set()).add(row["person_ref"])
    counted = {}
    for row in force.offences.iter_rows(named=True):
        reported = row["reported_at"].replace(tzinfo=zone)
        vawg = row["vawg"] if row["vawg"] is not None else codes[row["ho_code"]].vawg
        if vawg and start <= reported < end:
            counted[row["offence_ref"]] = harm.days(codes[row["ho_code"]].subgroup)
    per: dict[str, tuple[float, int, set[str]]] = {}
    for row in force.links.filter(pl.col("role") == "suspect").iter_rows(named=True):
        if row["offence_ref"] in counted:
            days, n, seen = per.get(row["person_ref"], (0.0, 0, set()))
            weight = counted[row["offence_ref"]]
            assert weight is not None
            per[row["person_ref"]] = (
                days + weight,
                n + 1,
                seen | victims.get(row["offence_ref"], set()),
            )
    return {p: (days, n, len(seen)) for p, (days, n, seen) in per.items()}


def test_v100_matches_a_brute_force_reference(force: SyntheticForce) -> None:
    as_of = date(2024, 6, 30)
    expected = _reference_v100(force, as_of)
    r = Ranking(method="v100").fit(force.offences, force.links, as_of=as_of)
    got = {p.person: (p.score, p.allegations, p.victims) for p in r.top(r.scores_.height)}
    assert got.keys() == expected.keys() and len(got) > 100
    for person, (score, n, victims) in expected.items():
        assert got[person][1:] == (n, victims), person
        assert got[person][0] == pytest.approx(score), person
    scores = [p.score for p in r.top(len(got))]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("method", ["v100", "rfgv", "count", "recent"])
def test_scores_are_the_sums_of_their_parts_and_see_nothing_later(
    force: SyntheticForce, method: str
) -> None:
    as_of = date(2024, 6, 30)
    r = Ranking(method=method).fit(force.offences, force.links, as_of=as_of)
    sums = r.contributions_.group_by("person_ref").agg(pl.col("contribution").sum())
    both = r.scores_.join(sums, left_on="person", right_on="person_ref")
    assert both.height == r.scores_.height > 0
    assert (both["score"] - both["contribution"]).abs().max() < 1e-9  # type: ignore[operator]
    if method == "rfgv":
        parts = r.contributions_.select(pl.sum_horizontal(*RFGV_PARTS) - pl.col("contribution"))
        assert parts.to_series().abs().max() == 0.0
    # Leakage: everything reported after as_of removed, the ranking is the same.
    cut = datetime(2024, 7, 1)  # local midnight (BST): the synthetic times are local
    known = force.offences.filter(pl.col("reported_at") < cut)
    again = Ranking(method=method).fit(known, force.links, as_of=as_of)
    assert again.scores_.equals(r.scores_)
