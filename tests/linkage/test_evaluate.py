"""The evaluation protocol: metrics against brute force, held-out series identification on a
table whose answer is known, and the reference data's published figures (GPL data read from
../shared, skipped when absent)."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pytest

from streetlight.linkage.evaluate import PUBLISHED, Evaluation, evaluate, split
from streetlight.linkage.holdout import comparisons, held_out_ranks, hold_out, touches
from streetlight.linkage.metrics import pair_metrics, precision_at, top_k_share
from streetlight.linkage.pairs import make_pairs, midpoint_days, series
from tests.linkage.crimelinkage_data import needs_data, read_data
from tests.linkage.synthetic import offender_crimes, offenders_of

OURS = "context-ensemble"
CHAINS = "context-transitive"  # ours with evidence through third crimes


def test_metrics_agree_with_brute_force() -> None:
    rng = np.random.default_rng(0)
    linked = rng.random(300) < 0.1
    score = np.round(rng.normal(size=300) + 1.5 * linked, 1)  # ties on purpose
    weight = np.where(linked, rng.uniform(0.1, 1, 300), 1.0)
    m = pair_metrics(score, linked, weight)
    wins = [
        (s > t) + 0.5 * (s == t) for s, t in product(score[linked], score[~linked])
    ]  # Mann-Whitney: the chance a linked pair outscores an unlinked one
    assert m.auc == pytest.approx(np.mean(wins))
    order = np.argsort(-score, kind="stable")
    for k in (10, 50, 100):
        assert m.precision_at[k] == precision_at(score, linked, k) == linked[order[:k]].mean()
    assert m.precision_curve[49] == m.precision_at[50]
    assert m.auc != m.auc_weighted and 0 < m.pr_auc < 1
    assert top_k_share([1, 3, 0, 6, 20], 5) == 0.4
    with pytest.raises(ValueError, match="both"):
        pair_metrics(score[linked], linked[linked], weight[linked])


def test_held_out_crimes_are_found_when_their_offenders_crimes_score_highest() -> None:
    crimes, who = offender_crimes(200, seed=4)
    offenders = offenders_of(crimes, who)
    s = series(crimes, offenders)
    pairs = make_pairs(crimes, offenders, seed=0)
    held = hold_out(pairs, seed=0)
    in_linked = np.unique(np.r_[pairs.i[pairs.linked], pairs.j[pairs.linked]])
    assert 0 < len(held) < len(in_linked) and np.isin(held, in_linked).all()
    assert np.array_equal(held, hold_out(pairs, seed=0))
    train = split(len(pairs), seed=0)
    assert 0.65 < train.mean() < 0.75
    assert not touches(pairs.i, pairs.j, held)[train & ~touches(pairs.i, pairs.j, held)].any()
    comp = comparisons(midpoint_days(crimes), s, held)
    assert not np.isin(comp.j, held).any() and np.isin(comp.i, held).all()
    assert (np.abs(midpoint_days(crimes)[comp.i] - midpoint_days(crimes)[comp.j]) <= 365).all()
    # A perfect model: the crime's own offender first, every time.
    perfect = np.where(who[comp.i] == who[comp.j], 5.0, -1.0)
    ranks = held_out_ranks(perfect, comp, s, held)
    assert ranks.held_out == len(held) and 0 < len(ranks.rank) <= len(held)
    assert (ranks.rank == 1).all()
    # Held-out crimes whose every series mate was held out too cannot be found: not counted.
    for crime in set(held.tolist()) - set(ranks.crime.tolist()):
        assert not np.isin(np.flatnonzero(who == who[crime]), comp.j).any()
    # The worst model: last among the offenders it was compared with.
    worst = held_out_ranks(-perfect, comp, s, held, link="single")
    assert (worst.rank > 1).all()


@pytest.fixture(scope="module")
def reference() -> Evaluation:
    crimes, offenders = read_data()
    return evaluate(crimes, offenders, seeds=[0, 1, 2])


@needs_data
def test_the_reference_models_are_reproduced_and_ours_beats_them(reference: Evaluation) -> None:
    assert reference.model_names == ("naive-bayes", "logistic", "boosted", OURS, CHAINS)
    auc = {name: reference.mean(name, lambda r: r.pairs.auc) for name in reference.model_names}
    # The published AUCs come from one split; over seeds 0-2 ours are a little lower, most for
    # the boosted trees (0.907 here: see docs/linkage.md).
    for name, published in PUBLISHED["auc"].items():
        assert auc[name] == pytest.approx(published, abs=0.06), name
    assert auc["naive-bayes"] < auc["logistic"]
    assert auc[OURS] >= 0.945
    assert auc[OURS] > max(auc["naive-bayes"], auc["logistic"], auc["boosted"]) + 0.02
    # Chains through third crimes add a little on these seeds (more on others: docs/linkage.md).
    assert auc[CHAINS] > auc[OURS]
    for seed in reference.seeds:
        assert seed.linked == 255 and seed.test_linked > 60
        ours = seed.model(OURS).pairs
        assert ours.auc > seed.model("boosted").pairs.auc
        assert ours.precision_at[10] >= 0.8
    # Series identification of held-out crimes: top-20 at or above the published 75% for ours.
    top = {
        link: reference.mean(OURS, lambda r, link=link: r.series_link(link).top[20])  # type: ignore[misc]
        for link in ("single", "average")
    }
    assert min(top.values()) >= PUBLISHED["series_top"][20]
    # The result is plain JSON.
    doc = json.loads(json.dumps(reference.to_dict()))
    assert doc["mean"][OURS]["auc"] == pytest.approx(auc[OURS])
    assert set(doc["seeds"][0]["models"][OURS]["series"]) == {"single", "average", "complete"}
