"""Series clustering: the same partition as scipy's dense clustering of the whole matrix, and the
planted series found."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, linkage

from streetlight.linkage.identify import LINKS, Link
from streetlight.linkage.scoring import score_all
from streetlight.linkage.series import MAX_COMPONENT, cluster_series
from tests.linkage.planted import fitted, planted


def _partition(label: np.ndarray) -> set[frozenset[int]]:
    """The series as sets of rows (crimes alone left out)."""
    return {frozenset(np.flatnonzero(label == k).tolist()) for k in set(label.tolist()) - {-1}}


def _dense(n: int, i: np.ndarray, j: np.ndarray, bf: np.ndarray, link: Link, threshold: float,
           floor: float) -> set[frozenset[int]]:  # fmt: skip
    """The brute-force reference: every pair in one matrix, scipy's clustering, its flat cut."""
    square = np.full((n, n), floor)
    square[i, j] = bf
    square[j, i] = bf
    cap = square.max()
    tree = linkage(cap - square[np.triu_indices(n, k=1)], method=link)
    flat = fcluster(tree, t=cap - threshold + 1e-9, criterion="distance")
    groups = [np.flatnonzero(flat == f) for f in np.unique(flat)]
    return {frozenset(g.tolist()) for g in groups if len(g) > 1}


@pytest.mark.parametrize("max_component", [MAX_COMPONENT, 2])  # matrices; sparse agglomeration
@pytest.mark.parametrize("link", LINKS)
@pytest.mark.parametrize("scored_share", [1.0, 0.3])
def test_same_series_as_dense_clustering_of_all_pairs(
    link: Link, scored_share: float, max_component: int
) -> None:
    rng = np.random.default_rng(5)
    n = 80
    # Blocks of mutually alike crimes, so that there is structure to find, plus noise.
    block = rng.integers(0, 15, n)
    i, j = np.triu_indices(n, k=1)
    bf = np.where(block[i] == block[j], 4.0, -6.0) + rng.normal(0, 2.5, len(i))
    keep = rng.random(len(i)) < scored_share
    i, j, bf = i[keep], j[keep], bf[keep]
    floor = float(bf.min()) - 1.0 if scored_share < 1 else float(bf.min())
    for threshold in (0.0, 2.0, 4.0):
        found = cluster_series(
            n, i, j, bf, link=link, threshold=threshold, floor=floor, max_component=max_component
        )
        assert _partition(found.label) == _dense(n, i, j, bf, link, threshold, floor)
        assert [len(s) for s in found.series] == sorted(
            (len(s) for s in found.series), reverse=True
        )
        for k, s in enumerate(found.series):
            assert (found.label[s.rows] == k).all()
            assert s.strongest_log_bf >= threshold  # what joined it
            assert s.weakest_log_bf <= s.strongest_log_bf


def test_strongest_and_weakest_links_and_unscored_pairs_at_the_floor() -> None:
    # 0-1 and 1-2 scored high; 0-2 never scored: single linkage chains them.
    found = cluster_series(4, [0, 1, 2], [1, 2, 3], [5.0, 3.0, -2.0], link="single", threshold=1)
    (series,) = found.series
    assert series.rows.tolist() == [0, 1, 2]
    assert series.strongest == (0, 1) and series.strongest_log_bf == 5.0
    assert series.weakest == (0, 2) and series.weakest_log_bf == found.floor == -2.0
    assert found.label.tolist() == [0, 0, 0, -1]
    # Complete linkage will not join 0 and 2: an unscored pair is at the floor.
    complete = cluster_series(
        4, [0, 1, 2], [1, 2, 3], [5.0, 3.0, -2.0], link="complete", threshold=1
    )
    assert _partition(complete.label) == {frozenset({0, 1})}
    assert complete.series[0].weakest == (0, 1)


@pytest.mark.parametrize("link", LINKS)
def test_planted_series_are_found(link: Link) -> None:
    crimes, who = planted(series=25, size=5, one_off=250, seed=1)
    scored = score_all(crimes, fitted(crimes, who))
    found = cluster_series(len(crimes), scored.i, scored.j, scored.log_bf, link=link, threshold=5)
    for s in range(25):
        labels = found.label[who == s]
        assert labels[0] >= 0 and (labels == labels[0]).all()
        # Nothing of another planted series in it.
        assert set(who[found.label == labels[0]].tolist()) <= {s, -1}


def test_no_pairs_and_bad_arguments() -> None:
    empty = cluster_series(3, [], [], [], threshold=0.0)
    assert empty.label.tolist() == [-1, -1, -1] and empty.series == ()
    with pytest.raises(ValueError, match="below the threshold"):
        cluster_series(3, [0], [1], [1.0], threshold=0.5, floor=0.5)
    with pytest.raises(ValueError, match="at most the lowest"):
        cluster_series(3, [0], [1], [1.0], threshold=2.0, floor=1.5)
    with pytest.raises(ValueError, match="two different crimes"):
        cluster_series(3, [0], [3], [1.0], threshold=0.5)
    with pytest.raises(ValueError, match="link must be one of"):
        cluster_series(3, [0], [1], [1.0], threshold=0.5, link="ward")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_component"):
        cluster_series(4, [0, 1, 2], [1, 2, 3], [5.0, 5.0, 5.0], threshold=1, max_component=1)
    # Every factor above the threshold: pairs not scored sit one below it.
    assert cluster_series(3, [0], [1], [5.0], threshold=1).floor == 0.0
