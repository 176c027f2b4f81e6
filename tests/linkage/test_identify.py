from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.identify import rank_series


def test_each_link_joins_a_series_as_clustering_does() -> None:
    bf = np.array([3.0, -1.0, 2.0, 0.5, 0.5])
    series = np.array([7, 7, 4, 9, 9])
    average = rank_series(bf, series)
    assert average.series.tolist() == [4, 7, 9]  # 2.0, 1.0, 0.5 (7 and 9 sorted by score)
    assert average.score.tolist() == [2.0, 1.0, 0.5]
    single = rank_series(bf, series, link="single")
    assert single.series.tolist() == [7, 4, 9]
    complete = rank_series(bf, series, link="complete")
    assert complete.series.tolist() == [4, 9, 7]
    assert complete.score.tolist() == [2.0, 0.5, -1.0]
    # The pair to explain is the series' most alike one, whatever the link.
    assert bf[complete.strongest].tolist() == [2.0, 0.5, 3.0]


def test_rank_of_a_series_not_compared_is_none_and_ties_keep_id_order() -> None:
    ranking = rank_series([1.0, 1.0, 0.0], [5, 2, 8], top=2)
    assert ranking.series.tolist() == [2, 5]
    assert ranking.rank_of(5) == 2
    assert ranking.rank_of(8) is None  # cut by top
    assert ranking.rank_of(99) is None
    assert len(rank_series([], [])) == 0


def test_bad_arguments_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="link must be one of"):
        rank_series([1.0], [1], link="ward")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one entry per compared pair"):
        rank_series([1.0, 2.0], [1])
