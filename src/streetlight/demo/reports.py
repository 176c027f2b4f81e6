"""Synthetic public reports for the demo force, so that `streetlight serve` after the demo shows
the moderation queue, the analyst map and a perception layer, and the demo plan uses it.

They are made up (seeded, so every demo run makes the same ones) and go in through the same
`submission.submit` as real reports, then most are accepted through `moderation.accept`, so the
audit chain, the rate-limit salt and the receipts are all as the real journey leaves them. They
cluster around given anchor points (the demo passes its top forecast cells: the places where people
most often feel unsafe are, in the surveys, where violence also concentrates, and near busy
night-time places), and favour the evening and night bands, as StreetSafe's reports do.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from streetlight.reports import moderation
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import FACTORS, N_BANDS, AuditFactor, Factor
from streetlight.reports.submission import default_limits, submit
from streetlight.reports.validation import Submission

ACTOR = "demo"
METRES_PER_DEGREE = 111_320.0
# How the demo's reports spread around an anchor (metres, standard deviation).
SPREAD_M = 90.0
ACCEPTED_SHARE = 0.85
# Evening and night first: 18:00-03:00 holds most reports of harassment in public places.
BAND_WEIGHTS = np.array([0.12, 0.04, 0.02, 0.04, 0.08, 0.12, 0.26, 0.32])
FACTOR_WEIGHTS = {
    Factor.POOR_LIGHTING: 0.30,
    Factor.ISOLATED: 0.15,
    Factor.NO_CCTV: 0.05,
    Factor.HIDDEN_CORNERS: 0.05,
    Factor.POOR_LAYOUT: 0.03,
    Factor.VERBAL_HARASSMENT: 0.30,
    Factor.FOLLOWED: 0.20,
    Factor.INDECENT_EXPOSURE: 0.03,
    Factor.INTIMIDATING_GROUP: 0.15,
    Factor.UNWANTED_TOUCHING: 0.05,
    Factor.OTHER: 0.02,
}


@dataclass(frozen=True)
class DemoReports:
    """What the seeding did: reports made now (0 when the database already held reports)."""

    made: int
    accepted: int
    pending: int


def seed_demo_reports(
    session: Session,
    area: ReportArea,
    anchors: Sequence[tuple[float, float]],
    *,
    now: datetime,
    n: int = 160,
    seed: int = 2021,
) -> DemoReports:
    """Submit `n` synthetic reports around `anchors` (lon, lat) and accept most of them; does
    nothing when the database already holds any report (the demo may run many times)."""
    if moderation.count(session, status=None) > 0 or not anchors:
        return DemoReports(0, 0, 0)
    rng = np.random.default_rng(seed)
    limits = default_limits(per_hour=n + 1)
    factor_p = np.array([FACTOR_WEIGHTS[f] for f in FACTORS])
    factor_p /= factor_p.sum()
    accepted = pending = 0
    today = now.date()
    # Heavier-tailed than uniform: a few anchors (the busiest places) get most reports.
    anchor_p = 1.0 / np.arange(1, len(anchors) + 1)
    anchor_p /= anchor_p.sum()
    for k in range(n):
        lon0, lat0 = anchors[int(rng.choice(len(anchors), p=anchor_p))]
        dx, dy = rng.normal(0.0, SPREAD_M, 2)
        lon = lon0 + dx / (METRES_PER_DEGREE * math.cos(math.radians(lat0)))
        lat = lat0 + dy / METRES_PER_DEGREE
        if not area.contains(lon, lat):
            continue
        picked = rng.choice(len(FACTORS), size=int(rng.integers(1, 3)), replace=False, p=factor_p)
        scores = {AuditFactor.LIGHTING: int(rng.integers(1, 4))} if rng.random() < 0.4 else {}
        submission = Submission(
            factors=frozenset(FACTORS[int(i)] for i in picked),
            occurred_on=today - timedelta(days=int(rng.integers(0, 60))),
            time_band=int(rng.choice(N_BANDS, p=BAND_WEIGHTS)),
            lon=round(lon, 6),
            lat=round(lat, 6),
            scores=scores,
        )
        receipt = submit(
            session,
            submission,
            area=area,
            client_key=f"demo-{k}",
            nonce_hash=hashlib.sha256(f"demo-report-{seed}-{k}".encode()).hexdigest(),
            limits=limits,
            now=now,
        )
        if rng.random() < ACCEPTED_SHARE:
            moderation.accept(session, receipt.report_id, actor=ACTOR, now=now)
            accepted += 1
        else:
            pending += 1
    return DemoReports(accepted + pending, accepted, pending)
