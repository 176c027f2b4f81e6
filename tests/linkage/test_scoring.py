"""Scoring in chunks gives what scoring every candidate pair at once gives."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import pytest

from streetlight.linkage.evidence import compare
from streetlight.linkage.index import candidate_pairs
from streetlight.linkage.scoring import score_all
from tests.linkage.planted import fitted, planted

T = TypeVar("T")


def test_chunked_scores_are_the_model_s_scores_of_the_candidate_pairs() -> None:
    crimes, who = planted(series=20, size=5, one_off=200, seed=2)
    model = fitted(crimes, who)
    seen: list[int] = []

    def progress(items: Iterable[T], total: int) -> Iterable[T]:
        seen.append(total)
        for item in items:
            seen.append(-1)
            yield item

    scored = score_all(crimes, model, max_days=200, max_metres=8000, chunk_pairs=1000,
                       progress=progress)  # fmt: skip
    i, j = candidate_pairs(crimes, max_days=200, max_metres=8000)
    assert scored.n == len(crimes)
    np.testing.assert_array_equal(scored.i, i)
    np.testing.assert_array_equal(scored.j, j)
    np.testing.assert_allclose(scored.log_bf, model.log_bayes_factor(compare(crimes, i, j)))
    # The progress callback is told how many chunks, then sees each.
    assert seen[0] > 1 and seen[1:] == [-1] * seen[0]


def test_keep_above_drops_weak_pairs_and_workers_give_the_same_answer() -> None:
    crimes, who = planted(series=10, size=4, one_off=100, seed=3)
    model = fitted(crimes, who)
    every = score_all(crimes, model, chunk_pairs=700)
    strong = score_all(crimes, model, keep_above=2.0, chunk_pairs=700, workers=2)
    keep = every.log_bf > 2.0
    np.testing.assert_array_equal(strong.i, every.i[keep])
    np.testing.assert_array_equal(strong.j, every.j[keep])
    np.testing.assert_allclose(strong.log_bf, every.log_bf[keep])


def test_no_pairs_and_bad_workers() -> None:
    crimes, who = planted(series=3, size=3, one_off=10, seed=4)
    model = fitted(crimes, who)
    none = score_all(crimes, model, max_days=0, max_metres=0)
    assert len(none) == 0 and none.n == len(crimes)
    with pytest.raises(ValueError, match="workers"):
        score_all(crimes, model, workers=0)
