"""Officers and their duty periods.

An officer is on duty while they have a duty row with no `ended_at`; a partial unique index makes
two open duties for one officer impossible. Nothing here is cached: suspension and end of duty are
read afresh by every request, so they take effect at once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetlight.db.enums import Dress, OfficerStatus
from streetlight.db.models.base import Base
from streetlight.db.types import UTCDateTime


def _enum(cls: type[enum.StrEnum], name: str, length: int = 16) -> Enum:
    # Stored as the value text with a CHECK constraint: portable, readable in psql and sqlite3.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Officer(Base):
    """A warranted officer. The warrant (collar) number is what the public is shown and types in."""

    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    warrant_number: Mapped[str] = mapped_column(String(32), unique=True)
    # The number on the uniform's shoulder, where the force uses one besides the warrant number;
    # what a member of the public may have noted to report an officer's conduct.
    shoulder_number: Mapped[str | None] = mapped_column(String(16), default=None, index=True)
    name: Mapped[str] = mapped_column(String(120))
    rank: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(120))
    team: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[OfficerStatus] = mapped_column(
        _enum(OfficerStatus, "officer_status"), default=OfficerStatus.ACTIVE
    )
    # The photo lives in the database, not on a disk one app process may not share.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    photo_media_type: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    duties: Mapped[list[Duty]] = relationship(back_populates="officer", order_by="Duty.started_at")


class Duty(Base):
    """One period on duty: how the officer is dressed, where, and where they were last seen."""

    __tablename__ = "duties"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        CheckConstraint("last_lat IS NULL OR (last_lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("last_lon IS NULL OR (last_lon BETWEEN -180 AND 180)", name="lon_range"),
        Index(
            "uq_duties_one_open_per_officer",
            "officer_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    dress: Mapped[Dress] = mapped_column(_enum(Dress, "dress"))
    area: Mapped[str] = mapped_column(String(120), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_lon: Mapped[float | None] = mapped_column(default=None)
    last_lat: Mapped[float | None] = mapped_column(default=None)
    last_position_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    officer: Mapped[Officer] = relationship(back_populates="duties")

    @property
    def on_duty(self) -> bool:
        return self.ended_at is None
