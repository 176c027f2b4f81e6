"""Evidence through a third crime: the chain's strength by hand, the out-of-fold factors that keep
training labels out of the chains, and the model on tables whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LinkageModel, LogisticLinkage
from streetlight.linkage.pairs import make_pairs
from streetlight.linkage.transitive import (
    MAX_CRIMES,
    TransitiveLinkage,
    context_transitive,
    folds_of,
    third_crime,
)
from tests.linkage.synthetic import offender_crimes, offenders_of

INF = np.inf


def test_the_strongest_chain_is_its_weaker_link_through_the_best_third_crime() -> None:
    # Crimes 0..3. 0-2: 5 and 2-1: 3 make a chain 0-2-1 of 3; 0-3: 4 and 3-1: -1 one of -1.
    f = np.array(
        [
            [-INF, 9.0, 5.0, 4.0],
            [9.0, -INF, 3.0, -1.0],
            [5.0, 3.0, -INF, -INF],
            [4.0, -1.0, -INF, -INF],
        ],
        dtype=np.float32,
    )
    i, j = np.array([0, 2, 2], dtype=np.intp), np.array([1, 3, 0], dtype=np.intp)
    # (0, 1): through 2 min(5, 3) = 3, through 3 min(4, -1) = -1; the pair's own 9 is no chain.
    # (2, 3): through 0 min(5, 4) = 4, through 1 min(3, -1) = -1.
    # (2, 0): through 1 min(3, 9) = 3, through 3 min(-inf, 4): none.
    assert third_crime(f, i, j).tolist() == [3.0, 4.0, 3.0]
    # No chain, or only negative ones: no evidence either way.
    f[2, 1] = f[1, 2] = -2.0
    f[3, 1] = f[1, 3] = -INF
    assert third_crime(f, i[:1], j[:1]).tolist() == [0.0]


def _table() -> tuple[CrimeTable, np.ndarray]:
    return offender_crimes(200, seed=3)


def _pairs(crimes: CrimeTable, who: np.ndarray):  # type: ignore[no-untyped-def]
    pairs = make_pairs(crimes, offenders_of(crimes, who), seed=0)
    return pairs, compare(crimes, pairs.i, pairs.j)


def _logistic(_: CrimeTable) -> LinkageModel:
    return LogisticLinkage()


def test_chains_use_out_of_fold_factors_for_the_training_pairs() -> None:
    crimes, who = _table()
    pairs, ev = _pairs(crimes, who)
    model = TransitiveLinkage(crimes=crimes, base=_logistic).fit(ev, pairs.linked, pairs.weight)
    assert model.factors_ is not None and model.base_ is not None
    stored = model.factors_[pairs.i, pairs.j]
    assert np.array_equal(stored, model.factors_[pairs.j, pairs.i])
    # Each training pair's factor is the one a base model fitted without its fold gives it...
    fold = folds_of(len(pairs), 5, 0)
    held = fold == 0
    rest = LogisticLinkage().fit(ev.take(~held), pairs.linked[~held], pairs.weight[~held])
    expected = rest.log_bayes_factor(ev.take(held)).astype(np.float32)
    assert np.allclose(stored[held], expected, atol=1e-5)
    # ... not the full model's, which saw it.
    full = model.base_.log_bayes_factor(ev).astype(np.float32)
    assert not np.allclose(stored, full, atol=1e-3)


def test_linked_pairs_score_above_unlinked_repeatably_and_symmetrically() -> None:
    crimes, who = _table()
    pairs, ev = _pairs(crimes, who)

    def fitted() -> TransitiveLinkage:
        return TransitiveLinkage(crimes=crimes, base=_logistic).fit(ev, pairs.linked, pairs.weight)

    score = fitted().log_bayes_factor(ev)
    assert score[pairs.linked].mean() > score[~pairs.linked].mean() + 4
    assert np.array_equal(score, fitted().log_bayes_factor(ev))
    swapped = compare(crimes, pairs.j, pairs.i)
    assert np.allclose(fitted().log_bayes_factor(swapped), score)


def test_the_default_is_the_context_ensemble_with_chains_and_refuses_large_tables() -> None:
    crimes, who = _table()
    pairs, ev = _pairs(crimes, who)
    model = context_transitive(crimes).fit(ev, pairs.linked, pairs.weight)
    assert model.name == "context-transitive"
    assert model.base_ is not None and model.base_.name == "context-ensemble"
    assert np.isfinite(model.log_bayes_factor(ev)).all()
    with pytest.raises(RuntimeError, match="fit"):
        context_transitive(crimes).log_bayes_factor(ev)
    big, _ = offender_crimes(MAX_CRIMES + 5, seed=1)
    with pytest.raises(ValueError, match="context_ensemble"):
        context_transitive(big)
    with pytest.raises(ValueError, match="folds"):
        TransitiveLinkage(crimes=crimes, base=_logistic, folds=1)
