"""Reviewers' decisions about what crime linkage suggests: an unsolved offence that may be a
known person's, accepted for investigation or rejected, with the reason (required), who decided,
when, and the score and model as they stood then (so what was decided on can be read back
whatever the model says later).

Everything here goes with the person or the offence (ON DELETE CASCADE): erasing a person at
their review erases the decisions about them, as the retention rules require.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.enums import LinkageDecision
from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum
from streetlight.db.types import UTCDateTime

MODEL_CHARS = 32
REASON_CHARS = 1000


class UnitLinkageDecision(Base):
    """A decision about (person, unsolved offence): `score` is the log Bayes factor `model`
    gave the pair when it was decided."""

    __tablename__ = "unit_linkage_decisions"
    __table_args__ = (
        CheckConstraint("length(reason) > 0", name="reason_given"),
        Index("ix_unit_linkage_decisions_person_id_offence_id", "person_id", "offence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("unit_people.id", ondelete="CASCADE"))
    offence_id: Mapped[int] = mapped_column(
        ForeignKey("unit_offences.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[LinkageDecision] = mapped_column(_enum(LinkageDecision, "linkage_decision"))
    reason: Mapped[str] = mapped_column(String(REASON_CHARS))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float] = mapped_column()
    model: Mapped[str] = mapped_column(String(MODEL_CHARS))
