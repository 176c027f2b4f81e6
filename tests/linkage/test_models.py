"""Linkage models answer in log Bayes factors: checked on pairs whose answer is known by
construction (near in place and time = linked), not on the GPL reference data."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.models import LogisticLinkage, design, prior_log_odds


def _crimes(n: int, seed: int) -> tuple[CrimeTable, np.ndarray]:
    """`n` crimes by n/5 offenders, each offender's five crimes within a few hundred metres and
    a few weeks; offenders' homes spread over 30 km."""
    rng = np.random.default_rng(seed)
    who = np.repeat(np.arange(n // 5), 5)
    home = rng.uniform(0, 30_000, size=(n // 5, 2))[who]
    start = rng.uniform(0, 700, size=n // 5)[who] + rng.uniform(0, 30, size=n)
    t = np.datetime64("2024-01-01T00:00") + (start * 1440).astype("timedelta64[m]")
    mo = rng.integers(0, 3, size=n // 5)[who].astype(np.int32)
    table = CrimeTable(
        ids=np.array([f"c{k}" for k in range(n)]),
        x=home[:, 0] + rng.normal(0, 300, n),
        y=home[:, 1] + rng.normal(0, 300, n),
        t_from=t,
        t_to=t + np.timedelta64(60, "m"),
        categorical={"entry": mo},
        levels={"entry": ("door", "window", "roof")},
    )
    return table, who


def test_logistic_scores_linked_pairs_above_unlinked_and_removes_the_sampling_prior() -> None:
    crimes, who = _crimes(400, seed=1)
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
    crimes, _ = _crimes(10, seed=3)
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
