"""What a public report can say: the vocabulary shared by the web form, the database, the
perception layer and the exports.

The factors follow the "what made you feel unsafe" lists of StreetSafe and of women's safety
audits (Jagori / UN Women Safe Cities): the *environment* (what a place is like) and *behaviour*
(what someone did). The seven 1-5 audit factors are the ones those audits score a place on.

Kept free of SQLAlchemy and the web stack, so the command line and the analysis import it cheaply.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import time


class Factor(enum.StrEnum):
    """One thing that made someone feel unsafe; a report names one or more."""

    # The environment
    POOR_LIGHTING = "poor_lighting"
    ISOLATED = "isolated"
    NO_CCTV = "no_cctv"
    HIDDEN_CORNERS = "hidden_corners"
    POOR_LAYOUT = "poor_layout"
    # Behaviour
    VERBAL_HARASSMENT = "verbal_harassment"
    FOLLOWED = "followed"
    INDECENT_EXPOSURE = "indecent_exposure"
    INTIMIDATING_GROUP = "intimidating_group"
    UNWANTED_TOUCHING = "unwanted_touching"
    OTHER = "other"


ENVIRONMENT: tuple[Factor, ...] = (
    Factor.POOR_LIGHTING,
    Factor.ISOLATED,
    Factor.NO_CCTV,
    Factor.HIDDEN_CORNERS,
    Factor.POOR_LAYOUT,
)
BEHAVIOUR: tuple[Factor, ...] = (
    Factor.VERBAL_HARASSMENT,
    Factor.FOLLOWED,
    Factor.INDECENT_EXPOSURE,
    Factor.INTIMIDATING_GROUP,
    Factor.UNWANTED_TOUCHING,
    Factor.OTHER,
)
FACTORS: tuple[Factor, ...] = ENVIRONMENT + BEHAVIOUR
# A stable small-integer code per factor (its position), for bitmasks and numpy arrays.
FACTOR_CODE: dict[Factor, int] = {factor: n for n, factor in enumerate(FACTORS)}


class AuditFactor(enum.StrEnum):
    """The women's safety audit's seven scores, each 1 (very poor) to 5 (very good)."""

    LIGHTING = "lighting"
    OPENNESS = "openness"
    VISIBILITY = "visibility"
    PEOPLE = "people"
    SECURITY = "security"
    WALKWAY = "walkway"
    TRANSPORT = "transport"


AUDIT_FACTORS: tuple[AuditFactor, ...] = tuple(AuditFactor)
SCORE_MIN, SCORE_MAX = 1, 5

# Times are only ever kept as a date and one of eight three-hour bands: finer times add little to
# patrol planning and make a report easier to link to a person.
BAND_HOURS = 3
N_BANDS = 24 // BAND_HOURS
TIME_BANDS: tuple[int, ...] = tuple(range(N_BANDS))


def band_of(at: time) -> int:
    """The three-hour band (0 = 00:00-03:00 ... 7 = 21:00-24:00) that holds `at`."""
    return at.hour // BAND_HOURS


def band_label(band: int) -> str:
    """`"21:00-24:00"` for band 7: how every page and export writes a band."""
    if band not in TIME_BANDS:
        raise ValueError(f"time band must be 0..{N_BANDS - 1}, not {band!r}")
    start = band * BAND_HOURS
    return f"{start:02d}:00-{start + BAND_HOURS:02d}:00"


class ReportStatus(enum.StrEnum):
    """Where a report is in moderation. Only `accepted` reports feed the analysis and the public
    counts; `merged` ones point at the report they duplicate; `rejected` ones were spam."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"


def factor_mask(factors: Iterable[Factor]) -> int:
    """The bitmask of `factors` (bit n = `FACTOR_CODE` n): how the database stores them."""
    mask = 0
    for factor in factors:
        mask |= 1 << FACTOR_CODE[factor]
    return mask


def factors_of(mask: int) -> tuple[Factor, ...]:
    """The factors a bitmask names, in `FACTORS` order."""
    return tuple(f for f in FACTORS if mask >> FACTOR_CODE[f] & 1)
