"""Hit rate, PAI and PEI against hand computations; the backtest's JSON against DESIGN.md."""

from __future__ import annotations

import math

import numpy as np
import pytest

from streetlight.evaluate.backtest import BacktestResult, ModelResult, backtest
from streetlight.evaluate.metrics import MonthScore, ranking, score_month, top_k
from streetlight.hotspots.base import EventSet, StudyArea
from streetlight.hotspots.registry import make_model


def test_metrics_by_hand() -> None:
    scores = np.array([5.0, 1.0, 3.0, 3.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0])
    actual = np.array([2.0, 4.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0])
    result = score_month(scores, actual, [10, 20, 30])
    # 10%: k = 1 -> cell 0 (2 of 10 crimes); best single cell holds 4.
    assert math.isclose(result.hit_rate[10], 0.2) and math.isclose(result.pai[10], 2.0)
    assert math.isclose(result.pei[10], 0.5)
    # 20%: k = 2 -> cells 0 and 2 (tie 2/3 broken by cell order): 3 crimes; best 2 cells: 6.
    assert math.isclose(result.hit_rate[20], 0.3) and math.isclose(result.pai[20], 1.5)
    assert math.isclose(result.pei[20], 0.5)
    # 30%: cells 0, 2, 3 -> 3 crimes; best three: 4 + 2 + 2.
    assert math.isclose(result.pei[30], 3 / 8)
    assert result.crimes == 10


def test_ties_keep_cell_order_and_k_rounds() -> None:
    assert ranking(np.array([1.0, 2.0, 2.0, 1.0])).tolist() == [1, 2, 0, 3]
    assert top_k(4790, 5) == 240 and top_k(4790, 1) == 48 and top_k(10, 1) == 1


def test_a_month_without_crime_scores_nan() -> None:
    result = score_month(np.ones(4), np.zeros(4), [50])
    assert math.isnan(result.pai[50])
    with pytest.raises(ValueError, match="4 cells but actual counts have 3"):
        score_month(np.ones(4), np.zeros(3), [50])


def test_backtest_json_follows_design(sample_events: tuple[EventSet, StudyArea]) -> None:
    events, area = sample_events
    months = [24_300 + 5, 24_300 + 6]  # 2025-06, 2025-07
    result = backtest(
        events,
        area,
        months,
        {"ew-6": lambda: make_model("ew-6"), "last-month": lambda: make_model("last-month")},
    )
    data = result.to_json()
    assert data["cell_size"] == 150.0
    assert data["months"] == ["2025-06", "2025-07"]
    assert data["coverage"] == [1.0, 2.0, 5.0, 10.0]
    assert data["recommended"] in ("ew-6", "last-month")
    entry = data["models"]["ew-6"]
    for metric in ("hit_rate", "pai", "pei"):
        assert set(entry[metric]) == {"1", "2", "5", "10"}
        values = [m[metric]["5"] for m in entry["per_month"]]
        assert math.isclose(entry[metric]["5"], float(np.mean(values)))
        lo, hi = entry["ci95"][metric]["5"]
        assert lo <= entry[metric]["5"] <= hi
    assert [m["month"] for m in entry["per_month"]] == ["2025-06", "2025-07"]


def _result(values: dict[str, list[float]]) -> BacktestResult:
    models = {}
    for name, pais in values.items():
        res = ModelResult()
        res.per_month = [MonthScore({5.0: p / 20}, {5.0: p}, {5.0: 0.5}, 100.0) for p in pais]
        models[name] = res
    return BacktestResult(150.0, list(range(len(next(iter(values.values()))))), [5.0], models)


def test_recommendation_needs_more_than_noise() -> None:
    noisy = _result({"ew-6": [6.0, 6.5, 6.2, 6.8], "gbm": [6.4, 6.1, 6.3, 6.9]})
    assert noisy.recommended() == "ew-6"  # higher mean, but not beyond month-to-month noise
    clear = _result({"ew-6": [6.0, 6.5, 6.2, 6.8], "gbm": [6.6, 7.1, 6.8, 7.4]})
    assert clear.recommended() == "gbm"  # better every month
    assert _result({"kde": [1.0, 2.0], "gbm": [3.0, 4.0]}).recommended() == "gbm"
