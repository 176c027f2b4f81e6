"""The pair protocol on a small offender graph worked out by hand."""

from __future__ import annotations

import numpy as np

from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.pairs import linked_pairs, make_pairs, series, unlinked_pairs

# Crime -> day (1993-01-01 + day). U is unsolved; X is solved but not in the table.
DAYS = {"A": 0, "B": 10, "C": 400, "D": 20, "E": 30, "F": 40, "G": 300, "U": 5}
ROWS = [
    ("O1", "A"), ("O1", "B"), ("O1", "C"),  # C is over 365 days from A and B
    ("O2", "A"), ("O2", "B"), ("O2", "D"),  # co-offends with O1 on A and B
    ("O3", "E"), ("O3", "X"),
    ("O4", "X"), ("O4", "F"),  # E and F: one group only through X, not in the table
    ("O5", "G"),
]  # fmt: skip


def _crimes() -> CrimeTable:
    names = list(DAYS)
    start = np.datetime64("1993-01-01T00:00") + np.array(
        [DAYS[n] * 1440 for n in names], dtype="timedelta64[m]"
    )
    zeros = np.zeros(len(names))
    return CrimeTable(ids=np.array(names), x=zeros, y=zeros, t_from=start, t_to=start)


def _offenders() -> Offenders:
    return Offenders(offender=np.array([o for o, _ in ROWS]), crime=np.array([c for _, c in ROWS]))


def _named(crimes: CrimeTable, i: np.ndarray, j: np.ndarray) -> list[tuple[str, str]]:
    return [(str(crimes.ids[p]), str(crimes.ids[q])) for p, q in zip(i, j, strict=True)]


def test_groups_are_components_of_every_offender_row() -> None:
    crimes = _crimes()
    s = series(crimes, _offenders())
    group = dict(zip(crimes.ids, s.group, strict=True))
    assert group["A"] == group["B"] == group["C"] == group["D"] == 0
    assert group["E"] == group["F"] == 1  # joined through X
    assert group["G"] == 2
    assert group["U"] == -1
    assert s.groups == 3
    assert len(s.crime) == 9  # the attributions of table crimes (X's two rows are not)


def test_linked_pairs_within_365_days_weighted_one_over_pairs_in_the_series() -> None:
    crimes = _crimes()
    linked = linked_pairs(crimes, series(crimes, _offenders()))
    # O1 has one pair within 365 days (A, B): weight 1; O2 has three: 1/3 each; the pair both
    # series share keeps the smaller weight.
    assert _named(crimes, linked.i, linked.j) == [("A", "B"), ("A", "D"), ("B", "D")]
    np.testing.assert_allclose(linked.weight, [1 / 3, 1 / 3, 1 / 3])
    assert linked.linked.all()


def test_unlinked_pairs_cross_groups_within_365_days_and_repeat_per_seed() -> None:
    crimes = _crimes()
    s = series(crimes, _offenders())
    first = unlinked_pairs(crimes, s, seed=7, m=10)
    again = unlinked_pairs(crimes, s, seed=7, m=10)
    np.testing.assert_array_equal(first.i, again.i)
    np.testing.assert_array_equal(first.j, again.j)
    assert len(first) > 0
    assert (first.i < first.j).all()
    assert (s.group[first.i] >= 0).all() and (s.group[first.j] >= 0).all()
    assert (s.group[first.i] != s.group[first.j]).all()
    days = np.array([DAYS[str(n)] for n in crimes.ids])
    assert (np.abs(days[first.i] - days[first.j]) <= 365).all()
    np.testing.assert_array_equal(first.weight, 1.0)
    assert not first.linked.any()
    pairs = {(int(p), int(q)) for p, q in zip(first.i, first.j, strict=True)}
    assert len(pairs) == len(first)


def test_different_seeds_draw_different_samples() -> None:
    crimes = _crimes()
    s = series(crimes, _offenders())
    drawn = {tuple(unlinked_pairs(crimes, s, seed=seed, m=2).i.tolist()) for seed in range(10)}
    assert len(drawn) > 1


def test_make_pairs_puts_linked_then_unlinked() -> None:
    crimes = _crimes()
    pairs = make_pairs(crimes, _offenders(), seed=1, m=10)
    assert pairs.linked[:3].all() and not pairs.linked[3:].any()
    assert len(pairs) == 3 + len(unlinked_pairs(crimes, series(crimes, _offenders()), seed=1, m=10))


def test_one_group_has_no_unlinked_pairs() -> None:
    crimes = _crimes()
    only = Offenders(offender=np.array(["O1", "O1"]), crime=np.array(["A", "B"]))
    assert len(unlinked_pairs(crimes, series(crimes, only), seed=0)) == 0
