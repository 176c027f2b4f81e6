"""The harm ranking's list under human review: each refresh of the list, the people it listed
(as the ranking placed them then) and the supervisors' decisions about them.

The list is a prompt, never a decision. A refresh stores what the ranking said as of its date
(rank, score and the explanation offence by offence) so that what a supervisor decided on can be
read back later exactly, whatever the casework has become since. Decisions are kept per person
and method, with their reason and an expiry date (`streetlight.unit.listing.EXPIRES_MONTHS`):
the latest decision stands until it expires, then the person needs a decision again. Earlier
decisions are kept (the history the person page shows, and what a refresh shows beside a removed
person who re-appears). Everything here goes with the person (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.enums import ListDecision
from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum
from streetlight.db.types import UTCDateTime

METHOD_CHARS = 16
REASON_CHARS = 1000


class UnitListRefresh(Base):
    """One refresh of the list: `method` ranked as of `as_of` (the force's local date), keeping
    the first `top` of `ranked` people; made at `created_at` by `created_by`."""

    __tablename__ = "unit_list_refreshes"
    __table_args__ = (
        CheckConstraint("top >= 1", name="top_positive"),
        CheckConstraint("ranked >= 0", name="ranked_counted"),
        Index("ix_unit_list_refreshes_method_created_at", "method", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    method: Mapped[str] = mapped_column(String(METHOD_CHARS))
    as_of: Mapped[date] = mapped_column(Date)
    top: Mapped[int] = mapped_column()
    ranked: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), default=None
    )


class UnitListEntry(Base):
    """A person's place on one refresh: `rank` (1 is first), `score` and the ranking's
    `explanation` (offence references, dates, subgroups and weights: no names)."""

    __tablename__ = "unit_list_entries"
    __table_args__ = (
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("score >= 0", name="score_not_negative"),
        UniqueConstraint("refresh_id", "rank"),
    )

    refresh_id: Mapped[int] = mapped_column(
        ForeignKey("unit_list_refreshes.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column()
    score: Mapped[float] = mapped_column()
    explanation: Mapped[str] = mapped_column(Text)


class UnitListDecision(Base):
    """A supervisor's decision about a listed person for one method, with the reason (required),
    who decided, when, and the date it expires (the person then needs a decision again)."""

    __tablename__ = "unit_list_decisions"
    __table_args__ = (
        CheckConstraint("length(reason) > 0", name="reason_given"),
        Index("ix_unit_list_decisions_person_id_method", "person_id", "method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("unit_people.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(METHOD_CHARS))
    decision: Mapped[ListDecision] = mapped_column(_enum(ListDecision, "list_decision"))
    reason: Mapped[str] = mapped_column(String(REASON_CHARS))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_on: Mapped[date] = mapped_column(Date)
