"""Who backs up a lone plain-clothes officer: pure functions over positions (WGS84 degrees).

A plain-clothes officer needs backup when no on-duty colleague of the same team has a fresh last
known position within `radius_m` of the engagement. The backup is the nearest uniformed officer on
duty with a fresh position who is not already on their way to another request; their ETA is the
great-circle distance divided by a configured speed (a deliberately simple, documented estimate:
the control room corrects it by radio). With no position for the engagement, or nobody free, the
request is still made, unassigned, so the operator dispatches by hand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from streetlight.db.enums import Dress

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres


@dataclass(frozen=True)
class Position:
    lon: float
    lat: float


@dataclass(frozen=True)
class OnDuty:
    """One officer on duty as the backup planner sees them."""

    duty_id: int
    officer_id: int
    team: str
    dress: Dress
    position: Position | None
    position_at: datetime | None
    busy: bool = False  # already on their way to another backup request


@dataclass(frozen=True)
class BackupPlan:
    """`needed`: request backup. `responder`, `distance_m`, `eta_minutes`: who and how soon
    (None when nobody could be chosen). `colleagues_nearby` and `nearest_colleague_m`: same-team
    colleagues within the radius (the public is told they are close)."""

    needed: bool
    colleagues_nearby: int = 0
    nearest_colleague_m: float | None = None
    responder: OnDuty | None = None
    distance_m: float | None = None
    eta_minutes: int | None = None


def distance_m(a: Position, b: Position) -> float:
    """Great-circle (haversine) distance in metres."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    dlat = lat2 - lat1
    dlon = math.radians(b.lon - a.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def eta_minutes(metres: float, speed_kmh: float) -> int:
    """Whole minutes to cover `metres` at `speed_kmh`, rounded up, at least 1."""
    return max(1, math.ceil(metres / (speed_kmh * 1000 / 60)))


def _fresh(officer: OnDuty, now: datetime, max_age: timedelta) -> Position | None:
    if officer.position is None or officer.position_at is None:
        return None
    return officer.position if now - officer.position_at <= max_age else None


def nearby_colleagues(
    officer: OnDuty,
    at: Position | None,
    others: Sequence[OnDuty],
    *,
    now: datetime,
    radius_m: float,
    max_age: timedelta,
) -> list[float]:
    """Distances (ascending, metres) of same-team colleagues with fresh positions within
    `radius_m` of `at`. An officer with no team has no team-mates."""
    if at is None or not officer.team:
        return []
    found = []
    for other in others:
        if other.officer_id == officer.officer_id or other.team != officer.team:
            continue
        where = _fresh(other, now, max_age)
        if where is not None and (d := distance_m(at, where)) <= radius_m:
            found.append(d)
    return sorted(found)


def plan_backup(
    officer: OnDuty,
    at: Position | None,
    others: Sequence[OnDuty],
    *,
    now: datetime,
    radius_m: float,
    max_age: timedelta,
    speed_kmh: float,
) -> BackupPlan:
    """Decide whether `officer`, engaging someone at `at`, needs uniformed backup, and from whom."""
    colleagues = nearby_colleagues(officer, at, others, now=now, radius_m=radius_m, max_age=max_age)
    nearest = colleagues[0] if colleagues else None
    if officer.dress is Dress.UNIFORM or colleagues:
        return BackupPlan(False, len(colleagues), nearest)
    if at is None:
        return BackupPlan(True)
    best: tuple[float, int, OnDuty] | None = None
    for other in others:
        if other.officer_id == officer.officer_id or other.dress is not Dress.UNIFORM:
            continue
        where = _fresh(other, now, max_age)
        if other.busy or where is None:
            continue
        candidate = (distance_m(at, where), other.duty_id, other)
        if best is None or candidate[:2] < best[:2]:
            best = candidate
    if best is None:
        return BackupPlan(True)
    metres, _, responder = best
    return BackupPlan(
        True,
        responder=responder,
        distance_m=metres,
        eta_minutes=eta_minutes(metres, speed_kmh),
    )
