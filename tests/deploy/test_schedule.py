"""Visit schedules: Koper-curve dwell times, walking time, within the shift, reproducible."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import numpy as np

from streetlight.deploy.schedule import unit_schedule

START = datetime(2025, 12, 1, 7, 0)


def test_visits_dwell_10_to_16_minutes_and_walk_between_cells() -> None:
    x = np.array([0.0, 300.0, 300.0, 0.0])
    y = np.array([0.0, 0.0, 400.0, 400.0])
    visits = unit_schedule("U1", np.arange(4), x, y, START, 8.0, np.random.default_rng(7))
    assert len(visits) > 10
    for v in visits:
        assert timedelta(minutes=10) <= v.leave - v.arrive <= timedelta(minutes=16)
        assert v.leave <= START + timedelta(hours=8)
    for a, b in itertools.pairwise(visits):
        metres = float(np.hypot(x[b.cell] - x[a.cell], y[b.cell] - y[a.cell]))
        assert abs((b.arrive - a.leave).total_seconds() / 60 - metres / (4500 / 60)) < 1e-6
    # every cell is visited once per round, in a different order from round to round
    rounds = [tuple(v.cell for v in visits[k : k + 4]) for k in range(0, len(visits) - 3, 4)]
    assert all(sorted(r) == [0, 1, 2, 3] for r in rounds)
    assert len(set(rounds)) > 1


def test_same_seed_same_schedule() -> None:
    x, y = np.arange(5.0) * 100, np.zeros(5)
    a = unit_schedule("U", np.arange(5), x, y, START, 2.0, np.random.default_rng(1))
    b = unit_schedule("U", np.arange(5), x, y, START, 2.0, np.random.default_rng(1))
    assert a == b
    assert (
        unit_schedule("U", np.array([], dtype=np.int64), x, y, START, 2.0, np.random.default_rng(1))
        == []
    )
