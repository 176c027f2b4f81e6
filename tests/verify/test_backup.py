"""Backup planning against brute force and simple invariances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streetlight.db.enums import Dress
from streetlight.verify.backup import (
    BackupPlan,
    OnDuty,
    Position,
    distance_m,
    eta_minutes,
    plan_backup,
)

NOW = datetime(2026, 3, 14, 22, 0, tzinfo=UTC)
HERE = Position(-1.2346, 54.5742)
MAX_AGE = timedelta(minutes=15)


def plan(me: OnDuty, at: Position | None, others: list[OnDuty]) -> BackupPlan:
    return plan_backup(me, at, others, now=NOW, radius_m=500.0, max_age=MAX_AGE, speed_kmh=25.0)


def officer(
    n: int,
    dress: Dress,
    where: Position | None,
    team: str = "T",
    age_min: float = 1,
    busy: bool = False,
) -> OnDuty:
    return OnDuty(n, n, team, dress, where, NOW - timedelta(minutes=age_min), busy)


def test_distance_matches_a_known_value() -> None:
    # One degree of latitude is about 111.2 km.
    assert distance_m(Position(0, 0), Position(0, 1)) == pytest.approx(111_195, rel=1e-3)
    assert eta_minutes(2300, 25) == 6 and eta_minutes(10, 25) == 1


def test_uniformed_officers_and_officers_with_a_colleague_close_need_no_backup() -> None:
    me = officer(1, Dress.PLAIN_CLOTHES, HERE)
    mate = officer(2, Dress.PLAIN_CLOTHES, Position(-1.2330, 54.5760))
    assert not plan(officer(1, Dress.UNIFORM, HERE), HERE, []).needed
    found = plan(me, HERE, [mate])
    assert not found.needed and found.colleagues_nearby == 1
    stale = officer(2, Dress.PLAIN_CLOTHES, mate.position, age_min=20)
    other_team = officer(2, Dress.PLAIN_CLOTHES, mate.position, team="X")
    assert plan(me, HERE, [stale]).needed
    assert plan(me, HERE, [other_team]).needed


def test_the_nearest_free_uniformed_officer_is_sent() -> None:
    me = officer(1, Dress.PLAIN_CLOTHES, HERE)
    near_busy = officer(2, Dress.UNIFORM, Position(-1.236, 54.575), team="R", busy=True)
    near = officer(3, Dress.UNIFORM, Position(-1.22, 54.57), team="R")
    far = officer(4, Dress.UNIFORM, Position(-1.15, 54.55), team="R")
    plain = officer(5, Dress.PLAIN_CLOTHES, Position(-1.2347, 54.5743), team="R")
    chosen = plan(me, HERE, [far, near_busy, plain, near])
    assert (
        chosen.needed
        and chosen.responder == near
        and chosen.eta_minutes == eta_minutes(chosen.distance_m or 0, 25)
    )
    assert plan(me, None, [near]).responder is None  # no position: dispatch by hand


@given(
    st.lists(
        st.tuples(st.floats(-1.4, -1.0), st.floats(54.4, 54.7), st.booleans(), st.floats(0, 30)),
        min_size=1,
        max_size=12,
    )
)
def test_the_responder_is_the_brute_force_nearest(
    rows: list[tuple[float, float, bool, float]],
) -> None:
    me = officer(0, Dress.PLAIN_CLOTHES, HERE, team="")
    others = [
        officer(i + 1, Dress.UNIFORM, Position(x, y), team="R", age_min=age, busy=busy)
        for i, (x, y, busy, age) in enumerate(rows)
    ]
    chosen = plan(me, HERE, others)
    eligible = [
        o for o in others if not o.busy and o.position_at and NOW - o.position_at <= MAX_AGE
    ]
    if not eligible:
        assert chosen.responder is None
        return
    best = min(eligible, key=lambda o: (distance_m(HERE, o.position), o.duty_id))  # type: ignore[arg-type]
    assert chosen.responder == best
