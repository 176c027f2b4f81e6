"""The crimelinkage example data (GPL-3, kept outside the repository in ../shared): its counts
and the figures the package's vignette prints for it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from streetlight.linkage.crimes import (
    CrimeTable,
    Offenders,
    read_crimes,
    read_mapping,
)
from streetlight.linkage.evidence import compare
from streetlight.linkage.pairs import Series, linked_pairs, series, unlinked_pairs
from tests.linkage.crimelinkage_data import DATA, MAPPING, needs_data, read_data

Data = tuple[CrimeTable, Series]

pytestmark = needs_data


@pytest.fixture(scope="module")
def data() -> Data:
    crimes, offenders = read_data()
    return crimes, series(crimes, offenders)


def test_counts_match_the_data_and_the_vignette(data: Data) -> None:
    crimes, s = data
    assert len(crimes) == 490 and crimes.quarantined == ()
    assert int((s.group >= 0).sum()) == 390  # solved crimes
    assert s.groups == 289
    # The vignette's table of crimes per offender: 328 with one, 39 with two, ...
    lengths = Counter(Counter(s.offender.tolist()).values())
    assert lengths == {1: 328, 2: 39, 3: 6, 4: 4, 5: 2, 6: 6, 7: 1, 14: 1}


def test_linked_pairs_are_the_vignettes_255(data: Data) -> None:
    crimes, s = data
    linked = linked_pairs(crimes, s)
    assert len(linked) == 255
    # Each series with a pair weighs at most 1 (less where co-offenders share pairs).
    assert 0 < linked.weight.sum() <= len(set(s.offender.tolist()))


def test_unlinked_sample_is_near_the_vignettes_10932(data: Data) -> None:
    crimes, s = data
    counts = [len(unlinked_pairs(crimes, s, seed=seed)) for seed in range(3)]
    # m = 40 from each of 289 groups is 11,560 draws, less repeats and pairs over 365 days.
    assert all(10_600 <= c <= 11_200 for c in counts), counts
    assert len(unlinked_pairs(crimes, s, seed=0)) == counts[0]


def test_evidence_matches_the_vignettes_rows(data: Data) -> None:
    crimes, _ = data
    i = crimes.index(["C:106", "C:106", "C:107"])
    j = crimes.index(["C:123", "C:124", "C:111"])
    e = compare(crimes, i, j)
    np.testing.assert_allclose(e.spatial / 1000, [2.64874725, 1.74753462, 0.0], atol=1e-8)
    np.testing.assert_allclose(e.temporal, [15.068056, 14.953472, 3.364583], atol=1e-6)
    np.testing.assert_allclose(e.tod, [1.717840, 4.077934, 7.362903], atol=1e-3)
    np.testing.assert_allclose(e.dow, [1.0680556, 0.9534722, 3.3065667], atol=1e-3)
    np.testing.assert_array_equal(e.categorical["MO3"], [1.0, 0.0, 0.0])


def test_long_windows_are_exact_where_crimelinkage_rounds_to_a_quarter_period(data: Data) -> None:
    """C:103 is known only within 15 days: crimelinkage gives 24/4 h and 7/4 d for any window
    longer than the period; the exact value is a little below."""
    crimes, _ = data
    e = compare(crimes, crimes.index(["C:103"]), crimes.index(["C:97"]))
    np.testing.assert_allclose(e.temporal, [5.684315], atol=1e-6)
    assert 5.9 < e.tod[0] < 6.0 and 1.7 < e.dow[0] < 1.75


def test_shuffling_the_offender_rows_changes_no_pair(data: Data) -> None:
    crimes, _ = data
    _, offenders = read_data()
    order = np.random.default_rng(5).permutation(len(offenders.offender))
    shuffled = Offenders(offender=offenders.offender[order], crime=offenders.crime[order])
    a = linked_pairs(crimes, series(crimes, offenders))
    b = linked_pairs(crimes, series(crimes, shuffled))
    np.testing.assert_array_equal(a.i, b.i)
    np.testing.assert_array_equal(a.j, b.j)
    np.testing.assert_array_equal(a.weight, b.weight)
    np.testing.assert_array_equal(series(crimes, offenders).group, series(crimes, shuffled).group)


def test_evidence_does_not_depend_on_the_order_of_the_table(data: Data) -> None:
    crimes, _ = data
    order = np.random.default_rng(6).permutation(len(crimes))
    shuffled = CrimeTable(
        ids=crimes.ids[order],
        x=crimes.x[order],
        y=crimes.y[order],
        t_from=crimes.t_from[order],
        t_to=crimes.t_to[order],
        categorical={k: v[order] for k, v in crimes.categorical.items()},
        levels=crimes.levels,
    )
    rng = np.random.default_rng(7)
    i, j = rng.integers(0, len(crimes), (2, 500))
    where = np.argsort(order)  # row of each original crime in the shuffled table
    a, b = compare(crimes, i, j), compare(shuffled, where[i], where[j])
    for name in ["spatial", "temporal", "tod", "dow"]:
        np.testing.assert_allclose(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.categorical["MO1"], b.categorical["MO1"])


def test_without_swapping_the_fourteen_reversed_windows_are_quarantined(tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text(
        MAPPING.read_text(encoding="utf-8").replace('reversed_window = "swap"', ""),
        encoding="utf-8",
    )
    crimes = read_crimes(DATA / "crimes.csv", read_mapping(strict))
    assert len(crimes) == 476
    assert {b.field for b in crimes.quarantined} == {"DATE_TO"}
    assert [b.row for b in crimes.quarantined][:3] == [64, 112, 152]
