"""Suspect identification: two-table evidence, and the planted series ranked first."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import compare, compare_tables
from streetlight.linkage.identify import rank_series
from streetlight.linkage.suspects import SuspectIndex
from tests.linkage.planted import LEVELS, fitted, offenders_of, planted


def _concat(a: CrimeTable, b: CrimeTable) -> CrimeTable:
    return CrimeTable(
        ids=np.r_[a.ids, b.ids],
        x=np.r_[a.x, b.x],
        y=np.r_[a.y, b.y],
        t_from=np.r_[a.t_from, b.t_from],
        t_to=np.r_[a.t_to, b.t_to],
        categorical={k: np.r_[v, b.categorical[k]] for k, v in a.categorical.items()},
        levels=a.levels,
    )


def test_two_table_evidence_is_compare_on_the_concatenated_table() -> None:
    crimes, _ = planted(series=5, size=4, one_off=30, seed=6)
    a, b = crimes.take(np.arange(20)), crimes.take(np.arange(20, 50))
    rng = np.random.default_rng(0)
    i, j = rng.integers(0, 20, 300), rng.integers(0, 30, 300)
    two = compare_tables(a, i, b, j)
    one = compare(_concat(a, b), i, j + 20)
    for name in ("spatial", "temporal", "tod", "dow"):
        np.testing.assert_array_equal(getattr(two, name), getattr(one, name))
    np.testing.assert_array_equal(two.categorical["entry"], one.categorical["entry"])
    # `b` read from another file: its levels in another order, one level `a` never saw, and an
    # unknown value. Matches are by level name.
    codes = b.categorical["entry"]
    recoded = CrimeTable(
        **{
            **b.__dict__,
            "categorical": {"entry": np.where(np.arange(30) == 0, -1, 3 - codes).astype(np.int32)},
            "levels": {"entry": (*LEVELS[::-1], "chimney")},
        }
    )
    other = compare_tables(a, i, recoded, j)
    expected = np.where(j == 0, np.nan, one.categorical["entry"])
    np.testing.assert_array_equal(other.categorical["entry"], expected)
    chimney = CrimeTable(**{**recoded.__dict__, "categorical": {"entry": np.full(30, 4, np.int32)}})
    assert (compare_tables(a, i, chimney, j).categorical["entry"] == 0).all()


def test_planted_series_comes_first() -> None:
    crimes, who = planted(series=30, size=6, one_off=300, seed=7)
    model = fitted(crimes, who)
    # Hold out the first crime of each series; index the rest with their offenders.
    held = np.array([np.flatnonzero(who == s)[0] for s in range(30)])
    rest = np.setdiff1d(np.arange(len(crimes)), held)
    index = SuspectIndex.build(crimes.take(rest), offenders_of(crimes.take(rest), who[rest]), model)
    assert len(index) == len(rest)
    queries = crimes.take(held)
    for s in range(30):
        suspects = index.identify(queries, row=s, top=3)
        assert suspects[0].offender == f"s{s}"
        assert suspects[0].compared == 5
        assert suspects[0].strongest_crime in set(crimes.ids[who == s].tolist())
        assert suspects[0].score >= suspects[1].score


def test_scores_are_rank_series_of_the_crimes_within_the_limits() -> None:
    crimes, who = planted(series=8, size=4, one_off=40, seed=8)
    model = fitted(crimes, who)
    # Crime 0 is also attributed to a co-offender, and one offender row names a crime not held.
    offenders = offenders_of(crimes, who)
    offenders = Offenders(
        offender=np.r_[offenders.offender, ["partner", "ghost"]],
        crime=np.r_[offenders.crime, [crimes.ids[0], "not-a-crime"]],
    )
    index = SuspectIndex.build(crimes, offenders, model, max_days=100, max_metres=10_000)
    query = crimes.take(np.array([5]))
    found = index.identify(query, link="complete", top=None)
    # Brute force: every crime, its offenders, the limits checked directly.
    mid = (query.t_from[0].astype(np.int64) + query.t_to[0].astype(np.int64)) / 2
    mids = (crimes.t_from.astype(np.int64) + crimes.t_to.astype(np.int64)) / 2
    near = (np.abs(mids - mid) <= 100 * 1440) & (
        np.hypot(crimes.x - query.x[0], crimes.y - query.y[0]) <= 10_000
    )
    rows = np.flatnonzero(near)
    bf = model.log_bayes_factor(compare_tables(query, np.zeros(len(rows), np.intp), crimes, rows))
    names = {str(o): k for k, o in enumerate(sorted(set(offenders.offender.tolist())))}
    pair, series = [], []
    for k, r in enumerate(rows):
        for o in offenders.offender[offenders.crime == crimes.ids[r]]:
            pair.append(k)
            series.append(names[str(o)])
    expected = rank_series(bf[pair], series, link="complete")
    assert [names[s.offender] for s in found] == expected.series.tolist()
    np.testing.assert_allclose([s.score for s in found], expected.score)
    assert "ghost" not in {s.offender for s in found}
    assert ("partner" in {s.offender for s in found}) == bool(near[0])


def test_a_crime_with_nothing_within_the_limits_has_no_suspects() -> None:
    crimes, who = planted(series=4, size=3, one_off=5, seed=9)
    index = SuspectIndex.build(crimes, offenders_of(crimes, who), fitted(crimes, who))
    late = CrimeTable(
        **{**crimes.take(np.array([0])).__dict__,
           "t_from": np.array(["2031-01-01T00:00"], dtype="datetime64[m]"),
           "t_to": np.array(["2031-01-01T00:00"], dtype="datetime64[m]")}
    )  # fmt: skip
    assert index.identify(late) == ()
    with pytest.raises(ValueError, match="not a row"):
        index.identify(late, row=1)
