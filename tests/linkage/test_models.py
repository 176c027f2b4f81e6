"""Linkage models answer in log Bayes factors: checked on pairs whose answer is known by
construction (near in place and time = linked), not on the GPL reference data."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LogisticLinkage, design, prior_log_odds
from tests.linkage.synthetic import offender_crimes


def test_logistic_scores_linked_pairs_above_unlinked_and_removes_the_sampling_prior() -> None:
    crimes, who = offender_crimes(400, seed=1)
    rng = np.random.default_rng(2)
    i, j = rng.integers(0, 400, 6000), rng.integers(0, 400, 6000)
    keep = i != j
    i, j = i[keep], j[keep]
    same = np.arange(400).reshape(-1, 5)
    li, lj = same[:, 0].repeat(4), same[:, 1:].ravel()
    i, j = np.concatenate([li, i]), np.concatenate([lj, j])
    linked = who[i] == who[j]
    evidence = compare(crimes, i, j)
    weight = np.ones(len(i))
    model = LogisticLinkage().fit(evidence, linked, weight)
    score = model.log_bayes_factor(evidence)
    assert score[linked].mean() > score[~linked].mean() + 5
    # Doubling the unlinked sample changes the prior odds, not the evidence: the factors keep
    # their meaning (within the fit's noise).
    twice = LogisticLinkage().fit(evidence, linked, np.where(linked, 1.0, 2.0))
    assert np.median(twice.log_bayes_factor(evidence) - score) == pytest.approx(0, abs=0.3)


def test_design_names_every_column_and_unknown_mo_is_neither_same_nor_different() -> None:
    crimes, _ = offender_crimes(10, seed=3)
    codes = crimes.categorical["entry"].copy()
    codes[0] = -1
    crimes = CrimeTable(**{**crimes.__dict__, "categorical": {"entry": codes}})
    d = design(compare(crimes, [0, 1], [1, 2]))
    assert d.names == (
        "log_km",
        "log_days",
        "tod_hours",
        "dow_days",
        "entry_same",
        "entry_different",
    )
    assert d.x.shape == (2, 6)
    assert d.x[0, 4:].tolist() == [0.0, 0.0]


def test_a_model_needs_both_kinds_of_pair() -> None:
    with pytest.raises(ValueError, match="both linked and unlinked"):
        prior_log_odds([True, True], [1.0, 1.0])
