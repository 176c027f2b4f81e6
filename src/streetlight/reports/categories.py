"""What a public report can say: the vocabulary shared by the web form, the database, the
perception layer and the exports.

The factors follow the "what made you feel unsafe" lists of StreetSafe and of women's safety
audits (Jagori / UN Women Safe Cities): the *environment* (what a place is like) and *behaviour*
(what someone did). The seven 1-5 audit factors are the ones those audits score a place on.

The enumerations and ranges themselves are defined with the database's (`streetlight.db.enums`),
which constrains its columns by them; this module adds the codes and words built on them. Kept
free of SQLAlchemy and the web stack, so the command line and the analysis import it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterable

from streetlight.db.enums import (
    AUDIT_FACTORS,
    BAND_HOURS,
    BEHAVIOUR,
    ENVIRONMENT,
    FACTORS,
    N_BANDS,
    SCORE_MAX,
    SCORE_MIN,
    TIME_BANDS,
    AuditFactor,
    Factor,
    ReportStatus,
)

__all__ = [
    "AUDIT_FACTORS",
    "BAND_HOURS",
    "BEHAVIOUR",
    "ENVIRONMENT",
    "FACTORS",
    "FACTOR_CODE",
    "N_BANDS",
    "SCORE_MAX",
    "SCORE_MIN",
    "TIME_BANDS",
    "AuditFactor",
    "Factor",
    "ReportStatus",
    "band_label",
    "factor_mask",
    "factors_of",
]

# A stable small-integer code per factor (its position), for bitmasks and numpy arrays.
FACTOR_CODE: dict[Factor, int] = {factor: n for n, factor in enumerate(FACTORS)}


def band_label(band: int) -> str:
    """`"21:00-24:00"` for band 7: how every page and export writes a band."""
    if band not in TIME_BANDS:
        raise ValueError(f"time band must be 0..{N_BANDS - 1}, not {band!r}")
    start = band * BAND_HOURS
    return f"{start:02d}:00-{start + BAND_HOURS:02d}:00"


def factor_mask(factors: Iterable[Factor]) -> int:
    """The bitmask of `factors` (bit n = `FACTOR_CODE` n): how the database stores them."""
    mask = 0
    for factor in factors:
        mask |= 1 << FACTOR_CODE[factor]
    return mask


def factors_of(mask: int) -> tuple[Factor, ...]:
    """The factors a bitmask names, in `FACTORS` order."""
    return tuple(f for f in FACTORS if mask >> FACTOR_CODE[f] & 1)
