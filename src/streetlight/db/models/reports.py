"""Public reports of places where people feel unsafe.

Nothing here identifies the reporter: no address, account or device. The receipt code the reporter
keeps is stored only as its SHA-256 (`receipt_hash`); the form token's nonce likewise
(`nonce_hash`, unique, so a replayed form is refused by the database itself); `dedupe_hash` is
salted with the rate limiter's salt of the day, so once that salt is deleted (the next UTC day) it
cannot be linked to anyone. Times are only a date and a three-hour band
(`streetlight.reports.categories`). The exact point is for analysts; anything public is snapped to
cells of at least 250 m (`streetlight.reports.privacy`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.enums import FACTORS, N_BANDS, SCORE_MAX, SCORE_MIN, ReportStatus
from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum

PLACE_CHARS = 200
TEXT_CHARS = 1000
RESPONSE_CHARS = 1000
LANGUAGES = ("en", "fr")
# Every bit of `factor_mask` that a factor can set (bit n = FACTOR_CODE n).
FACTOR_MASK_ALL = (1 << len(FACTORS)) - 1
SCORE_COLUMNS = (
    "score_lighting",
    "score_openness",
    "score_visibility",
    "score_people",
    "score_security",
    "score_walkway",
    "score_transport",
)


def _score_check(column: str) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR ({column} BETWEEN {SCORE_MIN} AND {SCORE_MAX})",
        name=f"{column}_range",
    )


class PublicReport(Base):
    """One report from the public: where (a point, a typed place, or both), what (a bitmask of
    `Factor`s, optional free text and 1-5 audit scores), when (date and band), and what the force
    made of it (moderation status, a public response)."""

    __tablename__ = "public_reports"
    __table_args__ = (
        CheckConstraint(f"time_band BETWEEN 0 AND {N_BANDS - 1}", name="time_band_range"),
        CheckConstraint(f"factor_mask BETWEEN 1 AND {FACTOR_MASK_ALL}", name="factor_mask_range"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        CheckConstraint("(lon IS NULL) = (lat IS NULL)", name="point_whole"),
        CheckConstraint("language IN ('en', 'fr')", name="language"),
        CheckConstraint(
            "(status = 'merged' AND merged_into_id IS NOT NULL AND merged_into_id <> id)"
            " OR (status <> 'merged' AND merged_into_id IS NULL)",
            name="merged_has_target",
        ),
        *(_score_check(column) for column in SCORE_COLUMNS),
        Index("ix_public_reports_status_id", "status", "id"),
        Index("ix_public_reports_occurred_on", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    occurred_on: Mapped[date] = mapped_column(Date)
    time_band: Mapped[int] = mapped_column(SmallInteger)
    factor_mask: Mapped[int] = mapped_column()
    lon: Mapped[float | None] = mapped_column(default=None)
    lat: Mapped[float | None] = mapped_column(default=None)
    place: Mapped[str] = mapped_column(String(PLACE_CHARS), default="")
    text: Mapped[str] = mapped_column(String(TEXT_CHARS), default="")
    score_lighting: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_openness: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_visibility: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_people: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_security: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_walkway: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    score_transport: Mapped[int | None] = mapped_column(SmallInteger, default=None)
    language: Mapped[str] = mapped_column(String(2), default="en")
    status: Mapped[ReportStatus] = mapped_column(
        _enum(ReportStatus, "report_status"), default=ReportStatus.PENDING
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("public_reports.id", ondelete="RESTRICT"), default=None, index=True
    )
    response: Mapped[str] = mapped_column(String(RESPONSE_CHARS), default="")
    responded_on: Mapped[date | None] = mapped_column(Date, default=None)
    nonce_hash: Mapped[str] = mapped_column(String(64), unique=True)
    dedupe_hash: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
