"""The index finds exactly the pairs a brute-force look at all n^2 pairs finds."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.index import (
    build_index,
    candidate_pairs,
    count_chunks,
    count_pairs,
    iter_candidate_pairs,
    near,
)
from streetlight.linkage.pairs import midpoint_days


def _random(n: int, seed: int) -> CrimeTable:
    """Crimes on a 2 km square over two years; a third exact times, the rest windows up to two
    weeks; coordinates on a 10 m grid and times on whole minutes, so many pairs tie exactly."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-01-01T00:00") + rng.integers(0, 730 * 1440, n).astype(
        "timedelta64[m]"
    )
    width = np.where(rng.random(n) < 1 / 3, 0, rng.integers(0, 14 * 1440, n))
    return CrimeTable(
        ids=np.array([f"c{k}" for k in range(n)]),
        x=(rng.integers(0, 200, n) * 10).astype(np.float64),
        y=(rng.integers(0, 200, n) * 10).astype(np.float64),
        t_from=start,
        t_to=start + width.astype("timedelta64[m]"),
    )


def _brute(crimes: CrimeTable, max_days: float, max_metres: float | None) -> set[tuple[int, int]]:
    mid = midpoint_days(crimes)
    i, j = np.triu_indices(len(crimes), k=1)
    keep = np.abs(mid[i] - mid[j]) <= max_days + 1e-9
    if max_metres is not None:
        keep &= np.hypot(crimes.x[i] - crimes.x[j], crimes.y[i] - crimes.y[j]) <= max_metres
    return set(zip(i[keep].tolist(), j[keep].tolist(), strict=True))


@pytest.mark.parametrize("max_metres", [None, 500.0, 0.0])
@pytest.mark.parametrize("max_days", [0.0, 30.0, 365.0])
def test_candidate_pairs_are_the_brute_force_pairs(
    max_days: float, max_metres: float | None
) -> None:
    crimes = _random(400, seed=int(max_days))
    # Small chunks: many chunk boundaries, each run crossing several.
    i, j = candidate_pairs(crimes, max_days=max_days, max_metres=max_metres, chunk_pairs=997)
    assert (i < j).all()
    found = list(zip(i.tolist(), j.tolist(), strict=True))
    assert len(found) == len(set(found))  # no pair twice
    assert set(found) == _brute(crimes, max_days, max_metres)
    assert found == sorted(found)


def test_pairs_exactly_at_either_limit_are_in_and_just_past_them_out() -> None:
    t = np.datetime64("2024-01-01T00:00")
    day = np.timedelta64(1440, "m")
    crimes = CrimeTable(
        ids=np.array(["a", "b", "c", "d", "e"]),
        x=np.array([0.0, 3000.0, 3000.0, 0.0, 0.0]),
        y=np.array([0.0, 4000.0, 4001.0, 0.0, 0.0]),
        # b: midpoint 365 days after a's (a window of 2 days centred there); c likewise;
        # d: 365 days and one minute; e: a window whose start is near but midpoint is not.
        t_from=np.array([t, t + 364 * day, t + 364 * day, t + 365 * day, t - 800 * day]),
        t_to=np.array([t, t + 366 * day, t + 366 * day, t + 365 * day + np.timedelta64(1, "m"), t]),
    )
    i, j = candidate_pairs(crimes, max_days=365, max_metres=5000)
    pairs = set(zip(i.tolist(), j.tolist(), strict=True))
    assert (0, 1) in pairs  # 365 days and exactly 5 km
    assert (0, 2) not in pairs  # 5000.2 m
    assert (0, 3) not in pairs  # one minute past 365 days
    assert (0, 4) not in pairs  # window ends at a's time, but its midpoint is 400 days before
    assert (1, 2) in pairs and (1, 3) in pairs


def test_chunks_cover_the_pairs_once_and_are_counted_in_advance() -> None:
    crimes = _random(300, seed=7)
    index = build_index(crimes)
    chunks = list(iter_candidate_pairs(index, max_days=60, chunk_pairs=500))
    assert len(chunks) == count_chunks(index, max_days=60, chunk_pairs=500)
    # No chunk holds much more than asked (one crime's run at most).
    assert max(len(c[0]) for c in chunks) <= 500
    assert sum(len(c[0]) for c in chunks) == count_pairs(index, max_days=60)
    assert count_pairs(index, max_days=60) == len(_brute(crimes, 60, None))


def test_permuting_rows_permutes_the_pairs() -> None:
    crimes = _random(200, seed=3)
    perm = np.random.default_rng(0).permutation(200)
    shuffled = CrimeTable(
        ids=crimes.ids[perm],
        x=crimes.x[perm],
        y=crimes.y[perm],
        t_from=crimes.t_from[perm],
        t_to=crimes.t_to[perm],
    )
    i, j = candidate_pairs(crimes, max_days=90, max_metres=800)
    si, sj = candidate_pairs(shuffled, max_days=90, max_metres=800)
    back = {tuple(sorted((int(perm[a]), int(perm[b])))) for a, b in zip(si, sj, strict=True)}
    assert back == set(zip(i.tolist(), j.tolist(), strict=True))


@pytest.mark.parametrize("max_metres", [None, 400.0])
def test_near_finds_a_crime_s_pairs_as_the_all_pairs_search_does(max_metres: float | None) -> None:
    crimes = _random(300, seed=11)
    indexed = CrimeTable(
        ids=crimes.ids[1:], x=crimes.x[1:], y=crimes.y[1:],
        t_from=crimes.t_from[1:], t_to=crimes.t_to[1:],
    )  # fmt: skip
    query = CrimeTable(
        ids=crimes.ids[:1], x=crimes.x[:1], y=crimes.y[:1],
        t_from=crimes.t_from[:1], t_to=crimes.t_to[:1],
    )  # fmt: skip
    q, rows = near(build_index(indexed), query, max_days=100, max_metres=max_metres)
    assert (q == 0).all()
    expected = {j - 1 for i, j in _brute(crimes, 100, max_metres) if i == 0}
    assert set(rows.tolist()) == expected and len(rows) == len(expected)


def test_empty_tables_and_bad_limits() -> None:
    empty = _random(0, seed=1)
    i, j = candidate_pairs(empty)
    assert len(i) == len(j) == 0
    with pytest.raises(ValueError, match="max_days"):
        candidate_pairs(empty, max_days=-1)
    with pytest.raises(ValueError, match="max_metres"):
        candidate_pairs(empty, max_metres=float("nan"))
